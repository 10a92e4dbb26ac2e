package render

import (
	"bytes"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views"
)

func bundle(t testing.TB) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	return b
}

func noAsset(s string) string { return "/assets/" + s }

// testViews is a small view tree: two layouts (one with a block pages may
// override), a fragment, and pages that define the same names.
func testViews() fstest.MapFS {
	return fstest.MapFS{
		"layouts/base.html":   {Data: []byte(`{{define "base"}}<title>{{block "title" .}}Club{{end}}</title><main>{{template "content" .}}</main>{{template "foot" .}}{{end}}`)},
		"layouts/screen.html": {Data: []byte(`{{define "screen"}}<body class="screen">{{template "content" .}}</body>{{end}}`)},
		"fragments/foot.html": {Data: []byte(`{{define "foot"}}<footer>{{lang}}</footer>{{end}}`)},
		"partials/card.html":  {Data: []byte(`{{define "card"}}<b>{{.}}</b>{{end}}`)},
		"pages/a.html":        {Data: []byte(`{{define "title"}}A {{.}}{{end}}{{define "content"}}<p>a {{template "extra" .}}</p>{{end}}{{define "extra"}}<i>a-extra {{.}}</i>{{end}}`)},
		"pages/b.html":        {Data: []byte(`{{define "content"}}<p>b {{template "extra" .}} {{template "card" .}}</p>{{end}}{{define "extra"}}<u>b-extra</u>{{end}}`)},
		"pages/kiosk.html":    {Data: []byte(`{{define "layout"}}screen{{end}}{{define "content"}}<p>kiosk {{.}}</p>{{end}}`)},
		// A layout that reaches the page's blocks through a shared
		// template, and a fragment that shows a block a page overrides.
		"layouts/framed.html":    {Data: []byte(`{{define "framed"}}<div>{{template "frame" .}}</div>{{end}}`)},
		"fragments/frame.html":   {Data: []byte(`{{define "frame"}}[{{template "content" .}}|{{template "heading" .}}]{{end}}`)},
		"fragments/heading.html": {Data: []byte(`{{define "heading"}}<h1>{{template "title" .}}</h1>{{end}}`)},
		"pages/framed.html":      {Data: []byte(`{{define "layout"}}framed{{end}}{{define "title"}}Framed{{end}}{{define "content"}}<p>{{template "heading" .}}</p>{{end}}`)},
		"pages/dir/quoted.html": {Data: []byte(`{{define "layout"}} {{"screen"}} {{end}}
{{define "content"}}<p>quoted</p>{{end}}`)},
	}
}

func renderPage(t *testing.T, r *Renderer, lang, page string, data any) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, r.Page(&buf, lang, page, data), page)
	return buf.String()
}

// Pages define the same names without seeing each other's, blocks the
// layout declares take the page's override, and the layout a page names
// is the one it gets.
func TestPagesKeepTheirOwnTemplates(t *testing.T) {
	t.Parallel()
	r, err := New(testViews(), bundle(t), noAsset)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "dir/quoted", "framed", "kiosk"}, r.Pages())
	require.Equal(t, []string{"base", "card", "foot", "frame", "framed", "heading", "screen", "title"}, r.Fragments())

	require.Equal(t, `<title>A &lt;x&gt;</title><main><p>a <i>a-extra &lt;x&gt;</i></p></main><footer>en</footer>`, renderPage(t, r, "en", "a", "<x>"))
	require.Equal(t, `<title>Club</title><main><p>b <u>b-extra</u> <b>y</b></p></main><footer>de</footer>`, renderPage(t, r, "de", "b", "y"))
	require.Equal(t, `<body class="screen"><p>kiosk z</p></body>`, renderPage(t, r, "en", "kiosk", "z"))
	require.Equal(t, `<body class="screen"><p>quoted</p></body>`, renderPage(t, r, "de", "dir/quoted", nil))
	require.Equal(t, `<div>[<p><h1>Framed</h1></p>|<h1>Framed</h1>]</div>`, renderPage(t, r, "en", "framed", nil))
	// The shared set keeps the block's default for fragments.
	var buf bytes.Buffer
	require.NoError(t, r.Fragment(&buf, "en", "title", nil))
	require.Equal(t, "Club", buf.String())
	buf.Reset()
	require.NoError(t, r.Fragment(&buf, "de", "heading", nil))
	require.Equal(t, "<h1>Club</h1>", buf.String())
	// Only what reaches a page's names is copied for it.
	require.NotNil(t, r.sets["en"].Lookup("page:framed:via:frame"))
	require.NotNil(t, r.sets["en"].Lookup("page:framed:via:heading"))
	require.Nil(t, r.sets["en"].Lookup("page:framed:via:base"), "a layout the page does not use")
	require.Nil(t, r.sets["en"].Lookup("page:a:via:heading"), "reaches a's title, but a does not show it")
	require.Nil(t, r.sets["en"].Lookup("page:b:via:heading"))
	require.Nil(t, r.sets["en"].Lookup("page:a:via:foot"))
}

