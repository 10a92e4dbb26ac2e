package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/testenv"
)

// In a real browser the programme's filters and pager swap only the event
// list (htmx partials), keep the address in step, and the back button
// restores the previous list.
func TestProgrammeFiltersInBrowser(t *testing.T) {
	t.Parallel()
	base := serve(t, testenv.App(t))
	ctx := testenv.Browser(t)
	type void = chromedp.Void
	onlyEmber := `[...document.querySelectorAll('#event-list .event-card__meta a')].every(a => a.textContent === "Ember Lounge")`

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/events?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#event-list .event-card`)),
		// Mark the page: a full reload would lose the mark, a swap keeps it.
		chromedp.Evaluate[void](`document.body.dataset.marked = "yes"`),
		chromedp.SetValue(chromedp.CSS(`#f-location`), "ember-lounge"),
		chromedp.Evaluate[void](`document.querySelector('#f-location').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Poll[void](`location.search === "?location=ember-lounge"`),
		chromedp.Poll[void](onlyEmber),
	))
	title, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err)
	require.Contains(t, title, "Programme")
	marked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.marked || ""`))
	require.NoError(t, err)
	require.Equal(t, "yes", marked, "the filter swapped the list, not the page")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.pager__next`)),
		chromedp.Poll[void](`location.search.includes("page=2")`),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.pager__status`)))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(status, "Page 2 of"), status)
	marked, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.marked || ""`))
	require.NoError(t, err)
	require.Equal(t, "yes", marked, "the pager swapped the list, not the page")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.NavigateBack(),
		chromedp.Poll[void](`!location.search.includes("page=2") && !!document.querySelector('#event-list .event-card')`),
		chromedp.Poll[void](onlyEmber),
	))
}

// The programme from the keyboard: arrow keys on a filter make one request
// and no history entry while focus stays in the select, the status region
// and the parts outside the list follow the filter, a submit adds one
// entry, and the pager's next link moves focus to the list's heading,
// scrolled into view, and Back restores the list before.
func TestProgrammeKeyboard(t *testing.T) {
	t.Parallel()
	base := serve(t, testenv.App(t))
	ctx := testenv.Browser(t)
	type void = chromedp.Void
	onlyEmber := `[...document.querySelectorAll('#event-list .event-card__meta a')].every(a => a.textContent === "Ember Lounge")`
	markList := chromedp.Evaluate[void](`document.querySelector('#event-list').dataset.old = "yes"`)
	newList := `!document.querySelector('#event-list').dataset.old && ` + settled
	historyLength := func() int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`history.length`))
		require.NoError(t, err)
		return n
	}

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/events?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#event-list .event-card`)),
	))
	tabTo(t, ctx, `#f-location`, nil)
	// Ember Lounge has more than one page of events, and is a few
	// options down: each arrow key is a change event.
	presses, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelector('#f-location').options].findIndex(o => o.value === "ember-lounge")`))
	require.NoError(t, err)
	require.GreaterOrEqual(t, presses, 2, "several arrow presses to reach the venue")
	before := historyLength()
	require.NoError(t, chromedp.Do(ctx,
		markList,
		chromedp.Evaluate[void](`performance.clearResourceTimings()`),
		chromedp.KeyEvent(strings.Repeat(kb.ArrowDown, presses)),
		chromedp.Poll[void](`location.search === "?location=ember-lounge" && `+newList),
		chromedp.Poll[void](onlyEmber),
	))
	requests, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType('resource').filter(e => e.initiatorType === 'fetch' && e.name.includes('/events?')).length`))
	require.NoError(t, err)
	require.Equal(t, 1, requests, "the changes are debounced into one request")
	require.LessOrEqual(t, historyLength(), before+1, "one search, at most one history entry")
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	require.NoError(t, err)
	require.Equal(t, "f-location", focused, "focus stays in the select")
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#event-status`)))
	require.NoError(t, err)
	require.Regexp(t, `^\d+ events? found$`, strings.TrimSpace(status), "the status region announces the count")
	outside, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.querySelector('#lang-links a[hreflang="de"]').getAttribute('href'),
		document.querySelector('#zone-form input[name="location"]')?.value ?? ""]`))
	require.NoError(t, err)
	require.Equal(t, []string{"/events?lang=de&location=ember-lounge", "ember-lounge"}, outside, "language links and zone form keep the filter")

	// Tabbing on to the submit button passes every control of the form,
	// each of which must show a focus ring.
	var noRing []string
	tabTo(t, ctx, `#event-filters button[type="submit"]`, &noRing)
	require.Empty(t, noRing, "focus stops in the filter form without a visible ring")
	before = historyLength()
	require.NoError(t, chromedp.Do(ctx,
		markList,
		chromedp.KeyEvent(kb.Enter),
		chromedp.Poll[void](newList),
	))
	require.Equal(t, before+1, historyLength(), "a submitted search is a history entry")
	address, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`))
	require.NoError(t, err)
	require.Equal(t, "?location=ember-lounge", address)

	tabTo(t, ctx, `#pager-next`, nil)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Enter),
		chromedp.Poll[void](`location.search === "?location=ember-lounge&page=2" && document.activeElement.id === "event-list-title"`),
		// The swap scrolls the heading to the top (smoothly, if motion is
		// fine): in the viewport, and not under the sticky header.
		chromedp.Poll[void](`(h => (r => r.top >= 0 && r.bottom <= innerHeight
			&& h.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)))(h.getBoundingClientRect()))(document.activeElement)`),
	))
	heading, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(h => [h.tagName, h.textContent, String(h.matches(':focus-visible')), getComputedStyle(h).outlineStyle,
		document.querySelector('#event-status').textContent, document.querySelector('#lang-links a[hreflang="de"]').getAttribute('href')])(document.activeElement)`))
	require.NoError(t, err)
	require.Equal(t, "H2", heading[0])
	require.Regexp(t, `^\d+ events · page 2 of \d+$`, heading[1])
	require.Equal(t, []string{"true", "solid"}, heading[2:4], "the heading shows that it has focus")
	require.Empty(t, heading[4], "after a pager click, the focused heading speaks, not the status region")
	require.Equal(t, "/events?lang=de&location=ember-lounge&page=2", heading[5])

	require.NoError(t, chromedp.Do(ctx,
		chromedp.NavigateBack(),
		chromedp.Poll[void](`location.search === "?location=ember-lounge" && !!document.querySelector('#event-list .event-card')
			&& document.querySelector('.pager__status').textContent.startsWith("Page 1 of")`),
		chromedp.Poll[void](onlyEmber),
	))
}

// tabTo presses Tab until the focused element matches sel. With noRing, it
// also notes each stop inside the filter form that shows no focus ring (an
// outline of at least 2px; a date input's calendar button counts as its
// input, which keeps its ring while focus is anywhere inside it).
func tabTo(t *testing.T, ctx context.Context, sel string, noRing *[]string) {
	t.Helper()
	for range 200 {
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
		stop, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(e => [String(e.matches(`+strconv.Quote(sel)+`)),
			e.closest('#event-filters') ? e.outerHTML.slice(0, 80) : "",
			(s => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? "ring" : "")(getComputedStyle(e))])(document.activeElement)`))
		require.NoError(t, err)
		if noRing != nil && stop[1] != "" && stop[2] != "ring" {
			*noRing = append(*noRing, stop[1])
		}
		if stop[0] == "true" {
			return
		}
	}
	t.Fatalf("Tab never reached %s", sel)
}
