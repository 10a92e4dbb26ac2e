package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// Bad filter values answer 400 with a reason, or fall back to safe
// defaults; never a 500, never an unbounded query, always escaped.
func TestProgrammeBadInput(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	long := strings.Repeat("x", 5*1024)
	cases := []struct {
		name   string
		query  string
		status int
		reason string // text expected in the page, if any
	}{
		{"unknown location", "location=atlantis", 400, "There is no such venue."},
		{"unknown artist", "artist=nobody-at-all", 400, "There is no such artist."},
		{"unknown type", "type=rave", 400, "There is no such event type."},
		{"invalid date", "from=2026-13-45", 400, "Enter a date as YYYY-MM-DD."},
		{"date garbage", "to=yesterday", 400, "Enter a date as YYYY-MM-DD."},
		{"reversed range", "from=2026-12-10&to=2026-12-01", 400, "The end date must not be before the start date."},
		{"range too long", "from=2026-01-01&to=2029-01-01", 400, "Choose at most"},
		{"page not a number", "page=abc", 400, "The page must be a whole number."},
		{"page float", "page=1.5", 400, "The page must be a whole number."},
		{"page negative clamps", "page=-1", 200, ""},
		{"page zero clamps", "page=0", 200, ""},
		{"page huge goes to the last page", "page=99999999", 302, ""},
		{"page overflow goes to the last page", "page=999999999999999999999999", 302, ""},
		{"per-page huge clamps", "per_page=100000", 200, ""},
		{"per-page negative", "per_page=-5", 200, ""},
		{"html in location", "location=" + url.QueryEscape(`<script>alert(1)</script>`), 400, "There is no such venue."},
		{"sql in artist", "artist=" + url.QueryEscape(`' OR 1=1 --`), 400, "There is no such artist."},
		{"sql in type", "type=" + url.QueryEscape(`dj_set' OR '1'='1`), 400, "There is no such event type."},
		{"html in date", "from=" + url.QueryEscape(`"><img src=x onerror=alert(1)>`), 400, "Enter a date"},
		{"5 KB location", "location=" + long, 400, "There is no such venue."},
		{"5 KB unknown parameter", "fbclid=" + long, 200, ""},
		{"semicolon in unknown parameter", "utm_campaign=a;b&utm_source=x%3By", 200, ""},
		{"broken escape in unknown parameter", "utm_term=100%&x=%zz&%zz=1", 200, ""},
		{"broken escape in our parameter", "location=%zz", 400, "This value is not written correctly"},
		{"not utf-8 in our parameter", "artist=%ff%fe", 400, "There is no such artist."},
		{"per-page zero is the default", "per_page=0", 200, ""},
		{"unknown parameters ignored", "utm_source=x&foo=<b>", 200, ""},
		{"repeated parameter", "location=main-cave&location=atlantis", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, opts := range [][]reqOpt{nil, {partial}} {
				res := get(t, srv, "/events?"+tc.query, opts...)
				require.Equal(t, tc.status, res.StatusCode, res.Body)
				require.NotContains(t, res.Body, "<script>alert(1)</script>")
				require.NotContains(t, res.Body, `<img src=x`)
				if tc.reason != "" {
					require.Contains(t, res.Body, tc.reason)
				}
				if tc.status == 200 {
					// Clamped pages still show a bounded list.
					require.LessOrEqual(t, res.Doc.Find(".event-card").Length(), 50)
				}
				if tc.status == 302 {
					require.Regexp(t, `^/events\?page=\d+$`, res.Header.Get("Location"))
				}
			}
		})
	}
}

// A bad filter re-renders the form with what was typed, escaped, and the
// error beside its field; the htmx fragment carries the error too.
func TestProgrammeBadInputKeepsForm(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/events?from=nope&location=main-cave")
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, "nope", res.Doc.Find("#f-from").AttrOr("value", ""))
	require.Equal(t, "true", res.Doc.Find("#f-from").AttrOr("aria-invalid", ""))
	require.Equal(t, "Enter a date as YYYY-MM-DD.", strings.TrimSpace(res.Doc.Find("#f-from-error").Text()))
	require.Equal(t, "main-cave", res.Doc.Find("#f-location option[selected]").AttrOr("value", ""))

	unknown := get(t, srv, "/events?location=atlantis&artist=nobody")
	require.Equal(t, "true", unknown.Doc.Find("#f-location").AttrOr("aria-invalid", ""))
	require.Equal(t, "There is no such venue.", strings.TrimSpace(unknown.Doc.Find("#f-location-error").Text()))
	require.Equal(t, "There is no such artist.", strings.TrimSpace(unknown.Doc.Find("#f-artist-error").Text()))

	part := get(t, srv, "/events?from=nope&lang=de", partial)
	require.Equal(t, http.StatusBadRequest, part.StatusCode)
	require.Equal(t, 1, part.Doc.Find("#event-list .alert--error").Length())
	require.Contains(t, part.Body, "Gib ein Datum als JJJJ-MM-TT ein.")
}

