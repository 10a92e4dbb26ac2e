package web

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

// locationCard is a venue with what plays there, for cards and now-playing.
type locationCard struct {
	L     locations.Location
	Track *nowplaying.Track
}

type homePage struct {
	Base
	HappeningNow []events.Summary
	Next         []events.Summary
	Locations    []locationCard
	Posts        []blog.Summary
}

func (s *Server) home(c fiber.Ctx) error {
	return s.cachedPage(c, "home", "home", "", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		d := homePage{Base: s.base(c, "home", "/", url.Values{}, Meta{
			Description: s.Bundle.T(lang, "site.description", nil),
		})}
		var err error
		if d.HappeningNow, err = s.Events.HappeningNow(ctx, lang, 12); err != nil {
			return nil, shows{}, err
		}
		if d.Next, err = s.Events.Next(ctx, lang, 8); err != nil {
			return nil, shows{}, err
		}
		if d.Locations, err = s.locationCards(ctx, lang); err != nil {
			return nil, shows{}, err
		}
		posts, err := s.Blog.List(ctx, lang, "", 1, 3)
		if err != nil {
			return nil, shows{}, err
		}
		d.Posts = posts.Posts
		return d, showing(live.TopicEvents, live.TopicPosts).and(cardTopics(d.Locations)...), nil
	})
}

func (s *Server) locationCards(ctx context.Context, lang string) ([]locationCard, error) {
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
		out[i] = locationCard{L: l}
		if t, ok := playing[l.Slug]; ok {
			out[i].Track = &t
		}
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
