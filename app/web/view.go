package web

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/render"
)

// Base is what every page's data embeds: language, zone, meta tags and the
// links the layout needs.
type Base struct {
	Lang        string
	Zone        i18n.Zone
	Now         time.Time
	Nav         string
	Meta        Meta
	LangLinks   []langLink
	ZoneChoices []zoneChoice
	Path        string
	KeepQuery   []queryParam
	Theme       *themeVars
	// Site is the club's name, tagline and links, from the settings.
	Site siteInfo
	// Feeds builds the calendar feeds' subscription links (calendar.go).
	Feeds feedLinks
	// Socket is the live websocket's address with the page's topics
	// (liveURL), or "" for a page that shows nothing live.
	Socket string
	// OOB is set by render for a paged list's partial response: the
	// fragments that read it (lang-links, zone-form, event-status) then
	// mark themselves hx-swap-oob, so htmx swaps them in beside the list.
	OOB bool
	// FocusList is set by render when a pager link asked for the list: its
	// heading gets autofocus, which htmx honours after the swap.
	FocusList bool
}

// LayoutBase is the Base itself, for the base layout: reached through a
// method, a page's embedded Base is found without html/template searching
// the page's fields for each of the layout's values.
func (b Base) LayoutBase() Base { return b }

// ZoneOptions are the zone choices for the options function.
func (b Base) ZoneOptions() []render.Option {
	out := make([]render.Option, len(b.ZoneChoices))
	for i, z := range b.ZoneChoices {
		out[i] = render.Option{Value: z.Value, Label: z.Label, Selected: z.Selected}
	}
	return out
}

// Meta is the page's title, description and sharing data.
type Meta struct {
	Title       string
	Description string
	Canonical   string
	Type        string
	Image       string
	NoIndex     bool
}

type langLink struct {
	Code, Name, URL, Absolute string
	Active                    bool
}

type queryParam struct{ Name, Value string }

// themeVars are a venue's colours for the layout's style attribute. Light
// says the background is light, so browser controls switch to light too.
type themeVars struct {
	Background, Surface, Text, Accent string
	Light                             bool
}

// base builds the Base for a page at path whose meaningful query is q (the
// canonical filter, never the raw query string, so junk parameters neither
// reach the page nor split the cache).
func (s *Server) base(c fiber.Ctx, nav, path string, q url.Values, meta Meta) Base {
	lang, zone := langOf(c), zoneOf(c)
	now := s.Now()
	b := Base{Lang: lang, Zone: zone, Now: now, Nav: nav, Path: path, Meta: meta, Feeds: s.feeds[lang]}
	for _, l := range s.Bundle.Languages() {
		lq := cloneValues(q)
		lq.Set("lang", l)
		u := path + "?" + lq.Encode()
		b.LangLinks = append(b.LangLinks, langLink{
			Code: l, Name: s.Bundle.T(l, "language.name", nil), URL: u,
			Absolute: s.absolute(u), Active: l == lang,
		})
	}
	cq := cloneValues(q)
	if lang != s.Bundle.Default() {
		cq.Set("lang", lang)
	}
	b.Meta.Canonical = s.absolute(withQuery(path, cq))
	if b.Meta.Image == "" {
		b.Meta.Image = s.absolute(s.Assets.Path("img/og.png"))
	}
	b.ZoneChoices = s.zoneChoices(c.Context(), zone)
	b.Site = s.siteInfo(c.Context(), lang)
	for _, k := range sortedKeys(q) {
		b.KeepQuery = append(b.KeepQuery, queryParam{Name: k, Value: q.Get(k)})
	}
	return b
}

