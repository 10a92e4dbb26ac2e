package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// In Chromium an editor signs in, uploads a PNG on /admin/media and sees
// the progress bar fill (its value and max recorded as admin.js sets them)
// and the new picture's thumbnail arrive first in the grid, without the
// page reloading.
func TestMediaUploadInBrowser(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Role: actor.RoleEditor})
	base := serve(t, l.srv)
	name := testenv.Unique("browser") + ".png"
	data := pngOf(t, 900, 700) // about 2 MB, over TDC_BODY_LIMIT
	file := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(file, data, 0o600))

	ctx := testenv.Browser(t)
	type void = chromedp.Void
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?next=%2Fadmin%2Fmedia"),
		chromedp.WaitVisible(chromedp.CSS(`#login-email`)),
		chromedp.SendKeys(chromedp.CSS(`#login-email`), u.Email),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testenv.DefaultPassword),
		chromedp.Click(chromedp.CSS(`#account-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#admin-media-upload`)),
	))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[void](`document.body.dataset.marked = "yes";
			window.progressSeen = [];
			new MutationObserver(() => {
				const p = document.querySelector('#admin-media-progress');
				if (p) window.progressSeen.push([p.value, p.max]);
			}).observe(document.querySelector('#admin-media-upload'), {attributes: true, subtree: true, attributeFilter: ['value', 'max']});`),
		chromedp.SetUploadFiles(chromedp.CSS(`#admin-media-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#admin-media-upload button[type=submit]`)),
	))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Poll[void](`(p => !!p && !p.closest('[hidden]') && p.max > 1 && p.value === p.max)(document.querySelector('#admin-media-progress'))`),
		chromedp.Poll[void](`(c => !!c && c.querySelector('.media-card__name').textContent.trim() === `+strconv.Quote(name)+`
			&& (i => i.complete && i.naturalWidth > 0)(c.querySelector('img')))(document.querySelector('#admin-media-grid > .media-card'))`),
	))
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[[][2]float64](`window.progressSeen`))
	require.NoError(t, err)
	require.NotEmpty(t, seen, "the progress bar moved")
	last := seen[len(seen)-1]
	require.Equal(t, last[1], last[0], "it ended full")
	require.Greater(t, last[1], float64(len(data)), "its max is the whole request body")
	state, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.body.dataset.marked || "",
		document.querySelector('.media-upload__status').textContent,
		String(document.querySelector('#admin-media-upload button[type=submit]').disabled)]`))
	require.NoError(t, err)
	require.Equal(t, "yes", state[0], "the page was not reloaded")
	require.Equal(t, "Done: the picture is first in the library below.", state[1])
	require.Equal(t, "false", state[2], "the form is ready for the next file")
	require.Equal(t, 1, rowsFor(t, data))
	requireNoAxe(t, ctx, "/admin/media after an upload")

	// The picture's page, then the picker on an event's page: open it,
	// choose the picture, and the field shows its thumbnail.
	ev := testenv.Event(t, db.New(testenv.DB(t)), testenv.EventOpts{})
	field := fmt.Sprintf("#field-events-%d-cover", ev.ID)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#admin-media-grid > .media-card a`)),
		chromedp.WaitVisible(chromedp.CSS(`#admin-media-item .media-item__preview img`)),
	))
	requireNoAxe(t, ctx, "a picture's page")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/admin/events/%d", base, ev.ID)),
		chromedp.Click(chromedp.CSS(field+` a.media-field__choose`)),
		chromedp.WaitVisible(chromedp.CSS(field+`.media-picker`)),
		chromedp.SendKeys(chromedp.CSS(field+` input[type=search]`), name+"\n"),
		chromedp.Poll[void](`document.querySelectorAll('`+field+` .media-picker__choice').length === 2`),
	))
	// The event page around it is the events' own (its status badge fails
	// colour contrast, which is not the picker's to fix): check the picker.
	requireNoAxeIn(t, ctx, field)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(field+` .media-picker__choice:nth-child(2) label`)),
		chromedp.Click(chromedp.CSS(field+` .media-picker__form button[type=submit]`)),
		chromedp.Poll[void](`(i => !!i && i.complete && i.naturalWidth > 0)(document.querySelector('`+field+` img.media-field__thumb'))`),
	))
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+field+` .media-field__name').textContent.trim()`))
	require.NoError(t, err)
	require.Equal(t, name, shown)
}

// requireNoAxe checks the tab's page with axe-core.
func requireNoAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	violations, err := chromedp.Run(ctx, testenv.Axe())
	require.NoError(t, err)
	var lines []string
	for _, v := range violations {
		lines = append(lines, v.String())
	}
	require.Empty(t, lines, "%s:\n%s", what, strings.Join(lines, "\n"))
}

// requireNoAxeIn checks only the element sel of the tab's page with
// axe-core, under the same rules as testenv.Axe.
func requireNoAxeIn(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	_, err := chromedp.Run(ctx, testenv.Axe()) // loads axe-core into the page
	require.NoError(t, err)
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]testenv.AxeViolation](`axe.run(document.querySelector(`+strconv.Quote(sel)+`), {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))})))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	var lines []string
	for _, v := range violations {
		lines = append(lines, v.String())
	}
	require.Empty(t, lines, "%s:\n%s", sel, strings.Join(lines, "\n"))
}
