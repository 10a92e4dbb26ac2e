package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/testenv"
)

// The jobs page lists every job with its status; "Run now" runs one and
// the panel shows its result and error; a job that is running is refused
// with 409; only admins, with the CSRF token, may start one.
func TestAdminJobs(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.MetricsToken = "scrape-token-0123456789"
	srv := testenv.AppWith(t, cfg)
	hold := make(chan struct{})
	require.NoError(t, srv.Jobs.Register(
		jobs.Job{Name: "quick", Every: time.Hour, Run: func(context.Context) error { return nil }},
		jobs.Job{Name: "broken", Every: time.Hour, Run: func(context.Context) error {
			return errors.New(`smtp: <b>"451"</b> later`)
		}},
		jobs.Job{Name: "slow", Every: time.Hour, Run: func(ctx context.Context) error {
			select {
			case <-hold:
			case <-ctx.Done():
			}
			return nil
		}},
	))
	t.Cleanup(func() { close(hold) })
	_, admin := officeSignIn(t, srv, actor.RoleAdmin)

	res := officeReq(t, srv, admin, http.MethodGet, "/admin/jobs", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	require.Equal(t, 3, d.Find("#admin-jobs tbody tr").Length())
	require.Contains(t, d.Find("#job-quick").Text(), "never")
	require.Equal(t, "/admin/jobs", d.Find(`.admin-nav a[aria-current="page"]`).AttrOr("href", ""))

	form := url.Values{"_csrf": {admin.CSRF}}
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/jobs/quick/run", form, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d = officePartial(t, res, "admin-jobs")
	require.Equal(t, "ok", d.Find("#job-quick .job-result").AttrOr("data-result", ""), res.Body)
	require.Contains(t, d.Find("#job-quick").Text(), "run by hand")

	res = officeReq(t, srv, admin, http.MethodPost, "/admin/jobs/broken/run", form, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d = officePartial(t, res, "admin-jobs")
	require.Equal(t, "failed", d.Find("#job-broken .job-result").AttrOr("data-result", ""))
	require.Equal(t, `smtp: <b>"451"</b> later`, d.Find("#job-broken .job-error").Text(), "shown as text")
	require.NotContains(t, res.Body, "<b>")

	// /metrics has the runs and the last success.
	m := get(t, srv, "/metrics", header("Authorization", "Bearer "+cfg.MetricsToken))
	require.Equal(t, http.StatusOK, m.StatusCode)
	require.Contains(t, m.Body, `tdc_job_runs_total{job="quick",result="ok"} 1`)
	require.Contains(t, m.Body, `tdc_job_runs_total{job="broken",result="failed"} 1`)
	require.Contains(t, m.Body, `tdc_job_duration_seconds_count{job="quick"} 1`)
	require.Contains(t, m.Body, `tdc_job_last_success_timestamp_seconds{job="quick"}`)
	require.NotContains(t, m.Body, `tdc_job_last_success_timestamp_seconds{job="broken"}`)

	// Without htmx: 303 back to the page, which says it started.
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/jobs/slow/run", form, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/admin/jobs?started=slow", res.Header.Get("Location"))
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/jobs/slow/run", form, true)
	require.Equal(t, http.StatusConflict, res.StatusCode, res.Body)
	d = officePartial(t, res, "admin-jobs")
	require.Contains(t, d.Find("#admin-jobs [role=status]").Text(), "slow is running already")
	require.Equal(t, "running", d.Find("#job-slow .job-result").AttrOr("data-result", ""))
	require.True(t, d.Find("#job-slow button").Is("[disabled]"))

	res = officeReq(t, srv, admin, http.MethodPost, "/admin/jobs/nope/run", form, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, admin, http.MethodPost, "/admin/jobs/"+strings.Repeat("x", 300)+"/run", form, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	// Forged: no CSRF token.
	noToken := *admin
	noToken.CSRF = ""
	res = officeReq(t, srv, &noToken, http.MethodPost, "/admin/jobs/quick/run", url.Values{}, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		res = officeReq(t, srv, editor, m, "/admin/jobs/quick/run", url.Values{"_csrf": {editor.CSRF}}, true)
		require.Contains(t, []int{http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusNotFound}, res.StatusCode)
	}
	res = officeReq(t, srv, editor, http.MethodPost, "/admin/jobs/quick/run", url.Values{"_csrf": {editor.CSRF}}, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = officeReq(t, srv, editor, http.MethodGet, "/admin/jobs", nil, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}
