package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/render"
	"github.com/dreamerscave/tdc/app/static"
	"github.com/dreamerscave/tdc/assets"
	"github.com/dreamerscave/tdc/views"
)

// oldLoops are the template loops that Go functions replaced, as they were:
// the reference renderer puts them back, so the comparison below holds the
// Go output equal to theirs.
var oldLoops = map[string][][2]string{
	"pages/events/index.html": {
		{`{{options .LocationOptions "        "}}`, `{{range .Locations}}<option value="{{.Slug}}"{{if eq .Slug $.Filter.Location}} selected{{end}}>{{.Name}}</option>
        {{end}}`},
		{`{{kindoptions .Kinds .Filter.Kind "        "}}`, `{{range .Kinds}}<option value="{{.}}"{{if eq (print .) $.Filter.Kind}} selected{{end}}>{{t (printf "event.kind.%s" .)}}</option>
        {{end}}`},
		{`{{options .ArtistOptions "        "}}`, `{{range .Artists}}<option value="{{.Slug}}"{{if eq .Slug $.Filter.Artist}} selected{{end}}>{{.Name}}</option>
        {{end}}`},
	},
	"layouts/base.html": {
		{`{{define "base"}}{{with .LayoutBase}}<!doctype html>`, `{{define "base"}}<!doctype html>`},
		{`{{template "content" $}}`, `{{template "content" .}}`},
		{"</html>\n{{end}}{{end}}", "</html>\n{{end}}"},
	},
	"fragments/zone-form.html": {
		{`{{options .ZoneOptions "    "}}`, `{{range .ZoneChoices}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
    {{end}}`},
	},
}

// clonedPages is the renderer as it was before pages shared one set: the
// shared templates cloned once per page and language, the page parsed into
// the clone, with the old loops. It stays here as the reference the real
// renderer must match.
func clonedPages(t *testing.T, b *i18n.Bundle, asset func(string) string) map[string]map[string]*template.Template {
	t.Helper()
	var shared, pages []string
	require.NoError(t, fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		if strings.HasPrefix(p, "pages/") {
			pages = append(pages, p)
		} else {
			shared = append(shared, p)
		}
		return nil
	}))
	parse := func(set *template.Template, file string) {
		b, err := fs.ReadFile(views.FS, file)
		require.NoError(t, err)
		src := string(b)
		for _, r := range oldLoops[file] {
			require.Contains(t, src, r[0], file)
			src = strings.Replace(src, r[0], r[1], 1)
		}
		_, err = set.New(file).Parse(src)
		require.NoError(t, err, file)
	}
	// The programme's list, its days and the pager, as templates (the
	// grid of cards stays Go's; app/render tests it against its template).
	oldList, err := os.ReadFile("../render/testdata/list-templates.html")
	require.NoError(t, err)
	out := map[string]map[string]*template.Template{}
	for _, lang := range b.Languages() {
		base := template.New("").Funcs(render.Funcs(b, lang, asset))
		for _, f := range shared {
			parse(base, f)
		}
		_, err := base.New("list-templates.html").Parse(string(oldList))
		require.NoError(t, err)
		require.NotContains(t, base.Lookup("pager").Tree.Root.String(), "{{pager", "the old pager replaces the Go one")
		out[lang] = map[string]*template.Template{}
		for _, f := range pages {
			set, err := base.Clone()
			require.NoError(t, err)
			parse(set, f)
			out[lang][strings.TrimSuffix(strings.TrimPrefix(f, "pages/"), ".html")] = set
		}
	}
	return out
}

// Every page, in every language, renders the same bytes through the one
// shared set as it did through its own clone of it.
func TestPagesRenderAsWithClonedSets(t *testing.T) {
	t.Parallel()
	r, b := renderer(t)
	a, err := static.New(assets.FS, "/assets")
	require.NoError(t, err)
	old := clonedPages(t, b, a.Path)
	pages, _ := sample(t)
	// The filter form with something selected in every list, and the
	// characters html/template escapes (+, NUL, quotes) in values and labels.
	odd := "a+b\x00\"'<&>\xff\uFFFD"
	ep := pages["events/index"].(eventsPage)
	ep.Filter = eventFilter{Location: "b+" + odd, Kind: string(events.KindTalk), Artist: odd}
	ep.Locations = append(ep.Locations, locations.Location{Slug: "b+" + odd, Name: i18n.Text{Value: odd}}, locations.Location{Slug: "c"})
	ep.Artists = append(ep.Artists, artists.Summary{Slug: odd, Name: odd}, artists.Summary{Slug: "z", Name: "Zoë"})
	ep.Kinds = append(ep.Kinds, "nokind")
	ep.ZoneChoices = append(ep.ZoneChoices, zoneChoice{Value: odd, Label: odd + " (X)", Selected: true}, zoneChoice{Value: "UTC", Label: "UTC"})
	samples := map[string]any{"events/index (selected)": ep}
	for name, data := range pages {
		samples[name] = data
	}
	for _, lang := range b.Languages() {
		require.Len(t, r.Pages(), len(old[lang]))
		for sample, data := range samples {
			name, _, _ := strings.Cut(sample, " ")
			require.Contains(t, r.Pages(), name)
			set := old[lang][name]
			require.NotNil(t, set, name)
			layout := "base"
			if l := set.Lookup("layout"); l != nil {
				var buf bytes.Buffer
				require.NoError(t, l.Execute(&buf, nil))
				layout = strings.TrimSpace(buf.String())
			}
			var want, got bytes.Buffer
			require.NoError(t, set.ExecuteTemplate(&want, layout, data), "%s/%s", lang, sample)
			require.NoError(t, r.Page(&got, lang, name, data), "%s/%s", lang, sample)
			require.Equal(t, want.String(), got.String(), "%s/%s", lang, sample)
		}
	}
}
