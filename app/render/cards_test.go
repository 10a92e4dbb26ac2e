package render

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views"
)

// templateCard is the event card as it was written as a template, before
// it moved to Go for speed: the Go card must say the same.
const templateCard = `{{define "card"}}{{range $e := .Events}}<li>
<article class="event-card{{if $e.Live $.Now}} event-card--live{{end}}{{if $e.Cancelled}} event-card--cancelled{{end}}" style="{{cssvar "--location-accent" $e.Location.Accent}}" aria-labelledby="ev-{{$e.ID}}">
  {{with $e.Cover}}<div class="event-card__media">{{template "image" (dict "I" . "Sizes" "(min-width: 75rem) 24rem, (min-width: 42rem) 50vw, 100vw")}}</div>{{end}}
  <p class="event-card__time"><time datetime="{{iso $e.StartsAt}}">{{span $e.StartsAt $e.EndsAt $.Zone}}</time>{{if $e.Live $.Now}} <span class="badge badge--live">{{t "event.live_now"}}</span>{{end}}{{if $e.Cancelled}} <span class="badge badge--cancelled">{{t "event.cancelled"}}</span>{{end}}</p>
  <h3 class="event-card__title" id="ev-{{$e.ID}}"><a href="/events/{{$e.Slug}}" {{langattr $e.Title}}>{{if $e.Cancelled}}<s>{{$e.Title}}</s>{{else}}{{$e.Title}}{{end}}</a></h3>
  <p class="event-card__meta"><span class="kind kind--{{$e.Kind}}">{{t (printf "event.kind.%s" $e.Kind)}}</span> · <a href="/locations/{{$e.Location.Slug}}" {{langattr $e.Location.Name}}>{{$e.Location.Name}}</a></p>
  {{if $e.Summary.Value}}<p class="event-card__summary" {{langattr $e.Summary}}>{{$e.Summary}}</p>{{end}}
  {{if $e.Lineup}}<p class="event-card__lineup"><span class="visually-hidden">{{t "event.lineup"}}: </span>{{range $i, $a := $e.Lineup}}{{if $i}}, {{end}}<a href="/artists/{{$a.ArtistSlug}}">{{$a.ArtistName}}</a>{{end}}</p>{{end}}
</article></li>
{{end}}{{end}}`

// normal parses markup and writes it back, so two spellings of the same
// HTML (&#34; or &quot;, indentation) compare equal.
func normal(t *testing.T, markup string) string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(markup), &html.Node{Type: html.ElementNode, Data: "ul", DataAtom: atom.Ul})
	require.NoError(t, err)
	var b bytes.Buffer
	for _, n := range nodes {
		require.NoError(t, html.Render(&b, n))
	}
	// Whitespace between elements is layout in the source, not content.
	return strings.Join(strings.Fields(betweenTags.ReplaceAllString(b.String(), "><")), " ")
}

var betweenTags = regexp.MustCompile(`>\s+<`)

func TestGoCardSaysWhatTheTemplateSaid(t *testing.T) {
	t.Parallel()
	b, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	zone := i18n.Zone{Loc: la, Label: "SLT"}
	now := time.Date(2026, 12, 5, 5, 30, 0, 0, time.UTC)
	evil := `<script>alert("x")</script>&'`
	img := &media.Image{Src: "/media/ab.jpg", SrcSet: "/media/ab.jpg 480w, /media/cd.jpg 960w", Width: 960, Height: 540, Alt: i18n.Text{Value: "Alt " + evil, Fallback: true}}
	base := events.Summary{ID: 7, Slug: "night", Kind: events.KindDJSet, Title: i18n.Text{Value: "Night " + evil},
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(2 * time.Hour),
		Location: events.Location{Slug: "main-cave", Name: i18n.Text{Value: "Main", Fallback: true}, Accent: "#b18cff"}}
	cancelled := base
	cancelled.ID, cancelled.Cancelled, cancelled.Cover = 8, true, img
	cancelled.Summary = i18n.Text{Value: evil, Fallback: true}
	cancelled.Lineup = []events.Act{{ArtistSlug: "a", ArtistName: "DJ " + evil}, {ArtistSlug: "b", ArtistName: "B"}}
	later := base
	later.ID, later.StartsAt, later.EndsAt, later.Kind = 9, now.Add(30*time.Hour), now.Add(33*time.Hour), events.KindTalk
	later.Location.Accent = "red; background: url(x)" // refused, as cssvar refuses it
	later.Title.Fallback = true
	other := later
	other.ID, other.Cover = 10, &media.Image{Src: "javascript:alert(1)", Alt: i18n.Text{Value: "own"}}
	evs := []events.Summary{base, cancelled, later, other}

	for _, lang := range []string{"en", "de"} {
		set := template.Must(template.New("").Funcs(Funcs(b, lang, func(s string) string { return s })).ParseFS(views.FS, "partials/image.html"))
		template.Must(set.Parse(templateCard))
		var want bytes.Buffer
		require.NoError(t, set.ExecuteTemplate(&want, "card", map[string]any{"Events": evs, "Zone": zone, "Now": now}))
		w := newCardWriter(b, lang)
		var got []byte
		for i := range evs {
			got = w.appendCard(got, &evs[i], zone, now)
		}
		require.Equal(t, normal(t, want.String()), normal(t, string(got)), lang)
		require.NotContains(t, string(got), "<script>")
	}
}

func TestAppendHTMLEscaped(t *testing.T) {
	t.Parallel()
	in := "a<b>&\"'+\x00z\xff\uFFFD\uFDD0"
	// html/template's own escaping of text and of a quoted attribute.
	var want bytes.Buffer
	tmpl := template.Must(template.New("").Parse(`{{.}}|<a title="{{.}}">`))
	require.NoError(t, tmpl.Execute(&want, in))
	got := string(appendHTMLEscaped(nil, in))
	require.Equal(t, want.String(), got+`|<a title="`+got+`">`)
	require.Empty(t, options(nil, "  "))
}