// A page's templates are not fragments, and a page cannot call another
// page's templates, by their namespaced names or by a name only another
// page defines.
func TestPagesCannotReachEachOther(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	r, err := New(testViews(), b, noAsset)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.ErrorContains(t, r.Fragment(&buf, "en", "page:a:content", nil), "part of a page")
	require.ErrorContains(t, r.Fragment(&buf, "en", "extra", nil), "extra")
	require.ErrorContains(t, r.Page(&buf, "en", "nope", nil), `no page "nope"`)
	require.ErrorContains(t, r.Page(&buf, "fr", "a", nil), `no page "a" in "fr"`)
	require.Empty(t, buf.String())

	v := testViews()
	v["pages/c.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}{{template "page:a:extra" .}}{{end}}`)}
	_, err = New(v, b, noAsset)
	require.ErrorContains(t, err, `pages/c.html calls "page:a:extra"`)

	v = testViews()
	v["pages/c.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}{{if .}}{{range .}}{{template "extra" .}}{{end}}{{end}}{{end}}`)}
	r, err = New(v, b, noAsset)
	require.NoError(t, err)
	err = r.Page(&buf, "en", "c", []int{1})
	require.ErrorContains(t, err, `no such template "extra"`)
	require.Empty(t, buf.String(), "nothing half-written")
}

// Mistakes in the views fail start-up with the file named.
func TestNewRefusesBadViews(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	for name, c := range map[string]struct {
		file, src, want string
	}{
		"no content":       {"pages/c.html", `{{define "main"}}x{{end}}`, `pages/c.html defines no "content"`},
		"unknown layout":   {"pages/c.html", `{{define "layout"}}kiosk{{end}}{{define "content"}}x{{end}}`, `page c: no layout "kiosk"`},
		"layout fails":     {"pages/c.html", `{{define "layout"}}{{index . 1}}{{end}}{{define "content"}}x{{end}}`, "layout of c"},
		"page syntax":      {"pages/c.html", `{{define "content"}}{{if}}{{end}}`, "parse pages/c.html"},
		"unknown function": {"pages/c.html", `{{define "content"}}{{nosuch}}{{end}}`, "parse pages/c.html"},
		"reserved in page": {"pages/c.html", `{{define "content"}}x{{end}}{{define "page:b:content"}}y{{end}}`, "reserved"},
		"reserved shared":  {"fragments/x.html", `{{define "page:a:content"}}y{{end}}`, "reserved"},
		"shared syntax":    {"fragments/x.html", `{{define "x"}}{{end}`, "parse fragments/x.html"},
	} {
		v := testViews()
		v[c.file] = &fstest.MapFile{Data: []byte(c.src)}
		_, err := New(v, b, noAsset)
		require.ErrorContains(t, err, c.want, name)
	}
}

// The real views: every page has an entry in every language.
func TestNewParsesTheViews(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	r, err := New(views.FS, b, noAsset)
	require.NoError(t, err)
	require.Contains(t, r.Pages(), "events/index")
	for _, lang := range b.Languages() {
		require.Len(t, r.entries[lang], len(r.Pages()))
	}
	require.NotContains(t, r.Fragments(), "content")
}

// BenchmarkNew is the cost of parsing the views for two languages, which
// every app instance (and every test that builds one) pays; retained-B/op
// is the heap the renderer keeps once built.
func BenchmarkNew(b *testing.B) {
	bd := bundle(b)
	b.ReportAllocs()
	var before, after runtime.MemStats
	var kept *Renderer
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := New(views.FS, bd, noAsset)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept = r
	}
	runtime.KeepAlive(kept)
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "retained-B/op")
}
