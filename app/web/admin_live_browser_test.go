package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// Two editors on the same event. B saves the title: A's page shows it
// without a reload. A opens the description and types; B saves the
// summary: it shows, and A's editor is left alone; B saves the
// description: A is told, and keeps what A typed. A's save then shows both
// values (the 409 form), and A's text can be reapplied over B's.
func TestAdminLiveInBrowser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	hub := runLive(t, srv)

	a := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	b := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Title: "Amber Drift"})
	base := serve(t, srv)
	type void = chromedp.Void
	const mark = `window.tdcMark = "kept"`
	const marked = `window.tdcMark === "kept"`
	title := fmt.Sprintf("#field-events-%d-title-en", ev.ID)
	desc := fmt.Sprintf("#field-events-%d-description-en", ev.ID)
	summary := fmt.Sprintf("#field-events-%d-summary-en", ev.ID)

	// B saves through HTTP with a session of B's own, over the version
	// stored now, as B's open page would.
	sessB := testenv.SignIn(t, srv, b.Email, testenv.DefaultPassword)
	saveB := func(field, value string) {
		t.Helper()
		d, err := srv.Events.AdminGet(t.Context(), ev.ID)
		require.NoError(t, err)
		form := url.Values{"value": {value}, "version": {strconv.Itoa(int(d.Version))}}
		req := htmx(sessB.Request(http.MethodPatch, fmt.Sprintf("/admin/events/%d/fields/%s", ev.ID, field), strings.NewReader(form.Encode())))
		res := sessB.Do(t, srv, req)
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	}

	browserA := testenv.BrowserWithin(t, 3*time.Minute)
	testenv.Journal(t, browserA, "A")
	require.NoError(t, chromedp.Do(browserA,
		signIn(base, a.Email, "/admin/events/"+fmt.Sprint(ev.ID)),
		chromedp.WaitVisible(chromedp.CSS(title+" a.field__value")),
		chromedp.WaitReady(chromedp.CSS("#live-socket")),
		chromedp.Evaluate[void](mark),
	))
	// Not needed for correctness (a socket that connects late gets the
	// marker at the current version and refreshes), but a page that never
	// connects should fail here, not at a poll further down.
	if !assert.Eventually(t, func() bool { conns, _ := hub.Size(); return conns == 1 }, time.Minute, 20*time.Millisecond, "A's page follows the event") {
		state, _ := chromedp.Run(browserA, chromedp.Evaluate[string](`location.href + " " + document.visibilityState`))
		t.Fatalf("no socket from %s", state)
	}

	saveB("title.en", "Amber Drift Returns")
	require.NoError(t, chromedp.Do(browserA,
		chromedp.Poll[void](`document.querySelector('`+title+` a.field__value')?.textContent.startsWith("Amber Drift Returns") && `+
			`document.querySelector('h1').textContent.includes("Amber Drift Returns") && `+marked),
	), "A's page shows B's title without a reload")

	const mine = "Doors at eight, bring a lantern."
	require.NoError(t, chromedp.Do(browserA,
		chromedp.Click(chromedp.CSS(desc+" a.field__value")),
		chromedp.WaitVisible(chromedp.CSS(desc+"-input")),
		chromedp.SendKeys(chromedp.CSS(desc+"-input"), mine),
	))
	// Another field of the row changes: it is swapped in, and the field
	// being edited is left alone, without a notice (its value did not
	// move, so A's save will go through over the new version).
	saveB("summary.en", "A quiet change elsewhere")
	require.NoError(t, chromedp.Do(browserA,
		chromedp.Poll[void](`document.querySelector('`+summary+` a.field__value')?.textContent.startsWith("A quiet change elsewhere") && `+
			`!document.getElementById("main").hasAttribute("aria-busy") && `+
			`document.querySelector('`+desc+` .field__notice') === null && `+
			`document.querySelector('`+desc+`-input').value === `+strconv.Quote(mine)+` && `+marked),
	), "B's summary shows, A's editor is untouched")

	saveB("description.en", "Theirs: the river stage")
	require.NoError(t, chromedp.Do(browserA,
		chromedp.Poll[void](`document.querySelector('`+desc+` .field__notice')?.textContent.includes("Theirs: the river stage") && `+marked),
	), "A is told of B's description")
	kept, err := chromedp.Run(browserA, chromedp.Evaluate[string](`document.querySelector('`+desc+`-input').value`))
	require.NoError(t, err)
	require.Equal(t, mine, kept, "A's typed text is still in the box")
	notice, err := chromedp.Run(browserA, chromedp.Evaluate[string](`document.querySelector('`+desc+` .field__notice').getAttribute('role')`))
	require.NoError(t, err)
	require.Equal(t, "status", notice, "screen readers hear the notice")

	// A saves: the 409 form shows B's value beside A's, and A's reapplies.
	require.NoError(t, chromedp.Do(browserA,
		chromedp.Click(chromedp.CSS(desc+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(desc+".field--conflict .field__theirs")),
		chromedp.Poll[void](`document.querySelector('`+desc+` .field__theirs').textContent.includes("Theirs: the river stage") && `+
			`document.querySelector('`+desc+`-input').value === `+strconv.Quote(mine)),
		chromedp.Click(chromedp.CSS(desc+` button[type=submit]`)),
		chromedp.Poll[void](`document.querySelector('`+desc+` a.field__value')?.textContent.startsWith(`+strconv.Quote(mine)+`) && `+marked),
	))
	d, err := srv.Events.AdminGet(t.Context(), ev.ID)
	require.NoError(t, err)
	require.Equal(t, mine, d.Texts["en"].Description)
	require.Equal(t, "Amber Drift Returns", d.Texts["en"].Title, "B's title stands")
}
