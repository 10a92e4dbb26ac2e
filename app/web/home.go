package web

import (
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

// venueCard is a venue with what plays there, for cards and now-playing.
type venueCard struct {
	V     locations.Location
	Track *nowplaying.Track
}

type homePage struct {
	Base
	HappeningNow []events.Summary
	Next         []events.Summary
	Venues       []venueCard
	Posts        []blog.Summary
}

func (s *Server) home(c fiber.Ctx) error {
	return s.cachedPage(c, "home", "home", "", func() (any, error) {
		lang := langOf(c)
		d := homePage{Base: s.base(c, "home", "/", url.Values{}, Meta{
			Description: s.Bundle.T(lang, "site.description", nil),
		})}
		var err error
		if d.HappeningNow, err = s.Events.HappeningNow(c, lang, 12); err != nil {
			return nil, err
		}
		if d.Next, err = s.Events.Next(c, lang, 8); err != nil {
			return nil, err
		}
		if d.Venues, err = s.venueCards(c, lang); err != nil {
			return nil, err
		}
		posts, err := s.Blog.List(c, lang, "", 1, 3)
		if err != nil {
			return nil, err
		}
		d.Posts = posts.Posts
		return d, nil
	})
}

func (s *Server) venueCards(c fiber.Ctx, lang string) ([]venueCard, error) {
	locs, err := s.Locations.List(c, lang)
	if err != nil {
		return nil, err
	}
	playing, err := s.NowPlaying.ByLocation(c)
	if err != nil {
		return nil, err
	}
	out := make([]venueCard, len(locs))
	for i, l := range locs {
		out[i] = venueCard{V: l}
		if t, ok := playing[l.Slug]; ok {
			out[i].Track = &t
		}
	}
	return out, nil
}
