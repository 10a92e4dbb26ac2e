package web

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/render"
)

// The live fragments: what a page shows that changes while it is open.
// Each has a typed view and one builder, used by the page handler when it
// renders the page and by RenderTopic when the hub pushes the fragment. OOB
// is the one difference: set, the root element carries hx-swap-oob, so
// htmx's hx-ws swaps it in by id.

// Sizes of the live lists, the same on the page and over the socket.
const (
	happeningNowLimit = 12
	nextEventsLimit   = 8
	scheduleDays      = 14
	scheduleLimit     = 50
	artistUpcoming    = 20
	// maxTopic bounds a topic RenderTopic will look at: the longest real
	// one is a keyed screen's, "location:" + a slug + ":screen-" + 24 hex.
	maxTopic = len("location:") + maxSlug + len(":screen-") + 24
)

// eventGrid is a list of event cards (views/partials/event-grid.html),
// written by app/render.
type eventGrid = render.Grid

// programmeView is the programme's list: a page of events by day, with
// its pager (views/fragments/live-programme.html), written by app/render.
type programmeView = render.Programme

// eventsBlock is a short list of events on the home page: happening now
// or next (views/fragments/happening-now.html, next-events.html).
type eventsBlock struct {
	Grid eventGrid
	OOB  bool
}

// eventLive is what of an event's page changes: its status, title, time
// and lineup (views/fragments/event-live.html). Withdrawn says it was
// unpublished while the page was open: only the status is pushed then.
type eventLive struct {
	Event     events.Summary
	Zone      i18n.Zone
	OtherZone *i18n.Zone // the club's zone, when the visitor reads another
	Now       time.Time
	Withdrawn bool
	OOB       bool
}

// scheduleView is a venue's coming events by day
// (views/fragments/location-schedule.html).
type scheduleView struct {
	Days []dayGroup
	OOB  bool
}

// nowPlayingView is the track playing at one venue
// (views/fragments/now-playing.html).
type nowPlayingView struct {
	Slug  string
	Track *nowplaying.Track
	Zone  i18n.Zone
	OOB   bool
}

// recentView is what played at one venue before the current track, latest
// first (views/fragments/recently-played.html).
type recentView struct {
	Slug   string
	Tracks []nowplaying.Track
	Zone   i18n.Zone
	OOB    bool
}

// recentTracks is how many earlier tracks a venue page lists.
const recentTracks = 10

// recent builds a venue's recently played list.
func (s *Server) recent(ctx context.Context, slug string, zone i18n.Zone) (recentView, error) {
	tracks, err := s.NowPlaying.Recent(ctx, slug, recentTracks)
	if err != nil {
		return recentView{}, err
	}
	return recentView{Slug: slug, Tracks: tracks, Zone: zone}, nil
}

// upcomingView is an artist's coming events
// (views/fragments/live-artist-upcoming.html).
type upcomingView struct {
	Grid eventGrid
	OOB  bool
}

// programme builds the programme's list for the filter f (as typed, for
// the pager's links) and sf (as the service reads it).
func (s *Server) programme(ctx context.Context, lang string, zone i18n.Zone, f eventFilter, sf events.Filter) (programmeView, error) {
	p, err := s.Events.List(ctx, lang, sf)
	if err != nil {
		return programmeView{}, err
	}
	q := f.canonical()
	return programmeView{
		Page:     p,
		Days:     groupByDay(p.Events, zone, sf.From, s.Now()),
		Pager:    s.pagerFor("/events", q, p.Page, p.Pages, "event-list"),
		Filtered: len(q) > 0,
	}, nil
}

// defaultProgramme is the programme as /events shows it without a query.
func (s *Server) defaultProgramme(ctx context.Context, lang string, zone i18n.Zone) (programmeView, error) {
	var sf events.Filter
	sf.From, sf.To = s.Events.DayRange(time.Time{}, time.Time{})
	return s.programme(ctx, lang, zone, eventFilter{}, sf)
}

// happeningNow builds the home page's "happening now".
func (s *Server) happeningNow(ctx context.Context, lang string, zone i18n.Zone) (eventsBlock, error) {
	evs, err := s.Events.HappeningNow(ctx, lang, happeningNowLimit)
	return eventsBlock{Grid: eventGrid{Events: evs, Zone: zone, Now: s.Now()}}, err
}

// nextEvents builds the home page's "next events".
func (s *Server) nextEvents(ctx context.Context, lang string, zone i18n.Zone) (eventsBlock, error) {
	evs, err := s.Events.Next(ctx, lang, nextEventsLimit)
	return eventsBlock{Grid: eventGrid{Events: evs, Zone: zone, Now: s.Now()}}, err
}

// eventLiveView builds an event page's live parts from the event.
func (s *Server) eventLiveView(ctx context.Context, ev events.Summary, zone i18n.Zone) eventLive {
	v := eventLive{Event: ev, Zone: zone, Now: s.Now()}
	// A visitor in their own zone also sees the club's time, as a
	// reference for talking to others at the club.
	if zone.Name() != s.zones.club.Name() {
		club := s.clubZone(ctx)
		v.OtherZone = &club
	}
	return v
}

