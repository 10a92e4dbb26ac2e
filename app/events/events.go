// Package events is the programme: which events are on, where, with whom.
package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/media"
)

// Kind is the type of an event.
type Kind string

// The kinds of event; their labels are the messages "event.kind.<kind>".
const (
	KindLive  Kind = "live"
	KindDJSet Kind = "dj_set"
	KindParty Kind = "party"
	KindTalk  Kind = "talk"
	KindOther Kind = "other"
	// MaxPerPage bounds a page of the programme.
	MaxPerPage = 50
	// DefaultPerPage is the programme's page size when none is asked for.
	DefaultPerPage = 20
	// maxRange bounds a date filter so no request scans years of rows.
	maxRange = 366 * 24 * time.Hour
)

// Kinds lists every kind in display order.
func Kinds() []Kind { return []Kind{KindLive, KindDJSet, KindParty, KindTalk, KindOther} }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return db.EventsKind(k).Valid() }

// Location is the location an event happens at, as much as a listing needs.
type Location struct {
	Slug   string
	Name   i18n.Text
	Accent string
}

// Act is one artist of a lineup; set times are zero when not announced.
type Act struct {
	ArtistSlug, ArtistName string
	Genre                  i18n.Text
	SetStartsAt, SetEndsAt time.Time
}

// Summary is an event as a list shows it.
type Summary struct {
	ID        int64
	Slug      string
	Kind      Kind
	Title     i18n.Text
	Summary   i18n.Text
	StartsAt  time.Time
	EndsAt    time.Time
	UpdatedAt time.Time
	Location  Location
	Lineup    []Act
	// Cancelled marks an event called off: it stays listed, marked, so
	// nobody who planned to come finds it silently gone.
	Cancelled bool
	CoverID   int64        // the cover's media id, 0 for none
	Cover     *media.Image // the cover, nil for none
	// Revision is the event's version, which every write raises: a
	// calendar feed's SEQUENCE. Set by Calendar and Get.
	Revision int32
	// Withdrawn marks, in Calendar only, an event unpublished after it
	// was published: feeds keep it as cancelled for a while.
	Withdrawn bool
	// RevisedAt is when what a feed shows of the event last changed: the
	// event, its venue's name or an artist of its lineup, never before
	// UpdatedAt. Set by AttachRevisions.
	RevisedAt time.Time
}

// Live reports whether the event is on at t; a cancelled event never is.
func (s Summary) Live(t time.Time) bool {
	return !s.Cancelled && !t.Before(s.StartsAt) && t.Before(s.EndsAt)
}

// Event is one event with everything its page shows.
type Event struct {
	Summary
	Description i18n.Text
	Published   bool
	Version     int32
	TeleportURL string
}

// Filter narrows the programme. Zero values mean "any"; From and To are
// instants (the handler turns dates into the visitor's midnights).
type Filter struct {
	Location string
	Artist   string
	Kind     Kind
	From, To time.Time
	Page     int
	PerPage  int
}

// Page is one page of the programme.
type Page struct {
	Events  []Summary
	Total   int
	Page    int
	PerPage int
	Pages   int
}

// Service reads and writes the programme. now is the clock, so tests can
// pin time; writes publish their changes through pub after commit.
type Service struct {
	sqlDB   *sql.DB
	q       *db.Queries
	defLang string
	langs   []string
	now     func() time.Time
	pub     live.Publisher
	log     *slog.Logger
	hooks   []Hook
	idx     indexCache // what List answers from, see index.go
}

// Hook is told of every write to an event inside the write's transaction,
// after the rows are written: cur is the state before (zero for a new
// event), next the state after (zero but for ID and location for a
// deleted one). Work that must happen exactly when the change commits (a
// notification to enqueue, a calendar copy to mark stale) goes here; an
// error rolls the whole write back.
type Hook func(ctx context.Context, q *db.Queries, cur, next Draft) error

// OnWrite adds h to the hooks every write runs. Call it while building the
// services, before anything writes.
func (s *Service) OnWrite(h Hook) { s.hooks = append(s.hooks, h) }

// runHooks calls every hook for one write.
func (s *Service) runHooks(ctx context.Context, q *db.Queries, cur, next Draft) error {
	for _, h := range s.hooks {
		if err := h(ctx, q, cur, next); err != nil {
			return fmt.Errorf("events: hook for %d: %w", max(cur.ID, next.ID), err)
		}
	}
	return nil
}

