package web

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
)

// locationCard is a venue with what plays there, for cards and now-playing.
type locationCard struct {
	L       locations.Location
	Playing nowPlayingView
}

type homePage struct {
	Base
	HappeningNow eventsBlock
	Next         eventsBlock
	Locations    []locationCard
	Posts        []blog.Summary
}

func (s *Server) home(c fiber.Ctx) error {
	return s.cachedPage(c, "home", "home", "", func(ctx context.Context) (any, shows, error) {
		lang, zone := langOf(c), zoneOf(c)
		d := homePage{Base: s.base(c, "home", "/", url.Values{}, Meta{
			Description: s.Bundle.T(lang, "site.description", nil),
		})}
		var err error
		if d.HappeningNow, err = s.happeningNow(ctx, lang, zone); err != nil {
			return nil, shows{}, err
		}
		if d.Next, err = s.nextEvents(ctx, lang, zone); err != nil {
			return nil, shows{}, err
		}
		if d.Locations, err = s.locationCards(ctx, lang, zone); err != nil {
			return nil, shows{}, err
		}
		topics := []string{live.TopicEvents}
		for _, l := range d.Locations {
			topics = append(topics, live.LocationTopic(l.L.Slug, "now-playing"))
		}
		d.Socket = liveURL(topics...)
		posts, err := s.Blog.List(ctx, lang, "", 1, 3)
		if err != nil {
			return nil, shows{}, err
		}
		d.Posts = posts.Posts
		return d, showing(live.TopicEvents, live.TopicPosts).and(cardTopics(d.Locations)...), nil
	})
}

func (s *Server) locationCards(ctx context.Context, lang string, zone i18n.Zone) ([]locationCard, error) {
	locs, err := s.venueList(ctx, lang)
	if err != nil {
		return nil, err
	}
	playing, err := s.NowPlaying.ByLocation(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]locationCard, len(locs))
	for i, l := range locs {
		out[i] = locationCard{L: l, Playing: nowPlayingOf(l.Slug, playing, zone)}
	}
	return out, nil
}

// venueList is Locations.List, loaded once per language and change.
func (s *Server) venueList(ctx context.Context, lang string) ([]locations.Location, error) {
	return s.venues.get(lang, func() ([]locations.Location, error) { return s.Locations.List(ctx, lang) })
}

// cardTopics is what venue cards show: the list of venues, and what each
// one plays now.
func cardTopics(cards []locationCard) []string {
	out := []string{live.TopicLocations}
	for _, c := range cards {
		out = append(out, live.LocationTopic(c.L.Slug, "now-playing"))
	}
	return out
}
