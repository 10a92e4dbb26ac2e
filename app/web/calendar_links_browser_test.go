package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/testenv"
)

// Where a page offers both, the "Download (.ics)" link's text sits on the
// same line as the Subscribe button's label, and the link is a full-size
// target: measured in Chromium at a desktop and a phone width.
func TestCalendarLinksAlignedInBrowser(t *testing.T) {
	t.Parallel()
	base := serve(t, testenv.App(t))
	ctx := testenv.Browser(t)
	// offset is how far apart the two texts' vertical centres are, in CSS
	// pixels; height the link's box height.
	const measure = `(() => {
		const mid = el => { const r = document.createRange(); r.selectNodeContents(el); const b = r.getBoundingClientRect(); return b.top + b.height / 2; };
		const file = document.querySelector('.actions .calendar-file'), sub = document.querySelector('.actions .calendar-subscribe');
		return {offset: Math.abs(mid(file) - mid(sub)), height: file.getBoundingClientRect().height};
	})()`
	type box struct {
		Offset float64 `json:"offset"`
		Height float64 `json:"height"`
	}
	for _, width := range []int64{1280, 390} {
		for _, path := range []string{"/events", "/locations/main-cave", "/artists/luma-vesper"} {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(base+path+"?lang=en"),
				chromedp.WaitVisible(chromedp.CSS(`.actions .calendar-file`)),
			), path)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[box](measure))
			require.NoError(t, err, path)
			if width > 400 { // on a phone the link may wrap below the button
				require.LessOrEqual(t, got.Offset, 1.0, "%s at %dpx: the link's text is %.1fpx off the button's", path, width, got.Offset)
			}
			require.GreaterOrEqual(t, got.Height, 24.0, "%s at %dpx: the link is a usable target", path, width)
		}
	}
}
