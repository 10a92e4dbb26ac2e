package render

import (
	"bytes"
	"html/template"
	"testing"

	"github.com/stretchr/testify/require"
)

// A translation inlined at parse time renders exactly as t's result did,
// escaped by its context (text, attribute, URL, script), while calls with
// arguments and t later in a pipeline still run.
func TestInlineStringsRendersAsTheCall(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	const src = `{{define "x"}}<p title="{{t "email.footer"}}">{{t "email.footer"}}</p>` +
		`<a href="/x?q={{t "email.exists.subject"}}">{{t "email.exists.subject" | printf "%s!"}}</a>` +
		`<script>var s = {{t "admin.user.club_zone"}};</script>` +
		`{{if t "nav.events"}}{{(t "nav.events")}}{{end}}{{with $v := t "nav.blog"}}{{$v}}{{end}}` +
		`{{t "calendar.feed.title" "Club" "<Cave>"}}{{"email.footer" | t}}` +
		`<html lang="{{lang}}"><link href="{{asset "css/site.css"}}"><img src="{{asset "a b\"c.png"}}">{{end}}`
	for _, lang := range []string{"en", "de"} {
		render := func(inline bool) string {
			set := template.Must(template.New("").Funcs(Funcs(b, lang, noAsset)).Parse(src))
			if inline {
				inlineStrings(set, fixedFuncs(b, lang, noAsset))
				tree := set.Lookup("x").Tree.Root.String()
				require.NotContains(t, tree, `t "email.footer"`, "inlined")
				require.NotContains(t, tree, `t "nav.events"`, "inlined in if and parentheses")
				require.NotContains(t, tree, `{{asset`, "inlined")
				require.NotContains(t, tree, `{{lang}}`, "inlined")
				require.Contains(t, tree, `t "calendar.feed.title" "Club"`, "a call with arguments stays")
				require.Contains(t, tree, `"email.footer" | t`, "t later in a pipeline stays")
			}
			var buf bytes.Buffer
			require.NoError(t, set.ExecuteTemplate(&buf, "x", nil))
			return buf.String()
		}
		want := render(false)
		require.Contains(t, want, "Dreamer&#39;s Cave", "the strings chosen need escaping")
		require.Equal(t, want, render(true), lang)
	}
}
