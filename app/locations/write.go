package locations

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

// Limits of a venue's fields.
const (
	MaxName        = 200
	MaxTagline     = 300
	MaxDescription = 10000
	MaxURL         = 500
	MaxPosition    = 10000
	// MinContrast is WCAG AA for body text: the venue's text on its
	// background and on its surface must reach it.
	MinContrast = 4.5
	maxSlugBase = 60
	maxSlug     = 100
)

// Message IDs of the locations service (locales/content.*.json).
const (
	MsgNameRequired      = "error.location.name_required"
	MsgBadColour         = "error.location.bad_colour"
	MsgLowContrast       = "error.location.low_contrast"
	MsgUnknownStreamKind = "error.location.unknown_stream_kind"
	MsgStatusURLRequired = "error.location.stream_status_url_required"
	MsgUnknownLayout     = "error.location.unknown_screen_layout"
	MsgBadTeleport       = "error.location.bad_teleport_url"
	MsgHasEvents         = "error.location.has_events"
)

// writeAttempts bounds the runs of one write: a deadlock with another
// writer, or a slug taken meanwhile, makes the transaction run again.
const writeAttempts = 5

// Audit actions of the locations service.
const (
	ActionCreate      = "create"
	ActionUpdate      = "update"
	ActionDelete      = "delete"
	ActionRotateToken = "rotate_token"
)

var (
	nameRule        = content.Text{Max: MaxName}
	taglineRule     = content.Text{Max: MaxTagline}
	descriptionRule = content.Text{Max: MaxDescription, Multiline: true}
)

// LocationInput is a venue as the full form sends it. Create fills empty
// theme colours, stream kind and screen settings with the defaults.
type LocationInput struct {
	Position int
	Theme    Theme
	// BackgroundMediaID is the background image, 0 for none.
	BackgroundMediaID int64
	StreamKind        string
	StreamStatusURL   string
	StreamListenURL   string
	TeleportURL       string
	Screen            Screen
	// Texts holds the text per language. Update replaces the languages
	// present and leaves the others; a language present with every field
	// empty is removed (the default language cannot be).
	Texts map[string]Text
	// CreateKey is the create form's optional one-time key: Create with a
	// key that already made a venue returns that venue.
	CreateKey string
}

// defaultTheme is the schema's default theme, for what Create leaves empty.
var defaultTheme = Theme{Background: "#0d0b1a", Surface: "#1a1630", Text: "#f3efff", Accent: "#b18cff"}

func staffOnly(a actor.Actor, what string) error {
	if !a.IsStaff() {
		return fmt.Errorf("locations: %s: %w", what, apperr.ErrForbidden)
	}
	return nil
}

