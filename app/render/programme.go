package render

import (
	"html/template"
	"strings"
	"time"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

// The programme's list around the cards is written in Go too: a profile
// of a programme cache miss found html/template's per-value reflection in
// the day headings, the grids, the pager and the count among its largest
// costs once the cards had moved (a reflective call and its escaper per
// printed value, a few allocations each). views/fragments/live-programme.html,
// views/partials/day.html, event-grid.html and pager.html call these; the
// markup lives only here, and tests hold it byte-equal to the templates it
// replaced.

// Grid is a list of event cards (views/partials/event-grid.html). Now
// marks which are live; Compact is the denser grid of past events.
type Grid struct {
	Events  []events.Summary
	Zone    i18n.Zone
	Now     time.Time
	Compact bool
}

// Day is the events of one day in the visitor's zone under its date
// (views/partials/day.html); Key is the day as YYYY-MM-DD.
type Day struct {
	Key  string
	Date time.Time
	Grid Grid
}

// Pager is a list's page links (views/partials/pager.html). Target is the
// id of the list the links swap.
type Pager struct {
	Page, Pages      int
	PrevURL, NextURL string
	Target           string
}

// Programme is the programme's list: a page of events by day, with its
// pager (views/fragments/live-programme.html). Filtered says a filter or a
// page narrowed it (the list gets another id, so the hub's push of the
// default list passes it by); FocusList marks its heading autofocus after
// a pager click; OOB makes it an out-of-band swap.
type Programme struct {
	Page      events.Page
	Days      []Day
	Pager     Pager
	Filtered  bool
	FocusList bool
	OOB       bool
}

// listWriter writes the programme's list in one language.
type listWriter struct {
	cards *cardWriter
	// The list's fixed strings, looked up once.
	empty, pagerLabel, prev, next string
}

func newListWriter(b *i18n.Bundle, lang string, cards *cardWriter) *listWriter {
	return &listWriter{
		cards: cards,
		empty: b.T(lang, "events.list.empty", nil), pagerLabel: b.T(lang, "pager.label", nil),
		prev: b.T(lang, "pager.prev", nil), next: b.T(lang, "pager.next", nil),
	}
}

// programme writes the list with its heading, days and pager. The count is
// the list's heading; after a pager click it takes focus (autofocus, which
// htmx honours in swapped content), so keyboard and screen-reader users
// land on the new page of results.
func (w *listWriter) programme(p Programme) template.HTML {
	b := make([]byte, 0, 1024+1300*len(p.Page.Events))
	b = append(b, "\n<div id=\""...)
	if p.Filtered {
		b = append(b, "live-programme-filtered"...)
	} else {
		b = append(b, "live-programme"...)
	}
	b = append(b, `" class="programme"`...)
	if p.OOB {
		b = append(b, ` hx-swap-oob="true"`...)
	}
	b = append(b, ">\n  \n  <h2 id=\"event-list-title\" class=\"list-heading\" tabindex=\"-1\""...)
	if p.FocusList {
		b = append(b, " autofocus"...)
	}
	b = appendHTMLEscaped(append(b, '>'), w.count(p.Page))
	b = append(b, "</h2>\n  "...)
	if len(p.Days) == 0 {
		b = appendHTMLEscaped(append(b, "\n  <p class=\"empty\">"...), w.empty)
		b = append(b, "</p>\n  "...)
	}
	for i := range p.Days {
		b = append(w.appendDay(append(b, "\n  "...), &p.Days[i]), "\n  "...)
	}
	b = w.appendPager(append(b, "\n  "...), &p.Pager)
	return template.HTML(append(b, "\n</div>\n"...)) //nolint:gosec // every value is escaped
}

// count is the list's heading: how many events, and which page of how many.
func (w *listWriter) count(p events.Page) string {
	c := w.cards
	if p.Pages > 1 {
		return c.b.N(c.lang, "events.list.count_paged", p.Total, map[string]any{"Page": p.Page, "Pages": p.Pages})
	}
	return c.b.N(c.lang, "events.list.count", p.Total, nil)
}

// day writes one day, as the "day" partial.
func (w *listWriter) day(d Day) template.HTML {
	return template.HTML(w.appendDay(nil, &d)) //nolint:gosec // every value is escaped
}

func (w *listWriter) appendDay(b []byte, d *Day) []byte {
	b = appendHTMLEscaped(append(b, "\n<section class=\"day\" aria-labelledby=\"day-"...), d.Key)
	b = appendHTMLEscaped(append(b, "\">\n  <h3 class=\"day__title\" id=\"day-"...), d.Key)
	b = appendHTMLEscaped(append(b, `"><time datetime="`...), d.Key)
	b = appendHTMLEscaped(append(b, `">`...), w.cards.b.DateLong(w.cards.lang, d.Date, d.Grid.Zone))
	b = w.appendGrid(append(b, "</time></h3>\n  "...), &d.Grid)
	return append(b, "\n</section>\n"...)
}

// grid writes a list of cards, as the "event-grid" partial.
func (w *listWriter) grid(g Grid) template.HTML {
	return template.HTML(w.appendGrid(make([]byte, 0, 64+1300*len(g.Events)), &g)) //nolint:gosec // every value is escaped
}

func (w *listWriter) appendGrid(b []byte, g *Grid) []byte {
	b = append(b, "\n<ul class=\"event-grid"...)
	if g.Compact {
		b = append(b, " event-grid--compact"...)
	}
	b = append(b, "\">\n"...)
	for i := range g.Events {
		b = w.cards.appendCard(b, &g.Events[i], g.Zone, g.Now)
	}
	return append(b, "</ul>\n"...)
}

// pager writes a list's page links, as the "pager" partial.
func (w *listWriter) pager(p Pager) template.HTML {
	return template.HTML(w.appendPager(nil, &p)) //nolint:gosec // every value is escaped
}

func (w *listWriter) appendPager(b []byte, p *Pager) []byte {
	if p.Pages <= 1 {
		return b
	}
	b = appendHTMLEscaped(append(b, "\n<nav class=\"pager\" aria-label=\""...), w.pagerLabel)
	b = append(b, "\">\n  "...)
	link := func(b []byte, rel, href, label string) []byte {
		b = append(append(append(b, `<a id="pager-`...), rel...), `" class="pager__`...)
		b = append(append(append(append(b, rel...), `" rel="`...), rel...), `" href="`...)
		b = appendHTMLEscaped(b, urlNormalized(href))
		b = appendHTMLEscaped(append(b, `" hx-get="`...), href)
		b = appendHTMLEscaped(append(b, `" hx-target="#`...), p.Target)
		b = appendHTMLEscaped(append(b, `" hx-swap="outerHTML show:top showTarget:#`...), p.Target)
		b = appendHTMLEscaped(append(b, `-title" hx-push-url="true">`...), label)
		return append(b, "</a>"...)
	}
	if p.PrevURL != "" {
		b = link(b, "prev", p.PrevURL, w.prev)
	}
	c := w.cards
	status := c.b.T(c.lang, "pager.status", map[string]any{"Page": p.Page, "Pages": p.Pages})
	b = appendHTMLEscaped(append(b, "\n  <span class=\"pager__status\">"...), status)
	b = append(b, "</span>\n  "...)
	if p.NextURL != "" {
		b = link(b, "next", p.NextURL, w.next)
	}
	return append(b, "\n</nav>\n"...)
}

// urlNormalized is a URL as html/template writes it into an href: one with
// a scheme other than http, https or mailto becomes "#ZgotmplZ", and bytes
// that may not stand in a URL are percent-encoded (its urlFilter and
// urlNormalizer).
func urlNormalized(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		return "#ZgotmplZ"
	}
	var b []byte
	last := 0
	for i := 0; i < len(s); i++ {
		if urlByte(s[i]) || s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			continue // a valid escape is kept as it is
		}
		if b == nil {
			b = make([]byte, 0, len(s)+16)
		}
		const hex = "0123456789abcdef"
		b = append(append(b, s[last:i]...), '%', hex[s[i]>>4], hex[s[i]&15])
		last = i + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

// urlByte reports whether c stands in a normalised URL as it is.
func urlByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
