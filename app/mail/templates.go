package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"

	"github.com/dreamerscave/tdc/app/i18n"
)

// Templates renders the emails of views/emails: for each email NAME,
// NAME.txt defines "subject" and "text" (text/template), and NAME.html
// defines "html" (html/template) inside layout.html's "layout". They are
// parsed once per language at start, with t bound to that language.
type Templates struct {
	text map[string]map[string]*texttemplate.Template // lang → name → set
	html map[string]map[string]*htmltemplate.Template
	def  string
}

// NewTemplates parses every email in views (views/emails.FS) for each of the
// bundle's languages. A missing part or a parse error fails start-up.
func NewTemplates(views fs.FS, b *i18n.Bundle) (*Templates, error) {
	txtFiles, err := fs.Glob(views, "*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: list emails: %w", err)
	}
	layout, err := fs.ReadFile(views, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail: read layout: %w", err)
	}
	t := &Templates{text: map[string]map[string]*texttemplate.Template{}, html: map[string]map[string]*htmltemplate.Template{}, def: b.Default()}
	for _, lang := range b.Languages() {
		funcs := map[string]any{
			"t":    func(id string, kv ...any) string { return b.T(lang, id, pairs(kv)) },
			"lang": func() string { return lang },
		}
		t.text[lang] = map[string]*texttemplate.Template{}
		t.html[lang] = map[string]*htmltemplate.Template{}
		for _, f := range txtFiles {
			name := strings.TrimSuffix(path.Base(f), ".txt")
			src, err := fs.ReadFile(views, f)
			if err != nil {
				return nil, fmt.Errorf("mail: read %s: %w", f, err)
			}
			tt, err := texttemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(src))
			if err != nil {
				return nil, fmt.Errorf("mail: parse %s: %w", f, err)
			}
			if tt.Lookup("subject") == nil || tt.Lookup("text") == nil {
				return nil, fmt.Errorf("mail: %s must define \"subject\" and \"text\"", f)
			}
			hsrc, err := fs.ReadFile(views, name+".html")
			if err != nil {
				return nil, fmt.Errorf("mail: read the HTML part of %s: %w", name, err)
			}
			ht, err := htmltemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(layout))
			if err == nil {
				_, err = ht.Parse(string(hsrc))
			}
			if err != nil {
				return nil, fmt.Errorf("mail: parse %s.html: %w", name, err)
			}
			t.text[lang][name], t.html[lang][name] = tt, ht
		}
	}
	return t, nil
}

// Names lists the emails, for tests that render each one.
func (t *Templates) Names() []string {
	var out []string
	for name := range t.text[t.def] {
		out = append(out, name)
	}
	return out
}

// Compose renders email name in lang (the default language when lang is
// not offered) with data, into a Message without a recipient.
func (t *Templates) Compose(lang, name string, data any) (Message, error) {
	if _, ok := t.text[lang]; !ok {
		lang = t.def
	}
	tt, ok := t.text[lang][name]
	if !ok {
		return Message{}, fmt.Errorf("mail: no email %q", name)
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s subject: %w", name, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s text: %w", name, err)
	}
	if err := t.html[lang][name].ExecuteTemplate(&html, "layout", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s html: %w", name, err)
	}
	return Message{
		// A subject is one line, whatever the template's whitespace.
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}
