package render

import (
	"bytes"
	"html/template"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

// templateGrid is the grid of cards as it was written as a template; the
// cards were already Go's, through eventcards. The rest of the list's old
// templates are in testdata, shared with app/web's reference renderer.
const templateGrid = `{{define "event-grid"}}
<ul class="event-grid{{if .Compact}} event-grid--compact{{end}}">
{{eventcards .Events .Zone .Now}}</ul>
{{end}}
`

// hostile holds what html/template escapes or refuses in text, attributes
// and URLs.
const hostile = `<script>alert("x")</script>&'+` + "\x00 é\xff"

func TestGoListWritesWhatTheTemplatesWrote(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	zone := i18n.Zone{Loc: la, Label: "SLT"}
	now := time.Date(2026, 12, 5, 5, 30, 0, 0, time.UTC)
	ev := func(id int64, title string, start time.Time) events.Summary {
		return events.Summary{ID: id, Slug: "ev-" + title, Kind: events.KindDJSet, Title: i18n.Text{Value: title},
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), Location: events.Location{Slug: "main", Name: i18n.Text{Value: "Main"}}}
	}
	day := func(key string, at time.Time, evs ...events.Summary) Day {
		return Day{Key: key, Date: at, Grid: Grid{Events: evs, Zone: zone, Now: now}}
	}
	days := []Day{
		day("2026-12-05", now, ev(1, "Live "+hostile, now.Add(-time.Hour)), ev(2, "Two", now.Add(3*time.Hour))),
		day("2026-12-06", now.Add(24*time.Hour), ev(3, "Three", now.Add(24*time.Hour))),
		day(hostile, now.Add(48*time.Hour), ev(4, "Four", now.Add(48*time.Hour))),
	}
	pagers := []Pager{
		{Page: 1, Pages: 1, Target: "event-list"},
		{Page: 1, Pages: 3, NextURL: "/events?page=2", Target: "event-list"},
		{Page: 2, Pages: 3, PrevURL: "/events?artist=a+b&from=2026-12-01", NextURL: "/events?page=3&q=%22x%22", Target: "event-list"},
		{Page: 3, Pages: 3, PrevURL: "/events?q=" + hostile, Target: hostile},
		{Page: 2, Pages: 9, PrevURL: "javascript:alert(1)", NextURL: "JavaScript:alert(1)//?a=b", Target: "x"},
		{Page: 2, Pages: 9, PrevURL: "https://example.org/a b?c=d#e", NextURL: "mailto:a@b.c?subject=x y", Target: "x"},
		{Page: 2, Pages: 9, PrevURL: "?page=1&x=\t\n<>", NextURL: "a/b:c", Target: "x"},
	}
	var lists []Programme
	for i, p := range pagers {
		l := Programme{Page: events.Page{Total: 41 + i, Page: p.Page, Pages: p.Pages}, Pager: p, Days: days[:i%4]}
		l.Filtered, l.FocusList, l.OOB = i%2 == 0, i%3 == 0, i%4 == 1
		lists = append(lists, l)
	}
	lists = append(lists, Programme{Page: events.Page{Total: 1, Page: 1, Pages: 1}, Days: days[:1]})
	grids := []Grid{{Zone: zone, Now: now}, {Events: days[0].Grid.Events, Zone: zone, Now: now, Compact: true}}

	for _, lang := range b.Languages() {
		w := newListWriter(b, lang, newCardWriter(b, lang))
		set := template.New("").Funcs(Funcs(b, lang, noAsset)).Funcs(template.FuncMap{
			"eventcards": func(evs []events.Summary, z i18n.Zone, now time.Time) template.HTML {
				var out []byte
				for i := range evs {
					out = w.cards.appendCard(out, &evs[i], z, now)
				}
				return template.HTML(out) //nolint:gosec // escaped by appendCard, tested in cards_test.go
			},
		})
		old, err := os.ReadFile("testdata/list-templates.html")
		require.NoError(t, err)
		template.Must(set.Parse(string(old)))
		template.Must(set.Parse(templateGrid))
		exec := func(name string, data any) string {
			var buf bytes.Buffer
			require.NoError(t, set.ExecuteTemplate(&buf, name, data), name)
			return buf.String()
		}
		for i, l := range lists {
			got := string(w.programme(l))
			require.Equal(t, exec("live-programme", l), got, "%s list %d", lang, i)
			require.Equal(t, exec("pager", l.Pager), string(w.pager(l.Pager)), "%s pager %d", lang, i)
			require.NotContains(t, got, "<script>")
			require.NotContains(t, strings.ToLower(got), `href="javascript`)
		}
		for i, d := range days {
			require.Equal(t, exec("day", d), string(w.day(d)), "%s day %d", lang, i)
		}
		for i, g := range grids {
			require.Equal(t, exec("event-grid", g), string(w.grid(g)), "%s grid %d", lang, i)
		}
	}
}

// The pager's links escape as html/template's href does: unsafe schemes
// refused, bytes outside a URL percent-encoded, and the rest escaped as
// an attribute.
func TestURLNormalizedAsHTMLTemplate(t *testing.T) {
	t.Parallel()
	tmpl := template.Must(template.New("").Parse(`<a href="{{.}}">`))
	for _, in := range []string{
		"", "/events?page=2", "/events?q=" + hostile, "javascript:alert(1)", " javascript:x", "JAVASCRIPT:x",
		"data:text/html,x", "http://a/b c", "HTTPS://x", "mailto:x@y", "/a:b", "a/b:c", "%zz%41", "%4", "%", "a%2", "%4G%41", "#frag",
		"\x01\x7f\x80\u00e9\"'<>`{}|^\\",
	} {
		var want bytes.Buffer
		require.NoError(t, tmpl.Execute(&want, in))
		got := `<a href="` + string(appendHTMLEscaped(nil, urlNormalized(in))) + `">`
		require.Equal(t, want.String(), got, "%q", in)
	}
}
