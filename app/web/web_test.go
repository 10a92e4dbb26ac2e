package web_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// response is a finished request: status, headers and the parsed HTML.
type response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

type reqOpt func(*http.Request)

func partial(r *http.Request) {
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Request-Type", "partial")
}

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func get(t *testing.T, srv *web.Server, target string, opts ...reqOpt) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, o := range opts {
		o(req)
	}
	res, err := srv.App.Test(req, fiber.TestConfig{Timeout: 0})
	require.NoError(t, err)
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		require.NoError(t, err)
		r = zr
	}
	body, err := io.ReadAll(r)
	require.NoError(t, err)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	require.NoError(t, err)
	return response{Response: res, Body: string(body), Doc: doc}
}

// requireVary checks the response says it depends on the htmx headers, so
// no cache serves a fragment for a page or the other way round.
func requireVary(t *testing.T, res *http.Response) {
	t.Helper()
	var tokens []string
	for _, v := range res.Header.Values("Vary") {
		for _, tok := range strings.Split(v, ",") {
			tokens = append(tokens, strings.TrimSpace(tok))
		}
	}
	require.Contains(t, tokens, "HX-Request")
	require.Contains(t, tokens, "HX-Request-Type")
}

// slugs finds real slugs in the seeded database for the page tests.
type slugs struct{ event, untranslatedEvent, artist, post, untranslatedPost, category string }

func findSlugs(t *testing.T) slugs {
	t.Helper()
	sqlDB := testenv.DB(t)
	now := testenv.Seeded(t)
	var s slugs
	q := func(dst *string, query string, args ...any) {
		require.NoError(t, sqlDB.QueryRowContext(t.Context(), query, args...).Scan(dst), query)
	}
	q(&s.event, `SELECT e.slug FROM events e JOIN event_translations t ON t.event_id = e.id AND t.lang = 'de'
		WHERE e.published AND e.starts_at > ? ORDER BY e.starts_at LIMIT 1`, now)
	q(&s.untranslatedEvent, `SELECT e.slug FROM events e LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = 'de'
		WHERE e.published AND t.event_id IS NULL ORDER BY e.starts_at LIMIT 1`)
	// Other tests add artists to drafts in the same database: an artist of a
	// published event has a feed with events in it.
	q(&s.artist, `SELECT a.slug FROM artists a JOIN event_artists ea ON ea.artist_id = a.id
		JOIN events e ON e.id = ea.event_id AND e.published ORDER BY a.slug LIMIT 1`)
	q(&s.post, `SELECT p.slug FROM blog_posts p JOIN blog_post_translations t ON t.post_id = p.id AND t.lang = 'de'
		WHERE p.status = 'published' ORDER BY p.publish_at DESC LIMIT 1`)
	q(&s.untranslatedPost, `SELECT p.slug FROM blog_posts p LEFT JOIN blog_post_translations t ON t.post_id = p.id AND t.lang = 'de'
		WHERE p.status = 'published' AND t.post_id IS NULL LIMIT 1`)
	q(&s.category, `SELECT slug FROM blog_categories ORDER BY position LIMIT 1`)
	return s
}

