package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/locations"
)

// eventFilter is the programme filter as the visitor typed it.
type eventFilter struct {
	Location, Kind, Artist, From, To string
	Page, PerPage                    int
}

// canonical is the filter as a query, in one order and without defaults, so
// equal filters give equal links and cache keys.
func (f eventFilter) canonical() url.Values {
	q := url.Values{}
	for _, kv := range [][2]string{{"location", f.Location}, {"type", f.Kind}, {"artist", f.Artist}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	if f.Page > 1 {
		q.Set("page", itoa(f.Page))
	}
	if f.PerPage != 0 && f.PerPage != events.DefaultPerPage {
		q.Set("per_page", itoa(f.PerPage))
	}
	return q
}

// dayGroup is the events of one day in the visitor's zone.
type dayGroup struct {
	Key    string
	Date   time.Time
	Events []events.Summary
}

// pager is the data of the pager partial.
type pager struct {
	Page, Pages      int
	PrevURL, NextURL string
	Target           string
}

type eventsPage struct {
	Base
	Filter    eventFilter
	Errors    map[string]string
	Page      events.Page
	Days      []dayGroup
	Pager     pager
	Locations []locations.Location
	Artists   []artists.Summary
	Kinds     []events.Kind
}

// parseEventFilter reads the programme's query. Malformed values (a page
// that is no number, a date that is no date) are field errors; numbers out
// of range are clamped by the service.
func parseEventFilter(raw string) (eventFilter, *apperr.Invalid) {
	inv := apperr.NewInvalid()
	q, err := url.ParseQuery(raw)
	if err != nil {
		inv.Add("query", "error.request.query_malformed", nil)
		return eventFilter{}, inv
	}
	f := eventFilter{
		Location: slugParam(q.Get("location")),
		Kind:     strings.TrimSpace(q.Get("type")),
		Artist:   slugParam(q.Get("artist")),
		From:     strings.TrimSpace(q.Get("from")),
		To:       strings.TrimSpace(q.Get("to")),
	}
	f.Page = intParam(q.Get("page"), "page", inv)
	f.PerPage = min(intParam(q.Get("per_page"), "per_page", inv), events.MaxPerPage)
	if f.Kind != "" && !events.Kind(f.Kind).Valid() {
		inv.Add("type", "error.filter.unknown_type", nil)
	}
	return f, inv
}

// slugParam keeps a slug only if it could be one; anything else becomes an
// "unknown" slug that the service rejects with a reason.
func slugParam(v string) string {
	// Slugs compare case-insensitively in the database; one case keeps one
	// cache entry per filter.
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) > 150 {
		return v[:150]
	}
	return v
}

// intParam parses a positive page number. Huge values clamp, since the
// service clamps to the last page anyway.
func intParam(v, field string, inv *apperr.Invalid) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	var numErr *strconv.NumError
	switch {
	case errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange) && !strings.HasPrefix(v, "-"):
		return 1 << 30
	case err != nil:
		inv.Add(field, "error.filter.not_a_number", nil)
		return 0
	case n < 1:
		return 1
	}
	return min(n, 1<<30)
}

// parseDay reads a YYYY-MM-DD date as midnight in zone.
func parseDay(v string, z i18n.Zone) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, v, z.Loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

func (s *Server) eventsIndex(c fiber.Ctx) error {
	f, inv := parseEventFilter(string(c.Request().URI().QueryString()))
	zone := zoneOf(c)
	var first, last time.Time
	if f.From != "" {
		var ok bool
		if first, ok = parseDay(f.From, zone); !ok {
			inv.Add("from", "error.filter.bad_date", nil)
		}
	}
	if f.To != "" {
		var ok bool
		if last, ok = parseDay(f.To, zone); !ok {
			inv.Add("to", "error.filter.bad_date", nil)
		}
	}
	if inv.Err() != nil {
		return s.eventsInvalid(c, f, inv)
	}
	sf := events.Filter{Location: f.Location, Artist: f.Artist, Kind: events.Kind(f.Kind), Page: f.Page, PerPage: f.PerPage}
	sf.From, sf.To = s.Events.DayRange(first, last)
	key := "events?" + f.canonical().Encode()
	if isPartial(c) {
		// A submitted filter form sends every field, empty or not; the
		// address htmx pushes should be the tidy canonical one.
		c.Set("HX-Push-Url", withQuery("/events", f.canonical()))
	}
	err := s.cachedPage(c, key, "events/index", "event-list", func() (any, error) {
		lang := langOf(c)
		d, err := s.eventsData(c, f)
		if err != nil {
			return nil, err
		}
		if d.Page, err = s.Events.List(c, lang, sf); err != nil {
			return nil, err
		}
		if d.Page.Page < max(f.Page, 1) {
			return nil, pastLastPage{d.Page.Page}
		}
		d.Days = groupByDay(d.Page.Events, zone, sf.From)
		d.Pager = s.pagerFor("/events", f.canonical(), d.Page.Page, d.Page.Pages, "event-list")
		return d, nil
	})
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		// The service refused the filter (unknown venue, bad range).
		return s.eventsInvalid(c, f, inv)
	}
	if last, ok := errors.AsType[pastLastPage](err); ok {
		f.Page = last.page
		return redirectCanonical(c, "/events", f.canonical())
	}
	return err
}

