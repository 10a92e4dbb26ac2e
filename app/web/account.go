package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/notify"
)

// accountPage is the data of /account and its forms' fragments.
type accountPage struct {
	Base
	CSRF      string
	User      accounts.User
	Follows   []followButton
	Languages []langOption
	Zones     []zoneChoice
	// What the profile form shows: the saved values, or what was typed.
	DisplayName, Language, TimeZone string
	// Errors per field, of whichever form was sent.
	Errors map[string]string
	// Saved names the form that was just saved ("profile", "password"),
	// VerifySent says a verification mail went out.
	Saved      string
	VerifySent bool
	// Supporter: the user is linked to a paying Patreon member.
	Supporter bool
	// Notify are the mail preferences the notifications form shows;
	// NotifyLead is its lead time as typed.
	Notify     notify.Prefs
	NotifyLead string
}

type langOption struct {
	Code, Name string
	Selected   bool
}

// accountData builds the page for u, with the profile form showing
// name, lang and zone.
func (s *Server) accountData(c fiber.Ctx, u accounts.User, name, lang, zone string) (accountPage, error) {
	d := accountPage{
		Base: s.accountBase(c, "/account", "account.title"), CSRF: s.csrfToken(c), User: u,
		DisplayName: name, Language: lang, TimeZone: zone, Errors: map[string]string{},
	}
	for _, l := range s.Bundle.Languages() {
		d.Languages = append(d.Languages, langOption{Code: l, Name: s.Bundle.T(l, "language.name", nil), Selected: l == lang})
	}
	ctx := c.Context()
	current := s.clubZone(ctx)
	if z, ok := s.lookupZone(ctx, zone); ok {
		current = z
	}
	d.Zones = s.zoneChoices(ctx, current)
	d.Supporter = u.Supporter // read with the session
	f, err := s.Accounts.Follows(c.Context(), u.ID, langOf(c))
	if err != nil {
		return d, err
	}
	if d.Notify, err = s.Notify.Prefs(c, u.ID); err != nil {
		return d, err
	}
	d.NotifyLead = strconv.Itoa(d.Notify.LeadMinutes)
	for _, t := range append(f.Artists, f.Locations...) {
		d.Follows = append(d.Follows, followButton{
			Kind: string(t.Kind), Slug: t.Slug, Name: t.Name, Page: followedPage(t.Target),
			SignedIn: true, Following: true, CSRF: d.CSRF, Next: "/account",
		})
	}
	return d, nil
}

// savedData builds the page as saved, for a GET or after another form.
func (s *Server) savedData(c fiber.Ctx, u accounts.User) (accountPage, error) {
	return s.accountData(c, u, u.DisplayName, u.Language, u.TimeZone)
}

func (s *Server) accountShow(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	d, err := s.savedData(c, u)
	if err != nil {
		return err
	}
	switch c.Query("saved") {
	case "profile", "password", "notify":
		d.Saved = c.Query("saved")
	}
	d.VerifySent = c.Query("sent") == "verify"
	return s.privatePage(c, fiber.StatusOK, "account/index", "", d)
}

// accountFailed answers a form of /account that the service refused: the
// form again with the messages, as a fragment for htmx.
func (s *Server) accountFailed(c fiber.Ctx, err error, fragment string, d accountPage) error {
	msgs, status, ok := s.formFailure(c, err)
	if !ok {
		return err
	}
	d.Errors = msgs
	return s.privatePage(c, status, "account/index", fragment, d)
}

func (s *Server) accountProfile(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	name, lang, zone := formField(c, "display_name"), formField(c, "language"), formField(c, "time_zone")
	if zone == s.zones.club.Name() {
		zone = "" // the club's zone, wherever the club moves it
	}
	saved, err := s.Accounts.UpdateProfile(c.Context(), u.ID, accounts.Profile{DisplayName: name, Language: lang, TimeZone: zone})
	if err != nil {
		d, derr := s.accountData(c, u, keep(name), keep(lang), keep(zone))
		if derr != nil {
			return derr
		}
		return s.accountFailed(c, err, "account-profile", d)
	}
	s.usePreferences(c, saved)
	// A new language or zone changes the whole page: load it again.
	return afterPost(c, "/account?saved=profile")
}

func (s *Server) accountPassword(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	err := s.Accounts.ChangePassword(c.Context(), u.ID, passwordField(c, "current_password"), passwordField(c, "password"), c.Cookies(s.acct.sessionCookie))
	d, derr := s.savedData(c, u)
	if derr != nil {
		return derr
	}
	if err != nil {
		return s.accountFailed(c, err, "account-password", d)
	}
	if isPartial(c) {
		d.Saved = "password"
		return s.privatePage(c, fiber.StatusOK, "account/index", "account-password", d)
	}
	return afterPost(c, "/account?saved=password")
}

func (s *Server) accountResendVerify(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	err := s.Accounts.ResendVerification(c.Context(), u.ID)
	d, derr := s.savedData(c, u)
	if derr != nil {
		return derr
	}
	if err != nil {
		return s.accountFailed(c, err, "account-verify", d)
	}
	if isPartial(c) {
		d.VerifySent = true
		return s.privatePage(c, fiber.StatusOK, "account/index", "account-verify", d)
	}
	return afterPost(c, "/account?sent=verify")
}

func (s *Server) accountSignOutEverywhere(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	if err := s.Accounts.SignOutEverywhere(c.Context(), u.ID); err != nil {
		return err
	}
	s.signedOut(c)
	return afterPost(c, "/login?done=signed_out")
}

func (s *Server) accountDelete(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	err := s.Accounts.DeleteAccount(c.Context(), s.actor(c), passwordField(c, "delete_password"))
	if err != nil {
		d, derr := s.savedData(c, u)
		if derr != nil {
			return derr
		}
		return s.accountFailed(c, err, "account-delete", d)
	}
	s.signedOut(c)
	return afterPost(c, "/login?done=deleted")
}

// accountMenu is the data of the header's account menu.
type accountMenu struct {
	SignedIn bool
	Name     string
	Admin    bool // may use the back office
	// Supporter shows the Patreon badge; the session read it with the
	// user, so the menu costs no query of its own.
	Supporter bool
	CSRF      string
	LoginURL  string
}

// accountMenuFragment is the header's per-user part, loaded by htmx into
// every (cached, shared) page, so the page itself names nobody.
func (s *Server) accountMenuFragment(c fiber.Ctx) error {
	d := accountMenu{LoginURL: loginURL(currentPath(c))}
	if u, ok := s.currentUser(c); ok {
		d.SignedIn, d.Name, d.Supporter, d.CSRF = true, u.Name(), u.Supporter, s.csrfToken(c)
		d.Admin = u.Role == actor.RoleAdmin || u.Role == actor.RoleEditor || u.Role == actor.RoleArtist
	}
	return s.privateFragment(c, fiber.StatusOK, "account-menu", d)
}

// currentPath is the path and query of the page htmx asked from (its
// HX-Current-URL), when that page is on this site.
func currentPath(c fiber.Ctx) string {
	u, err := url.Parse(c.Get("HX-Current-URL"))
	if err != nil || u.Path == "" {
		return ""
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return safeNext(p)
}
