package i18n

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Rendering a page asks for the same few hundred strings over and over:
// go-i18n resolves each through its localizer and, for a message with
// placeholders, a text/template execution. Strings without arguments are
// therefore resolved once per language when the bundle is built, and the
// date and time formats are compiled into plain pieces that are filled in
// without templates or maps.

// plainText is what a message without plural forms or placeholders says,
// or "" when it has either (it then goes through go-i18n every time).
func plainText(m *goi18n.Message) string {
	if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
		return ""
	}
	if strings.Contains(m.Other, "{{") || m.Other == "" {
		return ""
	}
	return m.Other
}

// fillPlain gives every language a text for every plain ID it or the
// default language defines, so T finds the fallback with one lookup too.
func (b *Bundle) fillPlain(own map[string]map[string]string) {
	b.plain = make(map[string]map[string]string, len(b.langs))
	for _, l := range b.langs {
		m := make(map[string]string, len(own[b.def]))
		for id, s := range own[b.def] {
			m[id] = s
		}
		for id, s := range own[l] {
			m[id] = s
		}
		// A language that makes a default plain message plural or
		// templated must not be served the default's plain text.
		for _, id := range b.ids[l] {
			if _, ok := own[l][id]; !ok {
				delete(m, id)
			}
		}
		b.plain[l] = m
	}
}

// The formats compiled at start-up, by message ID.
var formatIDs = []string{"format.date.short", "format.date.long", "format.when", "format.span.same_day", "format.span.other_day"}

// placeholder is one {{.Name}} of a format message.
var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z]+)\s*\}\}`)

// pattern is a format message cut into literal text and placeholders:
// pieces alternate, literal first, so pieces[1], pieces[3]... are names.
type pattern struct{ pieces []string }

// compilePattern cuts src; it reports false when src uses more of the
// template language than {{.Name}} (then it is rendered by go-i18n).
func compilePattern(src string) (pattern, bool) {
	var p pattern
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(src, -1) {
		p.pieces = append(p.pieces, src[last:m[0]], src[m[2]:m[3]])
		last = m[1]
	}
	p.pieces = append(p.pieces, src[last:])
	for i := 0; i < len(p.pieces); i += 2 {
		if strings.Contains(p.pieces[i], "{{") {
			return pattern{}, false
		}
	}
	return p, true
}

// appendTo appends the pattern to dst, asking field for each placeholder.
func (p pattern) appendTo(dst []byte, field func(dst []byte, name string) []byte) []byte {
	for i, s := range p.pieces {
		if i%2 == 0 {
			dst = append(dst, s...)
		} else {
			dst = field(dst, s)
		}
	}
	return dst
}

// calendar is one language's compiled formats and names.
type calendar struct {
	formats   map[string]pattern
	layout    string // the time of day, a Go layout
	weekday   [7]string
	weekdayL  [7]string
	month     [13]string
	monthLong [13]string
}

func (b *Bundle) fillCalendars() {
	b.calendars = make(map[string]*calendar, len(b.langs))
	for _, l := range b.langs {
		c := &calendar{formats: map[string]pattern{}, layout: b.T(l, "format.time.layout", nil)}
		for i := range 7 {
			wd := strconv.Itoa(i)
			c.weekday[i] = b.T(l, "date.weekday.short."+wd, nil)
			c.weekdayL[i] = b.T(l, "date.weekday.long."+wd, nil)
		}
		for i := 1; i <= 12; i++ {
			mo := strconv.Itoa(i)
			c.month[i] = b.T(l, "date.month.short."+mo, nil)
			c.monthLong[i] = b.T(l, "date.month.long."+mo, nil)
		}
		for _, id := range formatIDs {
			src, ok := b.source[l][id]
			if !ok {
				src, ok = b.source[b.def][id]
			}
			if !ok {
				continue
			}
			if p, ok := compilePattern(src); ok {
				c.formats[id] = p
			}
		}
		b.calendars[l] = c
	}
}

func (b *Bundle) calendar(lang string) *calendar {
	if c, ok := b.calendars[lang]; ok {
		return c
	}
	return b.calendars[b.def]
}

// appendDate appends t (already in its zone) in the date format id.
func (c *calendar) appendDate(dst []byte, id string, t time.Time) ([]byte, bool) {
	p, ok := c.formats[id]
	if !ok {
		return dst, false
	}
	return p.appendTo(dst, func(dst []byte, name string) []byte {
		switch name {
		case "Weekday":
			return append(dst, c.weekday[t.Weekday()]...)
		case "WeekdayLong":
			return append(dst, c.weekdayL[t.Weekday()]...)
		case "Month":
			return append(dst, c.month[t.Month()]...)
		case "MonthLong":
			return append(dst, c.monthLong[t.Month()]...)
		case "Day":
			return strconv.AppendInt(dst, int64(t.Day()), 10)
		case "Year":
			return strconv.AppendInt(dst, int64(t.Year()), 10)
		}
		return append(dst, "<no value>"...) // as go-i18n would print it
	}), true
}
