package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

const patreonSecret = "web-test-patreon-secret-42"

func patreonApp(t *testing.T) *web.Server {
	t.Helper()
	cfg := testenv.Config(t)
	cfg.PatreonSecret = patreonSecret
	return testenv.AppWith(t, cfg)
}

type patreonAnswer struct {
	OK      bool   `json:"ok"`
	Outcome string `json:"outcome"`
	Error   string `json:"error"`
}

// patreonPost sends body to the webhook with the event and signature
// headers given ("" leaves a header out).
func patreonPost(t *testing.T, srv *web.Server, event, signature string, body []byte) (int, patreonAnswer) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/patreon", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if event != "" {
		req.Header.Set("X-Patreon-Event", event)
	}
	if signature != "" {
		req.Header.Set("X-Patreon-Signature", signature)
	}
	res, err := srv.App.Test(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var a patreonAnswer
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(raw, &a), "%s", raw)
	}
	return res.StatusCode, a
}

// patreonMember is the member's row count and supporter flag.
func patreonMember(t *testing.T, memberID string) (count int, supporter bool) {
	t.Helper()
	require.NoError(t, testenv.DB(t).QueryRowContext(t.Context(),
		"SELECT COUNT(*), COALESCE(MAX(supporter), FALSE) FROM patreon_members WHERE patreon_member_id = ?", memberID).Scan(&count, &supporter))
	return count, supporter
}

func patreonCount(t *testing.T, memberID string) int {
	n, _ := patreonMember(t, memberID)
	return n
}

func patreonSupporter(t *testing.T, memberID string) bool {
	_, s := patreonMember(t, memberID)
	return s
}

// The webhook over HTTP: a signed member is stored (200), a replay changes
// nothing (200, duplicate); bad signatures are 401 with nothing stored;
// malformed JSON 400; test payloads and unknown events 202.
func TestPatreonWebhook(t *testing.T) {
	t.Parallel()
	srv := patreonApp(t)
	m := testenv.PatreonActive("webhook@example.org")
	body := m.Body(t)
	sig := testenv.PatreonSign(patreonSecret, body)

	for name, bad := range map[string]string{
		"missing":   "",
		"wrong":     testenv.PatreonSign("not-the-secret-at-all", body),
		"truncated": sig[:20],
		"non-hex":   strings.Repeat("g", len(sig)),
	} {
		status, a := patreonPost(t, srv, "members:create", bad, body)
		require.Equal(t, http.StatusUnauthorized, status, name)
		require.NotEmpty(t, a.Error, name)
	}
	require.Zero(t, patreonCount(t, m.ID), "nothing stored")

	status, a := patreonPost(t, srv, "members:create", sig, body)
	require.Equal(t, http.StatusOK, status, a.Error)
	require.Equal(t, "applied", a.Outcome)
	require.True(t, patreonSupporter(t, m.ID))

	status, a = patreonPost(t, srv, "members:create", sig, body)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "duplicate", a.Outcome)
	require.Equal(t, 1, patreonCount(t, m.ID))

	// An older state, sent after: acknowledged, not applied.
	older := m
	older.LastChargeDate, older.Status = testenv.Str("2026-10-01T08:00:00.000+00:00"), testenv.Str("declined_patron")
	ob := older.Body(t)
	status, a = patreonPost(t, srv, "members:update", testenv.PatreonSign(patreonSecret, ob), ob)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "stale", a.Outcome)
	require.True(t, patreonSupporter(t, m.ID))

	// The pledge deleted: not a supporter any more.
	status, _ = patreonPost(t, srv, "members:pledge:delete", sig, body)
	require.Equal(t, http.StatusOK, status)
	require.False(t, patreonSupporter(t, m.ID))

	malformed := []byte(`{"data": {"type": "member", "id": "x"`)
	status, a = patreonPost(t, srv, "members:update", testenv.PatreonSign(patreonSecret, malformed), malformed)
	require.Equal(t, http.StatusBadRequest, status)
	require.NotEmpty(t, a.Error)

	test := testenv.PatreonTestBody()
	status, a = patreonPost(t, srv, "members:pledge:create", testenv.PatreonSign(patreonSecret, test), test)
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, "ignored", a.Outcome)

	u := testenv.PatreonActive("unknown-event@example.org")
	ub := u.Body(t)
	status, a = patreonPost(t, srv, "posts:publish", testenv.PatreonSign(patreonSecret, ub), ub)
	require.Equal(t, http.StatusAccepted, status)
	require.Equal(t, "ignored", a.Outcome)
	require.Zero(t, patreonCount(t, u.ID))
}

// A 1 MiB body is refused with 413 before its signature is checked, even
// though it is within TDC_BODY_LIMIT (a larger one the server refuses
// itself, see hardening_test.go).
func TestPatreonWebhookTooLarge(t *testing.T) {
	t.Parallel()
	srv := patreonApp(t)
	for _, size := range []int{1 << 20, 512<<10 + 1} {
		body := []byte(`{"data":{"type":"member","id":"big","attributes":{"note":"` + strings.Repeat("x", size-100) + `"}}}`)
		body = append(body, bytes.Repeat([]byte(" "), size-len(body))...)
		require.Len(t, body, size)
		status, _ := patreonPost(t, srv, "members:update", testenv.PatreonSign(patreonSecret, body), body)
		require.Equal(t, http.StatusRequestEntityTooLarge, status, size)
	}
	require.Zero(t, patreonCount(t, "big"))
}

