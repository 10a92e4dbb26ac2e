package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/testenv"
)

// In a real browser: a wrong password is answered inline (htmx swaps the
// 422 form), the right one signs in, the cached artist page loads the
// account menu and the follow button as fragments, and the button follows
// (POST) and unfollows (DELETE with the token in a header).
func TestAccountInBrowser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t), DisplayName: "Browser Bea"})
	base := serve(t, srv)
	ctx := testenv.Browser(t)
	type void = chromedp.Void
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?lang=en&next=/artists/luma-vesper"),
		chromedp.WaitVisible(chromedp.CSS(`#login-email`)),
		// htmx is at work once it has swapped the menu placeholder.
		chromedp.Poll[void](`!!document.querySelector('#account-menu') && !document.querySelector('#account-menu[hx-get]')`),
		chromedp.Evaluate[void](`document.body.dataset.marked = "yes"`),
		chromedp.SetValue(chromedp.CSS(`#login-email`), u.Email),
		chromedp.SetValue(chromedp.CSS(`#login-password`), "not the password"),
		chromedp.Click(chromedp.CSS(`#account-login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#account-login .alert--error`)),
	))
	marked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.marked || ""`))
	require.NoError(t, err)
	require.Equal(t, "yes", marked, "the form was swapped, not the page")
	email, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#login-email').value`))
	require.NoError(t, err)
	require.Equal(t, u.Email, email, "what was typed is kept")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#login-password`), testenv.DefaultPassword),
		chromedp.Click(chromedp.CSS(`#account-login button[type=submit]`)),
		// htmx follows HX-Redirect with a navigation; an evaluation running
		// across it fails, so wait for an element of the next page first.
		chromedp.WaitVisible(chromedp.CSS(`#follow-button-artist-luma-vesper button`)),
		chromedp.Poll[void](`location.pathname === "/artists/luma-vesper"`),
		chromedp.Poll[void](`(document.querySelector('#account-menu .account-menu__name') || {}).textContent === "Browser Bea"`),
		chromedp.WaitVisible(chromedp.CSS(`#follow-button-artist-luma-vesper button[aria-pressed="false"]`)),
		chromedp.Click(chromedp.CSS(`#follow-button-artist-luma-vesper button`)),
		chromedp.WaitVisible(chromedp.CSS(`#follow-button-artist-luma-vesper button[aria-pressed="true"]`)),
		chromedp.Click(chromedp.CSS(`#follow-button-artist-luma-vesper button`)),
		chromedp.WaitVisible(chromedp.CSS(`#follow-button-artist-luma-vesper button[aria-pressed="false"]`)),
	))
	f, err := srv.Accounts.Follows(t.Context(), u.ID, "en")
	require.NoError(t, err)
	require.Empty(t, f.Artists, "followed, then unfollowed")

	// The account pages pass axe-core, signed in and (below) out, with
	// the follow buttons and an error on a form.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.CSS(`#account-profile`)),
		chromedp.SetValue(chromedp.CSS(`#password-current`), "wrong"),
		chromedp.Click(chromedp.CSS(`#account-password button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#password-current-error`)),
	))
	violations, err := chromedp.Run(ctx, testenv.Axe())
	require.NoError(t, err)
	require.Empty(t, violations, "/account: %v", violations)

	// Sign out from the menu: a plain form with the token.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#account-menu .account-menu__signout`)),
		chromedp.WaitReady(chromedp.CSS(`#next-events`)),
		chromedp.Poll[void](`location.pathname === "/" && !!document.querySelector('#account-menu a[href^="/login"]') && !document.querySelector('#account-menu form')`),
	))
	for _, page := range []string{"/signup", "/reset", "/login?done=reset"} {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+page),
			chromedp.WaitVisible(chromedp.CSS(`.account-card`)),
			chromedp.Poll[void](`!document.querySelector('#account-menu[hx-get]')`),
		))
		violations, err := chromedp.Run(ctx, testenv.Axe())
		require.NoError(t, err)
		require.Empty(t, violations, "%s: %v", page, violations)
	}
}