// Create makes a new venue. Its slug comes from the default-language name
// and never changes afterwards: screens and in-world scripts use it from
// the moment the venue exists. Staff only.
func (s *Service) Create(ctx context.Context, a actor.Actor, in LocationInput) (Draft, error) {
	if err := staffOnly(a, "create"); err != nil {
		return Draft{}, err
	}
	for _, p := range []struct {
		v   *string
		def string
	}{
		{&in.Theme.Background, defaultTheme.Background}, {&in.Theme.Surface, defaultTheme.Surface},
		{&in.Theme.Text, defaultTheme.Text}, {&in.Theme.Accent, defaultTheme.Accent},
		{&in.StreamKind, string(db.LocationsStreamKindNone)}, {&in.Screen.Layout, string(db.LocationsScreenLayoutSplit)},
	} {
		if strings.TrimSpace(*p.v) == "" {
			*p.v = p.def
		}
	}
	if in.Screen.DaysAhead == 0 {
		in.Screen.DaysAhead = 7
	}
	if in.Screen.RotateSeconds == 0 {
		in.Screen.RotateSeconds = 20
	}
	inv := apperr.NewInvalid()
	key := content.CreateKey(inv, in.CreateKey)
	next := Draft{Texts: map[string]Text{}}
	s.apply(inv, in, &next)
	if err := inv.Err(); err != nil {
		return Draft{}, err
	}
	var out Draft
	existing := false
	err := content.Retry(writeAttempts, "locations_slug", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			if key != "" {
				id, err := q.LocationIDByCreateKey(ctx, db.NullString(key))
				if err == nil {
					existing = true
					out, err = s.load(ctx, q, id)
					return err
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("locations: find create key: %w", err)
				}
			}
			n := next.clone()
			if err := s.check(ctx, q, Draft{}, &n); err != nil {
				return err
			}
			base := content.Slug(n.Texts[s.defLang].Name, s.defLang, maxSlugBase)
			if base == "" {
				base = "venue"
			}
			taken, err := q.LocationSlugsLike(ctx, db.LocationSlugsLikeParams{Base: base})
			if err != nil {
				return fmt.Errorf("locations: slugs like %q: %w", base, err)
			}
			n.Slug = content.UniqueSlug(base, taken, maxSlug)
			now := s.now().UTC()
			id, err := q.LocationCreate(ctx, db.LocationCreateParams{
				Slug: n.Slug, Position: int32(n.Position),
				ThemeBackground: n.Theme.Background, ThemeSurface: n.Theme.Surface, ThemeText: n.Theme.Text, ThemeAccent: n.Theme.Accent,
				BackgroundMediaID: nullID(n.BackgroundMediaID), StreamKind: db.LocationsStreamKind(n.StreamKind),
				StreamStatusUrl: n.StreamStatusURL, StreamListenUrl: n.StreamListenURL, TeleportUrl: n.TeleportURL,
				ScreenLayout: db.LocationsScreenLayout(n.Screen.Layout), ScreenDaysAhead: int32(n.Screen.DaysAhead),
				ScreenRotateSeconds: int32(n.Screen.RotateSeconds), CreateKey: db.NullString(key), CreatedAt: now, UpdatedAt: now,
			})
			if err != nil {
				return fmt.Errorf("locations: insert: %w", err)
			}
			n.ID = id
			if err := s.writeTexts(ctx, q, Draft{}, n); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, now, audit.Entry{
				Action: ActionCreate, Kind: audit.KindLocation, EntityID: id, Summary: n.Slug, Changes: diff(Draft{}, n),
			}); err != nil {
				return err
			}
			out, err = s.load(ctx, q, id)
			return err
		})
	})
	switch {
	case content.IsDuplicate(err, "locations_create_key"):
		// The same form, submitted twice at once: the other won.
		id, err := s.q.LocationIDByCreateKey(ctx, db.NullString(key))
		if err != nil {
			return Draft{}, fmt.Errorf("locations: find create key: %w", err)
		}
		return s.AdminGet(ctx, id)
	case err != nil:
		return Draft{}, err
	}
	if !existing {
		s.publish(ctx, changes(Draft{}, out))
	}
	return out, nil
}

// apply copies in onto next, cleaning every value.
func (s *Service) apply(inv *apperr.Invalid, in LocationInput, next *Draft) {
	next.Position = content.Range(inv, "position", in.Position, 0, MaxPosition)
	next.Theme = Theme{
		Background: colour(inv, "theme.background", in.Theme.Background),
		Surface:    colour(inv, "theme.surface", in.Theme.Surface),
		Text:       colour(inv, "theme.text", in.Theme.Text),
		Accent:     colour(inv, "theme.accent", in.Theme.Accent),
	}
	if in.BackgroundMediaID < 0 {
		inv.Add("background", content.MsgUnknownImage, nil)
	}
	next.BackgroundMediaID = max(in.BackgroundMediaID, 0)
	next.StreamKind = streamKind(inv, in.StreamKind)
	next.StreamStatusURL = content.URL(inv, "stream_status_url", in.StreamStatusURL, MaxURL, false)
	next.StreamListenURL = content.URL(inv, "stream_listen_url", in.StreamListenURL, MaxURL, false)
	next.TeleportURL = teleport(inv, in.TeleportURL)
	next.Screen.Layout = layout(inv, in.Screen.Layout)
	next.Screen.DaysAhead = content.Range(inv, "screen.days_ahead", in.Screen.DaysAhead, 1, 60)
	next.Screen.RotateSeconds = content.Range(inv, "screen.rotate_seconds", in.Screen.RotateSeconds, 5, 3600)
	for _, lang := range slices.Sorted(maps.Keys(in.Texts)) {
		if !slices.Contains(s.langs, lang) {
			inv.Add("name."+fieldName(lang), content.MsgUnknownLanguage, nil)
			continue
		}
		t := in.Texts[lang]
		setText(inv, next, lang, "name", t.Name)
		setText(inv, next, lang, "tagline", t.Tagline)
		setText(inv, next, lang, "description", t.Description)
	}
}

