package accounts

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/i18n"
)

// Limits of what users type.
const (
	MaxEmail       = 254
	MinPassword    = 10
	MaxPassword    = 128
	MaxDisplayName = 100
)

// normalEmail trims and lower-cases an address: the users table compares
// addresses without regard to case, so one spelling is kept.
// Invalid UTF-8 is left as it is, for checkEmail to report (ToLower would
// quietly replace it).
func normalEmail(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// checkEmail adds field's error to v when email is not one plain address.
func checkEmail(v *apperr.Invalid, field, email string) {
	switch {
	case email == "":
		v.Add(field, "error.account.required", nil)
	case !utf8.ValidString(email):
		v.Add(field, "error.account.invalid_text", nil)
	case len(email) > MaxEmail:
		v.Add(field, "error.account.email_too_long", map[string]any{"Max": MaxEmail})
	case hasControl(email) || strings.ContainsAny(email, " <>\"'(),;:\\[]"):
		v.Add(field, "error.account.email_invalid", nil)
	default:
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
			v.Add(field, "error.account.email_invalid", nil)
		}
	}
}

// checkPasswordRules adds field's error to v when pw is too short, too long
// or the email itself. Passwords are taken as typed: never trimmed.
func checkPasswordRules(v *apperr.Invalid, field, pw, email string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		v.Add(field, "error.account.required", nil)
	case !utf8.ValidString(pw):
		v.Add(field, "error.account.invalid_text", nil)
	case n < MinPassword:
		v.Add(field, "error.account.password_too_short", map[string]any{"Min": MinPassword})
	case n > MaxPassword:
		v.Add(field, "error.account.password_too_long", map[string]any{"Max": MaxPassword})
	case email != "" && strings.EqualFold(strings.TrimSpace(pw), email):
		v.Add(field, "error.account.password_is_email", nil)
	}
}

// checkDisplayName adds field's error when name is too long or holds
// control characters; an empty name is allowed (the email stands in).
func checkDisplayName(v *apperr.Invalid, field, name string) {
	switch {
	case !utf8.ValidString(name):
		v.Add(field, "error.account.invalid_text", nil)
	case utf8.RuneCountInString(name) > MaxDisplayName:
		v.Add(field, "error.account.name_too_long", map[string]any{"Max": MaxDisplayName})
	case hasControl(name):
		v.Add(field, "error.account.invalid_text", nil)
	}
}

// checkLanguage adds field's error when lang is not offered.
func checkLanguage(v *apperr.Invalid, field, lang string, langs []string) {
	if !slices.Contains(langs, lang) {
		v.Add(field, "error.account.language_unknown", nil)
	}
}

// canonicalZone returns zone's canonical IANA name; "" (the club's zone)
// stays "". It adds field's error when zone is not a zone.
func canonicalZone(v *apperr.Invalid, field, zone string) string {
	if zone == "" {
		return ""
	}
	name, ok := i18n.CanonicalZone(zone)
	if !ok {
		v.Add(field, "error.account.zone_unknown", nil)
		return ""
	}
	return name
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}
