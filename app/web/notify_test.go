package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/testenv"
)

// oneClick is the POST a mail provider sends for RFC 8058: no cookie, no
// CSRF token, a fixed body.
func oneClick(path string) *http.Request {
	req := (testenv.Session{}).Request(http.MethodPost, path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	return req
}

// The unsubscribe link asks first (a GET changes nothing), and the
// one-click POST works without cookies or CSRF, as mail providers send it.
// Forged, truncated, altered and oversize tokens get a clear 400 and
// change nothing; a token of a deleted user is a 404.
func TestUnsubscribeLink(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	u := testenv.User(t, sqlDB, testenv.UserOpts{Email: address(t)})
	other := testenv.User(t, sqlDB, testenv.UserOpts{Email: address(t)})
	token := srv.Notify.Token(u.ID, notify.KindReminder)
	visitor := testenv.Session{}

	res := visitor.Do(t, srv, visitor.Request(http.MethodGet, "/unsubscribe/"+token, nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	d := doc(t, res.Body)
	require.Equal(t, "/unsubscribe/"+token, d.Find("form").AttrOr("action", ""))
	require.Contains(t, res.Body, "reminders before events")
	p, err := srv.Notify.Prefs(t.Context(), u.ID)
	require.NoError(t, err)
	require.True(t, p.Reminders, "a GET changes nothing")

	last := "a"
	if strings.HasSuffix(token, "a") {
		last = "b"
	}
	forged := token[:len(token)-1] + last
	otherKind := strings.Replace(token, "-reminder-", "-post-", 1)
	otherUser := strings.Replace(token, strconv.FormatInt(u.ID, 10)+"-", strconv.FormatInt(other.ID, 10)+"-", 1)
	for name, bad := range map[string]string{
		"forged": forged, "truncated": token[:len(token)-5], "other kind": otherKind, "other user": otherUser,
		"garbage": "x", "no signature": strconv.FormatInt(u.ID, 10) + "-reminder", "oversize": token + strings.Repeat("a", 200),
		"hostile": "1-reminder-<script>",
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req := visitor.Request(method, "/unsubscribe/"+strings.ReplaceAll(bad, "<", "%3C"), nil)
			if method == http.MethodPost {
				req = oneClick("/unsubscribe/" + strings.ReplaceAll(bad, "<", "%3C"))
			}
			res := visitor.Do(t, srv, req)
			require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s %s", method, name)
			require.Contains(t, res.Body, "not valid", name)
			require.NotContains(t, res.Body, "<script>", name)
		}
	}
	for _, id := range []int64{u.ID, other.ID} {
		p, err := srv.Notify.Prefs(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, notify.Prefs{Reminders: true, LeadMinutes: 60, Announcements: true}, p, "nothing changed")
	}

	res = visitor.Do(t, srv, oneClick("/unsubscribe/"+token))
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Contains(t, res.Body, "Done")
	p, err = srv.Notify.Prefs(t.Context(), u.ID)
	require.NoError(t, err)
	require.Equal(t, notify.Prefs{Reminders: false, LeadMinutes: 60, Announcements: true}, p)
	res = visitor.Do(t, srv, oneClick("/unsubscribe/"+token))
	require.Equal(t, http.StatusOK, res.StatusCode, "twice is fine")

	gone := testenv.User(t, sqlDB, testenv.UserOpts{Email: address(t)})
	goneToken := srv.Notify.Token(gone.ID, notify.KindPost)
	_, err = sqlDB.ExecContext(t.Context(), "DELETE FROM users WHERE id = ?", gone.ID)
	require.NoError(t, err)
	res = visitor.Do(t, srv, oneClick("/unsubscribe/"+goneToken))
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

// /account shows the notification preferences and saves them; a bad lead
// time is a 422 with the message beside the field, and nothing is saved.
func TestAccountNotificationPreferences(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	u := testenv.User(t, sqlDB, testenv.UserOpts{Email: address(t)})
	s := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)

	res := s.Do(t, srv, s.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	d := doc(t, res.Body)
	require.Equal(t, 1, d.Find(`#account-notify input[name="reminders"][checked]`).Length())
	require.Equal(t, 0, d.Find(`#account-notify input[name="posts"][checked]`).Length())
	require.Equal(t, "60", d.Find(`#account-notify input[name="lead_minutes"]`).AttrOr("value", ""))

	for _, lead := range []string{"abc", "3", "99999", "", strings.Repeat("9", 5000)} {
		res = s.Do(t, srv, htmx(s.Request(http.MethodPost, "/account/notifications", form("lead_minutes", lead, "posts", "on"))))
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, lead)
		d = doc(t, res.Body)
		require.Equal(t, "account-notify", d.Find("section").First().AttrOr("id", ""))
		require.Contains(t, d.Find("#notify-lead-error").Text(), "between 5 and 10080")
	}
	p, err := srv.Notify.Prefs(t.Context(), u.ID)
	require.NoError(t, err)
	require.False(t, p.Posts, "nothing saved")

	res = s.Do(t, srv, s.Request(http.MethodPost, "/account/notifications", form("lead_minutes", "30", "posts", "on", "reminders", "on")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	p, err = srv.Notify.Prefs(t.Context(), u.ID)
	require.NoError(t, err)
	require.Equal(t, notify.Prefs{Reminders: true, LeadMinutes: 30, Posts: true}, p)

	// Without the CSRF token: refused, nothing saved.
	noCSRF := s
	noCSRF.CSRF = ""
	res = noCSRF.Do(t, srv, noCSRF.Request(http.MethodPost, "/account/notifications", form("lead_minutes", "45")))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	// Signed out: sent to sign in.
	res = (&testenv.Session{}).Do(t, srv, (testenv.Session{}).Request(http.MethodPost, "/account/notifications", form("lead_minutes", "45")))
	require.NotEqual(t, http.StatusSeeOther, res.StatusCode)
	p, err = srv.Notify.Prefs(t.Context(), u.ID)
	require.NoError(t, err)
	require.Equal(t, 30, p.LeadMinutes)
}

// /admin/notifications shows the queue to admins, with a retry button on
// each failed row; others may not see it or retry.
func TestAdminNotifications(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	to := address(t)
	r, err := sqlDB.ExecContext(t.Context(), `INSERT INTO notification_queue (kind, dedupe_key, to_address, payload, status, attempts, last_error)
		VALUES ('post', ?, ?, '{}', 'failed', 8, '554 <b>rejected</b>')`, testenv.Unique("failed"), to)
	require.NoError(t, err)
	id, err := r.LastInsertId()
	require.NoError(t, err)
	admin := testenv.User(t, sqlDB, testenv.UserOpts{Email: address(t), Role: actor.RoleAdmin})
	editor := testenv.User(t, sqlDB, testenv.UserOpts{Email: address(t), Role: actor.RoleEditor})
	as := testenv.SignIn(t, srv, admin.Email, testenv.DefaultPassword)
	es := testenv.SignIn(t, srv, editor.Email, testenv.DefaultPassword)

	res := as.Do(t, srv, as.Request(http.MethodGet, "/admin/notifications", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	d := doc(t, res.Body)
	row := d.Find("#notification-" + strconv.FormatInt(id, 10))
	require.Contains(t, row.Text(), to)
	require.Contains(t, row.Text(), "554 <b>rejected</b>", "the error is shown as text")
	require.Equal(t, "/admin/notifications/"+strconv.FormatInt(id, 10)+"/retry", row.Find("form").AttrOr("action", ""))
	require.Positive(t, d.Find(`a[href="/admin/notifications"]`).Length(), "in the admin nav")

	path := "/admin/notifications/" + strconv.FormatInt(id, 10) + "/retry"
	res = es.Do(t, srv, es.Request(http.MethodGet, "/admin/notifications", nil))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = es.Do(t, srv, es.Request(http.MethodPost, path, nil))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	noCSRF := as
	noCSRF.CSRF = ""
	res = noCSRF.Do(t, srv, noCSRF.Request(http.MethodPost, path, nil))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	var status string
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT status FROM notification_queue WHERE id = ?", id).Scan(&status))
	require.Equal(t, "failed", status)

	res = as.Do(t, srv, as.Request(http.MethodPost, path, nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT status FROM notification_queue WHERE id = ?", id).Scan(&status))
	require.Equal(t, "pending", status)
	res = as.Do(t, srv, as.Request(http.MethodPost, path, nil))
	require.Equal(t, http.StatusNotFound, res.StatusCode, "only a failed row can be retried")
	res = as.Do(t, srv, as.Request(http.MethodPost, "/admin/notifications/999999999/retry", nil))
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	var entries int
	var who int64
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), `SELECT COUNT(*), COALESCE(MAX(user_id), 0) FROM audit_log
		WHERE action = 'retry' AND entity_kind = 'notification' AND entity_id = ?`, id).Scan(&entries, &who))
	require.Equal(t, 1, entries, "the retry is audited, the refused ones are not")
	require.Equal(t, admin.ID, who)
}
