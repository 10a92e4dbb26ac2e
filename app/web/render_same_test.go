package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/render"
	"github.com/dreamerscave/tdc/app/static"
	"github.com/dreamerscave/tdc/assets"
	"github.com/dreamerscave/tdc/views"
)

// clonedPages is the renderer as it was before pages shared one set: the
// shared templates cloned once per page and language, the page parsed into
// the clone. It stays here as the reference the real renderer must match.
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
		src, err := fs.ReadFile(views.FS, file)
		require.NoError(t, err)
		_, err = set.New(file).Parse(string(src))
		require.NoError(t, err, file)
	}
	out := map[string]map[string]*template.Template{}
	for _, lang := range b.Languages() {
		base := template.New("").Funcs(render.Funcs(b, lang, asset))
		for _, f := range shared {
			parse(base, f)
		}
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
	for _, lang := range b.Languages() {
		require.Len(t, r.Pages(), len(old[lang]))
		for _, name := range r.Pages() {
			set := old[lang][name]
			require.NotNil(t, set, name)
			layout := "base"
			if l := set.Lookup("layout"); l != nil {
				var buf bytes.Buffer
				require.NoError(t, l.Execute(&buf, nil))
				layout = strings.TrimSpace(buf.String())
			}
			var want, got bytes.Buffer
			require.NoError(t, set.ExecuteTemplate(&want, layout, pages[name]), "%s/%s", lang, name)
			require.NoError(t, r.Page(&got, lang, name, pages[name]), "%s/%s", lang, name)
			require.Equal(t, want.String(), got.String(), "%s/%s", lang, name)
		}
	}
}
