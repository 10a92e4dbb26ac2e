package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// An editor signs in, edits an event's title in place, is told why an
// empty title cannot be saved, cancels an edit with Escape, saves a good
// title, and the public page shows it: the save reached every instance's
// page cache through the change it published.
// signIn signs in through the login form as email, with the password
// testenv gives every user, and goes on to next.
func signIn(base, email, next string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login?lang=en&next="+url.QueryEscape(next)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testenv.DefaultPassword),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
}

func TestEditorEditsTitleInBrowser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	followChanges(t, srv)

	editor := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Published: true, Title: "Neon Tide"})
	base := serve(t, srv)
	public := base + "/events/" + ev.Slug + "?lang=en"
	// The public page is cached with the old title first.
	require.Contains(t, get(t, srv, "/events/"+ev.Slug+"?lang=en").Body, "Neon Tide")

	ctx := testenv.Browser(t)
	type void = chromedp.Void
	field := fmt.Sprintf("#field-events-%d-title-en", ev.ID)
	input := field + "-input"
	require.NoError(t, chromedp.Do(ctx,
		signIn(base, editor.Email, "/admin/events/"+fmt.Sprint(ev.ID)),
		chromedp.WaitVisible(chromedp.CSS(field+" a.field__value")),

		// Escape cancels an edit and brings the shown value back.
		chromedp.Click(chromedp.CSS(field+" a.field__value")),
		chromedp.WaitVisible(chromedp.CSS(input)),
		chromedp.SendKeys(chromedp.CSS(input), " and more"),
		chromedp.SendKeys(chromedp.CSS(input), kb.Escape),
		chromedp.WaitVisible(chromedp.CSS(field+" a.field__value")),
		chromedp.Poll[void](`document.querySelector('`+field+` a.field__value').textContent.startsWith("Neon Tide")`),

		// A title of blanks passes the browser's own check but not the
		// service's: the message appears beside the field, in place.
		chromedp.Click(chromedp.CSS(field+" a.field__value")),
		chromedp.WaitVisible(chromedp.CSS(input)),
		chromedp.SetValue(chromedp.CSS(input), "   "),
		chromedp.SendKeys(chromedp.CSS(input), kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(field+" .field__error")),
	))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(field+" .field__error")))
	require.NoError(t, err)
	require.NotEmpty(t, strings.TrimSpace(msg))
	invalid, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+input+`').getAttribute('aria-invalid') || ""`))
	require.NoError(t, err)
	require.Equal(t, "true", invalid)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(input), "Neon Tide Revival"),
		chromedp.SendKeys(chromedp.CSS(input), kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(field+" a.field__value")),
		chromedp.Poll[void](`document.querySelector('`+field+` a.field__value').textContent.startsWith("Neon Tide Revival")`),
		// The history grew out of band with the change.
		chromedp.Poll[void](`document.querySelector('#history-event-`+fmt.Sprint(ev.ID)+`').textContent.includes("Neon Tide Revival")`),
	))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(public),
		chromedp.Poll[void](`document.querySelector('h1') && document.querySelector('h1').textContent.includes("Neon Tide Revival")`),
	))
}