func colour(inv *apperr.Invalid, field, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if !hexColour.MatchString(v) {
		inv.Add(field, MsgBadColour, nil)
		return ""
	}
	return v
}

func streamKind(inv *apperr.Invalid, v string) string {
	v = strings.TrimSpace(v)
	if !db.LocationsStreamKind(v).Valid() {
		inv.Add("stream_kind", MsgUnknownStreamKind, nil)
	}
	return v
}

func layout(inv *apperr.Invalid, v string) string {
	v = strings.TrimSpace(v)
	if !db.LocationsScreenLayout(v).Valid() {
		inv.Add("screen.layout", MsgUnknownLayout, nil)
	}
	return v
}

// teleport accepts the in-world links the views show: secondlife:// (a
// region and position, no host check) or a web address.
func teleport(inv *apperr.Invalid, v string) string {
	v = content.Clean(inv, "teleport_url", v, content.Text{Max: MaxURL})
	if v == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(v), "secondlife://") {
		if len(v) == len("secondlife://") || strings.ContainsAny(v, " \"'<>\\`") {
			inv.Add("teleport_url", MsgBadTeleport, nil)
			return ""
		}
		return v
	}
	sub := apperr.NewInvalid()
	if u := content.URL(sub, "teleport_url", v, MaxURL, false); sub.Err() == nil {
		return u
	}
	inv.Add("teleport_url", MsgBadTeleport, nil)
	return ""
}

// setText sets one part of lang's text in d after cleaning v; a language
// left with no text is dropped.
func setText(inv *apperr.Invalid, d *Draft, lang, part, v string) {
	field := part + "." + lang
	t := d.Texts[lang]
	switch part {
	case "name":
		t.Name = content.Clean(inv, field, v, nameRule)
	case "tagline":
		t.Tagline = content.Clean(inv, field, v, taglineRule)
	case "description":
		t.Description = content.Clean(inv, field, v, descriptionRule)
	default:
		inv.Add(fieldName(field), content.MsgUnknownField, nil)
		return
	}
	if t.empty() {
		delete(d.Texts, lang)
	} else {
		d.Texts[lang] = t
	}
}

func fieldName(f string) string {
	if len(f) > 64 || !utf8.ValidString(f) || strings.ContainsFunc(f, unicode.IsControl) {
		return "field"
	}
	return f
}

// check applies the rules that compare the next state with the current
// one (zero ID: a new venue) or need the database.
func (s *Service) check(ctx context.Context, q *db.Queries, cur Draft, next *Draft) error {
	inv := apperr.NewInvalid()
	// The public pages read a venue through its default-language name.
	if next.Texts[s.defLang].Name == "" {
		inv.Add("name."+s.defLang, MsgNameRequired, map[string]any{"Lang": s.defLang})
	}
	if next.Theme != cur.Theme && next.Theme.Valid() {
		field := "theme.text"
		switch {
		case next.Theme.Text != cur.Theme.Text || cur.ID == 0:
		case next.Theme.Background != cur.Theme.Background:
			field = "theme.background"
		case next.Theme.Surface != cur.Theme.Surface:
			field = "theme.surface"
		}
		for _, bg := range []string{next.Theme.Background, next.Theme.Surface} {
			if r := Contrast(next.Theme.Text, bg); r < MinContrast {
				inv.Add(field, MsgLowContrast, map[string]any{"Ratio": strconv.FormatFloat(r, 'f', 1, 64), "Min": MinContrast})
				break
			}
		}
	}
	if (next.StreamKind == string(db.LocationsStreamKindIcecast) || next.StreamKind == string(db.LocationsStreamKindShoutcast)) &&
		next.StreamStatusURL == "" {
		// The poller needs somewhere to ask. Set the address first, or
		// the kind "none" or "push" first when clearing it.
		field := "stream_kind"
		if cur.ID != 0 && next.StreamKind == cur.StreamKind {
			field = "stream_status_url"
		}
		inv.Add(field, MsgStatusURLRequired, nil)
	}
	if next.BackgroundMediaID != cur.BackgroundMediaID && next.BackgroundMediaID != 0 {
		ok, err := q.LocationMediaIsImage(ctx, next.BackgroundMediaID)
		if err != nil {
			return fmt.Errorf("locations: check background %d: %w", next.BackgroundMediaID, err)
		}
		if !ok {
			inv.Add("background", content.MsgUnknownImage, nil)
		}
	}
	return inv.Err()
}