// schedule builds a venue's coming events, by day.
func (s *Server) schedule(ctx context.Context, lang string, zone i18n.Zone, slug string) (scheduleView, error) {
	now := s.Now()
	p, err := s.Events.List(ctx, lang, events.Filter{
		Location: slug, From: now, To: now.Add(scheduleDays * 24 * time.Hour), PerPage: scheduleLimit,
	})
	if err != nil {
		return scheduleView{}, err
	}
	return scheduleView{Days: groupByDay(p.Events, zone, now, now)}, nil
}

// nowPlayingOf builds a venue's now-playing from what every venue plays.
func nowPlayingOf(slug string, playing map[string]nowplaying.Track, zone i18n.Zone) nowPlayingView {
	v := nowPlayingView{Slug: slug, Zone: zone}
	if t, ok := playing[slug]; ok {
		v.Track = &t
	}
	return v
}

// upcoming builds an artist's coming events.
func (s *Server) upcoming(ctx context.Context, lang string, zone i18n.Zone, slug string) (upcomingView, error) {
	p, err := s.Events.List(ctx, lang, events.Filter{Artist: slug, PerPage: artistUpcoming})
	if err != nil {
		return upcomingView{}, err
	}
	return upcomingView{Grid: eventGrid{Events: p.Events, Zone: zone, Now: s.Now()}}, nil
}

// The hub renders through the server.
var _ live.Renderer = (*Server)(nil)

// liveURL is the address of the websocket a page showing topics opens
// (views/layouts/base.html).
func liveURL(topics ...string) string {
	var b strings.Builder
	b.WriteString("/ws")
	for i, t := range topics {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString("topic=")
		b.WriteString(url.QueryEscape(t))
	}
	return b.String()
}

// RenderTopic renders, for v, the fragments that show topic, each marked
// hx-swap-oob: the websocket hub sends the bytes to every subscriber of
// topic with v's language and zone. A topic no fragment shows (or not a
// topic at all, or an event, venue or artist that does not exist) is
// live.ErrUnknownTopic.
func (s *Server) RenderTopic(ctx context.Context, topic string, v live.Viewer) ([]byte, error) {
	lang, zone := s.viewer(ctx, v)
	if len(topic) > maxTopic {
		return nil, live.ErrUnknownTopic
	}
	var out bytes.Buffer
	var err error
	kind, rest, _ := strings.Cut(topic, ":")
	switch {
	case topic == live.TopicEvents:
		err = s.renderProgrammeTopic(ctx, &out, lang, zone)
	case screenPart(topic):
		err = s.renderScreenTopic(ctx, &out, lang, topic) // screens.go
	case kind == "event":
		err = s.renderEventTopic(ctx, &out, lang, zone, rest)
	case kind == "location":
		slug, part, _ := strings.Cut(rest, ":")
		err = s.renderLocationTopic(ctx, &out, lang, zone, slug, part)
	case kind == "artist":
		err = s.renderArtistTopic(ctx, &out, lang, zone, rest)
	case kind == "admin":
		err = s.renderAdminTopic(ctx, &out, rest)
	default:
		return nil, live.ErrUnknownTopic
	}
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, live.ErrUnknownTopic
	}
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// viewer resolves v as negotiate does a request: an unknown language is
// the default, an unknown zone the club's.
func (s *Server) viewer(ctx context.Context, v live.Viewer) (string, i18n.Zone) {
	lang := v.Lang
	if !s.Bundle.Supported(lang) {
		lang = s.Bundle.Default()
	}
	zone, ok := s.lookupZone(ctx, v.Zone)
	if !ok {
		zone = s.clubZone(ctx)
	}
	return lang, zone
}

// renderProgrammeTopic renders what shows the programme: the list in its
// default view, the element that makes a filtered list re-fetch itself,
// and the home page's happening-now and next events.
// Its three views are read at once: each is a few queries, and every
// client waits for the slowest.
func (s *Server) renderProgrammeTopic(ctx context.Context, out *bytes.Buffer, lang string, zone i18n.Zone) error {
	var list programmeView
	var now, next eventsBlock
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { list, err = s.defaultProgramme(gctx, lang, zone); return err })
	g.Go(func() (err error) { now, err = s.happeningNow(gctx, lang, zone); return err })
	g.Go(func() (err error) { next, err = s.nextEvents(gctx, lang, zone); return err })
	if err := g.Wait(); err != nil {
		return err
	}
	list.OOB, now.OOB, next.OOB = true, true, true
	return s.fragments(out, lang,
		oob{"live-programme", list}, oob{"live-programme-refresh", list},
		oob{"happening-now", now}, oob{"next-events", next})
}

