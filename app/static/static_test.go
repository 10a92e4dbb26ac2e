package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
)

var (
	// Repetitive text, so both compressors make it smaller.
	siteCSS = []byte(strings.Repeat("body { color: #123456; margin: 0 auto; }\n", 50))
	appJS   = []byte(strings.Repeat("document.body.dataset.ready = 'yes';\n", 40))
	// Too short to shrink: served as identity only.
	tinyJS  = []byte("x()")
	logoPNG = []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00\x01", 100))
	license = []byte("Zero-Clause BSD\n")
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"css/site.css":       {Data: siteCSS},
		"vendor/app.min.js":  {Data: appJS},
		"vendor/tiny.js":     {Data: tinyJS},
		"img/logo.png":       {Data: logoPNG},
		"vendor/LICENSE":     {Data: license},
		"css/.gitkeep":       {Data: []byte{}},
		".hidden/secret.txt": {Data: []byte("no")},
	}
}

// hashOf is the fingerprint New must put in the URL.
func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:hashLen]
}

type testBundle struct {
	assets *Assets
	app    *fiber.App
}

func setup(t *testing.T) testBundle {
	t.Helper()
	a, err := New(testFS(), "/assets/")
	require.NoError(t, err)
	app := fiber.New()
	app.Get("/assets/*", a.Handler())
	return testBundle{assets: a, app: app}
}

func (tb testBundle) do(t *testing.T, method, target string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := tb.app.Test(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp, body
}

func decode(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	switch coding {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		out, err := io.ReadAll(zr)
		require.NoError(t, err)
		return out
	case "br":
		out, err := fasthttp.AppendUnbrotliBytes(nil, body)
		require.NoError(t, err)
		return out
	}
	t.Fatalf("unexpected Content-Encoding %q", coding)
	return nil
}

func TestPath(t *testing.T) {
	t.Parallel()
	a := setup(t).assets

	tests := []struct {
		name string
		file string
		want string
	}{
		{"css", "css/site.css", "/assets/css/site." + hashOf(siteCSS) + ".css"},
		{"dotted stem keeps its dots", "vendor/app.min.js", "/assets/vendor/app.min." + hashOf(appJS) + ".js"},
		{"no extension", "vendor/LICENSE", "/assets/vendor/LICENSE." + hashOf(license)},
		{"unknown", "css/nope.css", ""},
		{"leading slash is not a file name", "/css/site.css", ""},
		{"dotfile skipped", "css/.gitkeep", ""},
		{"dot directory skipped", ".hidden/secret.txt", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, a.Path(tc.file))
		})
	}
}

func TestIntegrity(t *testing.T) {
	t.Parallel()
	a := setup(t).assets

	sum := sha512.Sum384(appJS)
	require.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), a.Integrity("vendor/app.min.js"))
	require.Empty(t, a.Integrity("vendor/nope.js"))
}

func TestHandler(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	css := tb.assets.Path("css/site.css")

	tests := []struct {
		name         string
		method       string
		target       string
		header       map[string]string
		wantStatus   int
		wantType     string
		wantEncoding string
		wantBody     []byte // decoded; nil for no body
	}{
		{
			name: "identity without Accept-Encoding", target: css,
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantBody: siteCSS,
		},
		{
			name: "gzip", target: css, header: map[string]string{"Accept-Encoding": "gzip"},
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantEncoding: "gzip", wantBody: siteCSS,
		},
		{
			name: "br preferred on a tie", target: css, header: map[string]string{"Accept-Encoding": "gzip, deflate, br"},
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantEncoding: "br", wantBody: siteCSS,
		},
		{
			name: "q-values beat preference", target: css, header: map[string]string{"Accept-Encoding": "br;q=0.5, gzip;q=0.9"},
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantEncoding: "gzip", wantBody: siteCSS,
		},
		{
			name: "q=0 refuses", target: css, header: map[string]string{"Accept-Encoding": "br;q=0, gzip;q=0"},
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantBody: siteCSS,
		},
		{
			name: "wildcard", target: css, header: map[string]string{"Accept-Encoding": "*"},
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantEncoding: "br", wantBody: siteCSS,
		},
		{
			name: "js with br", target: tb.assets.Path("vendor/app.min.js"), header: map[string]string{"Accept-Encoding": "br"},
			wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantEncoding: "br", wantBody: appJS,
		},
		{
			name: "tiny file stays identity", target: tb.assets.Path("vendor/tiny.js"), header: map[string]string{"Accept-Encoding": "br, gzip"},
			wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantBody: tinyJS,
		},
		{
			name: "image is not compressed", target: tb.assets.Path("img/logo.png"), header: map[string]string{"Accept-Encoding": "br, gzip"},
			wantStatus: 200, wantType: "image/png", wantBody: logoPNG,
		},
		{
			name: "no extension is sniffed", target: tb.assets.Path("vendor/LICENSE"),
			wantStatus: 200, wantType: "text/plain; charset=utf-8", wantBody: license,
		},
		{
			name: "HEAD has headers and no body", method: fiber.MethodHead, target: css, header: map[string]string{"Accept-Encoding": "gzip"},
			wantStatus: 200, wantType: "text/css; charset=utf-8", wantEncoding: "gzip",
		},
		{name: "unfingerprinted name", target: "/assets/css/site.css", wantStatus: 404},
		{name: "stale hash", target: "/assets/css/site.0123456789.css", wantStatus: 404},
		{name: "unknown file", target: "/assets/css/nope." + hashOf(siteCSS) + ".css", wantStatus: 404},
		{name: "prefix alone", target: "/assets/", wantStatus: 404},
		{name: "dotfile", target: "/assets/css/.gitkeep", wantStatus: 404},
		{name: "traversal", target: "/assets/../go.mod", wantStatus: 404},
		{name: "encoded traversal", target: "/assets/%2e%2e/go.mod", wantStatus: 404},
		{name: "encoded traversal after a real dir", target: "/assets/css/%2e%2e/%2e%2e/go.mod", wantStatus: 404},
		{name: "encoded slash", target: "/assets/css%2fsite." + hashOf(siteCSS) + ".css", wantStatus: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = fiber.MethodGet
			}
			resp, body := tb.do(t, method, tc.target, tc.header)
			require.Equal(t, tc.wantStatus, resp.StatusCode)
			if tc.wantStatus != 200 {
				return
			}
			require.Equal(t, cacheForever, resp.Header.Get("Cache-Control"))
			require.Equal(t, tc.wantType, resp.Header.Get("Content-Type"))
			require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			require.Equal(t, tc.wantEncoding, resp.Header.Get("Content-Encoding"))
			require.NotEmpty(t, resp.Header.Get("ETag"))
			if tc.wantBody == nil {
				require.Empty(t, body)
				return
			}
			require.Equal(t, tc.wantBody, decode(t, tc.wantEncoding, body))
		})
	}
}

