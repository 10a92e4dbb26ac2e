package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/testenv"
)

// source says which element asked, as htmx 4 does in HX-Source ("tag#id").
func source(id string) reqOpt { return header("HX-Source", id) }

// requireVarySource checks the response says it depends on HX-Source too.
func requireVarySource(t *testing.T, res *http.Response) {
	t.Helper()
	requireVary(t, res)
	require.Contains(t, strings.Join(res.Header.Values("Vary"), ","), "HX-Source")
}

// The programme's full page renders the status region, the language links
// and the zone form once, in place, none of them out of band, and nothing
// takes focus on load. The filter form works as a plain GET form; with
// htmx, a submit pushes and a changed field (debounced) replaces.
func TestProgrammeFullPageParts(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/events?location=ember-lounge&lang=en")
	require.Equal(t, http.StatusOK, res.StatusCode)
	requireVarySource(t, res.Response)
	doc := res.Doc
	for _, id := range []string{"event-status", "lang-links", "zone-form", "event-list", "event-list-title"} {
		require.Equal(t, 1, doc.Find("#"+id).Length(), id)
	}
	require.Zero(t, doc.Find("[hx-swap-oob]").Length(), "a full page swaps nothing out of band")
	require.Zero(t, doc.Find("[autofocus]").Length(), "nothing takes focus on load")

	status := doc.Find("#event-status")
	require.Equal(t, "status", status.AttrOr("role", ""))
	require.Equal(t, "polite", status.AttrOr("aria-live", ""))
	require.Empty(t, strings.TrimSpace(status.Text()), "nothing to announce before a change")
	require.Zero(t, doc.Find("#event-list #event-status").Length(), "the live region is outside the swapped list")

	heading := doc.Find("#event-list-title")
	require.Equal(t, "-1", heading.AttrOr("tabindex", ""))
	require.False(t, heading.HasClass("visually-hidden"), "the heading that takes focus is visible")
	require.Regexp(t, `^\d+ events`, heading.Text())

	require.Equal(t, "/events?lang=de&location=ember-lounge", doc.Find(`#lang-links a[hreflang="de"]`).AttrOr("href", ""))
	require.Equal(t, "ember-lounge", doc.Find(`#zone-form input[type="hidden"][name="location"]`).AttrOr("value", ""))

	form := doc.Find("form#event-filters")
	require.Equal(t, "get", form.AttrOr("method", ""))
	require.Equal(t, "/events", form.AttrOr("action", ""))
	require.Equal(t, "submit", form.AttrOr("hx-trigger", ""))
	fields := form.Find("#event-filter-fields")
	require.Equal(t, "change delay:300ms", fields.AttrOr("hx-trigger", ""))
	require.Equal(t, "closest form", fields.AttrOr("hx-include", ""))
	for _, name := range []string{"location", "type", "artist", "from", "to"} {
		require.Equal(t, 1, fields.Find(`[name="`+name+`"]`).Length(), "the plain GET form sends %s", name)
	}
	require.Equal(t, 1, form.Find(`button[type="submit"]`).Length())
}