// renderEventTopic renders an event page's live parts; an event that is
// no longer published gets only its status, saying so.
func (s *Server) renderEventTopic(ctx context.Context, out *bytes.Buffer, lang string, zone i18n.Zone, id string) error {
	n, ok := topicID(id)
	if !ok {
		return live.ErrUnknownTopic
	}
	d, err := s.Events.AdminGet(ctx, n)
	if err != nil {
		return err
	}
	ev, err := s.Events.Get(ctx, lang, d.Slug)
	if errors.Is(err, apperr.ErrNotFound) {
		v := eventLive{Event: events.Summary{ID: n}, Withdrawn: true, OOB: true}
		return s.fragments(out, lang, oob{"event-live-status", v})
	}
	if err != nil {
		return err
	}
	v := s.eventLiveView(ctx, ev.Summary, zone)
	v.OOB = true
	return s.fragments(out, lang,
		oob{"event-live-status", v}, oob{"event-live-title", v},
		oob{"event-live-time", v}, oob{"event-live-lineup", v})
}

// renderLocationTopic renders a venue's schedule and now-playing, or for
// the now-playing part that alone.
func (s *Server) renderLocationTopic(ctx context.Context, out *bytes.Buffer, lang string, zone i18n.Zone, slug, part string) error {
	if !validSlug(slug) || (part != "" && part != "schedule" && part != "now-playing") {
		return live.ErrUnknownTopic
	}
	loc, err := s.Locations.Get(ctx, lang, slug)
	if err != nil {
		return err
	}
	if loc.Slug != slug {
		return live.ErrUnknownTopic // another spelling: pages subscribe with the stored slug
	}
	playing, err := s.NowPlaying.ByLocation(ctx)
	if err != nil {
		return err
	}
	np := nowPlayingOf(slug, playing, zone)
	np.OOB = true
	rv, err := s.recent(ctx, slug, zone)
	if err != nil {
		return err
	}
	rv.OOB = true
	if part == "now-playing" {
		return s.fragments(out, lang, oob{"now-playing", np}, oob{"recently-played", rv})
	}
	sched, err := s.schedule(ctx, lang, zone, slug)
	if err != nil {
		return err
	}
	sched.OOB = true
	return s.fragments(out, lang, oob{"location-schedule", sched}, oob{"now-playing", np}, oob{"recently-played", rv})
}

// renderArtistTopic renders an artist's coming events.
func (s *Server) renderArtistTopic(ctx context.Context, out *bytes.Buffer, lang string, zone i18n.Zone, slug string) error {
	if !validSlug(slug) {
		return live.ErrUnknownTopic
	}
	a, err := s.Artists.Get(ctx, lang, slug)
	if err != nil {
		return err
	}
	if a.Slug != slug {
		return live.ErrUnknownTopic
	}
	up, err := s.upcoming(ctx, lang, zone, slug)
	if err != nil {
		return err
	}
	up.OOB = true
	return s.fragments(out, lang, oob{"live-artist-upcoming", up})
}

// oob is one fragment of a pushed message: its template and data.
type oob struct {
	name string
	data any
}

// fragments renders parts one after another into out.
func (s *Server) fragments(out *bytes.Buffer, lang string, parts ...oob) error {
	for _, p := range parts {
		if err := s.Views.Fragment(out, lang, p.name, p.data); err != nil {
			return err
		}
	}
	return nil
}

// topicID parses the id of an event topic: digits only, no sign, no
// leading zero, in range.
func topicID(v string) (int64, bool) {
	if v == "" || v[0] == '0' || len(v) > 19 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// validSlug reports whether v is spelled as a stored slug, so nothing else
// reaches a query.
func validSlug(v string) bool { return v != "" && len(v) <= maxSlug && plainSlug(v) }

// How far NextBoundary looks: shows on now, and the next to start.
const (
	boundaryRunning  = 200
	boundaryUpcoming = 50
)

// NextBoundary is the first instant after now at which a published show
// starts or ends, with the topics that change then: the programme (its live
// badges, happening now, next), and the event, venue schedule and artists
// of each show starting or ending at that instant. live.Clock calls it.
func (s *Server) NextBoundary(ctx context.Context, now time.Time) (live.Boundary, error) {
	lang := s.Bundle.Default()
	running, err := s.Events.HappeningNow(ctx, lang, boundaryRunning)
	if err != nil {
		return live.Boundary{}, err
	}
	coming, err := s.Events.Next(ctx, lang, boundaryUpcoming)
	if err != nil {
		return live.Boundary{}, err
	}
	var at time.Time
	var on []events.Summary
	consider := func(t time.Time, e events.Summary) {
		switch {
		case !t.After(now):
		case at.IsZero() || t.Before(at):
			at, on = t, []events.Summary{e}
		case t.Equal(at):
			on = append(on, e)
		}
	}
	for _, e := range running {
		consider(e.EndsAt, e)
	}
	for _, e := range coming {
		consider(e.StartsAt, e)
		consider(e.EndsAt, e)
	}
	if at.IsZero() {
		return live.Boundary{}, nil
	}
	topics := []string{live.TopicEvents}
	seen := map[string]bool{live.TopicEvents: true}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			topics = append(topics, t)
		}
	}
	for _, e := range on {
		add(live.EventTopic(e.ID))
		add(live.LocationTopic(e.Location.Slug, "schedule"))
		add(live.LocationTopic(e.Location.Slug, "screen"))
		for _, a := range e.Lineup {
			add(live.ArtistTopic(a.ArtistSlug))
		}
	}
	return live.Boundary{At: at, Topics: topics}, nil
}
