package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

// EventInput is an event as the full form sends it. Times are instants
// (the handler has converted them from the editor's zone).
type EventInput struct {
	Kind       Kind
	LocationID int64
	StartsAt   time.Time
	EndsAt     time.Time
	// AllowOverlap may only be changed by an admin.
	AllowOverlap bool
	// CoverMediaID is the cover image, 0 for none.
	CoverMediaID int64
	// Texts holds the text per language. Update replaces the languages
	// present and leaves the others as they are; a language present with
	// every field empty is removed.
	Texts map[string]Text
	// Lineup is the whole lineup. On Update, nil leaves the lineup as it
	// is and an empty non-nil slice clears it.
	Lineup []LineupInput
	// CreateKey is an optional one-time key the create form carries (up
	// to 64 characters). Create with a key that already made an event
	// returns that event instead of a second one, so a double-submitted
	// form makes one event. Update ignores it.
	CreateKey string
}

// LineupInput is one act as a form sends it. Position orders the acts
// (ties keep the input order); stored positions are 1, 2, 3 ... Zero set
// times are not announced; a set end needs a set start.
type LineupInput struct {
	ArtistID    int64
	Position    int
	SetStartsAt time.Time
	SetEndsAt   time.Time
}

// Audit actions of the events service.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionPublish   = "publish"
	ActionUnpublish = "unpublish"
	ActionCancel    = "cancel"
	ActionReinstate = "reinstate"
	ActionDuplicate = "duplicate"
	ActionLineup    = "lineup"
	ActionSetTimes  = "set_times"
	ActionMove      = "move"
	ActionDelete    = "delete"
)

// duplicateWeeks is how many weeks ahead Duplicate looks for a free slot.
const duplicateWeeks = 8

// writeAttempts bounds the runs of one write: a deadlock with another
// writer, or a slug another writer took between our check and our insert,
// makes the transaction run again.
const writeAttempts = 5

func staffOnly(a actor.Actor, what string) error {
	if !a.IsStaff() {
		return fmt.Errorf("events: %s: %w", what, apperr.ErrForbidden)
	}
	return nil
}

// Create makes a new draft event from in. It needs staff; AllowOverlap
// needs an admin. It returns *apperr.Invalid for input that breaks a rule,
// keyed by the fields Patch uses ("title.en", "starts_at", "location",
// "lineup.<artist id>.set_starts_at", ...).
func (s *Service) Create(ctx context.Context, a actor.Actor, in EventInput) (Draft, error) {
	if err := staffOnly(a, "create"); err != nil {
		return Draft{}, err
	}
	inv := apperr.NewInvalid()
	key := content.CreateKey(inv, in.CreateKey)
	next := Draft{Texts: map[string]Text{}}
	if err := s.apply(ctx, s.q, inv, in, &next, true); err != nil {
		return Draft{}, err
	}
	if err := inv.Err(); err != nil {
		return Draft{}, err
	}
	return s.create(ctx, a, next, ActionCreate, "", key)
}

// apply copies in onto next, cleaning texts and resolving the lineup.
func (s *Service) apply(ctx context.Context, q *db.Queries, inv *apperr.Invalid, in EventInput, next *Draft, creating bool) error {
	next.Kind = in.Kind
	if in.LocationID <= 0 {
		inv.Add("location", content.MsgRequired, nil)
	}
	next.LocationID = in.LocationID
	next.StartsAt, next.EndsAt = utc(in.StartsAt), utc(in.EndsAt)
	next.AllowOverlap = in.AllowOverlap
	if in.CoverMediaID < 0 {
		inv.Add("cover", content.MsgUnknownImage, nil)
	}
	next.CoverMediaID = max(in.CoverMediaID, 0)
	for _, lang := range sortedKeys(in.Texts) {
		if !slices.Contains(s.langs, lang) {
			inv.Add("title."+fieldName(lang), content.MsgUnknownLanguage, nil)
			continue
		}
		t := in.Texts[lang]
		setText(inv, next, lang, "title", t.Title)
		setText(inv, next, lang, "summary", t.Summary)
		setText(inv, next, lang, "description", t.Description)
	}
	if in.Lineup != nil || creating {
		l, err := lineup(ctx, q, inv, in.Lineup)
		if err != nil {
			return err
		}
		if !inv.Has("lineup") {
			next.Lineup = l
		}
	}
	return nil
}