// edit runs one change to venue id: lock, change, and when anything
// differs, version check, rules, write, audit, and topics after commit. A
// change already in place returns the current venue and writes nothing.
func (s *Service) edit(ctx context.Context, a actor.Actor, id int64, version int32, fn func(next *Draft) error) (Draft, error) {
	if err := staffOnly(a, "update"); err != nil {
		return Draft{}, err
	}
	var cur, out Draft
	noop := false
	err := content.Retry(writeAttempts, "", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			var err error
			if cur, err = s.lockLoad(ctx, q, id, "update"); err != nil {
				return err
			}
			next := cur.clone()
			if err := fn(&next); err != nil {
				return err
			}
			changes := diff(cur, next)
			if len(changes) == 0 {
				noop, out = true, cur
				return nil
			}
			if cur.Version != version {
				return fmt.Errorf("locations: update %d: based on version %d, now %d: %w", id, version, cur.Version, apperr.ErrConflict)
			}
			if err := s.check(ctx, q, cur, &next); err != nil {
				return err
			}
			n, err := q.LocationUpdate(ctx, db.LocationUpdateParams{
				Position:        int32(next.Position),
				ThemeBackground: next.Theme.Background, ThemeSurface: next.Theme.Surface, ThemeText: next.Theme.Text, ThemeAccent: next.Theme.Accent,
				BackgroundMediaID: nullID(next.BackgroundMediaID), StreamKind: db.LocationsStreamKind(next.StreamKind),
				StreamStatusUrl: next.StreamStatusURL, StreamListenUrl: next.StreamListenURL, TeleportUrl: next.TeleportURL,
				ScreenLayout: db.LocationsScreenLayout(next.Screen.Layout), ScreenDaysAhead: int32(next.Screen.DaysAhead),
				ScreenRotateSeconds: int32(next.Screen.RotateSeconds),
				UpdatedAt:           s.now().UTC(), ID: id, Version: cur.Version,
			})
			if err != nil {
				return fmt.Errorf("locations: update %d: %w", id, err)
			}
			if n == 0 {
				return fmt.Errorf("locations: update %d: %w", id, apperr.ErrConflict)
			}
			if err := s.writeTexts(ctx, q, cur, next); err != nil {
				return err
			}
			if err := writeScreen(ctx, q, cur, next); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, s.now(), audit.Entry{
				Action: ActionUpdate, Kind: audit.KindLocation, EntityID: id, Summary: cur.Slug, Changes: changes,
			}); err != nil {
				return err
			}
			out, err = s.load(ctx, q, id)
			return err
		})
	})
	if err != nil {
		return Draft{}, err
	}
	if !noop {
		s.publish(ctx, changes(cur, out))
	}
	return out, nil
}

