package web

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/live"
)

type locationsPage struct {
	Base
	Locations []locationCard
}

func (s *Server) locationsIndex(c fiber.Ctx) error {
	return s.cachedPage(c, "locations", "locations/index", "location-list", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		meta := Meta{Title: s.Bundle.T(lang, "locations.list.title", nil), Description: s.Bundle.T(lang, "locations.list.lead", nil)}
		d := locationsPage{Base: s.base(c, "locations", "/locations", url.Values{}, meta)}
		var err error
		d.Locations, err = s.locationCards(ctx, lang, zoneOf(c))
		return d, showing(cardTopics(d.Locations)...), err
	})
}

type locationPage struct {
	Base
	Location   locationCard
	Paragraphs []string
	Schedule   scheduleView
	Past       eventGrid
	Recent     recentView
}

func (s *Server) locationShow(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.cachedPage(c, "location:"+slug, "locations/show", "location-schedule", func(ctx context.Context) (any, shows, error) {
		lang, zone := langOf(c), zoneOf(c)
		loc, err := s.Locations.Get(ctx, lang, slug)
		if err != nil {
			return nil, shows{}, err
		}
		if err := canonicalSlug(slug, loc.Slug, "/locations/"); err != nil {
			return nil, shows{}, err
		}
		// The venue and its parts; the list of venues too, as every venue
		// write publishes it, under the new slug when the slug changed; and
		// the programme, for the schedule and past events.
		sh := showing(live.LocationTopic(loc.Slug, ""), live.LocationTopic(loc.Slug, "schedule"),
			live.LocationTopic(loc.Slug, "now-playing"), live.TopicLocations, live.TopicEvents)
		playing, err := s.NowPlaying.ByLocation(ctx)
		if err != nil {
			return nil, shows{}, err
		}
		d := locationPage{
			Base:       s.base(c, "locations", "/locations/"+loc.Slug, url.Values{}, Meta{Title: loc.Name.Value, Description: loc.Tagline.Value}),
			Location:   locationCard{L: loc, Playing: nowPlayingOf(loc.Slug, playing, zone)},
			Paragraphs: paragraphs(loc.Description.Value),
		}
		if d.Recent, err = s.recent(ctx, loc.Slug, zone); err != nil {
			return nil, shows{}, err
		}
		if loc.Theme.Valid() {
			t := loc.Theme
			d.Theme = &themeVars{Background: t.Background, Surface: t.Surface, Text: t.Text, Accent: t.Accent, Light: t.Light()}
		}
		if d.Schedule, err = s.schedule(ctx, lang, zone, loc.Slug); err != nil {
			return nil, shows{}, err
		}
		past, err := s.Events.Past(ctx, lang, loc.Slug, "", 6)
		if err != nil {
			return nil, shows{}, err
		}
		d.Past = eventGrid{Events: past, Zone: zone, Now: d.Now, Compact: true}
		// The venue's own topic changes nothing live here: a save that
		// changes the schedule or the stream publishes those parts too.
		d.Socket = liveURL(live.LocationTopic(loc.Slug, "schedule"), live.LocationTopic(loc.Slug, "now-playing"))
		return d, sh, nil
	})
}
