package web

import (
	"bytes"
	"context"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/calendar"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
)

// Calendar clients fetch feeds every hour or so, and many clients fetch the
// same feed: each is built once per change or TTL from the page cache, and
// a short public cache spares even that. It is safe because a feed depends
// on its URL alone (see feedLanguage).

const calendarType = "text/calendar; charset=utf-8"

// feedTTL is how long a feed stays in the page cache. A change to what it
// shows drops it at once (its topics); what moves by itself, the window of
// past events, moves by days. Calendar clients poll every hour or so, each
// at its own moment: a long stay answers most of them 304 from memory.
const feedTTL = 10 * time.Minute

// feedLinks makes the addresses of the calendar feeds for a page in lang;
// New makes one per language (Server.feeds), as pages ask on every render.
type feedLinks struct {
	webcal string // TDC_BASE_URL with the webcal scheme
	query  string // "?lang=de" for a language other than the default
}

func (s *Server) feedLinksFor(lang string) feedLinks {
	u := *s.Config.BaseURL
	// webcal:// is what makes phones and desktop clients offer to
	// subscribe; they fetch it over https (or http for an http site).
	u.Scheme = "webcal"
	f := feedLinks{webcal: strings.TrimSuffix(u.String(), "/")}
	if lang != s.Bundle.Default() {
		f.query = "?lang=" + url.QueryEscape(lang)
	}
	return f
}

// Webcal is the webcal:// address of a feed: the club's for kind "", else
// that of the location or artist (kind "locations" or "artists") slug.
func (f feedLinks) Webcal(kind, slug string) template.URL {
	return template.URL(f.webcal + feedPath(kind, slug) + f.query) //nolint:gosec // our base URL and an escaped slug
}

// File is the same feed's https address, to download the file.
func (f feedLinks) File(kind, slug string) string {
	return feedPath(kind, slug) + f.query
}

func feedPath(kind, slug string) string {
	if kind == "" {
		return "/calendar.ics"
	}
	return "/" + url.PathEscape(kind) + "/" + url.PathEscape(slug) + "/calendar.ics"
}

// calendarFeed serves one feed from the cache. disposition is "inline" for
// subscriptions and "attachment" for a single event's download.
func (s *Server) calendarFeed(c fiber.Ctx, key, disposition, filename string, build func(ctx context.Context) (calendar.Feed, []events.Summary, shows, error)) error {
	headers := func() {
		c.Set(fiber.HeaderContentDisposition, disposition+`; filename="`+filename+`"`)
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	return s.cachedAnswer(c, key, calendarType, headers, func(ctx context.Context) (rendered, error) {
		feed, evs, sh, err := build(ctx)
		if err != nil {
			return rendered{shows: sh}, err
		}
		if err := s.Events.AttachRevisions(ctx, evs); err != nil {
			return rendered{shows: sh}, err
		}
		feed.BaseURL, feed.Lang, feed.DefaultLang = s.Config.BaseURL, langOf(c), s.Bundle.Default()
		var buf bytes.Buffer
		if err := calendar.Write(&buf, feed, evs); err != nil {
			return rendered{shows: sh}, err
		}
		return rendered{body: buf.Bytes(), shows: sh, modified: calendar.LastRevised(evs), ttl: feedTTL}, nil
	})
}

func (s *Server) clubCalendar(c fiber.Ctx) error {
	return s.calendarFeed(c, "calendar", "inline", "dreamers-cave.ics", func(ctx context.Context) (calendar.Feed, []events.Summary, shows, error) {
		evs, err := s.Events.Calendar(ctx, langOf(c), "", "")
		return calendar.Feed{Name: s.siteName(ctx, langOf(c))}, evs, showing(live.TopicEvents), err
	})
}

func (s *Server) locationCalendar(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.calendarFeed(c, "calendar:location:"+slug, "inline", slug+".ics", func(ctx context.Context) (calendar.Feed, []events.Summary, shows, error) {
		loc, err := s.Locations.Get(ctx, langOf(c), slug)
		if err != nil {
			return calendar.Feed{}, nil, shows{}, err
		}
		if loc.Slug != slug { // spelled another way
			return calendar.Feed{}, nil, shows{}, movedTo{"/locations/" + loc.Slug + "/calendar.ics"}
		}
		evs, err := s.Events.Calendar(ctx, langOf(c), loc.Slug, "")
		name := s.Bundle.T(langOf(c), "calendar.feed.location", map[string]any{"Location": loc.Name.Value, "Club": s.siteName(ctx, langOf(c))})
		sh := showing(live.LocationTopic(loc.Slug, ""), live.LocationTopic(loc.Slug, "schedule"), live.TopicLocations, live.TopicEvents)
		return calendar.Feed{Name: name}, evs, sh, err
	})
}

func (s *Server) artistCalendar(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.calendarFeed(c, "calendar:artist:"+slug, "inline", slug+".ics", func(ctx context.Context) (calendar.Feed, []events.Summary, shows, error) {
		a, err := s.Artists.Get(ctx, langOf(c), slug)
		if err != nil {
			return calendar.Feed{}, nil, shows{}, err
		}
		if a.Slug != slug { // spelled another way
			return calendar.Feed{}, nil, shows{}, movedTo{"/artists/" + a.Slug + "/calendar.ics"}
		}
		evs, err := s.Events.Calendar(ctx, langOf(c), "", a.Slug)
		name := s.Bundle.T(langOf(c), "calendar.feed.artist", map[string]any{"Artist": a.Name, "Club": s.siteName(ctx, langOf(c))})
		sh := showing(live.ArtistTopic(a.Slug), live.TopicArtists, live.TopicEvents)
		return calendar.Feed{Name: name}, evs, sh, err
	})
}

func (s *Server) eventCalendar(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.calendarFeed(c, "calendar:event:"+slug, "attachment", slug+".ics", func(ctx context.Context) (calendar.Feed, []events.Summary, shows, error) {
		ev, err := s.Events.Get(ctx, langOf(c), slug)
		if err != nil {
			return calendar.Feed{}, nil, shows{}, err
		}
		if ev.Slug != slug { // spelled another way
			return calendar.Feed{}, nil, shows{}, movedTo{"/events/" + ev.Slug + "/calendar.ics"}
		}
		return calendar.Feed{Name: ev.Title.Value, Download: true}, []events.Summary{ev.Summary}, eventShows(ev.Summary), nil
	})
}
