package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/facebook/facebooktest"
	"github.com/dreamerscave/tdc/app/gcal/gcaltest"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// syncApp is the app with Google Calendar and Facebook pointed at fakes.
func syncApp(t *testing.T) (*web.Server, *gcaltest.Server, *facebooktest.Server) {
	t.Helper()
	g := gcaltest.New(t, "club@group.calendar.google.com")
	fb := facebooktest.New(t, "4242", "page-token")
	cfg := testenv.Config(t)
	cfg.Sync.GoogleCredentialsFile, cfg.Sync.GoogleCalendarID, cfg.Sync.GoogleAPIURL = g.KeyFile, g.CalendarID, g.URL
	cfg.Sync.FacebookPageID, cfg.Sync.FacebookPageToken, cfg.Sync.FacebookGraphURL = "4242", "page-token", fb.URL
	cfg.Sync.Timeout = 2 * time.Second
	return testenv.AppWith(t, cfg), g, fb
}

// Without credentials both integrations say so, and only admins see it.
func TestAdminIntegrationsUnconfigured(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	_, sess := officeSignIn(t, srv, actor.RoleAdmin)
	res := officeReq(t, srv, sess, http.MethodGet, "/admin/integrations", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	for _, key := range []string{"gcal", "facebook"} {
		require.Contains(t, d.Find("#integration-"+key).Text(), "Not configured", key)
	}
	require.Equal(t, 0, d.Find(`form[action="/admin/integrations/gcal/resync"]`).Length())
	require.Equal(t, "/admin/integrations", d.Find(`.admin-nav a[aria-current="page"]`).AttrOr("href", ""))

	res = officeReq(t, srv, sess, http.MethodPost, "/admin/integrations/gcal/resync", url.Values{}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "queues nothing")
	require.Equal(t, "/admin/integrations?queued=0", res.Header.Get("Location"))

	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	res = officeReq(t, srv, editor, http.MethodGet, "/admin/integrations", nil, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.NotContains(t, officeFull(t, officeReq(t, srv, editor, http.MethodGet, "/admin", nil, false)).Find(".admin-nav").Text(), "Integrations")
}

// The page counts rows, shows the latest errors escaped and linked to
// their events; Retry (with CSRF) queues a failed row again, and bad
// retries change nothing.
func TestAdminIntegrationsRetry(t *testing.T) {
	t.Parallel()
	srv, _, _ := syncApp(t)
	sqlDB := testenv.DB(t)
	q := db.New(sqlDB)
	ev := testenv.Event(t, q, testenv.EventOpts{Published: true, Title: "Broken Sync"})
	_, err := sqlDB.Exec(`INSERT INTO sync_state (integration, entity_kind, entity_id, status, attempts, last_error, revision)
		VALUES ('facebook', 'event', ?, 'failed', 3, '<script>alert(1)</script> graph error 100', 1)`, ev.ID)
	require.NoError(t, err)
	adminUser, admin := officeSignIn(t, srv, actor.RoleAdmin)
	// audited counts the audit entries adminUser has of action on kind.
	audited := func(action, kind string) (n int, ids string) {
		rows, err := sqlDB.Query("SELECT COALESCE(entity_id, 0), COALESCE(detail, '') FROM audit_log WHERE user_id = ? AND action = ? AND entity_kind = ?",
			adminUser.ID, action, kind)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var id int64
			var detail string
			require.NoError(t, rows.Scan(&id, &detail))
			n, ids = n+1, ids+strconv.FormatInt(id, 10)+detail
		}
		require.NoError(t, rows.Err())
		return n, ids
	}

	res := officeReq(t, srv, admin, http.MethodGet, "/admin/integrations", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d := officeFull(t, res)
	panel := d.Find("#integration-facebook")
	require.NotContains(t, panel.Text(), "Not configured")
	failed, err := strconv.Atoi(strings.TrimSpace(panel.Find(".integration__failed").Text()))
	require.NoError(t, err)
	require.GreaterOrEqual(t, failed, 1)
	row := panel.Find(`.integration__problem[data-event="` + strconv.FormatInt(ev.ID, 10) + `"]`)
	require.Equal(t, 1, row.Length(), res.Body)
	require.Equal(t, "/admin/events/"+strconv.FormatInt(ev.ID, 10), row.Find("a").AttrOr("href", ""))
	require.Contains(t, row.Find("code").Text(), "<script>alert(1)</script>", "shown as text")
	require.NotContains(t, res.Body, "<script>alert(1)</script>")
	require.Equal(t, 1, d.Find(`form[action="/admin/integrations/gcal/resync"]`).Length())

	status := func() string {
		var s string
		require.NoError(t, sqlDB.QueryRow("SELECT status FROM sync_state WHERE integration='facebook' AND entity_id=?", ev.ID).Scan(&s))
		return s
	}
	id := strconv.FormatInt(ev.ID, 10)
	noCSRF := *admin
	noCSRF.CSRF = ""
	res = officeReq(t, srv, &noCSRF, http.MethodPost, "/admin/integrations/facebook/retry", url.Values{"event_id": {id}}, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "failed", status())
	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	res = officeReq(t, srv, editor, http.MethodPost, "/admin/integrations/facebook/retry", url.Values{"event_id": {id}}, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "failed", status())
	for _, bad := range []string{"", "abc", "-1", "0", "99999999999999999999999"} {
		res = officeReq(t, srv, admin, http.MethodPost, "/admin/integrations/facebook/retry", url.Values{"event_id": {bad}}, false)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, bad)
	}
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/integrations/twitter/retry", url.Values{"event_id": {id}}, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/integrations/gcal/retry", url.Values{"event_id": {id}}, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode, "no failed calendar row")
	require.Equal(t, "failed", status())

	res = officeReq(t, srv, admin, http.MethodPost, "/admin/integrations/facebook/retry", url.Values{"event_id": {id}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/admin/integrations", res.Header.Get("Location"))
	require.Equal(t, "pending", status())
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/integrations/facebook/retry", url.Values{"event_id": {id}}, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode, "no longer failed")
	n, which := audited("retry", "event")
	require.Equal(t, 1, n, "one entry for the one retry that happened")
	require.True(t, strings.HasPrefix(which, id), which)
	require.Contains(t, which, `"facebook"`)

	// Resync queues every published event for the calendar job.
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/integrations/gcal/resync", url.Values{}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Contains(t, res.Header.Get("Location"), "/admin/integrations?queued=")
	var gstatus string
	require.NoError(t, sqlDB.QueryRow("SELECT status FROM sync_state WHERE integration='google' AND entity_id=?", ev.ID).Scan(&gstatus))
	require.Equal(t, "pending", gstatus)
	n, which = audited("resync", "integration")
	require.Equal(t, 1, n)
	require.Contains(t, which, id, "the entry lists the events queued")
	res = officeReq(t, srv, admin, http.MethodGet, res.Header.Get("Location"), nil, false)
	require.Contains(t, officeFull(t, res).Find(".flash").Text(), "queued for the calendar")
}

// While Google and Facebook hang, the jobs wait out their time-outs and
// the site answers as usual.
func TestSitePagesServedWhileIntegrationsHang(t *testing.T) {
	t.Parallel()
	srv, g, fb := syncApp(t)
	q := db.New(testenv.DB(t))
	r := testenv.Event(t, q, testenv.EventOpts{Title: "Hang Time"})
	d, err := srv.Events.AdminGet(t.Context(), r.ID)
	require.NoError(t, err)
	_, err = srv.Events.Publish(t.Context(), actor.System(), d.ID, d.Version)
	require.NoError(t, err)

	g.Fail(gcaltest.Hang)
	fb.Fail(facebooktest.Hang)
	done := make(chan error, 2)
	go func() { done <- srv.GCal.Sync(t.Context()) }()
	go func() { done <- srv.Facebook.Post(t.Context()) }()
	<-g.Hung()
	<-fb.Hung()
	for _, path := range []string{"/", "/events", "/events/" + d.Slug, "/calendar.ics"} {
		res, err := srv.App.Test(httptest.NewRequest(http.MethodGet, path, nil), fiber.TestConfig{Timeout: 0})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
	}
	for range 2 {
		require.ErrorContains(t, <-done, "did not go through")
	}
}

// A Page token Facebook rejected (code 190) shows on the page; posting
// waits for a new one.
func TestAdminIntegrationsTokenRejected(t *testing.T) {
	t.Parallel()
	// The rejection is the whole integration's state: a database of its own.
	dsn, sqlDB := testenv.ScratchDB(t, "fbtoken")
	fb := facebooktest.New(t, "4242", "page-token")
	cfg := testenv.Config(t)
	cfg.DatabaseDSN = dsn
	cfg.Sync.FacebookPageID, cfg.Sync.FacebookPageToken, cfg.Sync.FacebookGraphURL = "4242", "page-token", fb.URL
	rdb, prefix := testenv.Redis(t)
	cfg.RedisKeyPrefix = prefix
	srv := testenv.Build(t, cfg, sqlDB, rdb, time.Now().UTC())
	r := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Title: "Token Test"})
	d, err := srv.Events.AdminGet(t.Context(), r.ID)
	require.NoError(t, err)
	_, err = srv.Events.Publish(t.Context(), actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	fb.Fail(facebooktest.TokenExpired)
	require.ErrorContains(t, srv.Facebook.Post(t.Context()), "token was rejected")

	u := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleAdmin})
	sess := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	res := officeReq(t, srv, &sess, http.MethodGet, "/admin/integrations", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	panel := officeFull(t, res).Find("#integration-facebook")
	require.Contains(t, panel.Find(`[role="alert"]`).Text(), "Session has expired")
	require.Contains(t, panel.Find(`[role="alert"]`).Text(), "TDC_FACEBOOK_PAGE_TOKEN")
	require.Contains(t, panel.Find(".integration__problem").Text(), "graph error 190")
	require.Empty(t, fb.Posts())
}