func (s *Service) writeTexts(ctx context.Context, q *db.Queries, cur, next Draft) error {
	for _, lang := range slices.Sorted(maps.Keys(union(cur.Texts, next.Texts))) {
		c, had := cur.Texts[lang]
		n, has := next.Texts[lang]
		switch {
		case had && !has:
			if err := q.LocationTranslationDelete(ctx, db.LocationTranslationDeleteParams{LocationID: next.ID, Lang: lang}); err != nil {
				return fmt.Errorf("locations: delete %s text of %d: %w", lang, next.ID, err)
			}
		case has && (!had || c != n):
			if err := q.LocationTranslationUpsert(ctx, db.LocationTranslationUpsertParams{
				LocationID: next.ID, Lang: lang, Name: n.Name, Tagline: n.Tagline, Description: n.Description,
			}); err != nil {
				return fmt.Errorf("locations: write %s text of %d: %w", lang, next.ID, err)
			}
		}
	}
	return nil
}

// Update saves the whole form over venue id, based on version; it is how
// a theme changes all at once (one colour at a time may pass through a
// pair that is unreadable).
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, version int32, in LocationInput) (Draft, error) {
	return s.edit(ctx, a, id, version, func(next *Draft) error {
		inv := apperr.NewInvalid()
		s.apply(inv, in, next)
		return inv.Err()
	})
}

// Patch changes one field of venue id, as the inline editor saves it:
// "name.<lang>", "tagline.<lang>", "description.<lang>", "theme.background",
// "theme.surface", "theme.text", "theme.accent" (#rrggbb), "background" (a
// media id or ""), "stream_kind", "stream_status_url", "stream_listen_url",
// "teleport_url", "screen.layout", "screen.days_ahead",
// "screen.rotate_seconds", "screen.panels" (comma-separated, see Panels),
// "screen.announcements.<lang>" (one per line) and "position". Errors are keyed by the field.
func (s *Service) Patch(ctx context.Context, a actor.Actor, id int64, version int32, field, value string) (Draft, error) {
	return s.edit(ctx, a, id, version, func(next *Draft) error {
		inv := apperr.NewInvalid()
		switch field {
		case "theme.background":
			next.Theme.Background = colour(inv, field, value)
		case "theme.surface":
			next.Theme.Surface = colour(inv, field, value)
		case "theme.text":
			next.Theme.Text = colour(inv, field, value)
		case "theme.accent":
			next.Theme.Accent = colour(inv, field, value)
		case "background":
			next.BackgroundMediaID = content.MediaID(inv, field, value)
		case "stream_kind":
			next.StreamKind = streamKind(inv, value)
		case "stream_status_url":
			next.StreamStatusURL = content.URL(inv, field, value, MaxURL, false)
		case "stream_listen_url":
			next.StreamListenURL = content.URL(inv, field, value, MaxURL, false)
		case "teleport_url":
			next.TeleportURL = teleport(inv, value)
		case "screen.layout":
			next.Screen.Layout = layout(inv, value)
		case "screen.days_ahead":
			next.Screen.DaysAhead = content.Int(inv, field, value, 1, 60)
		case "screen.rotate_seconds":
			next.Screen.RotateSeconds = content.Int(inv, field, value, 5, 3600)
		case "position":
			next.Position = content.Int(inv, field, value, 0, MaxPosition)
		case "screen.panels":
			next.Screen.Panels = panels(inv, field, value)
		default:
			if lang, ok := strings.CutPrefix(field, "screen.announcements."); ok {
				if !slices.Contains(s.langs, lang) {
					inv.Add(fieldName(field), content.MsgUnknownLanguage, nil)
					break
				}
				if next.Screen.Announcements == nil {
					next.Screen.Announcements = map[string]string{}
				}
				next.Screen.Announcements[lang] = announcements(inv, field, value)
				break
			}
			base, lang, ok := content.Language(inv, fieldName(field), s.langs)
			switch {
			case ok:
				setText(inv, next, lang, base, value)
			case !inv.Has(fieldName(field)):
				inv.Add(fieldName(field), content.MsgUnknownField, nil)
			}
		}
		return inv.Err()
	})
}