// New returns the events service. langs are the offered languages, the
// default first (it must hold at least that one).
func New(sqlDB *sql.DB, langs []string, now func() time.Time, pub live.Publisher, log *slog.Logger) *Service {
	s := &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), defLang: langs[0], langs: langs,
		now: now, log: log,
	}
	// Every write publishes after its commit; the index marks what it
	// changed first, so the next List here shows it.
	s.pub = live.WithLocal(pub, s.Changed)
	return s
}

// Now is the service's clock, exposed so views mark live events consistently.
func (s *Service) Now() time.Time { return s.now() }

// List returns a page of published events matching f, in start order. It
// returns *apperr.Invalid for a filter naming an unknown venue or artist, or
// a reversed or too long date range; page numbers past the end are clamped.
// It answers from the programme index (index.go) without a query, once the
// index is built; the Summaries' Lineup and Cover are shared with it and
// must not be changed.
func (s *Service) List(ctx context.Context, lang string, f Filter) (Page, error) {
	p, ok, err := s.listIndex(ctx, lang, f)
	if ok || err != nil {
		return p, err
	}
	return s.listSQL(ctx, lang, f)
}

// listIndex is List from the index; ok is false for a filter the index
// leaves to the database (see index.answers).
func (s *Service) listIndex(ctx context.Context, lang string, f Filter) (p Page, ok bool, err error) {
	if f, err = s.normalize(f); err != nil {
		return Page{}, true, err
	}
	x, err := s.programme(ctx)
	if err != nil {
		return Page{}, true, err
	}
	if !x.answers(lang, f) {
		return Page{}, false, nil
	}
	p, err = x.list(lang, f)
	return p, true, err
}

// listSQL is List from the database: what List did before the index, and
// the reference the index is tested against.
func (s *Service) listSQL(ctx context.Context, lang string, f Filter) (Page, error) {
	f, err := s.normalize(f)
	if err != nil {
		return Page{}, err
	}
	// The asked page and the total in one query; only a page past the
	// last (or no page at all) needs the count to find the last one.
	page := max(f.Page, 1)
	rows, err := s.page(ctx, lang, f, page)
	if err != nil {
		return Page{}, err
	}
	if len(rows) == 0 {
		// A row would have shown that the venue and artist exist.
		err := checkExists(f, exists(ctx, "location", s.q.LocationExistsBySlug), exists(ctx, "artist", s.q.ArtistExistsBySlug))
		if err != nil {
			return Page{}, err
		}
	}
	var total int64
	switch {
	case len(rows) > 0:
		total = rows[0].Total
	case page > 1:
		total, err = s.q.EventCount(ctx, db.EventCountParams{
			DefaultLang: s.defLang, RangeStart: f.From, RangeEnd: f.To,
			LocationSlug: db.NullString(f.Location), Kind: nullKind(f.Kind), ArtistSlug: db.NullString(f.Artist),
		})
		if err != nil {
			return Page{}, fmt.Errorf("events: count: %w", err)
		}
	}
	p := Page{Total: int(total), PerPage: f.PerPage, Pages: max(1, (int(total)+f.PerPage-1)/f.PerPage)}
	p.Page = min(page, p.Pages)
	if p.Page != page && total > 0 {
		// Past the last page: the last one, as before.
		if rows, err = s.page(ctx, lang, f, p.Page); err != nil {
			return Page{}, err
		}
	}
	p.Events = summaries(rows)
	if err := s.attachLineups(ctx, lang, p.Events); err != nil {
		return Page{}, err
	}
	if err := s.attachCovers(ctx, lang, p.Events); err != nil {
		return Page{}, err
	}
	return p, nil
}

// page loads page n of the programme under f, with the total. A page so
// far out that its offset overflows is empty, as it would be anyway.
func (s *Service) page(ctx context.Context, lang string, f Filter, n int) ([]db.EventListRow, error) {
	offset := int64(n-1) * int64(f.PerPage)
	if offset > math.MaxInt32 {
		return nil, nil
	}
	rows, err := s.q.EventList(ctx, db.EventListParams{
		DefaultLang: s.defLang, Lang: lang,
		RangeStart: f.From, RangeEnd: f.To,
		LocationSlug: db.NullString(f.Location), Kind: nullKind(f.Kind), ArtistSlug: db.NullString(f.Artist),
		Limit: int32(f.PerPage), Offset: int32(offset),
	})
	if err != nil {
		return nil, fmt.Errorf("events: list: %w", err)
	}
	return rows, nil
}

