package web

import (
	"context"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

type locationsPage struct {
	Base
	Locations []locationCard
}

func (s *Server) locationsIndex(c fiber.Ctx) error {
	return s.cachedPage(c, "locations", "locations/index", "location-list", func(ctx context.Context) (any, error) {
		lang := langOf(c)
		meta := Meta{Title: s.Bundle.T(lang, "locations.list.title", nil), Description: s.Bundle.T(lang, "locations.list.lead", nil)}
		d := locationsPage{Base: s.base(c, "locations", "/locations", url.Values{}, meta)}
		var err error
		d.Locations, err = s.locationCards(ctx, lang)
		return d, err
	})
}

type locationPage struct {
	Base
	Location   locationCard
	Paragraphs []string
	Days       []dayGroup
	Past       []events.Summary
	// Recent is what played before the current track, latest first.
	Recent []nowplaying.Track
}

// recentTracks is how many earlier tracks a venue page lists.
const recentTracks = 10

func (s *Server) locationShow(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.cachedPage(c, "location:"+slug, "locations/show", "location-schedule", func(ctx context.Context) (any, error) {
		lang := langOf(c)
		loc, err := s.Locations.Get(ctx, lang, slug)
		if err != nil {
			return nil, err
		}
		if err := canonicalSlug(slug, loc.Slug, "/locations/"); err != nil {
			return nil, err
		}
		playing, err := s.NowPlaying.ByLocation(ctx)
		if err != nil {
			return nil, err
		}
		d := locationPage{
			Base:       s.base(c, "locations", "/locations/"+loc.Slug, url.Values{}, Meta{Title: loc.Name.Value, Description: loc.Tagline.Value}),
			Location:   locationCard{L: loc},
			Paragraphs: paragraphs(loc.Description.Value),
		}
		if t, ok := playing[loc.Slug]; ok {
			d.Location.Track = &t
		}
		if d.Recent, err = s.NowPlaying.Recent(ctx, loc.Slug, recentTracks); err != nil {
			return nil, err
		}
		if loc.Theme.Valid() {
			t := loc.Theme
			d.Theme = &themeVars{Background: t.Background, Surface: t.Surface, Text: t.Text, Accent: t.Accent, Light: t.Light()}
		}
		now := s.Now()
		upcoming, err := s.Events.List(ctx, lang, events.Filter{
			Location: loc.Slug, From: now, To: now.Add(14 * 24 * time.Hour), PerPage: 50,
		})
		if err != nil {
			return nil, err
		}
		d.Days = groupByDay(upcoming.Events, zoneOf(c), now)
		if d.Past, err = s.Events.Past(ctx, lang, loc.Slug, "", 6); err != nil {
			return nil, err
		}
		return d, nil
	})
}
