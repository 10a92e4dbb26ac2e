package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
)

// Venue screens: /screens/{slug}, a kiosk page in the venue's theme that
// shows what plays, the show on now and what comes next, in club time. It
// follows one topic, location:{slug}:screen (or, for a screen with a key,
// location:{slug}:screen-<hex>, see locations.ScreenTopicPart), whose
// message carries every panel.

// Sizes of a screen's lists.
const (
	// screenEvents bounds the shows a screen lists; it holds every show
	// of its days ahead up to this, so it can move "now" and "next" on by
	// itself while the server is unreachable.
	screenEvents = 40
	// screenCurrentAhead is how far ahead a show gets its full card (lineup,
	// progress, QR code) in the page, ready to become the current one.
	screenCurrentAhead = 36 * time.Hour
	// maxScreenKey bounds the key a request may carry.
	maxScreenKey = 100
)

// screenView is everything a screen shows; its fragments
// (views/fragments/screen-*.html) each read the parts they need.
type screenView struct {
	Slug          string
	Info          locations.ScreenInfo
	Layout        string
	RotateSeconds int
	Zone          i18n.Zone
	Now           time.Time
	Track         nowPlayingView
	// Events are the shows from now to the days ahead, in start order; the
	// first Soon of them get a full card (screenCurrentAhead).
	Events []screenEvent
	Soon   int
	OOB    bool
}

// screenEvent is one show on a screen, with the QR code of its page.
type screenEvent struct {
	events.Summary
	QR template.HTML
	// State is "current", "next" or "" (later), as of Now; the page's
	// script moves it on by the clock.
	State string
	// Progress is how much of the show has passed, in thousandths.
	Progress int
}

// screenPage is /screens/{slug}.
type screenPage struct {
	Base
	Screen screenView
	Name   i18n.Text
	Bg     string // the background image's URL, "" for none
}

// screenTopic is the topic the screen of slug follows.
func screenTopic(slug string, info locations.ScreenInfo) string {
	return live.LocationTopic(slug, info.TopicPart())
}

// screen builds the screen of slug for lang, in the club's zone.
func (s *Server) screen(ctx context.Context, lang, slug string, info locations.ScreenInfo, loc locations.Location) (screenView, error) {
	zone := s.clubZone(ctx)
	now := s.Now()
	v := screenView{
		Slug: slug, Info: info, Layout: loc.ScreenLayout, RotateSeconds: loc.ScreenRotateSeconds,
		Zone: zone, Now: now,
	}
	playing, err := s.NowPlaying.ByLocation(ctx)
	if err != nil {
		return screenView{}, err
	}
	v.Track = nowPlayingOf(slug, playing, zone)
	days := max(loc.ScreenDaysAhead, 1)
	p, err := s.Events.List(ctx, lang, events.Filter{
		Location: slug, From: now, To: now.Add(time.Duration(days) * 24 * time.Hour), PerPage: screenEvents,
	})
	if err != nil {
		return screenView{}, err
	}
	current, next := false, false
	for _, e := range p.Events {
		if e.Cancelled {
			continue
		}
		se := screenEvent{Summary: e}
		switch {
		case e.Live(now) && !current:
			se.State, current = "current", true
			if span := e.EndsAt.Sub(e.StartsAt); span > 0 {
				se.Progress = int(now.Sub(e.StartsAt) * 1000 / span)
			}
		case !e.StartsAt.Before(now) && !next:
			se.State, next = "next", true
		}
		if e.StartsAt.Before(now.Add(screenCurrentAhead)) {
			v.Soon++
			if info.Shows(locations.PanelQR) {
				if se.QR, err = qrSVG(s.absolute("/events/" + e.Slug)); err != nil {
					return screenView{}, err
				}
			}
		}
		v.Events = append(v.Events, se)
	}
	return v, nil
}

// screenInfo reads the screen settings of slug and checks key against
// them: a wrong or missing key for a keyed screen is a 404, as an unknown
// venue is, so the answer does not tell that a screen exists.
func (s *Server) screenInfo(ctx context.Context, lang, slug, key string) (locations.ScreenInfo, error) {
	info, err := s.Locations.Screen(ctx, lang, slug)
	if err != nil {
		return locations.ScreenInfo{}, err
	}
	if len(key) > maxScreenKey || !info.Admits(key) {
		return locations.ScreenInfo{}, fmt.Errorf("web: screen %q: wrong key: %w", slug, apperr.ErrNotFound)
	}
	return info, nil
}

