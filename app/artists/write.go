package artists

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

// Limits of an artist's fields.
const (
	MaxName  = 200
	MaxGenre = 200
	MaxBio   = 10000
	MaxLinks = 20
	MaxURL   = 500
	// AdminDefaultPerPage and AdminMaxPerPage size the back office's list.
	AdminDefaultPerPage = 50
	AdminMaxPerPage     = 200
	maxSlugBase         = 60
	maxSlug             = 100
)

// Message IDs of the artists service (locales/content.*.json).
const (
	MsgUnknownLinkKind   = "error.artist.unknown_link_kind"
	MsgLinkLine          = "error.artist.link_line"
	MsgTooManyLinks      = "error.artist.too_many_links"
	MsgHasUpcomingEvents = "error.artist.has_upcoming_events"
)

// writeAttempts bounds the runs of one write: a deadlock with another
// writer, or a slug taken meanwhile, makes the transaction run again.
const writeAttempts = 5

// Audit actions of the artists service.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

var (
	nameRule  = content.Text{Max: MaxName, Required: true}
	genreRule = content.Text{Max: MaxGenre}
	bioRule   = content.Text{Max: MaxBio, Multiline: true}
)

// LinkKinds lists the kinds of link, in display order.
func LinkKinds() []string {
	out := make([]string, 0, 8)
	for _, k := range db.AllArtistLinksKindValues() {
		out = append(out, string(k))
	}
	return out
}

// Text is an artist's text in one language, as the back office edits it.
type Text struct {
	Genre, Bio string
}

// Draft is an artist as the back office sees it, every language's text side
// by side. Version is what the next write must name.
type Draft struct {
	ID   int64
	Slug string
	Name string
	// PhotoMediaID is the photo, 0 for none.
	PhotoMediaID int64
	Version      int32
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Texts holds the languages with a genre or bio.
	Texts map[string]Text
	// Links are in display order.
	Links []Link
}

func (d Draft) clone() Draft {
	c := d
	c.Texts = maps.Clone(d.Texts)
	if c.Texts == nil {
		c.Texts = map[string]Text{}
	}
	c.Links = slices.Clone(d.Links)
	return c
}

// ArtistInput is an artist as the full form sends it.
type ArtistInput struct {
	Name         string
	PhotoMediaID int64
	// Texts holds genre and bio per language. Update replaces the
	// languages present and leaves the others.
	Texts map[string]Text
	// Links is the whole list, in order. On Update, nil leaves the links
	// as they are and an empty non-nil slice removes them.
	Links []Link
	// CreateKey is the create form's optional one-time key: Create with a
	// key that already made an artist returns that artist.
	CreateKey string
}

// AdminGet returns artist id as the back office edits it, or
// apperr.ErrNotFound.
func (s *Service) AdminGet(ctx context.Context, id int64) (Draft, error) {
	return s.load(ctx, s.q, id)
}

func (s *Service) load(ctx context.Context, q *db.Queries, id int64) (Draft, error) {
	r, err := q.ArtistAdminGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("artists: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("artists: get %d: %w", id, err)
	}
	d := Draft{
		ID: r.ID, Slug: r.Slug, Name: r.Name, PhotoMediaID: r.PhotoMediaID.Int64, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Texts: map[string]Text{},
	}
	texts, err := q.ArtistTranslationList(ctx, id)
	if err != nil {
		return Draft{}, fmt.Errorf("artists: texts of %d: %w", id, err)
	}
	for _, t := range texts {
		if t.Genre != "" || t.Bio != "" {
			d.Texts[t.Lang] = Text{Genre: t.Genre, Bio: t.Bio}
		}
	}
	links, err := q.ArtistLinkList(ctx, id)
	if err != nil {
		return Draft{}, fmt.Errorf("artists: links of %d: %w", id, err)
	}
	for _, l := range links {
		d.Links = append(d.Links, Link{Kind: string(l.Kind), URL: l.Url})
	}
	return d, nil
}

// AdminFilter narrows the back office's list: Q searches names and slugs.
type AdminFilter struct {
	Q       string
	Page    int
	PerPage int
}

