package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/testenv"
)

// settled holds once htmx has finished a swap (no request, swap or settle
// classes left) and the list is no longer dimmed, so axe does not measure
// colours halfway through a transition.
const settled = `!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')
	&& getComputedStyle(document.querySelector('#event-list')).opacity === '1'`

// Every public page passes axe-core (WCAG 2.0 and 2.1, A and AA, and best
// practices) in both languages at phone and desktop widths, and so does the
// programme after a filter swap and after a pager swap. One Chromium serves
// all of it, a few tabs at a time.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	base := serve(t, srv)
	s := findSlugs(t)
	// The checks take about a minute of CPU time, half a minute on an idle
	// two-core machine; the deadline leaves room for a busy one.
	browser := testenv.BrowserWithin(t, 3*time.Minute)

	pages := []struct {
		path   string
		status int
	}{
		{"/", http.StatusOK},
		{"/events", http.StatusOK},
		{"/events/" + s.event, http.StatusOK},
		{"/locations", http.StatusOK},
		{"/locations/main-cave", http.StatusOK},
		{"/artists", http.StatusOK},
		{"/artists/" + s.artist, http.StatusOK},
		{"/blog", http.StatusOK},
		{"/blog/category/" + s.category, http.StatusOK},
		{"/blog/" + s.post, http.StatusOK},
		{"/no-such-page", http.StatusNotFound},
		{"/events?from=someday", http.StatusBadRequest},
	}

	// A job checks one page (or the programme's swaps) in one tab, at
	// both widths, and returns what failed, each line naming the page.
	type job func(ctx context.Context) []string
	var jobs []job
	for _, lang := range []string{"en", "de"} {
		for _, p := range pages {
			url := base + p.path + sep(p.path) + "lang=" + lang
			name := lang + " " + p.path
			jobs = append(jobs, func(ctx context.Context) []string {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
					return []string{name + ": " + err.Error()}
				}
				res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
				if err != nil {
					return []string{name + ": " + err.Error()}
				}
				if int(res.Status) != p.status {
					return []string{fmt.Sprintf("%s: status %d, want %d", name, res.Status, p.status)}
				}
				return axeAtWidths(ctx, name)
			})
		}
		name := lang + " /events"
		jobs = append(jobs, func(ctx context.Context) []string {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(base+"/events?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS(`#event-list .event-card`)),
				chromedp.SetValue(chromedp.CSS(`#f-location`), "ember-lounge"),
				chromedp.Evaluate[chromedp.Void](`document.querySelector('#f-location').dispatchEvent(new Event('change', {bubbles: true}))`),
				chromedp.Poll[chromedp.Void](`location.search === "?location=ember-lounge"
					&& document.querySelector('#event-status').textContent.trim() !== '' && `+settled),
			)
			if err != nil {
				return []string{name + " after a filter swap: " + err.Error()}
			}
			failed := axeAtWidths(ctx, name+" after a filter swap")
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`#pager-next`)),
				chromedp.Poll[chromedp.Void](`location.search.includes("page=2")
					&& document.activeElement.id === 'event-list-title' && `+settled),
			)
			if err != nil {
				return append(failed, name+" after a pager swap: "+err.Error())
			}
			return append(failed, axeAtWidths(ctx, name+" after a pager swap")...)
		})
	}

	// Three tabs keep a two-core machine busy without making each page
	// wait for the others.
	work := make(chan job)
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
	)
	for range 3 {
		tab := testenv.Tab(t, browser)
		require.NoError(t, chromedp.Do(tab, testenv.AxeOnEveryPage(), testenv.ReduceMotion()))
		wg.Go(func() {
			for j := range work {
				out := j(tab)
				mu.Lock()
				failed = append(failed, out...)
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	slices.Sort(failed)
	require.Empty(t, failed, "axe-core found problems:\n%s", strings.Join(failed, "\n"))
}

// axeAtWidths runs axe-core over the tab's document at desktop and at
// phone width (resizing a loaded page instead of loading it twice), and
// describes each violation.
func axeAtWidths(ctx context.Context, name string) []string {
	var out []string
	for _, w := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		at := name + " (" + w.name + ")"
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(w.width, w.height),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`innerWidth === %d`, w.width)),
		)
		if err != nil {
			out = append(out, at+": "+err.Error())
			continue
		}
		violations, err := chromedp.Run(ctx, testenv.Axe())
		if err != nil {
			out = append(out, at+": "+err.Error())
			continue
		}
		for _, v := range violations {
			out = append(out, at+": "+v.String())
		}
	}
	return out
}

// sep is the character that adds a parameter to path's query.
func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}
