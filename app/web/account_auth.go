package web

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/accounts"
)

// authPage is the data of the sign-in, sign-up and password reset pages.
// What the visitor typed is kept, never a password.
type authPage struct {
	Base
	CSRF        string
	Next        string
	Email       string
	DisplayName string
	Token       string
	Errors      map[string]string
	// NoticeID is a message shown above the form (e.g. "password changed");
	// Sent says the form's mail went out, and replaces the form.
	NoticeID string
	Sent     bool
}

// noticePage is the data of a page that only says something: a link that
// worked or did not.
type noticePage struct {
	Base
	TitleID, MessageID string
	Kind               string // success or error
	Links              []noticeLink
}

type noticeLink struct{ URL, TextID string }

// doneNotices are the notices /login shows after another page sent the
// visitor there; anything else in ?done= is ignored.
var doneNotices = map[string]string{
	"reset":      "account.notice.password_reset",
	"signed_out": "account.notice.signed_out_everywhere",
	"deleted":    "account.notice.deleted",
}

func (s *Server) loginForm(c fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if _, ok := s.currentUser(c); ok {
		return afterPost(c, nextOr(next, "/account"))
	}
	d := authPage{Base: s.accountBase(c, "/login", "account.login.title"), Next: next, NoticeID: doneNotices[c.Query("done")]}
	d.CSRF = s.csrfToken(c)
	return s.privatePage(c, fiber.StatusOK, "account/login", "account-login", d)
}

func nextOr(next, fallback string) string {
	if next != "" {
		return next
	}
	return fallback
}

func (s *Server) login(c fiber.Ctx) error {
	email, password := formField(c, "email"), passwordField(c, "password")
	next := safeNext(formField(c, "next"))
	u, sid, err := s.Accounts.SignIn(c.Context(), accounts.Credentials{
		Email: email, Password: password, IP: c.IP(), OldSession: c.Cookies(s.acct.sessionCookie),
	})
	if err != nil {
		msgs, status, ok := s.formFailure(c, err)
		if !ok {
			return err
		}
		d := authPage{Base: s.accountBase(c, "/login", "account.login.title"), Next: next, Email: keep(email), Errors: msgs}
		d.CSRF = s.csrfToken(c)
		return s.privatePage(c, status, "account/login", "account-login", d)
	}
	s.signedIn(c, u, sid)
	s.usePreferences(c, u)
	return afterPost(c, nextOr(next, "/account"))
}

func (s *Server) logout(c fiber.Ctx) error {
	if raw := c.Cookies(s.acct.sessionCookie); raw != "" {
		if err := s.Accounts.EndSession(c.Context(), raw); err != nil {
			return err
		}
	}
	s.signedOut(c)
	return afterPost(c, "/")
}

func (s *Server) signupForm(c fiber.Ctx) error {
	if _, ok := s.currentUser(c); ok {
		return afterPost(c, "/account")
	}
	d := authPage{Base: s.accountBase(c, "/signup", "account.signup.title"), Sent: c.Query("sent") == "1"}
	d.CSRF = s.csrfToken(c)
	return s.privatePage(c, fiber.StatusOK, "account/signup", "account-signup", d)
}

func (s *Server) signup(c fiber.Ctx) error {
	email, name, password := formField(c, "email"), formField(c, "display_name"), passwordField(c, "password")
	zone := zoneOf(c).Name()
	if zone == s.zones.club.Name() {
		zone = ""
	}
	err := s.Accounts.Register(c.Context(), accounts.Registration{
		Email: email, Password: password, DisplayName: name, Language: langOf(c), TimeZone: zone, IP: c.IP(),
	})
	if err != nil {
		msgs, status, ok := s.formFailure(c, err)
		if !ok {
			return err
		}
		d := authPage{Base: s.accountBase(c, "/signup", "account.signup.title"), Email: keep(email), DisplayName: keep(name), Errors: msgs}
		d.CSRF = s.csrfToken(c)
		return s.privatePage(c, status, "account/signup", "account-signup", d)
	}
	return afterPost(c, "/signup?sent=1")
}