// Every public page, in both languages, as a full page and as the htmx
// fragment it offers: status, Vary, language, title and landmarks.
func TestPagesFullAndPartial(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	pages := []struct {
		path, fragment string
	}{
		{"/", ""},
		{"/events", "event-list"},
		{"/events?location=main-cave&type=dj_set", "event-list"},
		{"/events/" + s.event, "event-detail"},
		{"/locations", "location-list"},
		{"/locations/main-cave", "location-schedule"},
		{"/artists", "artist-list"},
		{"/artists/" + s.artist, "artist-detail"},
		{"/blog", "post-list"},
		{"/blog/category/" + s.category, "post-list"},
		{"/blog/" + s.post, "post-detail"},
	}
	for _, lang := range []string{"en", "de"} {
		for _, p := range pages {
			t.Run(lang+p.path, func(t *testing.T) {
				t.Parallel()
				sep := "?"
				if strings.Contains(p.path, "?") {
					sep = "&"
				}
				target := p.path + sep + "lang=" + lang
				full := get(t, srv, target)
				require.Equal(t, http.StatusOK, full.StatusCode, full.Body)
				requireVary(t, full.Response)
				require.Equal(t, lang, full.Doc.Find("html").AttrOr("lang", ""))
				require.NotEmpty(t, strings.TrimSpace(full.Doc.Find("title").Text()))
				require.NotEmpty(t, full.Doc.Find(`meta[name="description"]`).AttrOr("content", ""))
				require.NotEmpty(t, full.Doc.Find(`link[rel="canonical"]`).AttrOr("href", ""))
				require.NotEmpty(t, full.Doc.Find(`meta[property="og:title"]`).AttrOr("content", ""))
				require.Equal(t, 1, full.Doc.Find("main#main").Length())
				require.Equal(t, 1, full.Doc.Find("h1").Length(), "one h1 per page")
				require.Equal(t, 1, full.Doc.Find("header.site-header nav").First().Length())
				require.NotContains(t, full.Body, "ZgotmplZ", "a value html/template refused")
				// No Go value printed raw where text belongs (a struct shows as {...}).
				require.NotRegexp(t, `\{\d+ `, full.Doc.Find("main").Text())
				if p.fragment == "" {
					return
				}
				require.Equal(t, 1, full.Doc.Find("#"+p.fragment).Length())

				part := get(t, srv, target, partial)
				require.Equal(t, http.StatusOK, part.StatusCode)
				requireVary(t, part.Response)
				require.NotContains(t, part.Body, "<html")
				require.Equal(t, 1, part.Doc.Find("#"+p.fragment).Length(), part.Body)

				if strings.HasPrefix(p.path, "/events?") {
					require.Equal(t, p.path, part.Header.Get("HX-Push-Url"), "htmx pushes the canonical address")
				}
				// Boosted links and history restores say "full": they get the page.
				boosted := get(t, srv, target, header("HX-Request", "true"), header("HX-Request-Type", "full"))
				require.Contains(t, boosted.Body, "<html")
			})
		}
	}
}

func TestGermanPagesAreGerman(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/events", header("Accept-Language", "de-DE,de;q=0.9"))
	require.Equal(t, "de", res.Doc.Find("html").AttrOr("lang", ""))
	require.Equal(t, "Programm", strings.TrimSpace(res.Doc.Find("h1").Text()))
	// Dates and times in German, with the zone named.
	require.Regexp(t, `(Mo|Di|Mi|Do|Fr|Sa|So)\. \d+\. `, res.Doc.Find(".event-card__time").First().Text())
	require.Contains(t, res.Doc.Find(".event-card__time").First().Text(), "SLT")
}

func TestLanguageChoiceIsRemembered(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/?lang=de")
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "lang" {
			cookie = c
		}
	}
	require.NotNil(t, cookie)
	require.Equal(t, "de", cookie.Value)
	again := get(t, srv, "/artists", header("Cookie", "lang=de"), header("Accept-Language", "en"))
	require.Equal(t, "de", again.Doc.Find("html").AttrOr("lang", ""))
	// An unknown language is ignored, not stored.
	bad := get(t, srv, "/?lang=xx")
	require.Equal(t, "en", bad.Doc.Find("html").AttrOr("lang", ""))
	for _, c := range bad.Cookies() {
		require.NotEqual(t, "lang", c.Name)
	}
}

func TestMissingTranslationFallsBack(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	for _, path := range []string{"/events/" + s.untranslatedEvent, "/blog/" + s.untranslatedPost} {
		res := get(t, srv, path+"?lang=de")
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		h1 := res.Doc.Find("h1")
		require.NotEmpty(t, strings.TrimSpace(h1.Text()), path)
		require.Equal(t, "en", h1.AttrOr("lang", ""), "fallback text is marked as English")
		require.Equal(t, 1, res.Doc.Find(".note").Length(), "the visitor is told why")
	}
}

func TestVisitorTimeZone(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	res := get(t, srv, "/events/"+s.event+"?tz=Europe/Berlin")
	text := res.Doc.Find(".facts").Text()
	require.Regexp(t, `CES?T`, text, "times in the visitor's zone say so")
	require.Contains(t, text, "SLT", "and the club's time is shown beside them")
	var stored bool
	for _, c := range res.Cookies() {
		stored = stored || (c.Name == "tz" && c.Value == "Europe/Berlin")
	}
	require.True(t, stored)
	bad := get(t, srv, "/events?tz=Mars/Olympus")
	require.Equal(t, http.StatusOK, bad.StatusCode)
	require.Contains(t, bad.Doc.Find(".event-card__time").First().Text(), "SLT")
}

