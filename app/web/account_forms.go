package web

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/apperr"
)

// What the account forms share: reading fields, turning a service's
// refusal into messages beside the fields, and the answers after a post.

// formField is a form field as typed, trimmed (never a password: see
// passwordField).
func formField(c fiber.Ctx, name string) string { return strings.TrimSpace(postValue(c, name)) }

// passwordField is a password field exactly as typed.
func passwordField(c fiber.Ctx, name string) string { return postValue(c, name) }

// keep is a typed value fit to show again in a form: valid UTF-8, and not
// the whole of a megabyte pasted into a field (the error says it is too long).
func keep(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 1000 {
		cut := 1000
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// formFailure turns an error from the accounts service into the messages
// a form shows and the status to answer with. ok is false for errors that
// are not the visitor's to fix (the error handler takes those).
func (s *Server) formFailure(c fiber.Ctx, err error) (msgs map[string]string, status int, ok bool) {
	lang := langOf(c)
	msgs = map[string]string{}
	var inv *apperr.Invalid
	var limited *accounts.RateLimited
	switch {
	case errors.As(err, &inv):
		for f, m := range inv.Fields {
			msgs[f] = s.Bundle.T(lang, m.ID, m.Args)
		}
		return msgs, fiber.StatusUnprocessableEntity, true
	case errors.As(err, &limited):
		minutes := int(math.Ceil(limited.RetryAfter.Minutes()))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(math.Ceil(limited.RetryAfter.Seconds())))))
		msgs["form"] = s.Bundle.N(lang, "error.account.too_many_tries", max(1, minutes), nil)
		return msgs, fiber.StatusTooManyRequests, true
	case errors.Is(err, accounts.ErrBadCredentials):
		msgs["form"] = s.Bundle.T(lang, "error.account.signin_failed", nil)
		return msgs, fiber.StatusUnprocessableEntity, true
	case errors.Is(err, accounts.ErrDisabled):
		msgs["form"] = s.Bundle.T(lang, "error.account.disabled", nil)
		return msgs, fiber.StatusUnprocessableEntity, true
	}
	return nil, 0, false
}

// privatePage renders a page (or its fragment for htmx) that holds one
// person's data or a CSRF token: never cached anywhere.
func (s *Server) privatePage(c fiber.Ctx, status int, page, fragment string, data any) error {
	body, err := s.render(c, page, fragment, data)
	if err != nil {
		return err
	}
	pageHeaders(c)
	private(c)
	return c.Status(status).Send(body)
}

// privateFragment renders a fragment alone, whatever the request asked.
func (s *Server) privateFragment(c fiber.Ctx, status int, name string, data any) error {
	var b strings.Builder
	if err := s.Views.Fragment(&b, langOf(c), name, data); err != nil {
		return err
	}
	pageHeaders(c)
	private(c)
	return c.Status(status).SendString(b.String())
}

// afterPost answers a successful form post: a 303 to to for a plain form,
// and for htmx an instruction to go there (a redirect would be followed
// by fetch and its page swapped into the form).
func afterPost(c fiber.Ctx, to string) error {
	private(c)
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	c.Locals(localRoute, "redirect")
	return c.Redirect().Status(fiber.StatusSeeOther).To(to)
}

// usePreferences makes a user's language and zone the browser's.
func (s *Server) usePreferences(c fiber.Ctx, u accounts.User) {
	if s.Bundle.Supported(u.Language) {
		s.setPref(c, "lang", u.Language)
	}
	if u.TimeZone == "" || u.TimeZone == s.zones.club.Name() {
		s.clearPref(c, "tz")
	} else {
		s.setPref(c, "tz", u.TimeZone)
	}
}

// accountBase is the Base of an account page: not indexed, not cached.
func (s *Server) accountBase(c fiber.Ctx, path, titleID string) Base {
	b := s.base(c, "account", path, url.Values{}, Meta{Title: s.Bundle.T(langOf(c), titleID, nil), NoIndex: true})
	return b
}