func (s *Server) verify(c fiber.Ctx) error {
	u, err := s.Accounts.Verify(c.Context(), c.Query("token"))
	d := noticePage{Base: s.accountBase(c, "/verify", "account.verify.title"), TitleID: "account.verify.title"}
	status := fiber.StatusOK
	switch {
	case errors.Is(err, accounts.ErrTokenInvalid):
		status, d.Kind, d.MessageID = fiber.StatusBadRequest, "error", "account.verify.invalid"
		d.Links = []noticeLink{{URL: "/account", TextID: "account.verify.resend_link"}}
	case err != nil:
		return err
	default:
		d.Kind, d.MessageID = "success", "account.verify.done"
		if cur, ok := s.currentUser(c); ok && cur.ID == u.ID {
			d.Links = []noticeLink{{URL: "/account", TextID: "account.menu.account"}}
		} else {
			d.Links = []noticeLink{{URL: "/login", TextID: "account.menu.signin"}}
		}
	}
	return s.privatePage(c, status, "account/notice", "", d)
}

func (s *Server) resetForm(c fiber.Ctx) error {
	d := authPage{Base: s.accountBase(c, "/reset", "account.reset.title"), Sent: c.Query("sent") == "1"}
	d.CSRF = s.csrfToken(c)
	return s.privatePage(c, fiber.StatusOK, "account/reset", "account-reset", d)
}

func (s *Server) resetRequest(c fiber.Ctx) error {
	email := formField(c, "email")
	if err := s.Accounts.RequestReset(c.Context(), email, c.IP()); err != nil {
		msgs, status, ok := s.formFailure(c, err)
		if !ok {
			return err
		}
		d := authPage{Base: s.accountBase(c, "/reset", "account.reset.title"), Email: keep(email), Errors: msgs}
		d.CSRF = s.csrfToken(c)
		return s.privatePage(c, status, "account/reset", "account-reset", d)
	}
	return afterPost(c, "/reset?sent=1")
}

func (s *Server) invalidResetLink(c fiber.Ctx) error {
	d := noticePage{
		Base: s.accountBase(c, "/reset", "account.reset.title"), TitleID: "account.reset.title",
		Kind: "error", MessageID: "account.reset.invalid", Links: []noticeLink{{URL: "/reset", TextID: "account.reset.again"}},
	}
	return s.privatePage(c, fiber.StatusBadRequest, "account/notice", "", d)
}

func (s *Server) resetPasswordForm(c fiber.Ctx) error {
	token := c.Params("token")
	if err := s.Accounts.CheckResetToken(c.Context(), token); errors.Is(err, accounts.ErrTokenInvalid) {
		return s.invalidResetLink(c)
	} else if err != nil {
		return err
	}
	d := authPage{Base: s.accountBase(c, "/reset", "account.reset.title"), Token: token}
	d.CSRF = s.csrfToken(c)
	return s.privatePage(c, fiber.StatusOK, "account/reset-password", "account-reset-password", d)
}

func (s *Server) resetPassword(c fiber.Ctx) error {
	token := c.Params("token")
	_, err := s.Accounts.ResetPassword(c.Context(), token, passwordField(c, "password"))
	if errors.Is(err, accounts.ErrTokenInvalid) {
		return s.invalidResetLink(c)
	}
	if err != nil {
		msgs, status, ok := s.formFailure(c, err)
		if !ok {
			return err
		}
		d := authPage{Base: s.accountBase(c, "/reset", "account.reset.title"), Token: token, Errors: msgs}
		d.CSRF = s.csrfToken(c)
		return s.privatePage(c, status, "account/reset-password", "account-reset-password", d)
	}
	// Every session of the user ended, this browser's too if it had one.
	s.signedOut(c)
	s.logger(c).Info("password reset by mailed link", slog.String("ip", c.IP()))
	return afterPost(c, "/login?done=reset")
}
