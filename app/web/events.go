package web

import (
	"context"
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
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/render"
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
type dayGroup = render.Day

// pager is the data of the pager partial.
type pager = render.Pager

type eventsPage struct {
	Base
	Filter    eventFilter
	Errors    map[string]string
	List      programmeView
	Locations []locations.Location
	Artists   []artists.Summary
	Kinds     []events.Kind
}

// LocationOptions are the filter's venues, for the options function.
func (p eventsPage) LocationOptions() []render.Option {
	out := make([]render.Option, len(p.Locations))
	for i, l := range p.Locations {
		out[i] = render.Option{Value: l.Slug, Label: l.Name.Value, Selected: l.Slug == p.Filter.Location}
	}
	return out
}

// ArtistOptions are the filter's artists, for the options function.
func (p eventsPage) ArtistOptions() []render.Option {
	out := make([]render.Option, len(p.Artists))
	for i, a := range p.Artists {
		out[i] = render.Option{Value: a.Slug, Label: a.Name, Selected: a.Slug == p.Filter.Artist}
	}
	return out
}

// parseEventFilter reads the programme's query. Malformed values of our
// parameters (a page that is no number, a date that is no date, a broken
// escape) are field errors; parameters we do not use are ignored, whatever
// they hold; numbers out of range fall back to their defaults.
func parseEventFilter(raw string) (eventFilter, *apperr.Invalid) {
	inv := apperr.NewInvalid()
	q, bad := parseQuery(raw)
	for _, name := range []string{"location", "type", "artist", "from", "to", "page", "per_page"} {
		if bad[name] {
			inv.Add(name, "error.request.value_malformed", nil)
		}
	}
	f := eventFilter{
		Location: filterSlug(q.Get("location")),
		Kind:     strings.ToLower(strings.TrimSpace(q.Get("type"))),
		Artist:   filterSlug(q.Get("artist")),
		From:     strings.TrimSpace(q.Get("from")),
		To:       strings.TrimSpace(q.Get("to")),
	}
	f.Page = intParam(q.Get("page"), "page", inv)
	if f.PerPage = intParam(q.Get("per_page"), "per_page", inv); f.PerPage > events.MaxPerPage {
		f.PerPage = 0 // the default, like any other page size out of range
	}
	if f.Kind != "" && !events.Kind(f.Kind).Valid() {
		inv.Add("type", "error.filter.unknown_type", nil)
	}
	return f, inv
}

// filterSlug is a slug filter in one case and without padding, cut to the
// longest slug there is.
func filterSlug(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) > maxSlug {
		v = v[:maxSlug]
	}
	return strings.ToValidUTF8(v, "")
}

// plainSlug reports whether v is spelled as slugs are stored (a-z, 0-9,
// '-'): the database matches such a value only to itself, while one with
// accents may match a stored slug spelled without them.
func plainSlug(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}

// intParam parses a positive whole number; 0 means "not given", and so
// does a number below 1 (the caller's default applies). Huge values clamp
// to 1<<30 so the page number redirects to the last page.
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
	case errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange):
		return 0
	case err != nil:
		inv.Add(field, "error.filter.not_a_number", nil)
		return 0
	case n < 1:
		return 0
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
	moved, err := s.resolveFilterSlugs(c.Context(), langOf(c), &f, inv)
	if err != nil {
		return err
	}
	if inv.Err() != nil {
		return s.eventsInvalid(c, f, inv)
	}
	if moved {
		c.Locals(localRoute, "redirect")
		return c.Redirect().Status(fiber.StatusMovedPermanently).To(withQuery("/events", f.canonical()))
	}
	sf := events.Filter{Location: f.Location, Artist: f.Artist, Kind: events.Kind(f.Kind), Page: f.Page, PerPage: f.PerPage}
	sf.From, sf.To = s.Events.DayRange(first, last)
	key := "events?" + f.canonical().Encode()
	// Which element asked (HX-Source) picks the history header and, for
	// the pager, the list's focus; see swap.go.
	c.Vary("HX-Source")
	if isPartial(c) && c.Get("HX-Source") != liveRefreshSource {
		// A submitted filter form sends every field, empty or not; the
		// address htmx records should be the tidy canonical one. A live
		// refresh reloads the address the page has: no history entry.
		c.Set(historyHeader(c), withQuery("/events", f.canonical()))
	}
	err = s.cachedPage(c, key, "events/index", "event-list", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		d, err := s.eventsData(ctx, c, f)
		if err != nil {
			return nil, shows{}, err
		}
		if d.List, err = s.programme(ctx, lang, zone, f, sf); err != nil {
			return nil, shows{}, err
		}
		if d.List.Page.Page < max(f.Page, 1) {
			return nil, shows{}, pastLastPage{d.List.Page.Page}
		}
		// Every write of a public event publishes the programme; the
		// filter form lists the venues and artists.
		return d, showing(live.TopicEvents, live.TopicLocations, live.TopicArtists), nil
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

// resolveFilterSlugs looks up location and artist filters that are not
// spelled as stored slugs are (accents, say): one the database matches is
// replaced by its stored slug, and moved reports that the address should
// change; one it does not match is a field error.
func (s *Server) resolveFilterSlugs(ctx context.Context, lang string, f *eventFilter, inv *apperr.Invalid) (moved bool, err error) {
	resolve := func(field, unknown string, slug *string, get func() (string, error)) error {
		if *slug == "" || plainSlug(*slug) {
			return nil
		}
		stored, err := get()
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			inv.Add(field, unknown, nil)
		case err != nil:
			return err
		default:
			*slug, moved = stored, true
		}
		return nil
	}
	err = resolve("location", "error.filter.unknown_location", &f.Location, func() (string, error) {
		loc, err := s.Locations.Get(ctx, lang, f.Location)
		return loc.Slug, err
	})
	if err != nil {
		return false, err
	}
	err = resolve("artist", "error.filter.unknown_artist", &f.Artist, func() (string, error) {
		a, err := s.Artists.Get(ctx, lang, f.Artist)
		return a.Slug, err
	})
	return moved, err
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
	d, err := s.eventsData(c.Context(), c, f)
	if err != nil {
		return err
	}
	d.Errors = s.fieldErrors(c, inv)
	return s.page(c, fiber.StatusBadRequest, "events/index", "event-list", d)
}

