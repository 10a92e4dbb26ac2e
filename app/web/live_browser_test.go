package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// A visitor's open pages follow the club without a reload: an editor in
// another browser renames an event, and the visitor's event page shows the
// new title; DJ software pushes a track, and the venue page in another tab
// shows it. Each page keeps a mark set before the change, so a reload
// would show.
func TestLivePagesInBrowser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	// The rows first: the live machinery's show clock reads the programme
	// index at once, and rows inserted by hand are published by no one.
	editor := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Published: true, Title: "Velvet Orbit"})
	venue, token := pushVenue(t)
	hub := runLive(t, srv)
	base := serve(t, srv)
	// connected waits for at least n sockets: on a loaded machine a page
	// may be between a dropped socket and its reconnect, which resyncs it.
	connected := func(n int) {
		t.Helper()
		if !assert.Eventually(t, func() bool { conns, _ := hub.Size(); return conns >= n }, 30*time.Second, 20*time.Millisecond) {
			conns, _ := hub.Size()
			t.Fatalf("%d sockets open, want %d", conns, n)
		}
	}
	type void = chromedp.Void
	const mark = `window.tdcMark = "kept"`
	const marked = `window.tdcMark === "kept"`

	visitor := testenv.BrowserWithin(t, 3*time.Minute)
	testenv.Journal(t, visitor, "visitor")
	require.NoError(t, chromedp.Do(visitor,
		chromedp.Navigate(base+"/events/"+ev.Slug+"?lang=en"),
		chromedp.WaitReady(chromedp.CSS("#live-socket")),
		chromedp.Evaluate[void](mark),
	))
	connected(1)

	staff := testenv.BrowserWithin(t, 3*time.Minute)
	testenv.Journal(t, staff, "staff")
	field := fmt.Sprintf("#field-events-%d-title-en", ev.ID)
	require.NoError(t, chromedp.Do(staff,
		signIn(base, editor.Email, "/admin/events/"+fmt.Sprint(ev.ID)),
		chromedp.Click(chromedp.CSS(field+" a.field__value")),
		chromedp.WaitVisible(chromedp.CSS(field+"-input")),
		chromedp.SetValue(chromedp.CSS(field+"-input"), "Velvet Orbit Reprise"),
		chromedp.SendKeys(chromedp.CSS(field+"-input"), kb.Enter),
		chromedp.Poll[void](`document.querySelector('`+field+` a.field__value')?.textContent.startsWith("Velvet Orbit Reprise")`),
	))

	title := fmt.Sprintf("#live-event-%d-title", ev.ID)
	require.NoError(t, chromedp.Do(visitor,
		chromedp.Poll[void](`document.querySelector('`+title+`').textContent.includes("Velvet Orbit Reprise") && `+marked),
	), "the visitor's event page shows the new title without a reload")

	// The venue page, in a second tab of the visitor's browser.
	tab := testenv.Tab(t, visitor)
	testenv.Journal(t, tab, "venue tab")
	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+"/locations/"+venue+"?lang=en"),
		chromedp.WaitReady(chromedp.CSS("#now-playing-"+venue)),
		chromedp.Evaluate[void](mark),
	))
	connected(3) // the staff's admin page follows its event too
	res, answer := push(t, srv, venue, token, "application/json", `{"artist":"Nyx Calloway","title":"Tidal <Lights>"}`)
	require.Equal(t, http.StatusOK, res.StatusCode, answer.Error)
	require.NoError(t, chromedp.Do(tab,
		chromedp.Poll[void](`document.querySelector('#now-playing-`+venue+`').textContent.includes("Tidal <Lights>") && `+
			`document.querySelector('#recently-played-`+venue+`') !== null && `+marked),
	), "the venue page shows the pushed track without a reload")
}

// Every live page opens its socket however late the socket's script
// arrives. The scripts are deferred, and htmx starts at the first free
// moment after it runs: when hx-ws came later than that, htmx had already
// passed over the page's socket element, and the page never opened its
// socket (a flake of the browser tests on a loaded machine, a page that
// stayed still on a slow network). Each tab holds the extension back.
func TestLiveSocketsOpenWhenTheirScriptIsLate(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	editor := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleEditor})
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Published: true, Title: "Slow Tide"})
	venue, _ := pushVenue(t) // before runLive, as in TestLivePagesInBrowser
	hub := runLive(t, srv)
	base := serve(t, srv)
	browser := testenv.BrowserWithin(t, 2*time.Minute)

	pages := []struct {
		name  string
		steps []chromedp.Action[chromedp.Void]
	}{
		{"programme", []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/events?lang=en")}},
		{"screen", []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/screens/" + venue + "?lang=en")}},
		{"back office", []chromedp.Action[chromedp.Void]{
			signIn(base, editor.Email, "/admin/events/"+fmt.Sprint(ev.ID)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#field-events-%d-title-en", ev.ID))),
		}},
	}
	for i, p := range pages {
		tab := testenv.Tab(t, browser)
		testenv.Journal(t, tab, p.name)
		testenv.HoldBack(t, tab, "*/hx-ws.*", 700*time.Millisecond)
		require.NoError(t, chromedp.Do(tab, append(p.steps, chromedp.WaitReady(chromedp.CSS("#live-socket")))...), p.name)
		// Each page stays open in its tab: one more socket for each.
		if !assert.Eventually(t, func() bool { conns, _ := hub.Size(); return conns == i+1 }, 10*time.Second, 20*time.Millisecond) {
			conns, _ := hub.Size()
			t.Fatalf("the %s page opened no socket: %d open, want %d", p.name, conns, i+1)
		}
	}
}
