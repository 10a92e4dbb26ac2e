package web_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// fakeClock gives the page a clock the test sets (window.tdcSetClock, in
// Unix milliseconds) and a Math.random of 0, so the screen's daily reload
// falls in the first minute of its hour.
const fakeClock = `(() => {
  const Real = Date;
  let offset = 0;
  window.tdcSetClock = (ms) => { offset = ms - Real.now(); };
  class Clock extends Real {
    constructor(...args) { if (args.length === 0) super(Real.now() + offset); else super(...args); }
    static now() { return Real.now() + offset; }
  }
  window.Date = Clock;
  Math.random = () => 0;
})();`

// A venue screen reloads itself once a day, at 05:00 club time (plus a
// random minute), to pick up new assets, but only when /healthz answers:
// an offline screen keeps what it shows rather than reload into an error
// page, and tries the next day.
func TestScreenReloadsOnceADay(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	// Before runLive: its show clock reads the programme index at once,
	// and a venue inserted by hand is published by no one.
	loc := testenv.Location(t, db.New(testenv.DB(t)), testenv.LocationOpts{})
	runLive(t, srv)
	base := serve(t, srv)
	zone := testenv.Config(t).ClubZone
	tab := testenv.BrowserWithin(t, 2*time.Minute)
	testenv.Journal(t, tab, "screen")

	// /healthz fails while offline is set, as with the server unreachable.
	var offline, asked atomic.Bool
	testenv.Intercept(t, tab, "*/healthz*", func(id fetch.RequestID) {
		asked.Store(true)
		if offline.Load() {
			_, _ = chromedp.Call(tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonConnectionRefused})
			return
		}
		_, _ = chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	})
	type void = chromedp.Void
	const marked = `window.tdcMark === "kept"`
	require.NoError(t, chromedp.Do(tab,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fakeClock})
			return err
		}),
		chromedp.Navigate(base+"/screens/"+loc.Slug+"?lang=en"),
		chromedp.WaitReady(chromedp.CSS("#screen-clock")),
		chromedp.Evaluate[void](`window.tdcMark = "kept"`),
	))
	at := func(day, hour, minute int) string {
		now := time.Now().In(zone)
		t := time.Date(now.Year(), now.Month(), now.Day()+day, hour, minute, 10, 0, zone)
		return fmt.Sprintf(`window.tdcSetClock(%d)`, t.UnixMilli())
	}
	// waitTicks lets the screen's one-second tick run twice.
	waitTicks := chromedp.Sleep(2200 * time.Millisecond)

	// Before 05:00 nothing happens, and the clock shows the time set.
	require.NoError(t, chromedp.Do(tab, chromedp.Evaluate[void](at(1, 4, 59)), waitTicks,
		chromedp.Poll[void](marked+` && document.getElementById("screen-clock").textContent.includes("04:59")`)))
	require.False(t, asked.Load(), "no reload is tried before 05:00")

	// At 05:00 with the server unreachable: /healthz is asked, and the
	// screen stays as it is.
	offline.Store(true)
	require.NoError(t, chromedp.Do(tab, chromedp.Evaluate[void](at(1, 5, 0)), waitTicks))
	require.True(t, asked.Load(), "the screen asks /healthz at 05:00")
	ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](marked))
	require.NoError(t, err)
	require.True(t, ok, "an offline screen does not reload")

	// The next day at 05:00 the server answers, and the screen reloads.
	offline.Store(false)
	require.NoError(t, chromedp.Do(tab, chromedp.Evaluate[void](at(2, 5, 0))))
	// A poll inside the page would end with the page; ask from outside.
	require.Eventually(t, func() bool {
		fresh, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.tdcMark === undefined && document.getElementById("screen-clock") !== null`))
		return err == nil && fresh
	}, 10*time.Second, 100*time.Millisecond, "the screen reloads once /healthz answers")
}
