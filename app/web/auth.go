package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/config"
)

// Who is signed in, and the CSRF protection of every write.
//
// The session id lives in an HttpOnly, SameSite=Lax cookie (Secure, and
// named __Host-…, when the site is served over https); Redis holds its hash.
// Public pages are cached for everyone, so they never ask who is signed in:
// the session is read lazily, the first time a handler asks, and the
// per-user bits (account menu, follow buttons) are fragments of their own.
//
// CSRF tokens are HMACs under TDC_SECRET_KEY, sent in the form field _csrf
// or the X-CSRF-Token header. A signed-in user's token is bound to their
// session id (which only their browser has), so it is worth nothing after
// sign-out or on another sign-in; a visitor's (sign-in and sign-up forms)
// is a signed double-submit token over a random value in a cookie of its
// own. Origin and Sec-Fetch-Site are checked too when the browser sends them.

// Locals keys of this file.
const (
	localAuth     = "auth"
	localCSRFSeed = "csrf_seed"
)

// csrfField and csrfHeader carry the token in forms and htmx requests.
const (
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

// accountKit is the server's state for sessions and CSRF.
type accountKit struct {
	csrfKey       []byte
	sessionCookie string
	csrfCookie    string
	writeOnce     sync.Once
	writeRoutes   []fiber.Route
}

func newAccountKit(cfg config.Config, log *slog.Logger) *accountKit {
	k := &accountKit{sessionCookie: "tdc_session", csrfCookie: "tdc_csrf"}
	if cfg.CookieSecure {
		// __Host- cookies are only accepted when Secure, for "/", without a
		// Domain: a sibling subdomain cannot plant one.
		k.sessionCookie, k.csrfCookie = "__Host-"+k.sessionCookie, "__Host-"+k.csrfCookie
	}
	if cfg.SecretKey != "" {
		k.csrfKey = []byte(cfg.SecretKey)
	} else {
		k.csrfKey = make([]byte, 32)
		rand.Read(k.csrfKey)
		log.Warn("TDC_SECRET_KEY is not set: forms signed by this process fail after a restart or on another instance")
	}
	return k
}

// authState is what the request's session says; loaded once per request.
type authState struct {
	user      accounts.User
	signedIn  bool
	sessionID string // accounts.Session.ID, "" for visitors
}

// session returns the request's sign-in state, reading the session cookie
// and Redis the first time it is asked for. A missing, expired or
// disabled user's session is a visitor, and its cookie is cleared.
func (s *Server) session(c fiber.Ctx) *authState {
	if st, ok := c.Locals(localAuth).(*authState); ok {
		return st
	}
	st := &authState{}
	c.Locals(localAuth, st)
	raw := c.Cookies(s.acct.sessionCookie)
	if raw == "" {
		return st
	}
	u, sess, err := s.Accounts.Session(c.Context(), raw)
	switch {
	case err == nil:
		st.user, st.signedIn, st.sessionID = u, true, sess.ID
	case errors.Is(err, accounts.ErrNoSession):
		s.clearSessionCookie(c)
	default:
		// Redis or the database failed: this request is a visitor's; the
		// cookie stays for the next one.
		s.logger(c).Warn("read session", slog.Any("error", err))
	}
	return st
}

// signedIn records a new session (after sign-in) for the rest of the request.
func (s *Server) signedIn(c fiber.Ctx, u accounts.User, raw string) {
	c.Cookie(&fiber.Cookie{
		Name: s.acct.sessionCookie, Value: raw, Path: "/", HTTPOnly: true, Secure: s.Config.CookieSecure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(s.Config.SessionMaxAge.Seconds()),
	})
	c.Locals(localAuth, &authState{user: u, signedIn: true, sessionID: accounts.SessionID(raw)})
}

// signedOut forgets the session for the rest of the request.
func (s *Server) signedOut(c fiber.Ctx) {
	s.clearSessionCookie(c)
	c.Locals(localAuth, &authState{})
}

func (s *Server) clearSessionCookie(c fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: s.acct.sessionCookie, Value: "", Path: "/", HTTPOnly: true, Secure: s.Config.CookieSecure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1,
	})
}

