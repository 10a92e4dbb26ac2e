// Package render parses the views once per language at start and renders a
// page or a fragment into bytes. It knows nothing of HTTP, so the live hub
// can render a fragment once per language for many sockets.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/dreamerscave/tdc/app/i18n"
)

// Renderer holds, per language, one template set per page (layout + shared
// fragments + the page) and one set of the fragments alone.
type Renderer struct {
	pages     map[string]map[string]*template.Template // lang → page name → set
	fragments map[string]*template.Template            // lang → fragments set
	names     []string                                 // page names, sorted
	fragNames []string
	bufs      sync.Pool
}

// New parses every template in views. Page names are paths under pages/
// without ".html" ("events/index"); fragment names are their {{define}}
// names ("event-list"). Any parse error fails start-up.
func New(views fs.FS, b *i18n.Bundle, asset func(string) string) (*Renderer, error) {
	shared, err := globAll(views, "layouts", "fragments", "partials")
	if err != nil {
		return nil, err
	}
	pageFiles, err := glob(views, "pages")
	if err != nil {
		return nil, err
	}
	r := &Renderer{
		pages:     map[string]map[string]*template.Template{},
		fragments: map[string]*template.Template{},
		bufs:      sync.Pool{New: func() any { return new(bytes.Buffer) }},
	}
	for _, lang := range b.Languages() {
		base := template.New("").Funcs(Funcs(b, lang, asset))
		for _, f := range shared {
			if err := parseFile(base, views, f); err != nil {
				return nil, err
			}
		}
		r.fragments[lang] = base
		r.pages[lang] = map[string]*template.Template{}
		for _, f := range pageFiles {
			set, err := base.Clone()
			if err != nil {
				return nil, fmt.Errorf("render: clone for %s: %w", f, err)
			}
			if err := parseFile(set, views, f); err != nil {
				return nil, err
			}
			if set.Lookup("content") == nil {
				return nil, fmt.Errorf("render: %s defines no \"content\"", f)
			}
			r.pages[lang][pageName(f)] = set
		}
	}
	for _, f := range pageFiles {
		r.names = append(r.names, pageName(f))
	}
	for _, t := range r.fragments[b.Default()].Templates() {
		if t.Name() != "" && !strings.HasSuffix(t.Name(), ".html") {
			r.fragNames = append(r.fragNames, t.Name())
		}
	}
	sort.Strings(r.fragNames)
	return r, nil
}

// Pages lists the page names, for tests that render everything.
func (r *Renderer) Pages() []string { return r.names }

// Fragments lists the fragment and partial names.
func (r *Renderer) Fragments() []string { return r.fragNames }

// Page renders page inside its layout. The layout is "base" unless the page
// defines "layout" naming another (the kiosk screens use "screen").
func (r *Renderer) Page(w io.Writer, lang, page string, data any) error {
	set, ok := r.pages[lang][page]
	if !ok {
		return fmt.Errorf("render: no page %q in %q", page, lang)
	}
	layout := "base"
	if l := set.Lookup("layout"); l != nil {
		var name bytes.Buffer
		if err := l.Execute(&name, nil); err != nil {
			return fmt.Errorf("render: layout of %s: %w", page, err)
		}
		layout = strings.TrimSpace(name.String())
	}
	return r.execute(w, set, layout, data)
}

// Fragment renders one fragment with data.
func (r *Renderer) Fragment(w io.Writer, lang, name string, data any) error {
	set, ok := r.fragments[lang]
	if !ok {
		return fmt.Errorf("render: no language %q", lang)
	}
	return r.execute(w, set, name, data)
}

// execute renders into a buffer first, so a template error mid-page becomes
// a clean error rather than half a page on the wire.
func (r *Renderer) execute(w io.Writer, set *template.Template, name string, data any) error {
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := set.ExecuteTemplate(buf, name, data); err != nil {
		return fmt.Errorf("render: %s: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func pageName(file string) string {
	return strings.TrimSuffix(strings.TrimPrefix(file, "pages/"), ".html")
}

func parseFile(t *template.Template, views fs.FS, name string) error {
	src, err := fs.ReadFile(views, name)
	if err != nil {
		return fmt.Errorf("render: read %s: %w", name, err)
	}
	if _, err := t.New(name).Parse(string(src)); err != nil {
		return fmt.Errorf("render: parse %s: %w", name, err)
	}
	return nil
}

func globAll(views fs.FS, dirs ...string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		files, err := glob(views, d)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

func glob(views fs.FS, dir string) ([]string, error) {
	var out []string
	err := fs.WalkDir(views, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && path.Ext(p) == ".html" {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("render: list %s: %w", dir, err)
	}
	sort.Strings(out)
	return out, nil
}