// AdminSummary is one artist in the back office's list.
type AdminSummary struct {
	ID           int64
	Slug         string
	Name         string
	PhotoMediaID int64
	// EventCount is how many events, past ones included, list the artist.
	EventCount int
	Version    int32
	UpdatedAt  time.Time
}

// AdminPage is one page of the back office's list.
type AdminPage struct {
	Artists []AdminSummary
	Total   int
	Page    int
	PerPage int
	Pages   int
}

// AdminList returns a page of artists by name; pages past the end clamp.
func (s *Service) AdminList(ctx context.Context, f AdminFilter) (AdminPage, error) {
	if f.PerPage <= 0 {
		f.PerPage = AdminDefaultPerPage
	}
	f.PerPage = min(f.PerPage, AdminMaxPerPage)
	q := db.NullString(content.LikePattern(f.Q))
	total, err := s.q.ArtistAdminCount(ctx, db.ArtistAdminCountParams{Q: q})
	if err != nil {
		return AdminPage{}, fmt.Errorf("artists: admin count: %w", err)
	}
	p := AdminPage{Total: int(total), PerPage: f.PerPage, Pages: max(1, (int(total)+f.PerPage-1)/f.PerPage)}
	p.Page = min(max(f.Page, 1), p.Pages)
	rows, err := s.q.ArtistAdminList(ctx, db.ArtistAdminListParams{Q: q, Limit: int32(f.PerPage), Offset: int32((p.Page - 1) * f.PerPage)})
	if err != nil {
		return AdminPage{}, fmt.Errorf("artists: admin list: %w", err)
	}
	p.Artists = make([]AdminSummary, len(rows))
	for i, r := range rows {
		p.Artists[i] = AdminSummary{
			ID: r.ID, Slug: r.Slug, Name: r.Name, PhotoMediaID: r.PhotoMediaID.Int64,
			EventCount: int(r.EventCount), Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(),
		}
	}
	return p, nil
}

// mayEdit reports whether a may edit artist id: staff may edit anyone, an
// artist-role user only their own profile.
func mayEdit(a actor.Actor, id int64) error {
	if a.IsStaff() || a.OwnsArtist(id) {
		return nil
	}
	return fmt.Errorf("artists: edit %d: %w", id, apperr.ErrForbidden)
}

// Create makes a new artist. The slug comes from the name and never
// changes afterwards: the artist's page is public from the start. Staff
// only.
func (s *Service) Create(ctx context.Context, a actor.Actor, in ArtistInput) (Draft, error) {
	if !a.IsStaff() {
		return Draft{}, fmt.Errorf("artists: create: %w", apperr.ErrForbidden)
	}
	inv := apperr.NewInvalid()
	key := content.CreateKey(inv, in.CreateKey)
	next := Draft{Texts: map[string]Text{}}
	s.apply(inv, in, &next, true)
	if err := inv.Err(); err != nil {
		return Draft{}, err
	}
	var out Draft
	existing := false
	err := content.Retry(writeAttempts, "artists_slug", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			if key != "" {
				id, err := q.ArtistIDByCreateKey(ctx, db.NullString(key))
				if err == nil {
					existing = true
					out, err = s.load(ctx, q, id)
					return err
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("artists: find create key: %w", err)
				}
			}
			n := next.clone()
			if err := s.check(ctx, q, Draft{}, n); err != nil {
				return err
			}
			base := content.Slug(n.Name, s.defLang, maxSlugBase)
			if base == "" {
				base = "artist"
			}
			taken, err := q.ArtistSlugsLike(ctx, db.ArtistSlugsLikeParams{Base: base})
			if err != nil {
				return fmt.Errorf("artists: slugs like %q: %w", base, err)
			}
			n.Slug = content.UniqueSlug(base, taken, maxSlug)
			now := s.now().UTC()
			id, err := q.ArtistCreate(ctx, db.ArtistCreateParams{
				Slug: n.Slug, Name: n.Name, PhotoMediaID: nullID(n.PhotoMediaID), CreateKey: db.NullString(key),
				CreatedAt: now, UpdatedAt: now,
			})
			if err != nil {
				return fmt.Errorf("artists: insert: %w", err)
			}
			n.ID = id
			if err := s.writeParts(ctx, q, Draft{}, n); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, now, audit.Entry{
				Action: ActionCreate, Kind: audit.KindArtist, EntityID: id, Summary: n.Name, Changes: diff(Draft{}, n),
			}); err != nil {
				return err
			}
			out, err = s.load(ctx, q, id)
			return err
		})
	})
	switch {
	case content.IsDuplicate(err, "artists_create_key"):
		// The same form, submitted twice at once: the other won.
		id, err := s.q.ArtistIDByCreateKey(ctx, db.NullString(key))
		if err != nil {
			return Draft{}, fmt.Errorf("artists: find create key: %w", err)
		}
		return s.AdminGet(ctx, id)
	case err != nil:
		return Draft{}, err
	}
	if !existing {
		live.Publish(ctx, s.pub, s.log, out.ID, live.ArtistTopic(out.Slug), live.TopicArtists)
	}
	return out, nil
}