// create inserts next as a new event in one transaction, with its audit
// entry, and publishes it after the commit. A key that already made an
// event returns that event.
func (s *Service) create(ctx context.Context, a actor.Actor, next Draft, action, summary, key string) (Draft, error) {
	var out Draft
	existing := false
	err := content.Retry(writeAttempts, "events_slug", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			if key != "" {
				// Creates at one venue queue on its lock; once we hold
				// it, an earlier submission of the same form has
				// committed, and the lookup after the lock sees it.
				if _, err := q.EventLocationLock(ctx, next.LocationID); err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("events: lock location %d: %w", next.LocationID, err)
				}
				id, err := q.EventIDByCreateKey(ctx, db.NullString(key))
				if err == nil {
					existing = true
					out, err = s.load(ctx, q, id)
					return err
				}
				if !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("events: find create key: %w", err)
				}
			}
			n := next.clone()
			if err := s.check(ctx, q, a, Draft{}, &n); err != nil {
				return err
			}
			now := s.now().UTC()
			id, err := q.EventCreate(ctx, db.EventCreateParams{
				Slug: n.Slug, Kind: db.EventsKind(n.Kind), LocationID: n.LocationID,
				StartsAt: n.StartsAt, EndsAt: n.EndsAt, Published: n.Published,
				CancelledAt: nullTimeOf(n.CancelledAt), FirstPublishedAt: nullTimeOf(n.FirstPublishedAt),
				AllowOverlap: n.AllowOverlap, CoverMediaID: nullID(n.CoverMediaID),
				CreateKey: db.NullString(key), CreatedAt: now, UpdatedAt: now,
			})
			if err != nil {
				return fmt.Errorf("events: insert: %w", err)
			}
			n.ID = id
			if err := s.writeParts(ctx, q, Draft{}, n); err != nil {
				return err
			}
			if summary == "" {
				summary = s.slugSource(n)
			}
			if err := audit.Record(ctx, q, a, now, audit.Entry{
				Action: action, Kind: audit.KindEvent, EntityID: id, Summary: summary, Changes: s.diff(Draft{}, n),
			}); err != nil {
				return err
			}
			if out, err = s.load(ctx, q, id); err != nil {
				return err
			}
			return s.runHooks(ctx, q, Draft{}, out)
		})
	})
	switch {
	case content.IsDuplicate(err, "events_create_key"):
		// The same form, submitted twice at once: the other submission
		// won, and its event is the answer.
		id, err := s.q.EventIDByCreateKey(ctx, db.NullString(key))
		if err != nil {
			return Draft{}, fmt.Errorf("events: find create key: %w", err)
		}
		return s.AdminGet(ctx, id)
	case err != nil:
		return Draft{}, err
	}
	if !existing {
		live.Publish(ctx, s.pub, s.log, out.ID, topics(Draft{}, out)...)
	}
	return out, nil
}

// change turns the current state of an event into the next one, inside
// the write's transaction. It returns *apperr.Invalid for bad input.
type change func(ctx context.Context, q *db.Queries, cur Draft, next *Draft) error

