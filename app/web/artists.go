package web

import (
	"context"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/live"
)

type artistsPage struct {
	Base
	Artists []artists.Summary
}

func (s *Server) artistsIndex(c fiber.Ctx) error {
	return s.cachedPage(c, "artists", "artists/index", "artist-list", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		meta := Meta{Title: s.Bundle.T(lang, "artists.list.title", nil), Description: s.Bundle.T(lang, "artists.list.lead", nil)}
		d := artistsPage{Base: s.base(c, "artists", "/artists", url.Values{}, meta)}
		var err error
		d.Artists, err = s.Artists.List(ctx, lang)
		return d, showing(live.TopicArtists), err
	})
}

type artistPage struct {
	Base
	Artist     artists.Artist
	Paragraphs []string
	Upcoming   upcomingView
	Past       eventGrid
}

func (s *Server) artistShow(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.cachedPage(c, "artist:"+slug, "artists/show", "artist-detail", func(ctx context.Context) (any, shows, error) {
		lang, zone := langOf(c), zoneOf(c)
		a, err := s.Artists.Get(ctx, lang, slug)
		if err != nil {
			return nil, shows{}, err
		}
		if err := canonicalSlug(slug, a.Slug, "/artists/"); err != nil {
			return nil, shows{}, err
		}
		// The list of artists too: every artist write publishes it, also
		// when the slug changed; and the programme, for the event lists.
		sh := showing(live.ArtistTopic(a.Slug), live.TopicArtists, live.TopicEvents)
		d := artistPage{
			Base:       s.base(c, "artists", "/artists/"+a.Slug, url.Values{}, Meta{Title: a.Name, Description: a.Genre.Value, Type: "profile"}),
			Artist:     a,
			Paragraphs: paragraphs(a.Bio.Value),
		}
		if d.Upcoming, err = s.upcoming(ctx, lang, zone, a.Slug); err != nil {
			return nil, shows{}, err
		}
		past, err := s.Events.Past(ctx, lang, "", a.Slug, 10)
		if err != nil {
			return nil, shows{}, err
		}
		d.Past = eventGrid{Events: past, Zone: zone, Now: d.Now, Compact: true}
		d.Socket = liveURL(live.ArtistTopic(a.Slug))
		return d, sh, nil
	})
}
