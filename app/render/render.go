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
	"text/template/parse"

	"github.com/dreamerscave/tdc/app/i18n"
)

// pagePrefix starts the names a page's own templates get in the shared set
// ("page:events/index:content"); views may not use it themselves.
const pagePrefix = "page:"

// Renderer holds one template set per language: the layouts, fragments and
// partials, parsed once, plus every page's own templates under namespaced
// names and, per page, an entry that is its layout calling those names.
//
// The pages used to get a clone of the whole shared set each, because every
// page defines "content": html/template then parsed and escaped every
// fragment once per page and language, most of the renderer's memory.
type Renderer struct {
	sets      map[string]*template.Template // lang → the one set
	entries   map[string]map[string]string  // lang → page name → entry template
	names     []string                      // page names, sorted
	fragNames []string
	bufs      sync.Pool
}

// pageSource is one page file parsed (once, for all languages): its own
// templates by the names the file gives them.
type pageSource struct {
	name  string
	trees map[string]*parse.Tree
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
	// A page's parse trees do not depend on the language (functions are
	// looked up by name when it runs): parsed once, copied per language.
	parseFuncs := Funcs(b, b.Default(), asset)
	pages := make([]pageSource, 0, len(pageFiles))
	for _, f := range pageFiles {
		p, err := parsePage(views, f, parseFuncs)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	r := &Renderer{
		sets:    map[string]*template.Template{},
		entries: map[string]map[string]string{},
		bufs:    sync.Pool{New: func() any { return new(bytes.Buffer) }},
	}
	for _, lang := range b.Languages() {
		funcs := Funcs(b, lang, asset)
		set := template.New("").Funcs(funcs)
		for _, f := range shared {
			if err := parseFile(set, views, f); err != nil {
				return nil, err
			}
		}
		for _, t := range set.Templates() {
			if strings.HasPrefix(t.Name(), pagePrefix) {
				return nil, fmt.Errorf("render: %s: the name %q is reserved for pages", t.Tree.ParseName, t.Name())
			}
		}
		if lang == b.Default() {
			r.fragNames = fragmentNames(set)
		}
		r.entries[lang] = map[string]string{}
		g := newCallGraph(set)
		for _, p := range pages {
			entry, err := addPage(set, funcs, g, p)
			if err != nil {
				return nil, err
			}
			r.entries[lang][p.name] = entry
		}
		inlineStrings(set, fixedFuncs(b, lang, asset)) // inline.go
		r.sets[lang] = set
	}
	for _, p := range pages {
		r.names = append(r.names, p.name)
	}
	return r, nil
}

// parsePage parses a page file on its own and checks that it defines
// "content" and calls no other page's templates.
func parsePage(views fs.FS, file string, funcs template.FuncMap) (pageSource, error) {
	src, err := fs.ReadFile(views, file)
	if err != nil {
		return pageSource{}, fmt.Errorf("render: read %s: %w", file, err)
	}
	t, err := template.New(file).Funcs(funcs).Parse(string(src))
	if err != nil {
		return pageSource{}, fmt.Errorf("render: parse %s: %w", file, err)
	}
	p := pageSource{name: pageName(file), trees: map[string]*parse.Tree{}}
	for _, d := range t.Templates() {
		// The file's own text outside {{define}} is never rendered.
		if d.Name() == file || d.Tree == nil {
			continue
		}
		if strings.HasPrefix(d.Name(), pagePrefix) {
			return pageSource{}, fmt.Errorf("render: %s: the name %q is reserved", file, d.Name())
		}
		var bad string
		walkCalls(d.Tree.Root, func(n *parse.TemplateNode) {
			if strings.HasPrefix(n.Name, pagePrefix) {
				bad = n.Name
			}
		})
		if bad != "" {
			return pageSource{}, fmt.Errorf("render: %s calls %q: a page sees only its own templates and the shared ones", file, bad)
		}
		p.trees[d.Name()] = d.Tree
	}
	if p.trees["content"] == nil {
		return pageSource{}, fmt.Errorf("render: %s defines no \"content\"", file)
	}
	return p, nil
}

// addPage adds a page's templates to set under namespaced names and returns
// the name of its entry: a copy of its layout. Calls to a name the page
// defines ("content", a block's override) go to the page's own, from the
// page, its layout and any shared template on the way (the "via" copies,
// made only of the shared templates the page reaches that reach such a
// name: the layout, as the views stand). That is what a clone of the whole
// set per page gave, without copying what does not depend on the page.
func addPage(set *template.Template, funcs template.FuncMap, g callGraph, p pageSource) (string, error) {
	layout, err := layoutOf(funcs, p)
	if err != nil {
		return "", err
	}
	lt := set.Lookup(layout)
	if lt == nil || lt.Tree == nil || strings.HasPrefix(layout, pagePrefix) {
		return "", fmt.Errorf("render: page %s: no layout %q", p.name, layout)
	}
	own := func(name string) bool {
		_, ok := p.trees[name]
		return ok && name != "layout"
	}
	// The shared templates that reach one of the page's names...
	reaches := map[string]bool{}
	var queue []string
	for name := range p.trees {
		if own(name) {
			queue = append(queue, name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, c := range g.callers[name] {
			if !own(c) && !reaches[c] {
				reaches[c] = true
				queue = append(queue, c)
			}
		}
	}
	// ...and of those, the ones the page and its layout reach.
	via := map[string]bool{layout: true}
	seen := map[string]bool{layout: true}
	queue = append(queue[:0], layout)
	for name := range p.trees {
		if own(name) {
			queue = append(queue, name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		calls := g.calls[name]
		if own(name) {
			calls = callsOf(p.trees[name])
		}
		for _, c := range calls {
			if !seen[c] && !own(c) {
				seen[c] = true
				via[c] = reaches[c]
				queue = append(queue, c)
			}
		}
	}
	ns := pagePrefix + p.name + ":"
	rename := func(n *parse.TemplateNode) {
		if own(n.Name) {
			n.Name = ns + n.Name
		} else if via[n.Name] {
			n.Name = ns + "via:" + n.Name
		}
	}
	add := func(name string, tree *parse.Tree) error {
		c := tree.Copy()
		c.Name = name
		walkCalls(c.Root, rename)
		if _, err := set.AddParseTree(name, c); err != nil {
			return fmt.Errorf("render: add %s for page %s: %w", name, p.name, err)
		}
		return nil
	}
	for name, tree := range p.trees {
		if own(name) {
			if err := add(ns+name, tree); err != nil {
				return "", err
			}
		}
	}
	for name, copyIt := range via {
		if copyIt {
			if err := add(ns+"via:"+name, set.Lookup(name).Tree); err != nil {
				return "", err
			}
		}
	}
	return ns + "via:" + layout, nil
}

// callGraph is who calls whom among the shared templates.
type callGraph struct {
	calls   map[string][]string // name → the names it calls
	callers map[string][]string // name → the shared templates calling it
}

func newCallGraph(set *template.Template) callGraph {
	g := callGraph{calls: map[string][]string{}, callers: map[string][]string{}}
	for _, t := range set.Templates() {
		if t.Tree == nil {
			continue
		}
		for _, c := range callsOf(t.Tree) {
			g.calls[t.Name()] = append(g.calls[t.Name()], c)
			g.callers[c] = append(g.callers[c], t.Name())
		}
	}
	return g
}

func callsOf(t *parse.Tree) []string {
	var out []string
	walkCalls(t.Root, func(n *parse.TemplateNode) { out = append(out, n.Name) })
	return out
}

// layoutOf is the layout a page chooses: "base" unless it defines "layout"
// ("admin", the kiosk screens' "screen"), rendered once here in a set of
// its own, with no data, as it was on every request before.
func layoutOf(funcs template.FuncMap, p pageSource) (string, error) {
	tree, ok := p.trees["layout"]
	if !ok {
		return "base", nil
	}
	t, err := template.New("layout").Funcs(funcs).AddParseTree("layout", tree.Copy())
	if err != nil {
		return "", fmt.Errorf("render: layout of %s: %w", p.name, err)
	}
	var name bytes.Buffer
	if err := t.Execute(&name, nil); err != nil {
		return "", fmt.Errorf("render: layout of %s: %w", p.name, err)
	}
	return strings.TrimSpace(name.String()), nil
}

// walkCalls calls f on every {{template}} call under n.
func walkCalls(n parse.Node, f func(*parse.TemplateNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkCalls(c, f)
		}
	case *parse.TemplateNode:
		f(n)
	case *parse.IfNode:
		walkCalls(n.List, f)
		walkCalls(n.ElseList, f)
	case *parse.RangeNode:
		walkCalls(n.List, f)
		walkCalls(n.ElseList, f)
	case *parse.WithNode:
		walkCalls(n.List, f)
		walkCalls(n.ElseList, f)
	}
}

func fragmentNames(set *template.Template) []string {
	var out []string
	for _, t := range set.Templates() {
		if t.Name() != "" && !strings.HasSuffix(t.Name(), ".html") {
			out = append(out, t.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Pages lists the page names, for tests that render everything.
func (r *Renderer) Pages() []string { return r.names }

// Fragments lists the fragment and partial names.
func (r *Renderer) Fragments() []string { return r.fragNames }

// Page renders page inside its layout. The layout is "base" unless the page
// defines "layout" naming another (the kiosk screens use "screen").
func (r *Renderer) Page(w io.Writer, lang, page string, data any) error {
	entry, ok := r.entries[lang][page]
	if !ok {
		return fmt.Errorf("render: no page %q in %q", page, lang)
	}
	return r.execute(w, r.sets[lang], entry, data)
}

// Fragment renders one fragment with data.
func (r *Renderer) Fragment(w io.Writer, lang, name string, data any) error {
	set, ok := r.sets[lang]
	if !ok {
		return fmt.Errorf("render: no language %q", lang)
	}
	if strings.HasPrefix(name, pagePrefix) {
		return fmt.Errorf("render: %q is part of a page, not a fragment", name)
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