func TestOtherBadInput(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	cases := []struct {
		name, target string
		status       int
	}{
		{"blog page not a number", "/blog?page=x", 400},
		{"blog page huge goes to the last page", "/blog?page=99999999", 302},
		{"blog category page negative", "/blog/category/news?page=-3", 200},
		{"slug with html", "/events/" + url.PathEscape("<script>alert(1)</script>"), 404},
		{"slug with sql", "/artists/" + url.PathEscape("' or '1'='1"), 404},
		{"slug with sql, upper case first goes to lower case", "/artists/" + url.PathEscape("' OR '1'='1"), 301},
		{"slug not utf-8", "/events/%ff%fe", 404},
		{"slug with nul", "/events/a%00b", 404},
		{"very long slug", "/locations/" + strings.Repeat("a", 3000), 404},
		{"unicode slug", "/blog/" + url.PathEscape("ünïcødé-💥"), 404},
		{"long query anywhere", "/?q=" + strings.Repeat("y", 5000), 200},
		{"broken escape anywhere", "/artists?ref=%E0%A4%A", 200},
		{"hostile lang", "/?lang=" + url.QueryEscape(`"><script>alert(1)</script>`), 200},
		{"hostile tz", "/?tz=" + url.QueryEscape(`../../etc/passwd`), 200},
		{"hostile accept-language", "/", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := get(t, srv, tc.target, header("Accept-Language", strings.Repeat("de-DE;q=0.9,", 200)))
			require.Equal(t, tc.status, res.StatusCode, tc.target)
			require.NotContains(t, res.Body, "<script>alert(1)</script>")
			if tc.status != 302 && tc.status != 301 {
				require.Contains(t, res.Header.Get("Content-Type"), "text/html")
			}
		})
	}
}

// Every spelling of a filter lands on one canonical page: the last page
// for any page past it, one case for slugs, bounded page sizes.
func TestProgrammeCanonicalURLs(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	far := get(t, srv, "/events?page=99999999&per_page=10")
	require.Equal(t, http.StatusFound, far.StatusCode)
	last := get(t, srv, far.Header.Get("Location"))
	require.Equal(t, http.StatusOK, last.StatusCode)
	require.Equal(t, "http://localhost:8080"+far.Header.Get("Location"), last.Doc.Find(`link[rel="canonical"]`).AttrOr("href", ""))
	require.Equal(t, 0, last.Doc.Find(".pager__next").Length(), "it is the last page")

	upper := get(t, srv, "/events?location=MAIN-CAVE")
	require.Equal(t, http.StatusOK, upper.StatusCode)
	require.Equal(t, "http://localhost:8080/events?location=main-cave", upper.Doc.Find(`link[rel="canonical"]`).AttrOr("href", ""))
	// Page sizes out of range are the default, not 1 or the maximum.
	for _, q := range []string{"per_page=100000", "per_page=0", "per_page=-5", "per_page=999999999999999999999", "page=0", "page=-3"} {
		res := get(t, srv, "/events?"+q)
		require.Equal(t, http.StatusOK, res.StatusCode, q)
		require.Equal(t, "http://localhost:8080/events", res.Doc.Find(`link[rel="canonical"]`).AttrOr("href", ""), q)
		require.Equal(t, events.DefaultPerPage, res.Doc.Find(".event-card").Length(), q)
	}
	require.Equal(t, "http://localhost:8080/events?per_page=5", get(t, srv, "/events?per_page=5").Doc.Find(`link[rel="canonical"]`).AttrOr("href", ""))
}

// Limits are enforced by the server itself, so this test talks to a real
// listener rather than app.Test.
func TestHeaderAndBodyLimits(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	base := serve(t, testenv.AppWith(t, cfg))

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Filler", strings.Repeat("z", cfg.ReadHeaderBudget+1024))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode)

	// A body announced larger than the limit is refused before it is read.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", cfg.BodyLimit+1)
	require.NoError(t, err)
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
}

// serve runs srv on a loopback port until the test ends and returns its URL.
func serve(t *testing.T, srv *web.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.App.Shutdown() })
	return "http://" + ln.Addr().String()
}

func TestWritesToPagesAreRefused(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req := httptest.NewRequest(method, "/events", strings.NewReader("title=x"))
		res, err := srv.App.Test(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, method)
		require.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
	}
}
