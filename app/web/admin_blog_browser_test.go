package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// In a real browser: a post's body opens for editing in place, the preview
// beside it follows the typing, the save swaps the field back and grows
// the history; a flag switches in place. And the back office's blog,
// users and settings pages pass axe-core.
func TestAdminOfficeInBrowser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	u := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleAdmin, DisplayName: "Browser admin"})
	id, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft", Texts: map[string]testenv.PostText{"en": {Title: "In the browser", Body: "Start"}}})
	base := serve(t, srv)
	ctx := testenv.BrowserWithin(t, 3*time.Minute) // 14 pages checked by axe: a busy machine needs more than a minute
	type void = chromedp.Void
	page := fmt.Sprintf("/admin/blog/%d", id)
	field := fmt.Sprintf("#field-posts-%d-body-en", id)

	require.NoError(t, chromedp.Do(ctx,
		testenv.ReduceMotion(),
		chromedp.Navigate(base+"/login?lang=en&next="+url.QueryEscape(page)),
		chromedp.WaitVisible(chromedp.CSS(`#login-email`)),
		chromedp.SetValue(chromedp.CSS(`#login-email`), u.Email),
		chromedp.SetValue(chromedp.CSS(`#login-password`), testenv.DefaultPassword),
		chromedp.Click(chromedp.CSS(`#account-login button[type="submit"]`)),
	))
	// The sign-in goes on to the post's page.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#admin-post`)),
		chromedp.Evaluate[void](`document.body.dataset.marked = "yes"`),
		chromedp.Click(chromedp.CSS(field+` a.field__value`)),
		chromedp.WaitVisible(chromedp.CSS(field+` textarea`)),
		chromedp.SendKeys(chromedp.CSS(field+` textarea`), " and **bold**"),
		chromedp.Poll[void](`document.querySelector('#post-preview-en strong')?.textContent === 'bold'`),
		chromedp.Click(chromedp.CSS(field+` button[type="submit"]`)),
		chromedp.Poll[void](`!!document.querySelector('`+field+` a.field__value')
			&& document.querySelector('#history-post-`+fmt.Sprint(id)+`').textContent.includes('body.en')`),
	))
	marked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.marked || ""`))
	require.NoError(t, err)
	require.Equal(t, "yes", marked, "edited in place, not by loading pages")
	d, err := srv.Blog.AdminGet(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, "Start and **bold**", d.Texts["en"].Body)

	// A flag (of this test's own) switches in place, on and off.
	name := strings.ToLower(testenv.Unique("browser")) + ".enabled"
	require.NoError(t, db.New(sqlDB).FeatureFlagInsert(t.Context(), db.FeatureFlagInsertParams{
		Name: name, Description: "Browser test", UpdatedAt: time.Now().UTC().Truncate(time.Second),
	}))
	flag := "#flag-" + strings.ReplaceAll(name, ".", "-")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/settings?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(flag)),
		chromedp.Evaluate[void](`document.body.dataset.marked = "yes"`),
	))
	for _, want := range []string{"On", "Off"} {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(flag+` button[type="submit"]`)),
			chromedp.Poll[void](`document.querySelector('`+flag+` .badge').textContent.trim() === '`+want+`'
				&& !document.querySelector('.htmx-request')`),
		))
	}
	marked, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.marked || ""`))
	require.NoError(t, err)
	require.Equal(t, "yes", marked)

	var failed []string
	for _, p := range []string{
		page, "/admin/blog", "/admin/blog/new", "/admin/blog/categories",
		"/admin/users", fmt.Sprintf("/admin/users/%d", u.ID), "/admin/settings",
	} {
		for _, lang := range []string{"en", "de"} {
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(base+p+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`#main`))))
			violations, err := chromedp.Run(ctx, testenv.Axe())
			require.NoError(t, err)
			for _, v := range violations {
				failed = append(failed, lang+" "+p+": "+v.String())
			}
		}
	}
	require.Empty(t, failed, "axe-core found problems:\n%s", strings.Join(failed, "\n"))
}