// apply copies in onto next, cleaning every value.
func (s *Service) apply(inv *apperr.Invalid, in ArtistInput, next *Draft, creating bool) {
	next.Name = content.Clean(inv, "name", in.Name, nameRule)
	if in.PhotoMediaID < 0 {
		inv.Add("photo", content.MsgUnknownImage, nil)
	}
	next.PhotoMediaID = max(in.PhotoMediaID, 0)
	for _, lang := range slices.Sorted(maps.Keys(in.Texts)) {
		if !slices.Contains(s.langs, lang) {
			inv.Add("genre."+fieldName(lang), content.MsgUnknownLanguage, nil)
			continue
		}
		t := in.Texts[lang]
		setText(inv, next, lang, "genre", t.Genre)
		setText(inv, next, lang, "bio", t.Bio)
	}
	if in.Links != nil || creating {
		next.Links = links(inv, in.Links)
	}
}

// links checks a list of links; errors are keyed "links.<index>.kind" and
// "links.<index>.url", the index counting from 0 in the given order.
func links(inv *apperr.Invalid, in []Link) []Link {
	if len(in) > MaxLinks {
		inv.Add("links", MsgTooManyLinks, map[string]any{"Max": MaxLinks})
		return nil
	}
	out := make([]Link, 0, len(in))
	for i, l := range in {
		key := "links." + strconv.Itoa(i) + "."
		kind := strings.TrimSpace(l.Kind)
		if !db.ArtistLinksKind(kind).Valid() {
			inv.Add(key+"kind", MsgUnknownLinkKind, map[string]any{"Kinds": strings.Join(LinkKinds(), ", ")})
		}
		u := content.URL(inv, key+"url", l.URL, MaxURL, true)
		out = append(out, Link{Kind: kind, URL: u})
	}
	return out
}

// linkLines reads links as the inline editor's text area sends them: one a
// line, either "kind url" or just the url, whose kind then follows from its
// host (soundcloud.com is "soundcloud", an unknown host "website"). Errors
// are keyed "links" and name the line.
func linkLines(inv *apperr.Invalid, v string) []Link {
	if !utf8.ValidString(v) {
		inv.Add("links", content.MsgInvalidUTF8, nil)
		return nil
	}
	var out []Link
	n := 0
	for line := range strings.Lines(v) {
		n++
		f := strings.Fields(line)
		var l Link
		switch len(f) {
		case 0:
			continue
		case 1:
			l = Link{Kind: kindOf(f[0]), URL: f[0]}
		case 2:
			l = Link{Kind: f[0], URL: f[1]}
		default:
			inv.Add("links", MsgLinkLine, map[string]any{"Line": n})
			return nil
		}
		if len(out) == MaxLinks {
			inv.Add("links", MsgTooManyLinks, map[string]any{"Max": MaxLinks})
			return nil
		}
		sub := apperr.NewInvalid()
		checked := links(sub, []Link{l})
		if sub.Err() != nil {
			inv.Add("links", MsgLinkLine, map[string]any{"Line": n})
			return nil
		}
		out = append(out, checked[0])
	}
	return out
}

