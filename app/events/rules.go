package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
)

// Limits of an event's fields.
const (
	// MaxTitle, MaxSummary and MaxDescription bound the texts, in characters.
	MaxTitle       = 200
	MaxSummary     = 500
	MaxDescription = 20000
	// MaxDuration is the longest an event may last; the schema says so
	// too, and the programme's queries rely on it.
	MaxDuration = 7 * 24 * time.Hour
	// MaxLineup bounds a lineup.
	MaxLineup = 50
	// maxSlugBase leaves room in the 150-character column for "-N".
	maxSlugBase = 80
	maxSlug     = 150
)

// Years outside these are typing mistakes, not events.
const (
	minYear = 2000
	maxYear = 2100
)

// Message IDs of the events service (locales/content.*.json).
const (
	MsgUnknownKind        = "error.event.unknown_kind"
	MsgUnknownLocation    = "error.event.unknown_location"
	MsgTitleRequired      = "error.event.title_required"
	MsgDefaultTitle       = "error.event.default_title_required"
	MsgTimeRequired       = "error.event.time_required"
	MsgTimeNotMinute      = "error.event.time_not_minute"
	MsgTimeOutOfRange     = "error.event.time_out_of_range"
	MsgEndsBeforeStart    = "error.event.ends_before_start"
	MsgTooLong            = "error.event.too_long"
	MsgOverlap            = "error.event.overlap"
	MsgPublishCancelled   = "error.event.publish_cancelled"
	MsgDeletePublished    = "error.event.delete_published"
	MsgNoFreeWeek         = "error.event.duplicate_no_slot"
	MsgSetOutside         = "error.event.set_outside"
	MsgSetsOutside        = "error.event.lineup_sets_outside"
	MsgSetEndBeforeStart  = "error.event.set_end_before_start"
	MsgSetEndWithoutStart = "error.event.set_end_without_start"
	MsgUnknownArtist      = "error.event.lineup_unknown_artist"
	MsgDuplicateArtist    = "error.event.lineup_duplicate_artist"
	MsgLineupTooLong      = "error.event.lineup_too_long"
)

var (
	titleRule       = content.Text{Max: MaxTitle}
	summaryRule     = content.Text{Max: MaxSummary, Multiline: true}
	descriptionRule = content.Text{Max: MaxDescription, Multiline: true}
)