// normalize applies defaults and checks f against the rules.
func (s *Service) normalize(f Filter) (Filter, error) {
	inv := apperr.NewInvalid()
	now := s.now()
	if f.From.IsZero() {
		f.From = now
	}
	if f.To.IsZero() {
		f.To = f.From.Add(maxRange)
	}
	switch {
	case !f.To.After(f.From):
		inv.Add("to", "error.filter.range_reversed", nil)
	case f.To.Sub(f.From) > maxRange+48*time.Hour:
		inv.Add("to", "error.filter.range_too_long", map[string]any{"Days": int(maxRange.Hours() / 24)})
	}
	if f.Kind != "" && !f.Kind.Valid() {
		inv.Add("type", "error.filter.unknown_type", nil)
	}
	if f.PerPage <= 0 {
		f.PerPage = DefaultPerPage
	}
	f.PerPage = min(f.PerPage, MaxPerPage)
	return f, inv.Err()
}

// checkExists reports a venue or artist filter that names none as a field
// error; hasLocation and hasArtist say whether a slug names one.
func checkExists(f Filter, hasLocation, hasArtist func(slug string) (bool, error)) error {
	inv := apperr.NewInvalid()
	if f.Location != "" {
		ok, err := hasLocation(f.Location)
		if err != nil {
			return err
		}
		if !ok {
			inv.Add("location", "error.filter.unknown_location", nil)
		}
	}
	if f.Artist != "" {
		ok, err := hasArtist(f.Artist)
		if err != nil {
			return err
		}
		if !ok {
			inv.Add("artist", "error.filter.unknown_artist", nil)
		}
	}
	return inv.Err()
}

// exists asks the database whether a slug names a row of what.
func exists(ctx context.Context, what string, query func(context.Context, string) (bool, error)) func(string) (bool, error) {
	return func(slug string) (bool, error) {
		ok, err := query(ctx, slug)
		if err != nil {
			return false, fmt.Errorf("events: check %s %q: %w", what, slug, err)
		}
		return ok, nil
	}
}

// DayRange turns the days a visitor picked (midnights in their zone, zero
// when not picked) into a Filter's From and To: the range starts at the
// first day (or now) and includes the whole last day; with no last day it
// runs a year. AddDate keeps calendar days right across DST changes.
func (s *Service) DayRange(first, last time.Time) (from, to time.Time) {
	from = first
	if from.IsZero() {
		from = s.now()
	}
	if last.IsZero() {
		return from, from.AddDate(0, 0, 366)
	}
	return from, last.AddDate(0, 0, 1)
}

// Get returns the published event with slug, or apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, lang, slug string) (Event, error) {
	r, err := s.q.EventGetBySlug(ctx, db.EventGetBySlugParams{DefaultLang: s.defLang, Lang: lang, Slug: slug})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !r.Published) {
		return Event{}, fmt.Errorf("events: get %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return Event{}, fmt.Errorf("events: get %q: %w", slug, err)
	}
	ev := Event{
		Summary: Summary{
			ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind),
			Title: db.Text(r.TitleTr, r.Title), Summary: db.Text(r.SummaryTr, r.Summary),
			StartsAt: r.StartsAt, EndsAt: r.EndsAt, UpdatedAt: r.UpdatedAt,
			Location: Location{Slug: r.LocationSlug, Name: db.Text(r.LocationNameTr, r.LocationName), Accent: r.LocationAccent},
			CoverID:  r.CoverMediaID.Int64, Cancelled: r.Cancelled, Revision: r.Version,
		},
		Description: db.Text(r.DescriptionTr, r.Description),
		Published:   r.Published,
		Version:     r.Version,
		TeleportURL: r.LocationTeleportUrl,
	}
	one := []Summary{ev.Summary}
	if err := s.attachLineups(ctx, lang, one); err != nil {
		return Event{}, err
	}
	if err := s.attachCovers(ctx, lang, one); err != nil {
		return Event{}, err
	}
	ev.Summary = one[0]
	return ev, nil
}

// HappeningNow lists published events on right now, at most limit: the
// first limit of those on now, less the cancelled among them. It answers
// from the programme index (index.go) once that is built; the Summaries'
// Lineup and Cover are then shared with it and must not be changed.
func (s *Service) HappeningNow(ctx context.Context, lang string, limit int) ([]Summary, error) {
	return s.happeningNow(ctx, lang, limit, s.now(), s.window)
}