// kindOf guesses a link's kind from its host.
func kindOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "website"
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	for _, k := range []struct{ domain, kind string }{
		{"soundcloud.com", "soundcloud"}, {"mixcloud.com", "mixcloud"}, {"bandcamp.com", "bandcamp"},
		{"instagram.com", "instagram"}, {"youtube.com", "youtube"}, {"youtu.be", "youtube"},
		{"spotify.com", "spotify"},
	} {
		if host == k.domain || strings.HasSuffix(host, "."+k.domain) {
			return k.kind
		}
	}
	return "website"
}

// setText sets one part of lang's text in d after cleaning v; a language
// left with no text is dropped.
func setText(inv *apperr.Invalid, d *Draft, lang, part, v string) {
	field := part + "." + lang
	t := d.Texts[lang]
	switch part {
	case "genre":
		t.Genre = content.Clean(inv, field, v, genreRule)
	case "bio":
		t.Bio = content.Clean(inv, field, v, bioRule)
	default:
		inv.Add(fieldName(field), content.MsgUnknownField, nil)
		return
	}
	if t.Genre == "" && t.Bio == "" {
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

// check applies the rules that need the database.
func (s *Service) check(ctx context.Context, q *db.Queries, cur, next Draft) error {
	if next.PhotoMediaID == cur.PhotoMediaID || next.PhotoMediaID == 0 {
		return nil
	}
	ok, err := q.ArtistMediaIsImage(ctx, next.PhotoMediaID)
	if err != nil {
		return fmt.Errorf("artists: check photo %d: %w", next.PhotoMediaID, err)
	}
	if !ok {
		inv := apperr.NewInvalid()
		inv.Add("photo", content.MsgUnknownImage, nil)
		return inv
	}
	return nil
}

// writeParts stores the texts and links of next that differ from cur. The
// default language's row always exists, empty or not: the public pages
// read artists through it.
func (s *Service) writeParts(ctx context.Context, q *db.Queries, cur, next Draft) error {
	langs := slices.Sorted(maps.Keys(union(cur.Texts, next.Texts)))
	if cur.ID == 0 && !slices.Contains(langs, s.defLang) {
		langs = append(langs, s.defLang)
	}
	for _, lang := range langs {
		c, had := cur.Texts[lang]
		n, has := next.Texts[lang]
		switch {
		case had && !has && lang != s.defLang:
			if err := q.ArtistTranslationDelete(ctx, db.ArtistTranslationDeleteParams{ArtistID: next.ID, Lang: lang}); err != nil {
				return fmt.Errorf("artists: delete %s text of %d: %w", lang, next.ID, err)
			}
		case !had || c != n:
			if err := q.ArtistTranslationUpsert(ctx, db.ArtistTranslationUpsertParams{
				ArtistID: next.ID, Lang: lang, Genre: n.Genre, Bio: n.Bio,
			}); err != nil {
				return fmt.Errorf("artists: write %s text of %d: %w", lang, next.ID, err)
			}
		}
	}
	if slices.Equal(cur.Links, next.Links) {
		return nil
	}
	// Deleting from an empty range would only take gap locks, which two
	// concurrent creates can deadlock on.
	if len(cur.Links) > 0 {
		if err := q.ArtistLinkDeleteAll(ctx, next.ID); err != nil {
			return fmt.Errorf("artists: clear links of %d: %w", next.ID, err)
		}
	}
	for i, l := range next.Links {
		if err := q.ArtistLinkInsert(ctx, db.ArtistLinkInsertParams{
			ArtistID: next.ID, Position: int32(i + 1), Kind: db.ArtistLinksKind(l.Kind), Url: l.URL,
		}); err != nil {
			return fmt.Errorf("artists: links of %d: %w", next.ID, err)
		}
	}
	return nil
}

// edit runs one change to artist id: lock, change, and when anything
// differs, version check, rules, write, audit, and topics after commit. A
// change already in place returns the current artist and writes nothing.
func (s *Service) edit(ctx context.Context, a actor.Actor, id int64, version int32, fn func(next *Draft) error) (Draft, error) {
	if err := mayEdit(a, id); err != nil {
		return Draft{}, err
	}
	var cur, out Draft
	var shown []db.ArtistVisibleEventsRow
	noop := false
	err := content.Retry(writeAttempts, "", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			if _, err := q.ArtistLock(ctx, id); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("artists: update %d: %w", id, apperr.ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("artists: lock %d: %w", id, err)
			}
			var err error
			if cur, err = s.load(ctx, q, id); err != nil {
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
				return fmt.Errorf("artists: update %d: based on version %d, now %d: %w", id, version, cur.Version, apperr.ErrConflict)
			}
			if err := s.check(ctx, q, cur, next); err != nil {
				return err
			}
			n, err := q.ArtistUpdate(ctx, db.ArtistUpdateParams{
				Name: next.Name, PhotoMediaID: nullID(next.PhotoMediaID), UpdatedAt: s.now().UTC(), ID: id, Version: cur.Version,
			})
			if err != nil {
				return fmt.Errorf("artists: update %d: %w", id, err)
			}
			if n == 0 {
				return fmt.Errorf("artists: update %d: %w", id, apperr.ErrConflict)
			}
			if err := s.writeParts(ctx, q, cur, next); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, s.now(), audit.Entry{
				Action: ActionUpdate, Kind: audit.KindArtist, EntityID: id, Summary: next.Name, Changes: changes,
			}); err != nil {
				return err
			}
			if showsOnEvents(cur, next) {
				shown, err = q.ArtistVisibleEvents(ctx, db.ArtistVisibleEventsParams{ArtistID: id, Now: s.now().UTC()})
				if err != nil {
					return fmt.Errorf("artists: events of %d: %w", id, err)
				}
			}
			out, err = s.load(ctx, q, id)
			return err
		})
	})
	if err != nil {
		return Draft{}, err
	}
	if !noop {
		for _, c := range changes(out, shown) {
			live.Publish(ctx, s.pub, s.log, c.ID, c.Topic)
		}
	}
	return out, nil
}