func TestNotFoundIsTranslated(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	for _, path := range []string{"/nope", "/events/no-such-event", "/locations/no-such-venue", "/artists/nobody", "/blog/no-post", "/blog/category/none", "/events/no-such-event/calendar.ics"} {
		en := get(t, srv, path)
		require.Equal(t, http.StatusNotFound, en.StatusCode, path)
		require.Equal(t, "Lost in the cave", strings.TrimSpace(en.Doc.Find("h1").Text()), path)
		de := get(t, srv, path+"?lang=de")
		require.Equal(t, http.StatusNotFound, de.StatusCode, path)
		require.Equal(t, "In der Höhle verirrt", strings.TrimSpace(de.Doc.Find("h1").Text()), path)
	}
	// Drafts and scheduled posts are not public.
	for _, slug := range draftAndScheduledPosts(t) {
		require.Equal(t, http.StatusNotFound, get(t, srv, "/blog/"+slug).StatusCode, slug)
	}
}

func draftAndScheduledPosts(t *testing.T) []string {
	rows, err := testenv.DB(t).QueryContext(t.Context(), `SELECT slug FROM blog_posts WHERE status = 'draft' OR publish_at > ?`, testenv.Seeded(t))
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NotEmpty(t, out)
	return out
}

// A partial request that fails puts its message in #flash instead of
// replacing the element the visitor was using.
func TestPartialErrorGoesToFlash(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/events/no-such-event", partial)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	require.Equal(t, "#flash", res.Header.Get("HX-Retarget"))
	require.Equal(t, 1, res.Doc.Find("#flash .alert").Length())
}

func TestLocationPageIsThemed(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/locations/main-cave")
	body := res.Doc.Find("body")
	require.True(t, body.HasClass("themed"))
	require.Regexp(t, `^--bg:#[0-9a-f]{6};--surface:#[0-9a-f]{6};--text:#[0-9a-f]{6};--accent:#[0-9a-f]{6};$`, body.AttrOr("style", ""))
	require.True(t, strings.HasPrefix(res.Doc.Find(`a.button[href^="secondlife://"]`).AttrOr("href", ""), "secondlife://"), "teleport link survives escaping")
	require.Equal(t, 1, res.Doc.Find(`[id="now-playing-main-cave"]`).Length())
}

func TestHeadRequests(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	for _, path := range []string{"/healthz", "/", "/events", "/calendar.ics", "/robots.txt"} {
		req := httptest.NewRequest(http.MethodHead, path, nil)
		res, err := srv.App.Test(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
	}
	req := httptest.NewRequest(http.MethodHead, "/nope", nil)
	res, err := srv.App.Test(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

// Event pages carry schema.org Event data that parses and matches the page.
func TestEventStructuredData(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	res := get(t, srv, "/events/"+s.event)
	raw := res.Doc.Find(`script[type="application/ld+json"]`).Text()
	var data map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw), &data), raw)
	require.Equal(t, "Event", data["@type"])
	require.Equal(t, strings.TrimSpace(res.Doc.Find("h1").Text()), data["name"])
	require.Equal(t, "https://schema.org/OnlineEventAttendanceMode", data["eventAttendanceMode"])
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, data["startDate"])
	require.Equal(t, "http://localhost:8080/events/"+s.event, data["url"])
	require.NotEmpty(t, data["performer"])
}

// Fallback is marked field by field: a German title over an English
// description leaves the title unmarked and marks the description lang="en".
func TestFallbackIsMarkedPerField(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	now := testenv.Seeded(t)
	slug := "half-translated-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	res, err := sqlDB.ExecContext(t.Context(), `INSERT INTO events (slug, kind, location_id, starts_at, ends_at, published)
		SELECT ?, 'live', id, ?, ?, TRUE FROM locations WHERE slug = 'main-cave'`, slug, now.Add(48*time.Hour), now.Add(50*time.Hour))
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	_, err = sqlDB.ExecContext(t.Context(), `INSERT INTO event_translations (event_id, lang, title, summary, description) VALUES
		(?, 'en', 'English title', 'English summary', 'English description'), (?, 'de', 'Deutscher Titel', '', '')`, id, id)
	require.NoError(t, err)

	de := get(t, srv, "/events/"+slug+"?lang=de")
	require.Equal(t, http.StatusOK, de.StatusCode)
	h1 := de.Doc.Find("h1")
	require.Equal(t, "Deutscher Titel", strings.TrimSpace(h1.Text()))
	_, marked := h1.Attr("lang")
	require.False(t, marked, "the title is German, like the page")
	require.Equal(t, "en", de.Doc.Find(".event-detail .prose").AttrOr("lang", ""), "the description fell back")
	require.Equal(t, "en", de.Doc.Find(".page-header__lead").AttrOr("lang", ""), "and so did the summary")
	require.Equal(t, 1, de.Doc.Find(".note").Length(), "the visitor is told why")

	en := get(t, srv, "/events/"+slug+"?lang=en")
	require.Equal(t, 0, en.Doc.Find("#event-detail [lang]").Length(), "nothing is marked in the default language")
}
