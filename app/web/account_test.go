package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// mailApp is the app with its mail going over SMTP to a server the test
// runs.
func mailApp(t *testing.T) (*web.Server, *testenv.MailServer) {
	t.Helper()
	ms := testenv.SMTP(t)
	cfg := testenv.Config(t)
	cfg.SMTPURL = ms.URL
	srv := testenv.AppWith(t, cfg)
	t.Cleanup(srv.Accounts.Wait)
	return srv, ms
}

func form(kv ...string) io.Reader {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode())
}

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	require.NoError(t, err)
	return d
}

func htmx(req *http.Request) *http.Request {
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Request-Type", "partial")
	return req
}

var emailSeq struct {
	sync.Mutex
	n int
}

func address(t *testing.T) string {
	emailSeq.Lock()
	defer emailSeq.Unlock()
	emailSeq.n++
	name := strings.ToLower(strings.NewReplacer("/", ".", "_", ".").Replace(t.Name()))
	return name + "." + strings.Repeat("x", emailSeq.n) + "@example.org"
}

func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Sign-up, verification, sign-in, sign-out and a password reset, end to
// end through the pages, with the mail read from a real SMTP conversation.
func TestAccountEndToEnd(t *testing.T) {
	t.Parallel()
	srv, ms := mailApp(t)
	email := address(t)
	b := testenv.Visit(t, srv)

	res := b.Do(t, srv, b.Request(http.MethodGet, "/signup", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	require.Equal(t, 1, doc(t, res.Body).Find(`#account-signup form input[name="_csrf"]`).Length())

	res = b.Do(t, srv, b.Request(http.MethodPost, "/signup", form("email", email, "display_name", "Ada <b>L</b>", "password", "dancing all night long")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/signup?sent=1", res.Header.Get("Location"))
	res = b.Do(t, srv, b.Request(http.MethodGet, "/signup?sent=1", nil))
	require.Contains(t, res.Body, "We have sent a message")

	msg := ms.WaitFor(t, email, 0)
	require.Equal(t, "Confirm your email address", msg.Subject)
	verify := msg.Link(t, "http://localhost:8080/verify?token=")

	// Unverified, the account page says so and offers the link again.
	res = b.Do(t, srv, b.Request(http.MethodPost, "/login", form("email", email, "password", "dancing all night long", "next", "/account")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/account", res.Header.Get("Location"))
	sc := cookie(res.Response, "tdc_session")
	require.NotNil(t, sc)
	require.True(t, sc.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, sc.SameSite)
	require.Equal(t, "/", sc.Path)
	require.False(t, sc.Secure, "the test site is plain http")
	res = b.Do(t, srv, b.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	d := doc(t, res.Body)
	// The visitor's token is void once signed in: the page has the new one.
	signedToken := d.Find(`input[name="_csrf"]`).First().AttrOr("value", "")
	require.NotEqual(t, b.CSRF, signedToken)
	res = b.Do(t, srv, b.Request(http.MethodPost, "/account/verify", nil))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	b.CSRF = signedToken
	require.Equal(t, 1, d.Find(`#account-verify form[action="/account/verify"]`).Length())
	require.Equal(t, "Ada <b>L</b>", d.Find(`#profile-name`).AttrOr("value", ""), "kept as typed, escaped in the page")
	require.NotContains(t, res.Body, "<b>L</b>")

	res = b.Do(t, srv, b.Request(http.MethodGet, strings.TrimPrefix(verify, "http://localhost:8080"), nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Body, "your email address is confirmed")
	res = b.Do(t, srv, b.Request(http.MethodGet, "/verify?token=nonsense", nil))
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res = b.Do(t, srv, b.Request(http.MethodGet, "/account", nil))
	require.Zero(t, doc(t, res.Body).Find(`#account-verify form`).Length(), "verified now")

	res = b.Do(t, srv, b.Request(http.MethodGet, "/account/menu", nil))
	require.Equal(t, "Ada <b>L</b>", doc(t, res.Body).Find("#account-menu .account-menu__name").Text())

	// Sign out: the session ends on the server, not just in the browser.
	old := b.Cookies
	res = b.Do(t, srv, b.Request(http.MethodPost, "/logout", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res = b.Do(t, srv, b.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/login?next=%2Faccount", res.Header.Get("Location"))
	replay := testenv.Session{Cookies: old}
	res = replay.Do(t, srv, replay.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "the old session id is dead")

	// Reset the password by mail.
	b = testenv.Visit(t, srv)
	res = b.Do(t, srv, b.Request(http.MethodPost, "/reset", form("email", strings.ToUpper(email))))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/reset?sent=1", res.Header.Get("Location"))
	msg = ms.WaitFor(t, email, 1)
	require.Equal(t, "Choose a new password", msg.Subject)
	resetPath := strings.TrimPrefix(msg.Link(t, "http://localhost:8080/reset/"), "http://localhost:8080")
	res = b.Do(t, srv, b.Request(http.MethodGet, resetPath, nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, resetPath, doc(t, res.Body).Find("#account-reset-password form").AttrOr("action", ""))
	res = b.Do(t, srv, b.Request(http.MethodPost, resetPath, form("password", "short")))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find("#reset-password-error").Text(), "at least 10")
	res = b.Do(t, srv, b.Request(http.MethodPost, resetPath, form("password", "a whole new password")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/login?done=reset", res.Header.Get("Location"))
	res = b.Do(t, srv, b.Request(http.MethodGet, "/login?done=reset", nil))
	require.Contains(t, res.Body, "Your password is changed")
	res = b.Do(t, srv, b.Request(http.MethodGet, resetPath, nil))
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "a reset link works once")

	res = b.Do(t, srv, b.Request(http.MethodPost, "/login", form("email", email, "password", "dancing all night long")))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "the old password is gone")
	b = testenv.SignIn(t, srv, email, "a whole new password")
	res = b.Do(t, srv, b.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
}

// otherFirst is token with its first character changed: "x" in front of
// a token that already starts with x would be the token itself.
func otherFirst(token string) string {
	if strings.HasPrefix(token, "x") {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}

// Every write without the right token is refused with 403 and a message
// in the visitor's language; machines' paths are left to their own checks.
func TestCSRF(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	visitor := testenv.Visit(t, srv)
	login := func(b testenv.Session, mutate func(*http.Request)) testenv.Response {
		req := b.Request(http.MethodPost, "/login", form("email", u.Email, "password", testenv.DefaultPassword))
		mutate(req)
		return b.Do(t, srv, req)
	}
	cases := []struct {
		name   string
		mutate func(*http.Request)
	}{
		{"no token", func(r *http.Request) { r.Header.Del("X-CSRF-Token") }},
		{"wrong token", func(r *http.Request) { r.Header.Set("X-CSRF-Token", otherFirst(visitor.CSRF)) }},
		{"no cookie", func(r *http.Request) { r.Header.Del("Cookie") }},
		{"cross-site fetch", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }},
		{"sibling site", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }},
		{"other origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }},
		{"opaque origin", func(r *http.Request) { r.Header.Set("Origin", "null") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := visitor
			res := login(b, tc.mutate)
			require.Equal(t, http.StatusForbidden, res.StatusCode)
			require.Contains(t, res.Body, "This form has expired or did not come from our site.")
			require.Nil(t, cookie(res.Response, "tdc_session"))
		})
	}
	// Another browser's token does not fit this browser's cookie.
	other := testenv.Visit(t, srv)
	res := login(visitor, func(r *http.Request) { r.Header.Set("X-CSRF-Token", other.CSRF) })
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	// In German, and for htmx as a flash message.
	res = login(visitor, func(r *http.Request) {
		r.Header.Del("X-CSRF-Token")
		r.Header.Set("Accept-Language", "de")
		htmx(r)
	})
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "#flash", res.Header.Get("HX-Retarget"))
	require.Contains(t, doc(t, res.Body).Find("#flash").Text(), "Dieses Formular ist abgelaufen")

	// The token as a form field works as well as the header; the same
	// origin and a same-origin fetch are fine.
	fieldOnly := visitor
	fieldOnly.CSRF = ""
	req := fieldOnly.Request(http.MethodPost, "/login", form("email", u.Email, "password", testenv.DefaultPassword, "_csrf", visitor.CSRF))
	req.Header.Set("Origin", "http://localhost:8080")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res = fieldOnly.Do(t, srv, req)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)

	// A signed-in token dies with its session.
	s := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	stale := s.CSRF
	res = s.Do(t, srv, s.Request(http.MethodPost, "/logout", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	s2 := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	require.NotEqual(t, stale, s2.CSRF, "a new session, a new token")
	s2.CSRF = stale
	res = s2.Do(t, srv, s2.Request(http.MethodPost, "/account/profile", form("display_name", "x", "language", "en")))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	// A token in the query string is not read.
	req = s2.Request(http.MethodPost, "/logout", nil)
	req.Header.Del("X-CSRF-Token")
	req.URL.RawQuery = "_csrf=" + url.QueryEscape(stale)
	res = s2.Do(t, srv, req)
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	// Machines' paths and writes to read-only pages are not CSRF's business.
	for _, p := range []string{"/webhooks/patreon", "/api/locations/main-cave/now-playing"} {
		res = visitor.Do(t, srv, httpReq(http.MethodPost, p))
		require.NotEqual(t, http.StatusForbidden, res.StatusCode, p)
	}
	res = visitor.Do(t, srv, httpReq(http.MethodPost, "/events"))
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
}

func httpReq(method, target string) *http.Request {
	req, _ := http.NewRequest(method, "http://localhost:8080"+target, strings.NewReader("x=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// requireRole: visitors are sent to sign in (pages) or get 401 (htmx,
// writes); other roles get 403; all of it private.
func TestRequireRole(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	app := fiber.New(fiber.Config{ErrorHandler: srv.App.Config().ErrorHandler})
	app.Add([]string{fiber.MethodGet, fiber.MethodPost}, "/back-office/*", srv.RequireRole(actor.RoleAdmin, actor.RoleEditor), func(c fiber.Ctx) error {
		a := srv.Actor(c)
		return c.SendString(string(a.Role) + " " + a.IP)
	})
	send := func(s testenv.Session, req *http.Request) testenv.Response {
		res, err := app.Test(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return testenv.Response{Response: res, Body: string(body)}
	}
	var visitor testenv.Session
	res := send(visitor, visitor.Request(http.MethodGet, "/back-office/x?y=1", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/login?next=%2Fback-office%2Fx%3Fy%3D1", res.Header.Get("Location"))
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	res = send(visitor, htmx(visitor.Request(http.MethodGet, "/back-office/x", nil)))
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	require.Equal(t, "/login?next=%2Fback-office%2Fx", res.Header.Get("HX-Redirect"))
	res = send(visitor, visitor.Request(http.MethodPost, "/back-office/x", form("a", "b")))
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))

	member := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	editor := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t), Role: actor.RoleEditor})
	s := testenv.SignIn(t, srv, member.Email, testenv.DefaultPassword)
	res = send(s, s.Request(http.MethodGet, "/back-office/x", nil))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	s = testenv.SignIn(t, srv, editor.Email, testenv.DefaultPassword)
	res = send(s, s.Request(http.MethodGet, "/back-office/x", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "editor 0.0.0.0", res.Body)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))

	// A disabled user's session is a visitor's.
	require.NoError(t, srv.Accounts.Disable(t.Context(), actor.System(), editor.ID))
	res = send(s, s.Request(http.MethodGet, "/back-office/x", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
}

// After sign-in the visitor goes back where they were, but only to a
// page of this site.
func TestLoginNext(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	for next, want := range map[string]string{
		"/events?location=main-cave": "/events?location=main-cave",
		"//evil.example/x":           "/account",
		"/\\evil.example":            "/account",
		"https://evil.example/":      "/account",
		"javascript:alert(1)":        "/account",
		"/%0d%0aSet-Cookie:x":        "/%0d%0aSet-Cookie:x",
		"":                           "/account",
	} {
		b := testenv.Visit(t, srv)
		res := b.Do(t, srv, b.Request(http.MethodPost, "/login", form("email", u.Email, "password", testenv.DefaultPassword, "next", next)))
		require.Equal(t, http.StatusSeeOther, res.StatusCode, next)
		require.Equal(t, want, res.Header.Get("Location"), next)
		// htmx is told where to go instead.
		b = testenv.Visit(t, srv)
		res = b.Do(t, srv, htmx(b.Request(http.MethodPost, "/login", form("email", u.Email, "password", testenv.DefaultPassword, "next", next))))
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, want, res.Header.Get("HX-Redirect"))
	}
	// The form carries next; a hostile one never reaches it.
	b := testenv.Visit(t, srv)
	res := b.Do(t, srv, b.Request(http.MethodGet, "/login?next="+url.QueryEscape(`/x"><script>`), nil))
	require.Equal(t, `/x"><script>`, doc(t, res.Body).Find(`input[name="next"]`).AttrOr("value", ""))
	require.NotContains(t, res.Body, `"><script>`)
	res = b.Do(t, srv, b.Request(http.MethodGet, "/login?next=//evil.example", nil))
	require.Zero(t, doc(t, res.Body).Find(`input[name="next"]`).Length())
}

// Sign-in answers the same for an unknown address and a wrong password,
// keeps the address typed (never the password), and limits tries.
func TestLoginBadInput(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	b := testenv.Visit(t, srv)
	post := func(partial bool, body io.Reader) testenv.Response {
		req := b.Request(http.MethodPost, "/login", body)
		if partial {
			htmx(req)
		}
		return b.Do(t, srv, req)
	}
	res := post(false, form())
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d := doc(t, res.Body)
	require.Equal(t, 1, d.Find("html").Length(), "a whole page without htmx")
	require.Contains(t, d.Find("#login-email-error").Text(), "Please fill this in.")
	require.Contains(t, d.Find("#login-password-error").Text(), "Please fill this in.")

	res = post(true, form("email", `<script>alert(1)</script>`, "password", "wrong password"))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Regexp(t, `^\s*<section id="account-login"`, res.Body, "the fragment for htmx")
	require.Equal(t, `<script>alert(1)</script>`, doc(t, res.Body).Find("#login-email").AttrOr("value", ""))
	require.NotContains(t, res.Body, "<script>alert(1)")
	require.NotContains(t, res.Body, "wrong password", "the password is never sent back")

	unknown := post(true, form("email", "nobody."+u.Email, "password", testenv.DefaultPassword))
	wrong := post(true, form("email", u.Email, "password", "not the password"))
	require.Equal(t, unknown.StatusCode, wrong.StatusCode)
	msg := func(r testenv.Response) string { return doc(t, r.Body).Find(".alert--error").Text() }
	require.Equal(t, "That email address and password do not match an account.", msg(wrong))
	require.Equal(t, msg(unknown), msg(wrong), "an unknown address is not told apart")

	res = post(false, form("email", "a\xff@example.org", "password", "x\xfe"))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	res = post(false, strings.NewReader(`{"email":"`+u.Email+`"}`))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "a JSON body has no form fields")
	// Ten megabytes in a field: refused before any handler, over a real
	// connection (the in-memory test transport cannot carry the answer).
	base := serve(t, srv)
	big := b.Request(http.MethodPost, base+"/login", form("email", strings.Repeat("x", 10<<20), "password", "x"))
	big.RequestURI = ""
	bigRes, err := http.DefaultClient.Do(big)
	if err == nil {
		bigRes.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, bigRes.StatusCode)
	} else {
		// The server may close before the client has sent it all.
		require.ErrorContains(t, err, "connection")
	}

	// The account is limited after a few wrong tries, even for the right
	// password, and an unknown address is limited the same way.
	fresh := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	for _, email := range []string{fresh.Email, "nobody2." + fresh.Email} {
		var res testenv.Response
		for range 5 {
			res = post(false, form("email", email, "password", "not the password"))
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		}
		res = post(false, form("email", email, "password", testenv.DefaultPassword))
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode, email)
		require.NotEmpty(t, res.Header.Get("Retry-After"))
		require.Contains(t, res.Body, "Too many tries.")
	}
}

// Sign-up refuses bad input inline, and a double submit makes one account.
func TestSignupBadInputAndDoubleSubmit(t *testing.T) {
	t.Parallel()
	srv, ms := mailApp(t)
	b := testenv.Visit(t, srv)
	res := b.Do(t, srv, htmx(b.Request(http.MethodPost, "/signup", form("email", "not-an-address", "display_name", strings.Repeat("n", 101), "password", "short"))))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d := doc(t, res.Body)
	require.Contains(t, d.Find("#signup-email-error").Text(), "Enter an email address")
	require.Contains(t, d.Find("#signup-name-error").Text(), "at most 100")
	require.Contains(t, d.Find("#signup-password-error").Text(), "at least 10")
	require.Equal(t, "true", d.Find("#signup-email").AttrOr("aria-invalid", ""))
	require.Equal(t, "not-an-address", d.Find("#signup-email").AttrOr("value", ""))

	email := address(t)
	for range 2 {
		res = b.Do(t, srv, b.Request(http.MethodPost, "/signup", form("email", email, "password", "a long enough password")))
		require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	}
	first := ms.WaitFor(t, email, 0)
	second := ms.WaitFor(t, email, 1)
	require.ElementsMatch(t, []string{"Confirm your email address", "Your account at The Dreamer's Cave"}, []string{first.Subject, second.Subject})
	p, err := srv.Accounts.List(t.Context(), accountsFilter(email))
	require.NoError(t, err)
	require.Equal(t, 1, p.Total)
}

// The profile form saves, refuses bad values inline keeping them, and
// cannot be used to change one's role.
func TestAccountProfile(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	s := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)

	res := s.Do(t, srv, htmx(s.Request(http.MethodPost, "/account/profile", form("display_name", "Zoë", "language", "de", "time_zone", "Bogus/Zone<script>"))))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d := doc(t, res.Body)
	require.Equal(t, "Zoë", d.Find("#profile-name").AttrOr("value", ""))
	require.Contains(t, d.Find("#profile-zone-error").Text(), "Choose a time zone")
	require.NotContains(t, res.Body, "<script>")

	res = s.Do(t, srv, s.Request(http.MethodPost, "/account/profile", form("display_name", "<i>Zoë</i>", "language", "de", "time_zone", "asia/tokyo", "role", "admin", "artist_id", "1")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/account?saved=profile", res.Header.Get("Location"))
	require.Equal(t, "de", cookie(res.Response, "lang").Value)
	require.Equal(t, "Asia/Tokyo", cookie(res.Response, "tz").Value)
	got, err := srv.Accounts.Get(t.Context(), u.ID)
	require.NoError(t, err)
	require.Equal(t, "<i>Zoë</i>", got.DisplayName)
	require.Equal(t, actor.RoleMember, got.Role, "no role from a form")
	require.Zero(t, got.ArtistID)

	res = s.Do(t, srv, s.Request(http.MethodGet, "/account?saved=profile", nil))
	require.Contains(t, res.Body, `<html lang="de"`)
	require.Contains(t, res.Body, "Dein Profil ist gespeichert.")
	require.Contains(t, res.Body, "&lt;i&gt;Zoë&lt;/i&gt;")

	// htmx is sent to the page again, which is in the new language.
	res = s.Do(t, srv, htmx(s.Request(http.MethodPost, "/account/profile", form("display_name", "Zoë", "language", "en", "time_zone", "America/Los_Angeles"))))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/account?saved=profile", res.Header.Get("HX-Redirect"))
	got, err = srv.Accounts.Get(t.Context(), u.ID)
	require.NoError(t, err)
	require.Empty(t, got.TimeZone, "the club's zone is stored as the club's, wherever it moves")
}

// Changing the password needs the current one and keeps this session only;
// "sign out everywhere" ends all; deleting needs the password.
func TestAccountPasswordSessionsDelete(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	here := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	there := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)

	res := here.Do(t, srv, htmx(here.Request(http.MethodPost, "/account/password", form("current_password", "wrong", "password", "a new long password"))))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find("#password-current-error").Text(), "not your current password")
	res = here.Do(t, srv, htmx(here.Request(http.MethodPost, "/account/password", form("current_password", testenv.DefaultPassword, "password", "a new long password"))))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find("#account-password .alert--success").Text(), "Other devices are signed out.")
	res = there.Do(t, srv, there.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "the other browser is signed out")
	res = here.Do(t, srv, here.Request(http.MethodGet, "/account", nil))
	require.Equal(t, http.StatusOK, res.StatusCode, "this one is not")

	there = testenv.SignIn(t, srv, u.Email, "a new long password")
	res = here.Do(t, srv, here.Request(http.MethodPost, "/account/signout-everywhere", nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/login?done=signed_out", res.Header.Get("Location"))
	for _, b := range []testenv.Session{here, there} {
		res = b.Do(t, srv, b.Request(http.MethodGet, "/account", nil))
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
	}

	s := testenv.SignIn(t, srv, u.Email, "a new long password")
	res = s.Do(t, srv, htmx(s.Request(http.MethodPost, "/account/delete", form("delete_password", "nope"))))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Regexp(t, `^\s*<section id="account-delete"`, res.Body)
	res = s.Do(t, srv, s.Request(http.MethodPost, "/account/delete", form("delete_password", "a new long password")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/login?done=deleted", res.Header.Get("Location"))
	_, err := srv.Accounts.Get(t.Context(), u.ID)
	require.Error(t, err)
	b := testenv.Visit(t, srv)
	res = b.Do(t, srv, b.Request(http.MethodPost, "/login", form("email", u.Email, "password", "a new long password")))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
}

// Follow buttons: a sign-in link for visitors, a toggle for users, for
// htmx and for plain forms; the public pages stay cached and name nobody.
func TestFollowButtons(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	u := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t)})
	var visitor testenv.Session
	res := visitor.Do(t, srv, htmx(visitor.Request(http.MethodGet, "/follows/artists/luma-vesper", nil)))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/login?next=%2Fartists%2Fluma-vesper", doc(t, res.Body).Find("#follow-button-artist-luma-vesper a").AttrOr("href", ""))
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	require.Empty(t, res.Header.Values("Set-Cookie"), "a visitor's button needs no token")
	res = visitor.Do(t, srv, visitor.Request(http.MethodGet, "/follows/artists/nobody-at-all", nil))
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	s := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	res = s.Do(t, srv, htmx(s.Request(http.MethodGet, "/follows/locations/main-cave", nil)))
	require.Equal(t, "false", doc(t, res.Body).Find("#follow-button-location-main-cave button").AttrOr("aria-pressed", ""))
	res = s.Do(t, srv, htmx(s.Request(http.MethodPost, "/follows/locations/main-cave", nil)))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "true", doc(t, res.Body).Find("#follow-button-location-main-cave button").AttrOr("aria-pressed", ""))
	res = s.Do(t, srv, htmx(s.Request(http.MethodPost, "/follows/locations/main-cave", nil)))
	require.Equal(t, http.StatusOK, res.StatusCode, "following twice is fine")
	res = s.Do(t, srv, s.Request(http.MethodGet, "/account", nil))
	require.Equal(t, 1, doc(t, res.Body).Find(`.follow-list a[href="/locations/main-cave"]`).Length(), res.Body)
	res = s.Do(t, srv, htmx(s.Request(http.MethodDelete, "/follows/locations/main-cave", nil)))
	require.Equal(t, "false", doc(t, res.Body).Find("#follow-button-location-main-cave button").AttrOr("aria-pressed", ""))

	// Without JavaScript: a page with the button, plain posts, 303 back.
	res = s.Do(t, srv, s.Request(http.MethodGet, "/follows/artists/luma-vesper", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, 1, doc(t, res.Body).Find(`html form[method="post"][action="/follows/artists/luma-vesper"]`).Length())
	res = s.Do(t, srv, s.Request(http.MethodPost, "/follows/artists/luma-vesper", form("follow", "1", "next", "/follows/artists/luma-vesper")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/follows/artists/luma-vesper", res.Header.Get("Location"))
	res = s.Do(t, srv, s.Request(http.MethodPost, "/follows/artists/luma-vesper", form("follow", "0", "next", "https://evil.example/")))
	require.Equal(t, "/artists/luma-vesper", res.Header.Get("Location"))

	// Visitors cannot follow; nobody follows what is not there.
	v := testenv.Visit(t, srv)
	res = v.Do(t, srv, htmx(v.Request(http.MethodPost, "/follows/artists/luma-vesper", nil)))
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	require.Equal(t, "/login?next=%2Ffollows%2Fartists%2Fluma-vesper", res.Header.Get("HX-Redirect"))
	res = s.Do(t, srv, htmx(s.Request(http.MethodPost, "/follows/artists/nobody-at-all", nil)))
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	// The public page carries placeholders only, and is the same for all.
	for _, b := range []testenv.Session{visitor, s} {
		res = b.Do(t, srv, b.Request(http.MethodGet, "/artists/luma-vesper", nil))
		require.Equal(t, http.StatusOK, res.StatusCode)
		d := doc(t, res.Body)
		require.Equal(t, "/follows/artists/luma-vesper", d.Find("#follow-button-artist-luma-vesper").AttrOr("hx-get", ""))
		require.Equal(t, "/account/menu", d.Find("#account-menu").AttrOr("hx-get", ""))
		require.Zero(t, d.Find(`input[name="_csrf"]`).Length(), "no token in a cached page")
		require.NotContains(t, res.Body, u.Email)
		require.Empty(t, res.Header.Values("Set-Cookie"))
	}
}

// The account menu names the user, links the back office for staff and
// artists, and is never cached.
func TestAccountMenu(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	var visitor testenv.Session
	req := visitor.Request(http.MethodGet, "/account/menu", nil)
	req.Header.Set("HX-Current-URL", "http://localhost:8080/events?location=main-cave")
	res := visitor.Do(t, srv, htmx(req))
	require.Equal(t, "/login?next=%2Fevents%3Flocation%3Dmain-cave", doc(t, res.Body).Find("#account-menu a").AttrOr("href", ""))
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))

	member := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t), DisplayName: "<em>Mo</em>"})
	admin := testenv.User(t, testenv.DB(t), testenv.UserOpts{Email: address(t), Role: actor.RoleAdmin})
	s := testenv.SignIn(t, srv, member.Email, testenv.DefaultPassword)
	res = s.Do(t, srv, s.Request(http.MethodGet, "/account/menu", nil))
	d := doc(t, res.Body)
	require.Equal(t, "<em>Mo</em>", d.Find(".account-menu__name").Text())
	require.Zero(t, d.Find(`a[href="/admin"]`).Length())
	require.Equal(t, s.CSRF, d.Find(`form[action="/logout"] input[name="_csrf"]`).AttrOr("value", ""))
	s = testenv.SignIn(t, srv, admin.Email, testenv.DefaultPassword)
	res = s.Do(t, srv, s.Request(http.MethodGet, "/account/menu", nil))
	require.Equal(t, 1, doc(t, res.Body).Find(`a[href="/admin"]`).Length())
}

// Public pages never read the session: with Redis down and a session
// cookie, they are served; so is a visitor's menu.
func TestPublicPagesDoNotReadSessions(t *testing.T) {
	t.Parallel()
	srv := testenv.AppWithRedis(t, testenv.Config(t), "redis://127.0.0.1:1/0")
	s := testenv.Session{Cookies: []*http.Cookie{{Name: "tdc_session", Value: strings.Repeat("A", 43)}}}
	for _, p := range []string{"/", "/events", "/artists/luma-vesper", "/locations/main-cave"} {
		res := s.Do(t, srv, s.Request(http.MethodGet, p, nil))
		require.Equal(t, http.StatusOK, res.StatusCode, p)
	}
	res := s.Do(t, srv, s.Request(http.MethodGet, "/account/menu", nil))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Body, `href="/login"`)
}