// Without TDC_PATREON_WEBHOOK_SECRET the endpoint is off: 404, whatever is
// sent, and it takes no cookies or CSRF token when on.
func TestPatreonWebhookOff(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	m := testenv.PatreonActive("off@example.org")
	body := m.Body(t)
	status, _ := patreonPost(t, srv, "members:create", testenv.PatreonSign("", body), body)
	require.Equal(t, http.StatusNotFound, status)
	require.Zero(t, patreonCount(t, m.ID))
}

// /admin/supporters lists members for admins only, with Patreon's hostile
// names escaped and the linked account; a supporter sees the badge on
// /account, a user with an unverified address is not linked and does not.
func TestSupportersAdminAndBadge(t *testing.T) {
	t.Parallel()
	srv := patreonApp(t)
	sqlDB := testenv.DB(t)
	tok := strings.ToLower(testenv.Unique("sup"))
	fan := testenv.User(t, sqlDB, testenv.UserOpts{Email: tok + "-fan@example.org"})
	unverified := testenv.User(t, sqlDB, testenv.UserOpts{Email: tok + "-new@example.org", Unverified: true})

	send := func(m testenv.PatreonMember, event string) {
		b := m.Body(t)
		status, a := patreonPost(t, srv, event, testenv.PatreonSign(patreonSecret, b), b)
		require.Equal(t, http.StatusOK, status, a.Error)
	}
	paying := testenv.PatreonActive(strings.ToUpper(fan.Email))
	paying.FullName = evilText + " " + tok
	paying.Tiers = []testenv.PatreonTier{{ID: "7", Title: `<img src=x onerror=alert(1)>`, AmountCents: 500}}
	send(paying, "members:pledge:create")
	pending := testenv.PatreonActive(unverified.Email)
	pending.FullName = "Pending " + tok
	send(pending, "members:pledge:create")
	declined := testenv.PatreonActive(tok + "-gone@example.org")
	declined.FullName, declined.Status = "Declined "+tok, testenv.Str("declined_patron")
	send(declined, "members:update")

	_, admin := officeSignIn(t, srv, actor.RoleAdmin)
	res := officeReq(t, srv, admin, http.MethodGet, "/admin/supporters?q="+tok, nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	rows := d.Find("#admin-supporters tbody tr")
	require.Equal(t, 3, rows.Length())
	require.NotContains(t, res.Body, evilText)
	require.NotContains(t, res.Body, `<img src=x`)
	require.Equal(t, "Declined "+tok, rows.Last().Find("td").First().Text(), "supporters first")
	link := d.Find(`#admin-supporters tbody a[href="/admin/users/` + itoa(fan.ID) + `"]`)
	require.Equal(t, fan.Email, link.Text(), "linked to the verified account")
	require.Equal(t, evilText+" "+tok, link.Closest("tr").Find("td").First().Text(), "the name as text")
	require.Equal(t, "/admin/supporters", d.Find(`.admin-nav a[aria-current="page"]`).AttrOr("href", ""))
	require.Zero(t, d.Find(`#admin-supporters tbody a[href^="/admin/users/`+itoa(unverified.ID)+`"]`).Length(), "an unverified address is not linked")

	res = officeReq(t, srv, admin, http.MethodGet, "/admin/supporters?q="+tok+"&supporter=no", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	part := officePartial(t, res, "admin-supporters").Find("tbody tr")
	require.Equal(t, 1, part.Length(), "the declined member only: the unlinked one still pays")
	require.Equal(t, "Declined "+tok, part.Find("td").First().Text())

	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	res = officeReq(t, srv, editor, http.MethodGet, "/admin/supporters", nil, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.NotContains(t, res.Body, tok)

	// The badge, for the supporter only: on /account and in the account
	// menu every page loads.
	menuBadge := func(sess testenv.Session) int {
		req := sess.Request(http.MethodGet, "/account/menu", nil)
		req.Header.Set("HX-Request", "true")
		res := sess.Do(t, srv, req)
		require.Equal(t, http.StatusOK, res.StatusCode)
		return doc(t, res.Body).Find("#account-menu .badge--supporter").Length()
	}
	sess := testenv.SignIn(t, srv, fan.Email, testenv.DefaultPassword)
	res = sess.Do(t, srv, sess.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Body, "badge--supporter")
	require.Equal(t, 1, menuBadge(sess), "the menu shows the badge")
	other := testenv.SignIn(t, srv, unverified.Email, testenv.DefaultPassword)
	res = other.Do(t, srv, other.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NotContains(t, res.Body, "badge--supporter")
	require.Zero(t, menuBadge(other))

	// Once the pledge is deleted, no badge, in the same session.
	send(paying, "members:pledge:delete")
	res = sess.Do(t, srv, sess.Request(http.MethodGet, "/account", nil))
	require.NotContains(t, res.Body, "badge--supporter")
	require.Zero(t, menuBadge(sess), "the webhook dropped the menu's badge")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
