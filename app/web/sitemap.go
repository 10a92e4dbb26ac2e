package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/live"
)

// urlset is a sitemaps.org sitemap with an hreflang alternate per language,
// so search engines find every page in every language.
type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc        string        `xml:"loc"`
	Alternates []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemap lists the public pages: sections, locations, artists, the events
// a feed carries (a month back to half a year ahead) and every visible post.
// It is built once per change or TTL, like a page.
func (s *Server) sitemap(c fiber.Ctx) error {
	c.Locals(localLang, s.Bundle.Default())
	headers := func() { c.Set(fiber.HeaderCacheControl, "public, max-age=3600") }
	return s.cachedBody(c, "sitemap", fiber.MIMEApplicationXMLCharsetUTF8, headers, s.buildSitemap)
}

func (s *Server) buildSitemap(ctx context.Context) ([]byte, shows, error) {
	sh := showing(live.TopicEvents, live.TopicLocations, live.TopicArtists, live.TopicPosts)
	body, err := s.sitemapBody(ctx)
	return body, sh, err
}

func (s *Server) sitemapBody(ctx context.Context) ([]byte, error) {
	def := s.Bundle.Default()
	paths := []string{"/", "/events", "/locations", "/artists", "/blog"}
	locs, err := s.Locations.List(ctx, def)
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		paths = append(paths, "/locations/"+l.Slug)
	}
	as, err := s.Artists.List(ctx, def)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		paths = append(paths, "/artists/"+a.Slug)
	}
	evs, err := s.Events.Calendar(ctx, def, "", "")
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		paths = append(paths, "/events/"+e.Slug)
	}
	cats, err := s.Blog.Categories(ctx, def)
	if err != nil {
		return nil, err
	}
	for _, cat := range cats {
		paths = append(paths, "/blog/category/"+cat.Slug)
	}
	for page := 1; ; page++ {
		p, err := s.Blog.List(ctx, def, "", page, 50)
		if err != nil {
			return nil, err
		}
		for _, post := range p.Posts {
			paths = append(paths, "/blog/"+post.Slug)
		}
		if p.Page >= p.Pages {
			break
		}
	}

	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	for _, p := range paths {
		u := sitemapURL{Loc: s.absolute(p)}
		for _, lang := range s.Bundle.Languages() {
			href := s.absolute(p)
			if lang != def {
				href = s.absolute(p + "?" + url.Values{"lang": {lang}}.Encode())
			}
			u.Alternates = append(u.Alternates, sitemapLink{Rel: "alternate", Hreflang: lang, Href: href})
		}
		set.URLs = append(set.URLs, u)
	}
	out, err := xml.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("web: sitemap: %w", err)
	}
	return append([]byte(xml.Header), out...), nil
}
