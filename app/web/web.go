// Package web is the HTTP face of TDC: Fiber routes, handlers that parse,
// call a service and render, and the middleware around them.
package web

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/render"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/static"
)

// Deps is everything the web layer needs; main builds each piece. Handlers
// reach data only through the services (s.Events, s.Locations, ...).
type Deps struct {
	Config config.Config
	Log    *slog.Logger
	Bundle *i18n.Bundle
	Views  *render.Renderer
	Assets *static.Assets
	services.Set
	Registry *prometheus.Registry
	Now      func() time.Time
}

// Server is the web layer: the Fiber app and the page cache behind it.
type Server struct {
	App *fiber.App

	Deps
	cache    *pageCache
	venues   *memo[[]locations.Location] // Locations.List, by language
	artists  *memo[[]artists.Summary]    // Artists.List, by language
	bufs     sync.Pool                   // *bytes.Buffer for renders, see render
	metrics  *metrics
	zones    *zoneSet
	feeds    map[string]feedLinks // per language, see calendar.go
	security [][2]string          // headers every answer carries, see securityHeaders
	acct     *accountKit          // sessions and CSRF, see auth.go
	hub      *live.Hub            // live updates over /ws, see NewHub

	zoneMemo zoneChoiceMemo // zoneChoices, see site.go
}

// New builds the Fiber app with every route and middleware, the same for
// `tdc serve` and for tests.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{
		Deps:     d,
		cache:    newPageCache(d.Config.PageCacheTTL, int64(d.Config.PageCacheMB)<<20, d.Now),
		zones:    newZoneSet(d.Config.ClubZone, d.Config.ClubZoneLabel),
		security: securityHeaders(d.Config.CookieSecure),
		acct:     newAccountKit(d.Config, d.Log),
	}
	s.bufs.New = func() any { return new(bytes.Buffer) }
	s.feeds = map[string]feedLinks{}
	for _, lang := range d.Bundle.Languages() {
		s.feeds[lang] = s.feedLinksFor(lang)
	}
	s.venues = newMemo[[]locations.Location](s.cache, live.TopicLocations)
	s.artists = newMemo[[]artists.Summary](s.cache, live.TopicArtists)
	m, err := newMetrics(d.Registry)
	if err != nil {
		return nil, err
	}
	if err := m.watchCache(s.cache); err != nil {
		return nil, err
	}
	s.metrics = m
	app := fiber.New(fiber.Config{
		AppName: "tdc",
		// routes.go registers HEAD itself (see read).
		DisableHeadAutoRegister: true,
		Immutable:               true,
		// Slugs arrive percent-encoded; decoded, "m%C3%A1in-cave" can be
		// recognised as a spelling of "main-cave" and redirected.
		UnescapePath:   true,
		BodyLimit:      serverBodyLimit(d.Config.BodyLimit, d.Config.MediaMaxMB), // see bodylimit.go
		ReadBufferSize: d.Config.ReadHeaderBudget,
		ReadTimeout:    30 * time.Second,
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    120 * time.Second,
		ErrorHandler:   s.handleError,
		TrustProxy:     len(d.Config.TrustedProxies) > 0,
		TrustProxyConfig: fiber.TrustProxyConfig{
			Proxies: d.Config.TrustedProxies,
		},
		ProxyHeader: proxyHeader(d.Config.TrustedProxies),
	})
	s.App = app
	s.routes(app)
	s.guardServer(app)
	s.limitBodies(app)
	return s, nil
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// CacheSize reports what the page cache holds: entries, and the bytes it
// counts against TDC_PAGE_CACHE_MB.
func (s *Server) CacheSize() (entries int, bytes uint64) {
	s.cache.entries.CleanUp()
	return s.cache.entries.EstimatedSize(), s.cache.entries.WeightedSize()
}

// Invalidate drops every cached page.
func (s *Server) Invalidate() { s.Changed(live.TopicAll, 0) }

// Changed drops the cached pages that show topic (live.TopicAll: every
// page); id is the id the change was published with. The settings
// service's copy and the events service's programme index are refreshed
// first when what they hold changed: a page rendered between the two would
// otherwise show the old data and be stored. The index re-reads only the
// event that a change of live.TopicEvents names by its id (see
// events.Service.Changed).
func (s *Server) Changed(topic string, id int64) {
	if s.Settings != nil {
		s.Settings.Changed(topic)
	}
	if s.Events != nil {
		s.Events.Changed(topic, id)
	}
	s.cache.Invalidate(topic)
}

// Follow keeps this instance in step with every instance's changes until
// ctx ends: each change drops the cached pages (and settings) that show its
// topic, then the hub (when NewHub made one) pushes the topic's fragments.
// A clock does the same at each show's start and end, which change pages
// without a write, and looks again whenever the programme changes. One bus
// subscription per instance; `tdc serve` and the tests both run this.
func (s *Server) Follow(ctx context.Context, bus *live.Bus) {
	var clock *live.Clock
	changed := func(c live.Change) {
		// Caches first, so what the hub renders next is read afresh.
		s.Changed(c.Topic, c.ID)
		if s.hub != nil {
			s.hub.Changed(c)
			s.screenChanged(c.Topic) // screens.go
		}
		if clock != nil && (c.Topic == live.TopicEvents || c.Topic == live.TopicAll) {
			clock.Rearm()
		}
	}
	clock = live.NewClock(s.NextBoundary, changed, s.Log)
	go clock.Run(ctx)
	bus.Listen(ctx, changed)
}

// RedisPrefix is the prefix of this server's Redis keys and channels.
func (s *Server) RedisPrefix() string { return s.Config.RedisKeyPrefix }