// RotateNowPlayingToken gives venue id a new bearer token for DJ software
// to push now-playing with, replacing the old one at once. The token is
// returned this once; only its sha256 is stored. Staff only.
func (s *Service) RotateNowPlayingToken(ctx context.Context, a actor.Actor, id int64) (string, error) {
	if err := staffOnly(a, "rotate token"); err != nil {
		return "", err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("locations: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(buf)
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		cur, err := s.lockLoad(ctx, q, id, "rotate token")
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if _, err := q.LocationSetNowPlayingToken(ctx, db.LocationSetNowPlayingTokenParams{
			NowPlayingTokenSha256:    sql.NullString{String: NowPlayingTokenHash(token), Valid: true},
			NowPlayingTokenRotatedAt: sql.NullTime{Time: now, Valid: true},
			ID:                       id,
		}); err != nil {
			return fmt.Errorf("locations: set token %d: %w", id, err)
		}
		// The log says that the token changed, never what it is.
		old := "none"
		if cur.HasNowPlayingToken {
			old = "set"
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: ActionRotateToken, Kind: audit.KindLocation, EntityID: id, Summary: cur.Slug,
			Changes: []audit.Change{{Field: "now_playing_token", Old: old, New: "replaced"}},
		})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// NowPlayingTokenHash is how a now-playing token is stored and looked up:
// its sha256 in hex.
func NowPlayingTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ByNowPlayingToken returns the id and slug of the venue whose now-playing
// token is token, or apperr.ErrNotFound. The lookup is by hash, so timing
// says nothing about the token.
func (s *Service) ByNowPlayingToken(ctx context.Context, token string) (int64, string, error) {
	if token == "" {
		return 0, "", fmt.Errorf("locations: empty token: %w", apperr.ErrNotFound)
	}
	r, err := s.q.LocationIDByNowPlayingToken(ctx, sql.NullString{String: NowPlayingTokenHash(token), Valid: true})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("locations: unknown token: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return 0, "", fmt.Errorf("locations: find token: %w", err)
	}
	return r.ID, r.Slug, nil
}

// Delete removes venue id. A venue with events, past ones included, cannot
// go: the error (*apperr.Invalid on "events") says how many there are and
// that they must be moved to another venue or deleted first. Staff only.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64, version int32) error {
	if err := staffOnly(a, "delete"); err != nil {
		return err
	}
	var cur Draft
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		var err error
		if cur, err = s.lockLoad(ctx, q, id, "delete"); err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("locations: delete %d: based on version %d, now %d: %w", id, version, cur.Version, apperr.ErrConflict)
		}
		count, err := q.LocationEventCount(ctx, id)
		if err != nil {
			return fmt.Errorf("locations: count events of %d: %w", id, err)
		}
		if count > 0 {
			return hasEvents(count)
		}
		n, err := q.LocationDelete(ctx, db.LocationDeleteParams{ID: id, Version: version})
		if content.IsReferenced(err) {
			// An event created since the count (its writer did not lock
			// the venue): the database still refuses.
			return hasEvents(1)
		}
		if err != nil {
			return fmt.Errorf("locations: delete %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("locations: delete %d: %w", id, apperr.ErrConflict)
		}
		return audit.Record(ctx, q, a, s.now(), audit.Entry{
			Action: ActionDelete, Kind: audit.KindLocation, EntityID: id, Summary: cur.Slug, Changes: diff(cur, Draft{}),
		})
	})
	if err != nil {
		return err
	}
	live.Publish(ctx, s.pub, s.log, id, live.LocationTopic(cur.Slug, ""), live.LocationTopic(cur.Slug, "screen"), live.TopicLocations)
	return nil
}

func hasEvents(n int64) error {
	inv := apperr.NewInvalid()
	inv.Add("events", MsgHasEvents, map[string]any{"Count": n})
	return inv
}