// edit runs one change to event id: it locks the row, lets fn make the next
// state, and when that differs from the current one checks the version and
// the rules, writes what differs, records the audit entry, and after the
// commit publishes the topics. A change that is already in place (a
// double-submitted form, two tabs saving the same value) returns the
// current event and writes nothing, whatever the version.
func (s *Service) edit(ctx context.Context, a actor.Actor, id int64, version int32, action string, fn change) (Draft, error) {
	var cur, out Draft
	noop := false
	err := content.Retry(writeAttempts, "events_slug", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			// The lock comes first, so every read after it sees the
			// latest committed state.
			if _, err := q.EventLock(ctx, id); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("events: %s %d: %w", action, id, apperr.ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("events: lock %d: %w", id, err)
			}
			var err error
			if cur, err = s.load(ctx, q, id); err != nil {
				return err
			}
			next := cur.clone()
			if err := fn(ctx, q, cur, &next); err != nil {
				return err
			}
			if len(s.diff(cur, next)) == 0 {
				noop, out = true, cur
				return nil
			}
			if cur.Version != version {
				return fmt.Errorf("events: %s %d: based on version %d, now %d: %w", action, id, version, cur.Version, apperr.ErrConflict)
			}
			if err := s.check(ctx, q, a, cur, &next); err != nil {
				return err
			}
			if err := s.write(ctx, q, cur, next); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, s.now(), audit.Entry{
				Action: action, Kind: audit.KindEvent, EntityID: id, Summary: s.slugSource(next), Changes: s.diff(cur, next),
			}); err != nil {
				return err
			}
			if out, err = s.load(ctx, q, id); err != nil {
				return err
			}
			return s.runHooks(ctx, q, cur, out)
		})
	})
	if err != nil {
		return Draft{}, err
	}
	if !noop {
		live.Publish(ctx, s.pub, s.log, id, topics(cur, out)...)
	}
	return out, nil
}

// write stores next over cur: the row (bumping its version), then the
// texts and lineup that differ.
func (s *Service) write(ctx context.Context, q *db.Queries, cur, next Draft) error {
	n, err := q.EventUpdate(ctx, db.EventUpdateParams{
		Slug: next.Slug, Kind: db.EventsKind(next.Kind), LocationID: next.LocationID,
		StartsAt: next.StartsAt, EndsAt: next.EndsAt, Published: next.Published,
		CancelledAt: nullTimeOf(next.CancelledAt), FirstPublishedAt: nullTimeOf(next.FirstPublishedAt),
		AllowOverlap: next.AllowOverlap, CoverMediaID: nullID(next.CoverMediaID),
		UpdatedAt: s.now().UTC(), ID: cur.ID, Version: cur.Version,
	})
	if err != nil {
		return fmt.Errorf("events: update %d: %w", cur.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("events: update %d: %w", cur.ID, apperr.ErrConflict)
	}
	return s.writeParts(ctx, q, cur, next)
}

// writeParts stores the texts and the lineup of next that differ from cur.
func (s *Service) writeParts(ctx context.Context, q *db.Queries, cur, next Draft) error {
	for _, lang := range unionKeys(cur.Texts, next.Texts) {
		c, had := cur.Texts[lang]
		n, has := next.Texts[lang]
		switch {
		case had && !has:
			if err := q.EventTranslationDelete(ctx, db.EventTranslationDeleteParams{EventID: next.ID, Lang: lang}); err != nil {
				return fmt.Errorf("events: delete %s text of %d: %w", lang, next.ID, err)
			}
		case has && (!had || c != n):
			if err := q.EventTranslationUpsert(ctx, db.EventTranslationUpsertParams{
				EventID: next.ID, Lang: lang, Title: n.Title, Summary: n.Summary, Description: n.Description,
			}); err != nil {
				return fmt.Errorf("events: write %s text of %d: %w", lang, next.ID, err)
			}
		}
	}
	if lineupEqual(cur.Lineup, next.Lineup) {
		return nil
	}
	// Deleting from an empty range would only take gap locks, which two
	// concurrent writers can deadlock on.
	if len(cur.Lineup) > 0 {
		if err := q.EventArtistDeleteAll(ctx, next.ID); err != nil {
			return fmt.Errorf("events: clear lineup of %d: %w", next.ID, err)
		}
	}
	for _, e := range next.Lineup {
		if err := q.EventArtistInsert(ctx, db.EventArtistInsertParams{
			EventID: next.ID, ArtistID: e.ArtistID, Position: int32(e.Position),
			SetStartsAt: nullTimeOf(e.SetStartsAt), SetEndsAt: nullTimeOf(e.SetEndsAt),
		}); err != nil {
			return fmt.Errorf("events: lineup of %d: %w", next.ID, err)
		}
	}
	return nil
}

// Update saves the whole form over event id, based on version. See
// EventInput for how texts and lineup are replaced.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, version int32, in EventInput) (Draft, error) {
	if err := staffOnly(a, "update"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionUpdate, func(ctx context.Context, q *db.Queries, _ Draft, next *Draft) error {
		inv := apperr.NewInvalid()
		if err := s.apply(ctx, q, inv, in, next, false); err != nil {
			return err
		}
		return inv.Err()
	})
}