// happeningNow is HappeningNow at now, read through read (the index or
// the database).
func (s *Service) happeningNow(ctx context.Context, lang string, limit int, now time.Time, read windowReader) ([]Summary, error) {
	out, err := read(ctx, lang, window{from: now, to: now.Add(time.Second), limit: limit})
	if err != nil {
		return nil, err
	}
	// A cancelled event stays on the programme, but it is not happening.
	return slices.DeleteFunc(out, func(e Summary) bool { return e.Cancelled }), nil
}

// Next lists the next published events to start within the coming weeks,
// from the programme index as HappeningNow does.
func (s *Service) Next(ctx context.Context, lang string, limit int) ([]Summary, error) {
	return s.next(ctx, lang, limit, s.now(), s.window)
}

// next is Next at now, read through read.
func (s *Service) next(ctx context.Context, lang string, limit int, now time.Time, read windowReader) ([]Summary, error) {
	return read(ctx, lang, window{from: now, to: now.Add(60 * 24 * time.Hour), startsFrom: now, limit: limit})
}

// window is what HappeningNow and Next ask of EventList: no filter, the
// first limit published events that overlap [from, to), and with
// startsFrom set only those that start at or after it.
type window struct {
	from, to, startsFrom time.Time
	limit                int
}

// windowReader answers a window in a language: Service.window or
// Service.windowSQL.
type windowReader func(ctx context.Context, lang string, w window) ([]Summary, error)

// window answers w from the programme index, or from the database when
// the index does not (see index.answers; and LIMIT 0 or less is the
// database's to judge).
func (s *Service) window(ctx context.Context, lang string, w window) ([]Summary, error) {
	if w.limit > 0 {
		x, err := s.programme(ctx)
		if err != nil {
			return nil, err
		}
		if x.answers(lang, Filter{From: w.from, To: w.to}) {
			return x.window(lang, w), nil
		}
	}
	return s.windowSQL(ctx, lang, w)
}

// windowSQL answers w from the database: what HappeningNow and Next did
// before the index, and the reference it is tested against.
func (s *Service) windowSQL(ctx context.Context, lang string, w window) ([]Summary, error) {
	rows, err := s.q.EventList(ctx, db.EventListParams{
		DefaultLang: s.defLang, Lang: lang, RangeStart: w.from, RangeEnd: w.to,
		StartsFrom: sql.NullTime{Time: w.startsFrom, Valid: !w.startsFrom.IsZero()}, Limit: int32(w.limit),
	})
	if err != nil {
		return nil, fmt.Errorf("events: list %s to %s: %w", w.from.Format(time.RFC3339), w.to.Format(time.RFC3339), err)
	}
	out := summaries(rows)
	return out, s.attachDetails(ctx, lang, out)
}

// Past lists events that have ended at a venue or with an artist, newest first.
func (s *Service) Past(ctx context.Context, lang string, location, artist string, limit int) ([]Summary, error) {
	rows, err := s.q.EventListPast(ctx, db.EventListPastParams{
		DefaultLang: s.defLang, Lang: lang, Before: s.now(),
		LocationSlug: db.NullString(location), ArtistSlug: db.NullString(artist), Limit: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("events: past: %w", err)
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = summary(db.EventListRow(r)) // same columns, another query
	}
	return out, s.attachDetails(ctx, lang, out)
}

// attachDetails loads the lineups and covers of evs, a query each.
func (s *Service) attachDetails(ctx context.Context, lang string, evs []Summary) error {
	if err := s.attachLineups(ctx, lang, evs); err != nil {
		return err
	}
	return s.attachCovers(ctx, lang, evs)
}

// attachCovers loads the cover pictures of evs in one query.
func (s *Service) attachCovers(ctx context.Context, lang string, evs []Summary) error {
	err := media.Attach(ctx, s.q, s.defLang, lang, evs,
		func(e *Summary) int64 { return e.CoverID },
		func(e *Summary, img media.Image) { e.Cover = &img })
	if err != nil {
		return fmt.Errorf("events: covers: %w", err)
	}
	return nil
}

// attachLineups loads the lineups of evs in one query. (Whether each is
// cancelled comes with its row.)
func (s *Service) attachLineups(ctx context.Context, lang string, evs []Summary) error {
	if len(evs) == 0 {
		return nil // sqlc.slice must not be empty
	}
	ids := make([]int64, len(evs))
	at := make(map[int64]int, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
		at[e.ID] = i
	}
	rows, err := s.q.EventArtistListByEvents(ctx, db.EventArtistListByEventsParams{
		DefaultLang: s.defLang, Lang: lang, EventIds: ids,
	})
	if err != nil {
		return fmt.Errorf("events: lineups: %w", err)
	}
	for _, r := range rows {
		i := at[r.EventID]
		evs[i].Lineup = append(evs[i].Lineup, Act{
			ArtistSlug: r.ArtistSlug, ArtistName: r.ArtistName, Genre: db.Text(r.GenreTr, r.Genre),
			SetStartsAt: r.SetStartsAt.Time, SetEndsAt: r.SetEndsAt.Time,
		})
	}
	return nil
}

func summaries(rows []db.EventListRow) []Summary {
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = summary(r)
	}
	return out
}