// showsOnEvents reports whether a change shows on event pages and cards,
// whose lineups carry the artist's name and genre.
func showsOnEvents(cur, next Draft) bool {
	if cur.Name != next.Name {
		return true
	}
	for lang := range union(cur.Texts, next.Texts) {
		if cur.Texts[lang].Genre != next.Texts[lang].Genre {
			return true
		}
	}
	return false
}

// changes names what an artist change shows on, each topic with the id
// its listeners read: the artist's page and the list of artists, with the
// artist's id; and when the lineups show it, the programme, with 0 (its id
// names the one event that changed, and a change to an artist may touch
// many: see events.Service.Changed), and each public event that is not
// over, with its id, and its venue's schedule.
func changes(d Draft, shown []db.ArtistVisibleEventsRow) []live.Change {
	out := []live.Change{{Topic: live.ArtistTopic(d.Slug), ID: d.ID}, {Topic: live.TopicArtists, ID: d.ID}}
	if len(shown) == 0 {
		return out
	}
	out = append(out, live.Change{Topic: live.TopicEvents})
	seen := map[string]bool{}
	for _, e := range shown {
		out = append(out, live.Change{Topic: live.EventTopic(e.ID), ID: e.ID})
		if t := live.LocationTopic(e.LocationSlug, "schedule"); !seen[t] {
			seen[t] = true
			out = append(out, live.Change{Topic: t, ID: d.ID})
		}
	}
	return out
}

// Update saves the whole form over artist id, based on version. Staff, or
// the artist themself.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, version int32, in ArtistInput) (Draft, error) {
	return s.edit(ctx, a, id, version, func(next *Draft) error {
		inv := apperr.NewInvalid()
		s.apply(inv, in, next, false)
		return inv.Err()
	})
}