func TestHandlerVary(t *testing.T) {
	t.Parallel()
	tb := setup(t)

	resp, _ := tb.do(t, fiber.MethodGet, tb.assets.Path("css/site.css"), nil)
	require.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"), "a file with compressed variants varies, even when identity is sent")

	resp, _ = tb.do(t, fiber.MethodGet, tb.assets.Path("img/logo.png"), map[string]string{"Accept-Encoding": "gzip"})
	require.Empty(t, resp.Header.Get("Vary"), "one variant only: caches need not split on Accept-Encoding")
}

func TestHandlerNotModified(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	css := tb.assets.Path("css/site.css")

	first, _ := tb.do(t, fiber.MethodGet, css, map[string]string{"Accept-Encoding": "gzip"})
	gzipTag := first.Header.Get("ETag")
	require.NotEmpty(t, gzipTag)
	plain, _ := tb.do(t, fiber.MethodGet, css, nil)
	require.NotEqual(t, gzipTag, plain.Header.Get("ETag"), "each encoding has its own ETag")

	tests := []struct {
		name        string
		ifNoneMatch string
		accept      string
		wantStatus  int
		wantETag    string
	}{
		{"same tag", gzipTag, "gzip", 304, gzipTag},
		{"weak form", "W/" + gzipTag, "gzip", 304, gzipTag},
		{"in a list", `"nope", ` + gzipTag, "gzip", 304, gzipTag},
		{"tag of another encoding still matches", gzipTag, "br", 304, gzipTag},
		{"star", "*", "", 304, plain.Header.Get("ETag")},
		{"other tag", `"0123456789"`, "gzip", 200, gzipTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := tb.do(t, fiber.MethodGet, css, map[string]string{
				"If-None-Match": tc.ifNoneMatch, "Accept-Encoding": tc.accept,
			})
			require.Equal(t, tc.wantStatus, resp.StatusCode)
			require.Equal(t, tc.wantETag, resp.Header.Get("ETag"))
			require.Equal(t, cacheForever, resp.Header.Get("Cache-Control"))
			if tc.wantStatus == 304 {
				require.Empty(t, body)
			}
		})
	}
}

func TestHandlerOtherMethods(t *testing.T) {
	t.Parallel()
	a := setup(t).assets
	app := fiber.New()
	app.All("/assets/*", a.Handler()) // mounted too widely: the handler still refuses writes

	resp, err := app.Test(httptest.NewRequest(fiber.MethodPost, a.Path("css/site.css"), nil))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, fiber.StatusMethodNotAllowed, resp.StatusCode)
}

func TestParseAcceptEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   map[string]float64 // coding -> q from of()
	}{
		{"", map[string]float64{"br": 0, "gzip": 0, "identity": 0.0001}},
		{"gzip, br", map[string]float64{"br": 1, "gzip": 1, "identity": 0.0001}},
		{"GZIP;Q=0.3", map[string]float64{"gzip": 0.3}},
		{"x-gzip", map[string]float64{"gzip": 1}},
		{"br;q=0.7, *;q=0.2", map[string]float64{"br": 0.7, "gzip": 0.2, "identity": 0.2}},
		{"identity;q=0, *;q=0", map[string]float64{"identity": 0, "gzip": 0}},
		{"gzip;q=abc, br;q=2, deflate;level=1", map[string]float64{"gzip": 0, "br": 0, "deflate": 0}},
		{" , ,gzip ; q=0.5 ", map[string]float64{"gzip": 0.5}},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			t.Parallel()
			q := parseAcceptEncoding(tc.header)
			for coding, want := range tc.want {
				require.InDelta(t, want, q.of(coding), 1e-9, coding)
			}
		})
	}
}