func summary(r db.EventListRow) Summary {
	return Summary{
		ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind),
		Title: db.Text(r.TitleTr, r.Title), Summary: db.Text(r.SummaryTr, r.Summary),
		StartsAt: r.StartsAt, EndsAt: r.EndsAt, UpdatedAt: r.UpdatedAt,
		Location: Location{Slug: r.LocationSlug, Name: db.Text(r.LocationNameTr, r.LocationName), Accent: r.LocationAccent},
		CoverID:  r.CoverMediaID.Int64, Cancelled: r.Cancelled,
	}
}

func nullKind(k Kind) db.NullEventsKind {
	return db.NullEventsKind{EventsKind: db.EventsKind(k), Valid: k != ""}
}

// AttachRevisions sets each event's RevisedAt. A feed's entry names the
// venue and the lineup, so renaming either changes the entry: its DTSTAMP
// and LAST-MODIFIED must move too, or clients keep the old copy.
func (s *Service) AttachRevisions(ctx context.Context, evs []Summary) error {
	if len(evs) == 0 {
		return nil // sqlc.slice must not be empty
	}
	ids := make([]int64, len(evs))
	at := make(map[int64]int, len(evs))
	for i, e := range evs {
		ids[i], evs[i].RevisedAt = e.ID, e.UpdatedAt
		at[e.ID] = i
	}
	rows, err := s.q.EventCalendarRevised(ctx, ids)
	if err != nil {
		return fmt.Errorf("events: revisions of %d events: %w", len(ids), err)
	}
	for _, r := range rows {
		e := &evs[at[r.ID]]
		for _, t := range []time.Time{r.LocationUpdatedAt.UTC(), r.ArtistsUpdatedAt.UTC()} {
			if t.After(e.RevisedAt) {
				e.RevisedAt = t
			}
		}
	}
	return nil
}

// WithdrawnDays is how long after its end an event unpublished after being
// published stays in calendar feeds, marked cancelled, so the copies in
// subscribers' calendars go too.
const WithdrawnDays = 30

// Calendar lists the events a calendar feed carries: from a month ago to
// half a year ahead, optionally for one venue or artist, at most 1000. It
// has the published events, cancelled ones too, and the Withdrawn ones.
func (s *Service) Calendar(ctx context.Context, lang, location, artist string) ([]Summary, error) {
	now := s.now()
	rows, err := s.q.EventCalendarList(ctx, db.EventCalendarListParams{
		DefaultLang: s.defLang, Lang: lang, WithdrawnAfter: now.AddDate(0, 0, -WithdrawnDays),
		RangeStart: now.AddDate(0, -1, 0), RangeEnd: now.AddDate(0, 6, 0),
		LocationSlug: db.NullString(location), ArtistSlug: db.NullString(artist),
		Limit: 1000,
	})
	if err != nil {
		return nil, fmt.Errorf("events: calendar: %w", err)
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = Summary{
			ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind),
			Title: db.Text(r.TitleTr, r.Title), Summary: db.Text(r.SummaryTr, r.Summary),
			StartsAt: r.StartsAt, EndsAt: r.EndsAt, UpdatedAt: r.UpdatedAt,
			Location:  Location{Slug: r.LocationSlug, Name: db.Text(r.LocationNameTr, r.LocationName), Accent: r.LocationAccent},
			Cancelled: r.Cancelled, Revision: r.Version, Withdrawn: !r.Published,
		}
	}
	return out, s.attachLineups(ctx, lang, out)
}
