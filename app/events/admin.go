package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
)

// Text is an event's text in one language, as the back office edits it.
type Text struct {
	Title, Summary, Description string
}

func (t Text) empty() bool { return t.Title == "" && t.Summary == "" && t.Description == "" }

// LineupEntry is one act of a lineup as the back office edits it. Set
// times are zero when not announced.
type LineupEntry struct {
	ArtistID    int64
	ArtistSlug  string
	ArtistName  string
	Position    int
	SetStartsAt time.Time
	SetEndsAt   time.Time
}

// Draft is one event as the back office sees it: published or not, with
// every language's text side by side and the lineup by artist id. Times
// are UTC. Version is what the next write must name (optimistic locking).
type Draft struct {
	ID           int64
	Slug         string
	Kind         Kind
	LocationID   int64
	LocationSlug string
	StartsAt     time.Time
	EndsAt       time.Time
	Published    bool
	// Cancelled says the event is called off; CancelledAt says when. A
	// cancelled published event stays visible, marked.
	Cancelled   bool
	CancelledAt time.Time
	// FirstPublishedAt is when the event was first published, zero if it
	// never was. From then on its slug no longer follows its title.
	FirstPublishedAt time.Time
	// AllowOverlap is an admin's consent that the event may share its
	// venue's time with others.
	AllowOverlap bool
	// CoverMediaID is the cover image, 0 for none.
	CoverMediaID int64
	Version      int32
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Texts holds the languages the event has text in, keyed by language.
	Texts  map[string]Text
	Lineup []LineupEntry
}

// Visible reports whether visitors see the event (published, cancelled or
// not).
func (d Draft) Visible() bool { return d.Published }

// neverPublished reports whether the slug may still follow the title. A
// published row without first_published_at (the seed writes such rows)
// counts as published.
func (d Draft) neverPublished() bool { return !d.Published && d.FirstPublishedAt.IsZero() }

func (d Draft) clone() Draft {
	c := d
	c.Texts = make(map[string]Text, len(d.Texts))
	for l, t := range d.Texts {
		c.Texts[l] = t
	}
	c.Lineup = append([]LineupEntry(nil), d.Lineup...)
	return c
}

// AdminGet returns the event with id as the back office edits it, or
// apperr.ErrNotFound. It does not check who asks: the handler does.
func (s *Service) AdminGet(ctx context.Context, id int64) (Draft, error) {
	return s.load(ctx, s.q, id)
}

// load reads one event with its texts and lineup through q (the service's
// queries, or a transaction's).
func (s *Service) load(ctx context.Context, q *db.Queries, id int64) (Draft, error) {
	r, err := q.EventAdminGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, fmt.Errorf("events: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Draft{}, fmt.Errorf("events: get %d: %w", id, err)
	}
	d := Draft{
		ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind), LocationID: r.LocationID, LocationSlug: r.LocationSlug,
		StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(), Published: r.Published,
		Cancelled: r.CancelledAt.Valid, CancelledAt: nullTime(r.CancelledAt),
		FirstPublishedAt: nullTime(r.FirstPublishedAt), AllowOverlap: r.AllowOverlap,
		CoverMediaID: r.CoverMediaID.Int64, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Texts: map[string]Text{},
	}
	texts, err := q.EventTranslationList(ctx, id)
	if err != nil {
		return Draft{}, fmt.Errorf("events: texts of %d: %w", id, err)
	}
	for _, t := range texts {
		d.Texts[t.Lang] = Text{Title: t.Title, Summary: t.Summary, Description: t.Description}
	}
	acts, err := q.EventArtistListForEvent(ctx, id)
	if err != nil {
		return Draft{}, fmt.Errorf("events: lineup of %d: %w", id, err)
	}
	for _, a := range acts {
		d.Lineup = append(d.Lineup, LineupEntry{
			ArtistID: a.ArtistID, ArtistSlug: a.ArtistSlug, ArtistName: a.ArtistName, Position: int(a.Position),
			SetStartsAt: nullTime(a.SetStartsAt), SetEndsAt: nullTime(a.SetEndsAt),
		})
	}
	return d, nil
}

func nullTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// Status narrows the back office's list.
type Status string

// The statuses of AdminFilter. Upcoming means not over yet (running events
// included); past means over.
const (
	StatusAll       Status = "all"
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusCancelled Status = "cancelled"
	StatusPast      Status = "past"
	StatusUpcoming  Status = "upcoming"
)

// Statuses lists every status in display order.
func Statuses() []Status {
	return []Status{StatusAll, StatusUpcoming, StatusDraft, StatusPublished, StatusCancelled, StatusPast}
}

// The orders of AdminFilter.Sort.
const (
	SortStartsAt     = "starts_at"
	SortStartsAtDesc = "-starts_at"
	SortTitle        = "title"
	SortUpdated      = "updated"
)

// Admin list page sizes.
const (
	AdminDefaultPerPage = 25
	AdminMaxPerPage     = 100
)

// AdminFilter narrows the back office's list. Zero values mean "any": all
// statuses, every venue and kind, any time, ordered by start. Q searches
// slugs and titles in every language. Lang is the language titles are shown
// in (the default language when empty or missing).
type AdminFilter struct {
	Q        string
	Status   Status
	Location string
	Kind     Kind
	From, To time.Time
	Sort     string
	Page     int
	PerPage  int
	Lang     string
}

// AdminSummary is one event in the back office's list.
type AdminSummary struct {
	ID           int64
	Slug         string
	Kind         Kind
	Title        i18n.Text
	LocationSlug string
	LocationName i18n.Text
	StartsAt     time.Time
	EndsAt       time.Time
	Published    bool
	Cancelled    bool
	Version      int32
	UpdatedAt    time.Time
}

// AdminPage is one page of the back office's list.
type AdminPage struct {
	Events  []AdminSummary
	Total   int
	Page    int
	PerPage int
	Pages   int
}

// AdminList returns a page of events, drafts included, matching f. It
// returns *apperr.Invalid for an unknown status, sort, kind or venue, or a
// reversed range; page numbers past the end are clamped.
func (s *Service) AdminList(ctx context.Context, f AdminFilter) (AdminPage, error) {
	inv := apperr.NewInvalid()
	if f.Status == "" {
		f.Status = StatusAll
	}
	switch f.Status {
	case StatusAll, StatusDraft, StatusPublished, StatusCancelled, StatusPast, StatusUpcoming:
	default:
		inv.Add("status", "error.event.unknown_status", nil)
	}
	if f.Sort == "" {
		f.Sort = SortStartsAt
	}
	switch f.Sort {
	case SortStartsAt, SortStartsAtDesc, SortTitle, SortUpdated:
	default:
		inv.Add("sort", "error.event.unknown_sort", nil)
	}
	if f.Kind != "" && !f.Kind.Valid() {
		inv.Add("kind", MsgUnknownKind, nil)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		inv.Add("to", "error.filter.range_reversed", nil)
	}
	if f.Location != "" {
		ok, err := s.q.LocationExistsBySlug(ctx, f.Location)
		if err != nil {
			return AdminPage{}, fmt.Errorf("events: check location %q: %w", f.Location, err)
		}
		if !ok {
			inv.Add("location", "error.filter.unknown_location", nil)
		}
	}
	if err := inv.Err(); err != nil {
		return AdminPage{}, err
	}
	if f.PerPage <= 0 {
		f.PerPage = AdminDefaultPerPage
	}
	f.PerPage = min(f.PerPage, AdminMaxPerPage)
	if f.Lang == "" {
		f.Lang = s.defLang
	}
	q := db.NullString(content.LikePattern(f.Q))
	now := s.now()
	total, err := s.q.EventAdminCount(ctx, db.EventAdminCountParams{
		Q: q, Status: string(f.Status), Now: now, LocationSlug: db.NullString(f.Location), Kind: nullKind(f.Kind),
		RangeStart: nullTimeOf(f.From), RangeEnd: nullTimeOf(f.To),
	})
	if err != nil {
		return AdminPage{}, fmt.Errorf("events: admin count: %w", err)
	}
	p := AdminPage{Total: int(total), PerPage: f.PerPage, Pages: max(1, (int(total)+f.PerPage-1)/f.PerPage)}
	p.Page = min(max(f.Page, 1), p.Pages)
	rows, err := s.q.EventAdminList(ctx, db.EventAdminListParams{
		DefaultLang: s.defLang, Lang: f.Lang,
		Q: q, Status: string(f.Status), Now: now, LocationSlug: db.NullString(f.Location), Kind: nullKind(f.Kind),
		RangeStart: nullTimeOf(f.From), RangeEnd: nullTimeOf(f.To), Sort: f.Sort,
		Limit: int32(f.PerPage), Offset: int32((p.Page - 1) * f.PerPage),
	})
	if err != nil {
		return AdminPage{}, fmt.Errorf("events: admin list: %w", err)
	}
	p.Events = make([]AdminSummary, len(rows))
	for i, r := range rows {
		p.Events[i] = adminSummary(r)
	}
	return p, nil
}