func (s *Server) screenShow(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	lang := langOf(c)
	// The key is checked on every request, before the cache: a cached
	// screen is served only to those who may see it.
	info, err := s.screenInfo(c, lang, slug, c.Query("key"))
	if err != nil {
		return err
	}
	key := "screen:" + slug + ":" + info.TopicPart()
	return s.cachedPage(c, key, "screens/show", "", func(ctx context.Context) (any, shows, error) {
		loc, err := s.Locations.Get(ctx, lang, slug)
		if err != nil {
			return nil, shows{}, err
		}
		v, err := s.screen(ctx, lang, slug, info, loc)
		if err != nil {
			return nil, shows{}, err
		}
		q := url.Values{}
		d := screenPage{
			Base:   s.base(c, "", "/screens/"+slug, q, Meta{Title: loc.Name.Value, NoIndex: true}),
			Screen: v, Name: loc.Name,
		}
		d.Zone = v.Zone
		if loc.Theme.Valid() {
			t := loc.Theme
			d.Theme = &themeVars{Background: t.Background, Surface: t.Surface, Text: t.Text, Accent: t.Accent, Light: t.Light()}
		}
		if b := loc.Background; b != nil {
			d.Bg = b.Src
		}
		topic := screenTopic(slug, info)
		d.Socket = liveURL(topic)
		// The screen shows the venue (its theme, name, settings), its
		// schedule and the programme, and what plays.
		return d, showing(topic, live.LocationTopic(slug, ""), live.LocationTopic(slug, "screen"),
			live.LocationTopic(slug, "schedule"), live.LocationTopic(slug, "now-playing"), live.TopicEvents), nil
	})
}

// screenPart reports whether part is a screen's part of a venue topic.
func screenPart(topic string) bool {
	rest, ok := strings.CutPrefix(topic, "location:")
	if !ok {
		return false
	}
	_, part, _ := strings.Cut(rest, ":")
	return part == "screen" || strings.HasPrefix(part, "screen-")
}

// renderScreenTopic renders every panel of the screen of slug, each marked
// hx-swap-oob. A topic whose part is not the screen's current one (a key
// set, changed or cleared) renders nothing: live.ErrUnknownTopic.
func (s *Server) renderScreenTopic(ctx context.Context, out *bytes.Buffer, lang, topic string) error {
	slug, part, _ := strings.Cut(strings.TrimPrefix(topic, "location:"), ":")
	if !validSlug(slug) {
		return live.ErrUnknownTopic
	}
	info, err := s.Locations.Screen(ctx, lang, slug)
	if err != nil {
		return err
	}
	if part != info.TopicPart() {
		return live.ErrUnknownTopic
	}
	loc, err := s.Locations.Get(ctx, lang, slug)
	if err != nil {
		return err
	}
	if loc.Slug != slug {
		return live.ErrUnknownTopic
	}
	v, err := s.screen(ctx, lang, slug, info, loc)
	if err != nil {
		return err
	}
	v.OOB = true
	return s.fragments(out, lang,
		oob{"screen-now-playing", v}, oob{"screen-current", v},
		oob{"screen-next", v}, oob{"screen-announcements", v})
}

// keyedScreenTopic is, for a change to location:{slug}:screen, the topic
// of that venue's screen when it has a key (publishers name the venue, not
// its key), or "".
func (s *Server) keyedScreenTopic(ctx context.Context, topic string) string {
	rest, ok := strings.CutPrefix(topic, "location:")
	if !ok {
		return ""
	}
	slug, part, _ := strings.Cut(rest, ":")
	if part != "screen" || !validSlug(slug) {
		return ""
	}
	info, err := s.Locations.Screen(ctx, s.Bundle.Default(), slug)
	if err != nil || !info.Keyed() {
		return ""
	}
	return screenTopic(slug, info)
}

// screenChanged passes a change of a venue's screen on to the hub under
// the keyed topic its screen follows, when it has a key: publishers name
// the venue, never its key. Follow calls it for every change the hub hears.
func (s *Server) screenChanged(topic string) {
	if !strings.HasSuffix(topic, ":screen") {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if t := s.keyedScreenTopic(ctx, topic); t != "" {
		s.hub.Changed(live.Change{Topic: t})
	}
}