func (s *Server) eventsData(ctx context.Context, c fiber.Ctx, f eventFilter) (eventsPage, error) {
	lang := langOf(c)
	meta := Meta{Title: s.Bundle.T(lang, "events.list.title", nil), Description: s.Bundle.T(lang, "events.list.lead", nil)}
	d := eventsPage{Base: s.base(c, "events", "/events", f.canonical(), meta), Filter: f, Kinds: events.Kinds()}
	d.Socket = liveURL(live.TopicEvents)
	var err error
	if d.Locations, err = s.venueList(ctx, lang); err != nil {
		return d, err
	}
	d.Artists, err = s.artists.get(lang, func() ([]artists.Summary, error) { return s.Artists.List(ctx, lang) })
	return d, err
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
// now marks which are live. evs come in start order, so each day's events
// are a run of them: a day's grid is that part of evs (capped, so appending
// to one cannot overwrite the next), not a copy of each event.
func groupByDay(evs []events.Summary, z i18n.Zone, from, now time.Time) []dayGroup {
	var out []dayGroup
	start := 0
	for i, e := range evs {
		day := e.StartsAt
		if day.Before(from) {
			day = from
		}
		key := i18n.DayKey(day, z)
		if len(out) == 0 || out[len(out)-1].Key != key {
			if len(out) > 0 {
				out[len(out)-1].Grid.Events = evs[start:i:i]
			}
			out = append(out, dayGroup{Key: key, Date: day, Grid: eventGrid{Zone: z, Now: now}})
			start = i
		}
	}
	if len(out) > 0 {
		out[len(out)-1].Grid.Events = evs[start:len(evs):len(evs)]
	}
	return out
}

type eventPage struct {
	Base
	Event             events.Event
	Live              eventLive
	StructuredData    template.JS
	Paragraphs        []string
	GoogleCalendarURL string
}

func (s *Server) eventShow(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.cachedPage(c, "event:"+slug, "events/show", "event-detail", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		ev, err := s.Events.Get(ctx, lang, slug)
		if err != nil {
			return nil, shows{}, err
		}
		if err := canonicalSlug(slug, ev.Slug, "/events/"); err != nil {
			return nil, shows{}, err
		}
		meta := Meta{Title: ev.Title.Value, Description: ev.Summary.Summary.Value, Type: "article"}
		if meta.Description == "" {
			meta.Description = s.Bundle.Span(lang, ev.StartsAt, ev.EndsAt, zoneOf(c)) + " · " + ev.Location.Name.Value
		}
		d := eventPage{
			Base:              s.base(c, "events", "/events/"+ev.Slug, url.Values{}, meta),
			Event:             ev,
			Live:              s.eventLiveView(ctx, ev.Summary, zoneOf(c)),
			Paragraphs:        paragraphs(ev.Description.Value),
			GoogleCalendarURL: googleCalendarURL(ev, s.absolute("/events/"+ev.Slug)),
			StructuredData:    s.eventStructuredData(ev, lang, s.siteName(ctx, lang)),
		}
		d.Socket = liveURL(live.EventTopic(ev.ID))
		return d, eventShows(ev.Summary), nil
	})
}

// eventShows is what an event's own page and download show: the event
// (its writes publish its topic, as do lineup and media changes) and its
// venue (whose writes publish the venue's topic; a renamed venue also
// publishes the programme, but not each event).
func eventShows(ev events.Summary) shows {
	return showing(live.EventTopic(ev.ID), live.LocationTopic(ev.Location.Slug, ""))
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
	q.Set("text", ev.Title.Value)
	q.Set("dates", ev.StartsAt.UTC().Format(layout)+"/"+ev.EndsAt.UTC().Format(layout))
	q.Set("details", ev.Summary.Summary.Value+"\n\n"+link)
	q.Set("location", ev.Location.Name.Value)
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}