func (s *Server) absolute(pathAndQuery string) string {
	return s.Config.BaseURL.String() + pathAndQuery
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// isPartial reports whether htmx asked for just the fragment of an element:
// htmx 4 sends HX-Request-Type "partial" then, and "full" for boosted links,
// body targets and history restores, which get the whole page.
func isPartial(c fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-Request-Type") == "partial"
}

// render renders the page, or for a partial request the fragment and the
// parts outside it that depend on the same query, out of band (see
// renderPartial). The handler names the fragment; a header never picks a
// template, though HX-Source marks the data (swapShape says how).
//
// It renders into a pooled buffer and returns an exact copy: a page grows
// its buffer through a dozen sizes, and a cached body must hold no more
// than the bytes the cache counts (a grown buffer can be twice as large).
func (s *Server) render(c fiber.Ctx, page, fragment string, data any) ([]byte, error) {
	buf := s.bufs.Get().(*bytes.Buffer)
	defer s.putBuf(buf)
	buf.Reset()
	var err error
	if fragment != "" && isPartial(c) {
		err = s.renderPartial(buf, c, fragment, data)
	} else {
		err = s.Views.Page(buf, langOf(c), page, data)
	}
	if err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// maxPooledBuf is the largest buffer kept for reuse; a rare huge page
// does not pin its buffer.
const maxPooledBuf = 1 << 20

func (s *Server) putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		s.bufs.Put(b)
	}
}

// pageHeaders are what every HTML response carries. Vary names what the
// page depends on besides its URL (the htmx shape, and language and zone,
// which come from Accept-Language and cookies), so no shared cache mixes
// them up; no-cache makes browsers revalidate (cheap, with the ETag).
func pageHeaders(c fiber.Ctx) {
	c.Vary("HX-Request", "HX-Request-Type", fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
}

// send writes an HTML body that is not cached, e.g. a form with errors.
func send(c fiber.Ctx, status int, body []byte) error {
	pageHeaders(c)
	return c.Status(status).Send(body)
}

// page renders and sends without caching, e.g. a form with errors.
func (s *Server) page(c fiber.Ctx, status int, page, fragment string, data any) error {
	body, err := s.render(c, page, fragment, data)
	if err != nil {
		return err
	}
	return send(c, status, body)
}

// cachedPage serves a public page from the page cache, rendering it with
// load on a miss. key names what the page shows (route and canonical
// query); language, zone and shape are added here. load gets the request's
// deadline and returns the page's data with the topics it shows (a change
// to any of them drops the page); it may return a redirect (movedTo,
// pastLastPage) instead.
func (s *Server) cachedPage(c fiber.Ctx, key, page, fragment string, load func(ctx context.Context) (any, shows, error)) error {
	shape := swapShape(c, fragment)
	full := strings.Join([]string{key, langOf(c), zoneOf(c).Name(), shape}, "|")
	e, err := s.cache.get(full, fiber.MIMETextHTMLCharsetUTF8, func() (rendered, error) {
		data, sh, err := load(c.Context())
		if err != nil {
			return rendered{}, err
		}
		body, err := s.render(c, page, fragment, data)
		return rendered{body: body, shows: sh}, err
	})
	if err != nil {
		return redirectOr(c, err)
	}
	pageHeaders(c)
	return e.write(c)
}

// cachedBody serves a feed or another non-HTML answer from the page cache,
// building it with build on a miss. Like pages, it costs a render once per
// change or TTL, whatever the request rate, and says what it shows.
// headers sets what only a successful answer carries (a download's name).
func (s *Server) cachedBody(c fiber.Ctx, key, contentType string, headers func(), build func(ctx context.Context) ([]byte, shows, error)) error {
	return s.cachedAnswer(c, key, contentType, headers, func(ctx context.Context) (rendered, error) {
		body, sh, err := build(ctx)
		return rendered{body: body, shows: sh}, err
	})
}

// cachedAnswer is cachedBody for answers that know when they last changed
// (rendered.modified), which then carry Last-Modified and answer
// If-Modified-Since.
func (s *Server) cachedAnswer(c fiber.Ctx, key, contentType string, headers func(), build func(ctx context.Context) (rendered, error)) error {
	full := strings.Join([]string{key, langOf(c)}, "|")
	e, err := s.cache.get(full, contentType, func() (rendered, error) {
		return build(c.Context())
	})
	if err != nil {
		return redirectOr(c, err)
	}
	headers()
	return e.write(c)
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
