package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