// A partial programme response carries out of band what shows the filter
// outside the list: the status region (its content only, so the live
// region stays and speaks), the language links and the zone form. Which
// element asked decides the history header and whether focus moves.
func TestProgrammePartialParts(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	// As htmx sends the form: every field, empty or not.
	const target = "/events?location=ember-lounge&type=&artist=&from=&to="

	t.Run("changed field", func(t *testing.T) {
		t.Parallel()
		res := get(t, srv, target, partial, source("div#event-filter-fields"))
		require.Equal(t, http.StatusOK, res.StatusCode)
		requireVarySource(t, res.Response)
		require.NotContains(t, res.Body, "<html")
		require.Equal(t, "/events?location=ember-lounge", res.Header.Get("HX-Replace-Url"), "a changed field replaces the address")
		require.Empty(t, res.Header.Get("HX-Push-Url"))
		requireOutOfBand(t, res.Doc, "/events?lang=de&location=ember-lounge", map[string]string{"location": "ember-lounge"})
		require.Regexp(t, `^\d+ events? found$`, strings.TrimSpace(res.Doc.Find("#event-status").Text()))
		require.Zero(t, res.Doc.Find("[autofocus]").Length(), "a filter change leaves focus in the control")
	})

	t.Run("submitted form", func(t *testing.T) {
		t.Parallel()
		res := get(t, srv, target, partial, source("form#event-filters"))
		require.Equal(t, "/events?location=ember-lounge", res.Header.Get("HX-Push-Url"), "a submitted search is a history entry")
		require.Empty(t, res.Header.Get("HX-Replace-Url"))
		requireOutOfBand(t, res.Doc, "/events?lang=de&location=ember-lounge", map[string]string{"location": "ember-lounge"})
		require.Zero(t, res.Doc.Find("[autofocus]").Length())
	})

	t.Run("pager", func(t *testing.T) {
		t.Parallel()
		res := get(t, srv, "/events?location=ember-lounge&page=2", partial, source("a#pager-next"))
		require.Equal(t, http.StatusOK, res.StatusCode)
		requireVarySource(t, res.Response)
		require.Equal(t, "/events?location=ember-lounge&page=2", res.Header.Get("HX-Push-Url"))
		requireOutOfBand(t, res.Doc, "/events?lang=de&location=ember-lounge&page=2", map[string]string{"location": "ember-lounge", "page": "2"})
		focus := res.Doc.Find("[autofocus]")
		require.Equal(t, 1, focus.Length())
		require.Equal(t, "event-list-title", focus.AttrOr("id", ""), "the list's heading takes focus")
		require.Regexp(t, `^\d+ events · page 2 of \d+$`, focus.Text())
		require.Empty(t, strings.TrimSpace(res.Doc.Find("#event-status").Text()), "the focused heading speaks; the status region stays quiet")
		prev := res.Doc.Find("#pager-prev")
		require.Equal(t, "outerHTML show:top showTarget:#event-list-title", prev.AttrOr("hx-swap", ""), "the swap scrolls the heading to the top")
	})

	// The cache keeps a response per shape (swapShape), so a pager click
	// and a filter change on the same address never get each other's.
	t.Run("pager and filter stay apart in the cache", func(t *testing.T) {
		t.Parallel()
		const page2 = "/events?location=main-cave&page=2"
		first := get(t, srv, page2, partial, source("a#pager-next"))
		require.Equal(t, 1, first.Doc.Find("#event-list-title[autofocus]").Length())
		then := get(t, srv, page2, partial, source("div#event-filter-fields"))
		require.Zero(t, then.Doc.Find("[autofocus]").Length(), "a filter change got the pager's cached response")
		again := get(t, srv, page2, partial, source("a#pager-prev"))
		require.Equal(t, 1, again.Doc.Find("#event-list-title[autofocus]").Length(), "a pager click got the filter's cached response")
	})
}

// requireOutOfBand checks a partial programme response: the list once, as
// the main swap, then the status region's content, the language links and
// the zone form, each out of band, the links and hidden fields keeping the
// filter.
func requireOutOfBand(t *testing.T, doc *goquery.Document, deLink string, keep map[string]string) {
	t.Helper()
	require.Equal(t, 1, doc.Find("#event-list").Length())
	require.Empty(t, doc.Find("#event-list").AttrOr("hx-swap-oob", ""), "the list is the main swap")
	require.Equal(t, "innerHTML", doc.Find("#event-status").AttrOr("hx-swap-oob", ""))
	require.Equal(t, "true", doc.Find("#lang-links").AttrOr("hx-swap-oob", ""))
	require.Equal(t, "true", doc.Find("#zone-form").AttrOr("hx-swap-oob", ""))
	require.Equal(t, 3, doc.Find("[hx-swap-oob]").Length())
	require.Equal(t, deLink, doc.Find(`#lang-links a[hreflang="de"]`).AttrOr("href", ""))
	require.Equal(t, "/events", doc.Find("#zone-form").AttrOr("action", ""))
	hidden := map[string]string{}
	doc.Find(`#zone-form input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		hidden[s.AttrOr("name", "")] = s.AttrOr("value", "")
	})
	require.Equal(t, keep, hidden, "the zone form keeps the filter")
	require.Equal(t, 1, doc.Find("#tz").Length())
}

// The blog's pager moves focus to the list's heading the same way, and its
// partial responses update the language links and zone form too.
func TestBlogPagerFocus(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	full := get(t, srv, "/blog?lang=en")
	require.Zero(t, full.Doc.Find("[autofocus], [hx-swap-oob]").Length())
	require.Equal(t, "-1", full.Doc.Find("#post-list-title").AttrOr("tabindex", ""))
	require.Regexp(t, `^\d+ posts?`, full.Doc.Find("#post-list-title").Text())

	res := get(t, srv, "/blog", partial, source("a#pager-prev"))
	require.Equal(t, http.StatusOK, res.StatusCode)
	requireVarySource(t, res.Response)
	require.Equal(t, "post-list-title", res.Doc.Find("[autofocus]").AttrOr("id", ""))
	require.Equal(t, "true", res.Doc.Find("#lang-links").AttrOr("hx-swap-oob", ""))
	require.Equal(t, "true", res.Doc.Find("#zone-form").AttrOr("hx-swap-oob", ""))
	require.Zero(t, res.Doc.Find("#event-status").Length())

	other := get(t, srv, "/blog", partial)
	require.Zero(t, other.Doc.Find("[autofocus]").Length(), "only the pager moves focus")
}