// Patch changes one field of event id, as the inline editor saves it. The
// fields are "title.<lang>", "summary.<lang>", "description.<lang>",
// "kind", "location" (a venue slug), "starts_at" and "ends_at" (RFC 3339),
// "cover" (a media id, or "" for none) and "allow_overlap" ("true" or
// "false", admins only). An unknown field, and every error about the
// value, is an *apperr.Invalid keyed by the field's name.
func (s *Service) Patch(ctx context.Context, a actor.Actor, id int64, version int32, field, value string) (Draft, error) {
	if err := staffOnly(a, "patch"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionUpdate, func(ctx context.Context, q *db.Queries, _ Draft, next *Draft) error {
		inv := apperr.NewInvalid()
		switch field {
		case "kind":
			next.Kind = Kind(strings.TrimSpace(value))
			if !next.Kind.Valid() {
				inv.Add("kind", MsgUnknownKind, nil)
			}
		case "location":
			if err := s.patchLocation(ctx, q, inv, next, value); err != nil {
				return err
			}
		case "starts_at":
			next.StartsAt = content.Time(inv, field, value)
			checkTime(inv, field, next.StartsAt, true)
		case "ends_at":
			next.EndsAt = content.Time(inv, field, value)
			checkTime(inv, field, next.EndsAt, true)
		case "cover":
			next.CoverMediaID = content.MediaID(inv, field, value)
		case "allow_overlap":
			next.AllowOverlap = content.Bool(inv, field, value)
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

func (s *Service) patchLocation(ctx context.Context, q *db.Queries, inv *apperr.Invalid, next *Draft, value string) error {
	slug := strings.ToLower(strings.TrimSpace(value))
	if slug == "" {
		inv.Add("location", content.MsgRequired, nil)
		return nil
	}
	if len(slug) > 100 || !utf8.ValidString(slug) {
		inv.Add("location", MsgUnknownLocation, nil)
		return nil
	}
	id, err := q.EventLocationIDBySlug(ctx, slug)
	if errors.Is(err, sql.ErrNoRows) {
		inv.Add("location", MsgUnknownLocation, nil)
		return nil
	}
	if err != nil {
		return fmt.Errorf("events: location %q: %w", slug, err)
	}
	next.LocationID, next.LocationSlug = id, slug
	return nil
}

// Publish makes event id visible. It needs a title in the default
// language, and a cancelled event must be reinstated first. The first
// publish fixes the slug for good.
func (s *Service) Publish(ctx context.Context, a actor.Actor, id int64, version int32) (Draft, error) {
	if err := staffOnly(a, "publish"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionPublish, func(_ context.Context, _ *db.Queries, cur Draft, next *Draft) error {
		if cur.Published {
			return nil
		}
		if cur.Cancelled {
			inv := apperr.NewInvalid()
			inv.Add("published", MsgPublishCancelled, nil)
			return inv
		}
		next.Published = true
		if next.FirstPublishedAt.IsZero() {
			next.FirstPublishedAt = s.now().UTC().Truncate(time.Second)
		}
		return nil
	})
}

// Unpublish hides event id from visitors again; its slug stays.
func (s *Service) Unpublish(ctx context.Context, a actor.Actor, id int64, version int32) (Draft, error) {
	if err := staffOnly(a, "unpublish"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionUnpublish, func(_ context.Context, _ *db.Queries, _ Draft, next *Draft) error {
		next.Published = false
		return nil
	})
}

// Cancel calls event id off. A published event stays visible, marked
// cancelled; its time slot is free for another event.
func (s *Service) Cancel(ctx context.Context, a actor.Actor, id int64, version int32) (Draft, error) {
	if err := staffOnly(a, "cancel"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionCancel, func(_ context.Context, _ *db.Queries, cur Draft, next *Draft) error {
		if !cur.Cancelled {
			next.Cancelled, next.CancelledAt = true, s.now().UTC().Truncate(time.Second)
		}
		return nil
	})
}

// Reinstate undoes Cancel, provided the time slot is still free.
func (s *Service) Reinstate(ctx context.Context, a actor.Actor, id int64, version int32) (Draft, error) {
	if err := staffOnly(a, "reinstate"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionReinstate, func(_ context.Context, _ *db.Queries, _ Draft, next *Draft) error {
		next.Cancelled, next.CancelledAt = false, time.Time{}
		return nil
	})
}

// SetLineup replaces the lineup of event id.
func (s *Service) SetLineup(ctx context.Context, a actor.Actor, id int64, version int32, acts []LineupInput) (Draft, error) {
	if err := staffOnly(a, "set lineup"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionLineup, func(ctx context.Context, q *db.Queries, _ Draft, next *Draft) error {
		inv := apperr.NewInvalid()
		l, err := lineup(ctx, q, inv, acts)
		if err != nil {
			return err
		}
		next.Lineup = l
		return inv.Err()
	})
}

// SetSetTimes sets when artistID's set at event eventID starts and ends
// (zero times clear them). Staff may do it for anyone; an artist only for
// their own act, and nothing else of the event. Errors are keyed
// "set_starts_at" and "set_ends_at"; an artist not in the lineup is
// apperr.ErrNotFound.
func (s *Service) SetSetTimes(ctx context.Context, a actor.Actor, eventID int64, version int32, artistID int64, starts, ends time.Time) (Draft, error) {
	if !a.IsStaff() && !a.OwnsArtist(artistID) {
		return Draft{}, fmt.Errorf("events: set times of artist %d: %w", artistID, apperr.ErrForbidden)
	}
	d, err := s.edit(ctx, a, eventID, version, ActionSetTimes, func(_ context.Context, _ *db.Queries, _ Draft, next *Draft) error {
		i := slices.IndexFunc(next.Lineup, func(e LineupEntry) bool { return e.ArtistID == artistID })
		if i < 0 {
			return fmt.Errorf("events: artist %d not in lineup of %d: %w", artistID, eventID, apperr.ErrNotFound)
		}
		next.Lineup[i].SetStartsAt, next.Lineup[i].SetEndsAt = utc(starts), utc(ends)
		return nil
	})
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		// The set editor shows one act; its fields carry no artist id.
		out := apperr.NewInvalid()
		for f, m := range inv.Fields {
			switch {
			case strings.HasSuffix(f, ".set_starts_at"):
				f = "set_starts_at"
			case strings.HasSuffix(f, ".set_ends_at"):
				f = "set_ends_at"
			}
			out.Add(f, m.ID, m.Args)
		}
		return Draft{}, out
	}
	return d, err
}

// Move shifts event id to start at startsAt, keeping its length and moving
// the announced set times along.
func (s *Service) Move(ctx context.Context, a actor.Actor, id int64, version int32, startsAt time.Time) (Draft, error) {
	if err := staffOnly(a, "move"); err != nil {
		return Draft{}, err
	}
	return s.edit(ctx, a, id, version, ActionMove, func(_ context.Context, _ *db.Queries, cur Draft, next *Draft) error {
		inv := apperr.NewInvalid()
		checkTime(inv, "starts_at", startsAt, true)
		if err := inv.Err(); err != nil {
			return err
		}
		shift(next, startsAt.UTC().Sub(cur.StartsAt))
		return nil
	})
}

// shift moves d and its set times by delta.
func shift(d *Draft, delta time.Duration) {
	d.StartsAt, d.EndsAt = d.StartsAt.Add(delta), d.EndsAt.Add(delta)
	for i, e := range d.Lineup {
		if !e.SetStartsAt.IsZero() {
			d.Lineup[i].SetStartsAt = e.SetStartsAt.Add(delta)
		}
		if !e.SetEndsAt.IsZero() {
			d.Lineup[i].SetEndsAt = e.SetEndsAt.Add(delta)
		}
	}
}

// Duplicate copies event id into a new draft: same texts, venue, kind,
// cover and lineup, one week later, or in the first of the next eight weeks
// where the copy overlaps nothing at the venue (set times move along). The
// copy gets a fresh slug and is neither published, cancelled nor allowed
// to overlap. Each call makes a copy: a double submit makes two.
func (s *Service) Duplicate(ctx context.Context, a actor.Actor, id int64) (Draft, error) {
	if err := staffOnly(a, "duplicate"); err != nil {
		return Draft{}, err
	}
	src, err := s.AdminGet(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	for week := 1; week <= duplicateWeeks; week++ {
		next := src.clone()
		next.ID, next.Slug, next.Version = 0, "", 0
		next.Published, next.Cancelled, next.AllowOverlap = false, false, false
		next.CancelledAt, next.FirstPublishedAt = time.Time{}, time.Time{}
		shift(&next, time.Duration(week)*7*24*time.Hour)
		d, err := s.create(ctx, a, next, ActionDuplicate, fmt.Sprintf("copy of #%d %s", src.ID, src.Slug), "")
		if inv, ok := errors.AsType[*apperr.Invalid](err); ok && len(inv.Fields) == 1 && inv.Fields["starts_at"].ID == MsgOverlap {
			continue
		}
		return d, err
	}
	inv := apperr.NewInvalid()
	inv.Add("starts_at", MsgNoFreeWeek, map[string]any{"Weeks": duplicateWeeks})
	return Draft{}, inv
}

// Delete removes event id for good. Only an event that was never published
// may go; a published one is cancelled instead, so nobody who saw it
// finds it silently gone.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64, version int32) error {
	if err := staffOnly(a, "delete"); err != nil {
		return err
	}
	var cur Draft
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		if _, err := q.EventLock(ctx, id); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("events: delete %d: %w", id, apperr.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("events: lock %d: %w", id, err)
		}
		var err error
		if cur, err = s.load(ctx, q, id); err != nil {
			return err
		}
		if cur.Version != version {
			return fmt.Errorf("events: delete %d: based on version %d, now %d: %w", id, version, cur.Version, apperr.ErrConflict)
		}
		if !cur.neverPublished() {
			inv := apperr.NewInvalid()
			inv.Add("published", MsgDeletePublished, nil)
			return inv
		}
		n, err := q.EventDelete(ctx, db.EventDeleteParams{ID: id, Version: version})
		if err != nil {
			return fmt.Errorf("events: delete %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("events: delete %d: %w", id, apperr.ErrConflict)
		}
		gone := Draft{ID: id, LocationID: cur.LocationID, LocationSlug: cur.LocationSlug}
		if err := audit.Record(ctx, q, a, s.now(), audit.Entry{
			Action: ActionDelete, Kind: audit.KindEvent, EntityID: id, Summary: s.slugSource(cur),
			Changes: s.diff(cur, gone),
		}); err != nil {
			return err
		}
		return s.runHooks(ctx, q, cur, gone)
	})
	if err != nil {
		return err
	}
	live.Publish(ctx, s.pub, s.log, id, topics(cur, Draft{ID: id})...)
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