// Patch changes one field of artist id, as the inline editor saves it:
// "name", "genre.<lang>", "bio.<lang>", "photo" (a media id or "") and
// "links" (see linkLines: one link a line). Staff, or the artist themself.
// Errors are keyed by the field.
func (s *Service) Patch(ctx context.Context, a actor.Actor, id int64, version int32, field, value string) (Draft, error) {
	return s.edit(ctx, a, id, version, func(next *Draft) error {
		inv := apperr.NewInvalid()
		switch field {
		case "name":
			next.Name = content.Clean(inv, field, value, nameRule)
		case "photo":
			next.PhotoMediaID = content.MediaID(inv, field, value)
		case "links":
			next.Links = linkLines(inv, value)
		default:
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

// SetLinks replaces artist id's links, in order. Staff, or the artist
// themself.
func (s *Service) SetLinks(ctx context.Context, a actor.Actor, id int64, version int32, ls []Link) (Draft, error) {
	return s.edit(ctx, a, id, version, func(next *Draft) error {
		inv := apperr.NewInvalid()
		next.Links = links(inv, ls)
		return inv.Err()
	})
}

// Delete removes artist id. An artist who plays an event that is not over
// and not cancelled cannot go (*apperr.Invalid on "events", with how many):
// take them out of those lineups first. Past lineups lose the artist.
// Staff only.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64, version int32) error {
	if !a.IsStaff() {
		return fmt.Errorf("artists: delete %d: %w", id, apperr.ErrForbidden)
	}
	var cur Draft
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		if _, err := q.ArtistLock(ctx, id); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("artists: delete %d: %w", id, apperr.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("artists: lock %d: %w", id, err)
		}
		var err error
		if cur, err = s.load(ctx, q, id); err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("artists: delete %d: based on version %d, now %d: %w", id, version, cur.Version, apperr.ErrConflict)
		}
		upcoming, err := q.ArtistUpcomingEvents(ctx, db.ArtistUpcomingEventsParams{ArtistID: id, Now: s.now().UTC()})
		if err != nil {
			return fmt.Errorf("artists: upcoming events of %d: %w", id, err)
		}
		if len(upcoming) > 0 {
			inv := apperr.NewInvalid()
			inv.Add("events", MsgHasUpcomingEvents, map[string]any{"Count": len(upcoming)})
			return inv
		}
		n, err := q.ArtistDelete(ctx, db.ArtistDeleteParams{ID: id, Version: version})
		if err != nil {
			return fmt.Errorf("artists: delete %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("artists: delete %d: %w", id, apperr.ErrConflict)
		}
		return audit.Record(ctx, q, a, s.now(), audit.Entry{
			Action: ActionDelete, Kind: audit.KindArtist, EntityID: id, Summary: cur.Name, Changes: diff(cur, Draft{}),
		})
	})
	if err != nil {
		return err
	}
	live.Publish(ctx, s.pub, s.log, id, live.ArtistTopic(cur.Slug), live.TopicArtists)
	// Lineups showed the artist: the programme, whose id names one event
	// (0: any of them).
	live.Publish(ctx, s.pub, s.log, 0, live.TopicEvents)
	return nil
}

// diff lists what differs between two states of an artist, under the names
// Patch uses.
func diff(cur, next Draft) []audit.Change {
	var out []audit.Change
	add := func(field, old, new string) {
		if old != new {
			out = append(out, audit.Change{Field: field, Old: old, New: new})
		}
	}
	add("slug", cur.Slug, next.Slug)
	add("name", cur.Name, next.Name)
	add("photo", content.ID(cur.PhotoMediaID), content.ID(next.PhotoMediaID))
	for _, lang := range slices.Sorted(maps.Keys(union(cur.Texts, next.Texts))) {
		add("genre."+lang, cur.Texts[lang].Genre, next.Texts[lang].Genre)
		add("bio."+lang, cur.Texts[lang].Bio, next.Texts[lang].Bio)
	}
	add("links", linksString(cur.Links), linksString(next.Links))
	return out
}

func linksString(ls []Link) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Kind + " " + l.URL
	}
	return strings.Join(parts, "\n")
}

func union(a, b map[string]Text) map[string]Text {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]Text{}
	}
	maps.Copy(out, b)
	return out
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