func adminSummary(r db.EventAdminListRow) AdminSummary {
	title := db.Text(r.TitleTr, r.Title.String)
	if title.Value == "" {
		// A draft may have no title in either language yet; its slug
		// still says which event it is.
		title = i18n.Text{Value: r.Slug, Fallback: true}
	}
	return AdminSummary{
		ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind), Title: title,
		LocationSlug: r.LocationSlug, LocationName: db.Text(r.LocationNameTr, r.LocationName.String),
		StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(), Published: r.Published, Cancelled: r.CancelledAt.Valid,
		Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func nullTimeOf(t time.Time) sql.NullTime {
	return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()}
}

// Dashboard is the back office's first page: what is on today and this
// week (drafts and cancelled events included) and how many drafts wait.
type Dashboard struct {
	// Today holds the events that overlap today, in start order.
	Today []AdminSummary
	// Week holds the events that overlap the seven days from today's
	// midnight (today included), in start order, at most 100.
	Week []AdminSummary
	// Drafts counts the drafts that are not over and not cancelled: the
	// ones that still need someone to finish and publish them.
	Drafts int
}

// dashboardLimit bounds the week's list; a club week holds far fewer.
const dashboardLimit = 100

// Dashboard returns the dashboard around now. Today is the calendar day of
// now in now's location, so the handler passes now in the club's zone.
func (s *Service) Dashboard(ctx context.Context, lang string, now time.Time) (Dashboard, error) {
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	tomorrow := midnight.AddDate(0, 0, 1)
	weekEnd := midnight.AddDate(0, 0, 7)
	rows, err := s.q.EventAdminList(ctx, db.EventAdminListParams{
		DefaultLang: s.defLang, Lang: lang, Status: string(StatusAll), Now: now.UTC(),
		RangeStart: nullTimeOf(midnight), RangeEnd: nullTimeOf(weekEnd), Sort: SortStartsAt,
		Limit: dashboardLimit,
	})
	if err != nil {
		return Dashboard{}, fmt.Errorf("events: dashboard week: %w", err)
	}
	var d Dashboard
	for _, r := range rows {
		e := adminSummary(r)
		d.Week = append(d.Week, e)
		if e.StartsAt.Before(tomorrow) && e.EndsAt.After(midnight) {
			d.Today = append(d.Today, e)
		}
	}
	// Drafts: not published, not cancelled, and not over.
	drafts, err := s.q.EventAdminCount(ctx, db.EventAdminCountParams{
		Status: string(StatusDraft), Now: now.UTC(), RangeStart: nullTimeOf(now),
	})
	if err != nil {
		return Dashboard{}, fmt.Errorf("events: dashboard drafts: %w", err)
	}
	d.Drafts = int(drafts)
	return d, nil
}