// actor is who is making the request: the signed-in user (UserID, Role,
// ArtistID) or a visitor (Role ""), with IP and RequestID always set.
func (s *Server) actor(c fiber.Ctx) actor.Actor {
	var a actor.Actor
	if st := s.session(c); st.signedIn {
		a = st.user.Actor()
	}
	a.IP = c.IP()
	a.RequestID, _ = c.Locals(localRequestID).(string)
	return a
}

// currentUser is the signed-in user, if any.
func (s *Server) currentUser(c fiber.Ctx) (accounts.User, bool) {
	st := s.session(c)
	return st.user, st.signedIn
}

// private marks an answer as one person's: never stored by a browser's or
// a proxy's cache.
func private(c fiber.Ctx) {
	c.Vary(fiber.HeaderCookie)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
}

// requireRole lets through only users with one of roles. A visitor asking
// for a page is sent to /login and back; a visitor's htmx or write request
// gets 401 (htmx is told to go to /login); another role gets 403. Every
// answer behind it is private, errors included, so the error handler runs
// here rather than after the header is set.
func (s *Server) requireRole(roles ...actor.Role) fiber.Handler {
	return func(c fiber.Ctx) error {
		pass, err := s.checkRole(c, roles)
		if pass {
			err = c.Next()
		}
		if err != nil {
			if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
				return herr
			}
		}
		private(c)
		return nil
	}
}

// checkRole reports whether the request may go on to the handler; when it
// may not, it has answered (a redirect) or returns the error to answer with.
func (s *Server) checkRole(c fiber.Ctx, roles []actor.Role) (bool, error) {
	a := s.actor(c)
	if !a.SignedIn() {
		login := loginURL(c.OriginalURL())
		m := c.Method()
		if (m == fiber.MethodGet || m == fiber.MethodHead) && c.Get("HX-Request") != "true" {
			c.Locals(localRoute, "redirect")
			return false, c.Redirect().Status(fiber.StatusSeeOther).To(login)
		}
		if c.Get("HX-Request") == "true" {
			c.Set("HX-Redirect", login)
		}
		return false, &requestError{status: fiber.StatusUnauthorized, msg: apperr.Message{ID: "error.signin_required"}}
	}
	if !slices.Contains(roles, a.Role) {
		return false, fmt.Errorf("web: %s may not %s %s: %w", a.Role, c.Method(), c.Path(), apperr.ErrForbidden)
	}
	return true, nil
}

// anyRole lists every role: requireRole(anyRole...) asks only for a sign-in.
var anyRole = actor.Roles()

// loginURL is /login with next set to target when that is a path on this site.
func loginURL(target string) string {
	if next := safeNext(target); next != "" {
		return "/login?next=" + url.QueryEscape(next)
	}
	return "/login"
}