// pastLastPage says a page number was beyond the last page. The handler
// redirects to the last page rather than rendering (and caching) the same
// list under every large number.
type pastLastPage struct{ page int }

func (p pastLastPage) Error() string { return fmt.Sprintf("past the last page (%d)", p.page) }

// redirectCanonical sends the visitor to the canonical form of the URL.
func redirectCanonical(c fiber.Ctx, path string, q url.Values) error {
	return c.Redirect().Status(fiber.StatusFound).To(withQuery(path, q))
}

// eventsInvalid answers a bad filter with 400 and the page, the form showing
// what was typed and why it was refused.
func (s *Server) eventsInvalid(c fiber.Ctx, f eventFilter, inv *apperr.Invalid) error {
	d, err := s.eventsData(c, f)
	if err != nil {
		return err
	}
	d.Errors = s.fieldErrors(c, inv)
	return s.page(c, fiber.StatusBadRequest, "events/index", "event-list", d)
}

func (s *Server) eventsData(c fiber.Ctx, f eventFilter) (eventsPage, error) {
	lang := langOf(c)
	meta := Meta{Title: s.Bundle.T(lang, "events.list.title", nil), Description: s.Bundle.T(lang, "events.list.lead", nil)}
	d := eventsPage{Base: s.base(c, "events", "/events", f.canonical(), meta), Filter: f, Kinds: events.Kinds()}
	var err error
	if d.Locations, err = s.Locations.List(c, lang); err != nil {
		return d, err
	}
	if d.Artists, err = s.Artists.List(c, lang); err != nil {
		return d, err
	}
	return d, nil
}

// fieldErrors translates the field errors of inv for the form.
func (s *Server) fieldErrors(c fiber.Ctx, inv *apperr.Invalid) map[string]string {
	out := make(map[string]string, len(inv.Fields))
	for field, m := range inv.Fields {
		out[field] = s.Bundle.T(langOf(c), m.ID, m.Args)
	}
	return out
}

func (s *Server) pagerFor(path string, q url.Values, page, pages int, target string) pager {
	p := pager{Page: page, Pages: pages, Target: target}
	link := func(n int) string {
		lq := cloneValues(q)
		lq.Del("page")
		if n > 1 {
			lq.Set("page", itoa(n))
		}
		return withQuery(path, lq)
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// groupByDay groups events by the day they are on in zone. An event that
// started before from (running now, or overnight) is listed under from's day.
func groupByDay(evs []events.Summary, z i18n.Zone, from time.Time) []dayGroup {
	var out []dayGroup
	for _, e := range evs {
		day := e.StartsAt
		if day.Before(from) {
			day = from
		}
		key := i18n.DayKey(day, z)
		if len(out) == 0 || out[len(out)-1].Key != key {
			out = append(out, dayGroup{Key: key, Date: day})
		}
		out[len(out)-1].Events = append(out[len(out)-1].Events, e)
	}
	return out
}

type eventPage struct {
	Base
	Event             events.Event
	StructuredData    template.JS
	Paragraphs        []string
	OtherZone         *i18n.Zone
	GoogleCalendarURL string
}

func (s *Server) eventShow(c fiber.Ctx) error {
	slug := c.Params("slug")
	return s.cachedPage(c, "event:"+slug, "events/show", "event-detail", func() (any, error) {
		lang := langOf(c)
		ev, err := s.Events.Get(c, lang, slug)
		if err != nil {
			return nil, err
		}
		meta := Meta{Title: ev.Title, Description: ev.Summary.Summary, Type: "article"}
		if meta.Description == "" {
			meta.Description = s.Bundle.Span(lang, ev.StartsAt, ev.EndsAt, zoneOf(c)) + " · " + ev.Location.Name
		}
		d := eventPage{
			Base:              s.base(c, "events", "/events/"+ev.Slug, url.Values{}, meta),
			Event:             ev,
			Paragraphs:        paragraphs(ev.Description),
			GoogleCalendarURL: googleCalendarURL(ev, s.absolute("/events/"+ev.Slug)),
			StructuredData:    s.eventStructuredData(ev, lang),
		}
		// A visitor in their own zone also sees the club's time, as a
		// reference for talking to others at the club.
		if zoneOf(c).Name() != s.zones.club.Name() {
			club := s.zones.club
			d.OtherZone = &club
		}
		return d, nil
	})
}

// paragraphs splits plain text at blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// googleCalendarURL is Google Calendar's documented "add event" template link.
func googleCalendarURL(ev events.Event, link string) string {
	const layout = "20060102T150405Z"
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", ev.Title)
	q.Set("dates", ev.StartsAt.UTC().Format(layout)+"/"+ev.EndsAt.UTC().Format(layout))
	q.Set("details", ev.Summary.Summary+"\n\n"+link)
	q.Set("location", ev.Location.Name)
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}
