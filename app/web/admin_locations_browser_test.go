package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// In a real browser, an editor previews a venue's theme while choosing
// colours and saves it, edits a name in place, cancels an edit with
// Escape, and the pages pass axe-core.
func TestAdminLocationInBrowser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	base := serve(t, srv)
	sqlDB := testenv.DB(t)
	loc := testenv.Location(t, db.New(sqlDB), testenv.LocationOpts{Background: "#000000", Surface: "#111111", Text: "#ffffff", Accent: "#ff8800"})
	artist := testenv.Artist(t, db.New(sqlDB), testenv.ArtistOpts{})
	u := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	ctx := testenv.Browser(t)
	type void = chromedp.Void
	page := fmt.Sprintf("/admin/locations/%d", loc.ID)
	name := fmt.Sprintf("#field-locations-%d-name-en", loc.ID)

	require.NoError(t, chromedp.Do(ctx,
		testenv.ReduceMotion(),
		chromedp.Navigate(base+"/login?lang=en&next="+page),
		chromedp.WaitVisible(chromedp.CSS(`#login-email`)),
		chromedp.SetValue(chromedp.CSS(`#login-email`), u.Email),
		chromedp.SetValue(chromedp.CSS(`#login-password`), testenv.DefaultPassword),
		chromedp.Click(chromedp.CSS(`#account-login button[type="submit"]`)),
	))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#admin-location-theme`)),
		chromedp.Poll[void](fmt.Sprintf(`location.pathname === %q`, page)),
	))
	violations, err := chromedp.Run(ctx, testenv.Axe())
	require.NoError(t, err)
	require.Empty(t, violations, "axe-core on the venue's page")

	// The screen's panels are checkboxes: untick two, save, and the
	// field lists what is left by name.
	panels := fmt.Sprintf("#field-locations-%d-screen-panels", loc.ID)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(panels+` a.field__value`)),
		chromedp.WaitVisible(chromedp.CSS(panels+` input[value="qr"]`)),
	))
	violations, err = chromedp.Run(ctx, testenv.Axe())
	require.NoError(t, err)
	require.Empty(t, violations, "axe-core on the open panel choices")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(panels+` input[value="qr"]`)),
		chromedp.Click(chromedp.CSS(panels+` input[value="announcements"]`)),
		chromedp.Click(chromedp.CSS(panels+` button[type="submit"]`)),
		chromedp.Poll[void](fmt.Sprintf(`(document.querySelector('%s a.field__value')?.textContent ?? '').startsWith('Now playing, The show on now, with its lineup, Coming up, Club clock ')`, panels)),
	))
	d, err := srv.Locations.AdminGet(t.Context(), loc.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"now-playing", "current", "next", "clock"}, d.Screen.Panels)

	// The preview follows a colour as it changes, before anything is saved.
	preview := `getComputedStyle(document.querySelector('.theme-preview__page')).backgroundColor`
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](preview))
	require.NoError(t, err)
	require.Equal(t, "rgb(0, 0, 0)", before)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#theme-background`), "#224466"),
		chromedp.Evaluate[void](`document.querySelector('#theme-background').dispatchEvent(new Event('input', {bubbles: true}))`),
		chromedp.Poll[void](preview+` === 'rgb(34, 68, 102)'`),
		chromedp.Click(chromedp.CSS(`#admin-location-theme button[type="submit"]`)),
		chromedp.Poll[void](`!!document.querySelector('#admin-location-theme .alert--success')`),
	))
	d, err = srv.Locations.AdminGet(t.Context(), loc.ID)
	require.NoError(t, err)
	require.Equal(t, "#224466", d.Theme.Background)
	historyEntries := fmt.Sprintf(`document.querySelectorAll('#history-location-%d .history__entry').length`, loc.ID)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](historyEntries))
	require.NoError(t, err)
	require.Equal(t, 2, n, "the history grew out of band (panels, then theme)")

	// A name edited in place: click, type, save; the field swaps back.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(name+` a.field__value`)),
		chromedp.Poll[void](fmt.Sprintf(`document.activeElement === document.querySelector('%s input[name="value"]')`, name)),
		chromedp.SetValue(chromedp.CSS(name+` input[name="value"]`), "Blue <Grotto>"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.Poll[void](fmt.Sprintf(`(document.querySelector('%s a.field__value')?.textContent ?? '').includes('Blue <Grotto>')`, name)),
		chromedp.Poll[void](historyEntries+` === 3`),
	))
	d, err = srv.Locations.AdminGet(t.Context(), loc.ID)
	require.NoError(t, err)
	require.Equal(t, "Blue <Grotto>", d.Texts["en"].Name)

	// Escape leaves an editor as it was.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(name+` a.field__value`)),
		chromedp.Poll[void](fmt.Sprintf(`!!document.querySelector('form%s')`, name)),
		chromedp.KeyEvent(kb.Escape),
		chromedp.Poll[void](fmt.Sprintf(`!document.querySelector('form%s') && !!document.querySelector('%s a.field__value')`, name, name)),
	))

	for _, path := range []string{"/admin/locations", "/admin/locations/new", "/admin/artists", "/admin/artists/new", fmt.Sprintf("/admin/artists/%d", artist.ID)} {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(chromedp.CSS(`#main h1`)),
		))
		violations, err := chromedp.Run(ctx, testenv.Axe())
		require.NoError(t, err)
		var out []string
		for _, v := range violations {
			out = append(out, v.String())
		}
		require.Empty(t, out, "axe-core on %s:\n%s", path, strings.Join(out, "\n"))
	}
}
