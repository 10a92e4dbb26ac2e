package render

import (
	"html/template"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

// Option is one <option> of a select whose list is long or repeated on
// every page (the programme filter's venues, kinds and artists; the
// footer's zones). A profile of a programme cache miss put these loops
// among its largest template costs: html/template makes three reflective
// calls per option. Written here, a list costs one call.
type Option struct {
	Value, Label string
	Selected     bool
}

// options writes each option as the loop it replaces did,
//
//	{{range .}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
//	<indent>{{end}}
//
// each followed by a newline and indent, escaped as html/template escapes
// (a test holds the two equal).
func options(opts []Option, indent string) template.HTML {
	if len(opts) == 0 {
		return ""
	}
	b := make([]byte, 0, len(opts)*(48+len(indent)))
	for _, o := range opts {
		b = appendHTMLEscaped(append(b, `<option value="`...), o.Value)
		b = append(b, '"')
		if o.Selected {
			b = append(b, " selected"...)
		}
		b = appendHTMLEscaped(append(b, '>'), o.Label)
		b = append(append(b, "</option>\n"...), indent...)
	}
	return template.HTML(b) //nolint:gosec // values and labels escaped above
}

// appendHTMLEscaped escapes exactly as html/template does text and quoted
// attribute values (its htmlReplacementTable), so output is byte-equal.
func appendHTMLEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '+':
			esc = "&#43;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		b = append(append(b, s[last:i]...), esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// kindLabels are the event kinds' names in one language, looked up once.
type kindLabels map[events.Kind]string

func newKindLabels(b *i18n.Bundle, lang string) kindLabels {
	l := kindLabels{}
	for _, k := range events.Kinds() {
		l[k] = b.T(lang, "event.kind."+string(k), nil)
	}
	return l
}

// options writes the kinds as options, selected the one spelled selected.
func (l kindLabels) options(kinds []events.Kind, selected, indent string) template.HTML {
	opts := make([]Option, len(kinds))
	for i, k := range kinds {
		label, ok := l[k]
		if !ok { // not a kind of events.Kinds: translated as the template did
			label = "event.kind." + string(k)
		}
		opts[i] = Option{Value: string(k), Label: label, Selected: string(k) == selected}
	}
	return options(opts, indent)
}