// safeNext returns next when it is a path (and query) on this site, and ""
// otherwise: no scheme, no host, no "//" or backslash a browser would read
// as another site, nothing that is not printable.
func safeNext(next string) string {
	if len(next) > 2000 || !utf8.ValidString(next) || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\") || strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

// csrfToken is the token for the forms and htmx requests of this response.
// A signed-in user's token is derived from their session; a visitor's from
// a random value in a cookie of its own, which this sets when the browser
// has none. So call it only from private (uncached) answers.
func (s *Server) csrfToken(c fiber.Ctx) string {
	if id := s.session(c).sessionID; id != "" {
		return s.csrfFor("session", id)
	}
	return s.csrfFor("visitor", s.csrfSeed(c, true))
}

// expectedCSRF is the token a write must carry, or "" when no token can be
// right (a visitor without the cookie).
func (s *Server) expectedCSRF(c fiber.Ctx) string {
	if id := s.session(c).sessionID; id != "" {
		return s.csrfFor("session", id)
	}
	if seed := s.csrfSeed(c, false); seed != "" {
		return s.csrfFor("visitor", seed)
	}
	return ""
}

// csrfSeed returns the browser's CSRF cookie value, making and setting a
// new one when create is set and it has none. Signed-in users need none:
// two fragments loaded at once would otherwise each set a different one.
func (s *Server) csrfSeed(c fiber.Ctx, create bool) string {
	if v, ok := c.Locals(localCSRFSeed).(string); ok {
		return v
	}
	v := c.Cookies(s.acct.csrfCookie)
	if b, err := base64.RawURLEncoding.DecodeString(v); err != nil || len(b) != 32 {
		if !create {
			return ""
		}
		b := make([]byte, 32)
		rand.Read(b)
		v = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{
			Name: s.acct.csrfCookie, Value: v, Path: "/", HTTPOnly: true, Secure: s.Config.CookieSecure,
			SameSite: fiber.CookieSameSiteLaxMode, MaxAge: prefCookieAge,
		})
	}
	c.Locals(localCSRFSeed, v)
	return v
}

func (s *Server) csrfFor(kind, secret string) string {
	m := hmac.New(sha256.New, s.acct.csrfKey)
	m.Write([]byte("tdc csrf\x00" + kind + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfProtect refuses a write (POST, PUT, PATCH, DELETE) without the right
// token, except under /webhooks/ and /api/, where machines sign or present
// bearer tokens instead. A write to an address that takes none is left to
// the routes (405 or 404): there is nothing there to protect.
func (s *Server) csrfProtect(c fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete:
	default:
		return c.Next()
	}
	p := strings.ToLower(c.Path())
	// /unsubscribe/: mail providers' one-click POST (RFC 8058) carries no
	// cookie; the signed token in the path is its credential.
	if strings.HasPrefix(p, "/webhooks/") || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/unsubscribe/") {
		return c.Next()
	}
	if s.csrfValid(c) || !s.isWriteRoute(c) {
		return c.Next()
	}
	c.Locals(localRoute, "csrf")
	return &requestError{status: fiber.StatusForbidden, msg: apperr.Message{ID: "error.csrf"}}
}

func (s *Server) csrfValid(c fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" && !s.sameOrigin(c, o) {
		return false
	}
	got := c.Get(csrfHeader)
	if got == "" {
		got = postValue(c, csrfField)
	}
	want := s.expectedCSRF(c)
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin reports whether an Origin header names this site: its public
// URL, or the host the request was sent to.
func (s *Server) sameOrigin(c fiber.Ctx, origin string) bool {
	base := s.Config.BaseURL
	if strings.EqualFold(origin, base.Scheme+"://"+base.Host) {
		return true
	}
	return strings.EqualFold(origin, c.Scheme()+"://"+c.Host())
}

// isWriteRoute reports whether a route takes c's method at c's path.
func (s *Server) isWriteRoute(c fiber.Ctx) bool {
	app := c.App()
	s.acct.writeOnce.Do(func() {
		for _, r := range app.GetRoutes(true) {
			switch r.Method {
			case fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete:
				s.acct.writeRoutes = append(s.acct.writeRoutes, r)
			}
		}
	})
	cfg := app.Config()
	for _, r := range s.acct.writeRoutes {
		if r.Method == c.Method() && fiber.RoutePatternMatch(c.Path(), r.Path, cfg) {
			return true
		}
	}
	return false
}

// postValue is a field of a urlencoded or multipart body, never of the
// query string: a token or password in an address ends up in logs.
func postValue(c fiber.Ctx, key string) string {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		f, err := c.MultipartForm()
		if err != nil || len(f.Value[key]) == 0 {
			return ""
		}
		return f.Value[key][0]
	}
	return string(c.Request().PostArgs().Peek(key))
}