// setText sets one part ("title", "summary", "description") of lang's text
// in d after cleaning v; a language left with no text is dropped.
func setText(inv *apperr.Invalid, d *Draft, lang, part, v string) {
	field := part + "." + lang
	t := d.Texts[lang]
	switch part {
	case "title":
		t.Title = content.Clean(inv, field, v, titleRule)
	case "summary":
		t.Summary = content.Clean(inv, field, v, summaryRule)
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

// fieldName is a field name safe to use as an error key: what a client
// sent is echoed back only when it is short, printable UTF-8.
func fieldName(f string) string {
	if len(f) > 64 || !utf8.ValidString(f) || strings.ContainsFunc(f, unicode.IsControl) {
		return "field"
	}
	return f
}

// checkTime checks one instant of an event or set.
func checkTime(inv *apperr.Invalid, field string, t time.Time, required bool) {
	switch {
	case t.IsZero():
		if required {
			inv.Add(field, MsgTimeRequired, nil)
		}
	case t.Year() < minYear || t.Year() > maxYear:
		inv.Add(field, MsgTimeOutOfRange, map[string]any{"Min": minYear, "Max": maxYear})
	case !t.Equal(t.Truncate(time.Minute)):
		inv.Add(field, MsgTimeNotMinute, nil)
	}
}

// check applies the rules that compare the next state of an event with the
// current one (zero ID: a new event) and may need the database. It runs in
// the write's transaction; it sets next.LocationSlug and, while the event
// has never been published, next.Slug.
func (s *Service) check(ctx context.Context, q *db.Queries, a actor.Actor, cur Draft, next *Draft) error {
	creating := cur.ID == 0
	if next.AllowOverlap != cur.AllowOverlap && !a.IsAdmin() {
		return fmt.Errorf("events: allow_overlap needs an admin: %w", apperr.ErrForbidden)
	}
	inv := apperr.NewInvalid()

	if !next.Kind.Valid() {
		inv.Add("kind", MsgUnknownKind, nil)
	}

	// Texts: a title somewhere, and one in the default language once the
	// event is public.
	textsChanged := creating || !maps.Equal(cur.Texts, next.Texts)
	if textsChanged || next.Published != cur.Published {
		defField := "title." + s.defLang
		switch {
		case next.Published && next.Texts[s.defLang].Title == "":
			inv.Add(defField, MsgDefaultTitle, map[string]any{"Lang": s.defLang})
		case !slices.ContainsFunc(s.langs, func(l string) bool { return next.Texts[l].Title != "" }):
			inv.Add(defField, MsgTitleRequired, nil)
		}
	}

	// Times.
	startChanged := creating || !next.StartsAt.Equal(cur.StartsAt)
	endChanged := creating || !next.EndsAt.Equal(cur.EndsAt)
	timesChanged := startChanged || endChanged
	if startChanged {
		checkTime(inv, "starts_at", next.StartsAt, true)
	}
	if endChanged {
		checkTime(inv, "ends_at", next.EndsAt, true)
	}
	// A pair error belongs to the field the editor changed; on a full
	// form, beside the end.
	pairField := "ends_at"
	moved := next.EndsAt.Sub(next.StartsAt) == cur.EndsAt.Sub(cur.StartsAt)
	if startChanged && (!endChanged || (moved && !creating)) {
		pairField = "starts_at"
	}
	timesOK := !inv.Has("starts_at") && !inv.Has("ends_at")
	if timesChanged && timesOK {
		switch {
		case !next.EndsAt.After(next.StartsAt):
			inv.Add(pairField, MsgEndsBeforeStart, nil)
		case next.EndsAt.Sub(next.StartsAt) > MaxDuration:
			inv.Add(pairField, MsgTooLong, map[string]any{"Days": int(MaxDuration.Hours() / 24)})
		}
	}

	// Lineup set times lie within the event, and a set ends after it starts.
	lineupChanged := creating || !lineupEqual(cur.Lineup, next.Lineup)
	if (lineupChanged || timesChanged) && !inv.Has("starts_at") && !inv.Has("ends_at") {
		s.checkSets(inv, next, lineupChanged, pairField)
	}

	// Venue: it exists; lock it so no other writer fills the slot meanwhile.
	locationChanged := creating || next.LocationID != cur.LocationID
	if locationChanged || timesChanged || (cur.Cancelled && !next.Cancelled) || (cur.AllowOverlap && !next.AllowOverlap) {
		slug, err := q.EventLocationLock(ctx, next.LocationID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			inv.Add("location", MsgUnknownLocation, nil)
		case err != nil:
			return fmt.Errorf("events: lock location %d: %w", next.LocationID, err)
		default:
			next.LocationSlug = slug
		}
		overlapField := "starts_at"
		switch {
		case !creating && locationChanged:
			overlapField = "location"
		case !creating && timesChanged:
			overlapField = pairField
		}
		if !next.Cancelled && len(inv.Fields) == 0 {
			if err := s.checkOverlap(ctx, q, inv, *next, overlapField); err != nil {
				return err
			}
		}
	}

	// Cover: an image we hold.
	if next.CoverMediaID != cur.CoverMediaID && next.CoverMediaID != 0 {
		ok, err := q.EventMediaIsImage(ctx, next.CoverMediaID)
		if err != nil {
			return fmt.Errorf("events: check cover %d: %w", next.CoverMediaID, err)
		}
		if !ok {
			inv.Add("cover", content.MsgUnknownImage, nil)
		}
	}
	if err := inv.Err(); err != nil {
		return err
	}

	// Slug: from the default-language title while the event has never been
	// published, then stable.
	if cur.neverPublished() && (creating || s.slugSource(cur) != s.slugSource(*next)) {
		slug, err := s.freeSlug(ctx, q, s.slugSource(*next), next.ID)
		if err != nil {
			return err
		}
		next.Slug = slug
	}
	return nil
}

// checkSets checks each act's set times against the event's times. Errors
// go beside the act when the lineup was edited, else beside the event time
// that moved.
func (s *Service) checkSets(inv *apperr.Invalid, d *Draft, lineupChanged bool, timeField string) {
	for _, e := range d.Lineup {
		key := "lineup." + strconv.FormatInt(e.ArtistID, 10) + "."
		if lineupChanged {
			checkTime(inv, key+"set_starts_at", e.SetStartsAt, false)
			checkTime(inv, key+"set_ends_at", e.SetEndsAt, false)
			if inv.Has(key+"set_starts_at") || inv.Has(key+"set_ends_at") {
				continue
			}
			if e.SetStartsAt.IsZero() && !e.SetEndsAt.IsZero() {
				inv.Add(key+"set_starts_at", MsgSetEndWithoutStart, nil)
				continue
			}
		}
		outside := func(t time.Time) bool { return !t.IsZero() && (t.Before(d.StartsAt) || t.After(d.EndsAt)) }
		switch {
		case outside(e.SetStartsAt) || outside(e.SetEndsAt):
			if !lineupChanged {
				inv.Add(timeField, MsgSetsOutside, map[string]any{"Artist": e.ArtistName})
				return
			}
			field := key + "set_starts_at"
			if !outside(e.SetStartsAt) {
				field = key + "set_ends_at"
			}
			inv.Add(field, MsgSetOutside, nil)
		case !e.SetEndsAt.IsZero() && !e.SetEndsAt.After(e.SetStartsAt):
			inv.Add(key+"set_ends_at", MsgSetEndBeforeStart, nil)
		}
	}
}

// checkOverlap refuses a time slot another event at the venue already has,
// unless an admin allowed either event to share its time.
func (s *Service) checkOverlap(ctx context.Context, q *db.Queries, inv *apperr.Invalid, d Draft, field string) error {
	rows, err := q.EventOverlapping(ctx, db.EventOverlappingParams{
		DefaultLang: s.defLang, LocationID: d.LocationID, ID: d.ID, StartsAt: d.StartsAt, EndsAt: d.EndsAt,
	})
	if err != nil {
		return fmt.Errorf("events: overlap at location %d: %w", d.LocationID, err)
	}
	for _, r := range rows {
		if d.AllowOverlap || r.AllowOverlap {
			continue
		}
		title := r.Title
		if title == "" {
			title = r.Slug
		}
		inv.Add(field, MsgOverlap, map[string]any{"Title": title, "Slug": r.Slug, "ID": r.ID})
		return nil
	}
	return nil
}

// slugSource is the title the slug follows: the default language's, or
// while a draft has none, the first offered language's that has one.
func (s *Service) slugSource(d Draft) string {
	if t := d.Texts[s.defLang].Title; t != "" {
		return t
	}
	for _, l := range s.langs {
		if t := d.Texts[l].Title; t != "" {
			return t
		}
	}
	return ""
}

// freeSlug makes a slug from title that no other event has.
func (s *Service) freeSlug(ctx context.Context, q *db.Queries, title string, id int64) (string, error) {
	base := content.Slug(title, s.defLang, maxSlugBase)
	if base == "" {
		base = "event" // a title of only punctuation or emoji
	}
	taken, err := q.EventSlugsLike(ctx, db.EventSlugsLikeParams{Base: base, ID: id})
	if err != nil {
		return "", fmt.Errorf("events: slugs like %q: %w", base, err)
	}
	return content.UniqueSlug(base, taken, maxSlug), nil
}

// lineup turns the lineup as a form sends it into entries, ordered by
// Position (ties keep the input order) and numbered from 1, checking that
// every artist exists and appears once. Errors are keyed by artist id,
// "lineup.<id>.artist", which does not change when the order does.
func lineup(ctx context.Context, q *db.Queries, inv *apperr.Invalid, in []LineupInput) ([]LineupEntry, error) {
	if len(in) > MaxLineup {
		inv.Add("lineup", MsgLineupTooLong, map[string]any{"Max": MaxLineup})
		return nil, nil
	}
	if len(in) == 0 {
		return nil, nil
	}
	seen := map[int64]bool{}
	ids := make([]int64, 0, len(in))
	for _, e := range in {
		key := "lineup." + strconv.FormatInt(e.ArtistID, 10) + ".artist"
		switch {
		case e.ArtistID <= 0:
			inv.Add("lineup", MsgUnknownArtist, nil)
		case seen[e.ArtistID]:
			inv.Add(key, MsgDuplicateArtist, nil)
		default:
			seen[e.ArtistID] = true
			ids = append(ids, e.ArtistID)
		}
	}
	found := map[int64]db.EventArtistsExistingRow{}
	if len(ids) > 0 {
		rows, err := q.EventArtistsExisting(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("events: lineup artists: %w", err)
		}
		for _, r := range rows {
			found[r.ID] = r
		}
	}
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			inv.Add("lineup."+strconv.FormatInt(id, 10)+".artist", MsgUnknownArtist, nil)
		}
	}
	if len(inv.Fields) > 0 {
		return nil, nil
	}
	sorted := slices.Clone(in)
	slices.SortStableFunc(sorted, func(a, b LineupInput) int { return a.Position - b.Position })
	out := make([]LineupEntry, len(sorted))
	for i, e := range sorted {
		r := found[e.ArtistID]
		out[i] = LineupEntry{
			ArtistID: e.ArtistID, ArtistSlug: r.Slug, ArtistName: r.Name, Position: i + 1,
			SetStartsAt: utc(e.SetStartsAt), SetEndsAt: utc(e.SetEndsAt),
		}
	}
	return out, nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func lineupEqual(a, b []LineupEntry) bool {
	return slices.EqualFunc(a, b, func(x, y LineupEntry) bool {
		return x.ArtistID == y.ArtistID && x.Position == y.Position &&
			x.SetStartsAt.Equal(y.SetStartsAt) && x.SetEndsAt.Equal(y.SetEndsAt)
	})
}