// diff lists what differs between two states of a venue, under the names
// Patch uses.
func diff(cur, next Draft) []audit.Change {
	var out []audit.Change
	add := func(field, old, new string) {
		if old != new {
			out = append(out, audit.Change{Field: field, Old: old, New: new})
		}
	}
	itoa := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	add("slug", cur.Slug, next.Slug)
	add("position", itoa(cur.Position), itoa(next.Position))
	add("theme.background", cur.Theme.Background, next.Theme.Background)
	add("theme.surface", cur.Theme.Surface, next.Theme.Surface)
	add("theme.text", cur.Theme.Text, next.Theme.Text)
	add("theme.accent", cur.Theme.Accent, next.Theme.Accent)
	add("background", content.ID(cur.BackgroundMediaID), content.ID(next.BackgroundMediaID))
	add("stream_kind", cur.StreamKind, next.StreamKind)
	add("stream_status_url", cur.StreamStatusURL, next.StreamStatusURL)
	add("stream_listen_url", cur.StreamListenURL, next.StreamListenURL)
	add("teleport_url", cur.TeleportURL, next.TeleportURL)
	add("screen.layout", cur.Screen.Layout, next.Screen.Layout)
	add("screen.days_ahead", itoa(cur.Screen.DaysAhead), itoa(next.Screen.DaysAhead))
	add("screen.rotate_seconds", itoa(cur.Screen.RotateSeconds), itoa(next.Screen.RotateSeconds))
	add("screen.panels", strings.Join(cur.Screen.Panels, ","), strings.Join(next.Screen.Panels, ","))
	for _, lang := range slices.Sorted(maps.Keys(unionStrings(cur.Screen.Announcements, next.Screen.Announcements))) {
		add("screen.announcements."+lang, cur.Screen.Announcements[lang], next.Screen.Announcements[lang])
	}
	for _, lang := range slices.Sorted(maps.Keys(union(cur.Texts, next.Texts))) {
		c, n := cur.Texts[lang], next.Texts[lang]
		add("name."+lang, c.Name, n.Name)
		add("tagline."+lang, c.Tagline, n.Tagline)
		add("description."+lang, c.Description, n.Description)
	}
	return out
}

// changes names what a venue change shows on, each topic with the id its
// listeners read: its page and screen and the list of venues always; its
// now-playing box when the stream of an existing venue changed; the
// programme and the venue's schedule when its name or accent changed, as
// event cards show both. Every topic carries the venue's id but the
// programme's, whose id names the one event that changed: 0 says any of
// them (see events.Service.Changed).
func changes(cur, next Draft) []live.Change {
	slug, id := next.Slug, next.ID
	out := []live.Change{{Topic: live.LocationTopic(slug, ""), ID: id}, {Topic: live.LocationTopic(slug, "screen"), ID: id},
		{Topic: live.TopicLocations, ID: id}}
	streamChanged := cur.StreamKind != next.StreamKind || cur.StreamListenURL != next.StreamListenURL ||
		cur.StreamStatusURL != next.StreamStatusURL
	if cur.ID != 0 && streamChanged {
		out = append(out, live.Change{Topic: live.LocationTopic(slug, "now-playing"), ID: id})
	}
	nameChanged := false
	for lang := range union(cur.Texts, next.Texts) {
		nameChanged = nameChanged || cur.Texts[lang].Name != next.Texts[lang].Name
	}
	if cur.ID != 0 && (nameChanged || cur.Theme.Accent != next.Theme.Accent) {
		out = append(out, live.Change{Topic: live.TopicEvents}, live.Change{Topic: live.LocationTopic(slug, "schedule"), ID: id})
	}
	return out
}

// publish sends each change through the service's publisher.
func (s *Service) publish(ctx context.Context, changes []live.Change) {
	for _, c := range changes {
		live.Publish(ctx, s.pub, s.log, c.ID, c.Topic)
	}
}

func union(a, b map[string]Text) map[string]Text {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]Text{}
	}
	maps.Copy(out, b)
	return out
}

func unionStrings(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, b)
	return out
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// lockLoad locks venue id for the rest of the transaction and loads it; a
// venue that does not exist is apperr.ErrNotFound, wrapped with doing.
func (s *Service) lockLoad(ctx context.Context, q *db.Queries, id int64, doing string) (Draft, error) {
	if _, err := q.LocationLock(ctx, id); errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("locations: %s %d: %w", doing, id, apperr.ErrNotFound)
	} else if err != nil {
		return Draft{}, fmt.Errorf("locations: lock %d: %w", id, err)
	}
	return s.load(ctx, q, id)
}
