package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/locations"
)

// The whole forms of a venue: a new venue, its theme, a new now-playing
// token, and deletion. Each works without JavaScript (a full page, 303
// after success) and with htmx (its fragment), and answers a refusal with
// what was typed and the reason beside it.

// locationNewForm is the data of the new-venue page and its fragment.
type locationNewForm struct {
	adminBase
	Texts     map[string]locations.Text
	Langs     []string
	CreateKey string
	Errors    fieldErrors
	// Other holds the errors of no field of the form.
	Other []apperr.Message
}

func (s *Server) newLocationForm(c fiber.Ctx) locationNewForm {
	return locationNewForm{
		adminBase: s.adminBase(c, "locations", s.Bundle.T(langOf(c), "admin.locations.new", nil)),
		Texts:     map[string]locations.Text{},
		Langs:     s.Bundle.Languages(),
		CreateKey: newCreateKey(),
	}
}

func (s *Server) adminLocationNew(c fiber.Ctx) error {
	return s.adminPage(c, fiber.StatusOK, "admin/locations/new", "admin-location-new", s.newLocationForm(c))
}

func (s *Server) adminLocationCreate(c fiber.Ctx) error {
	f := s.newLocationForm(c)
	f.CreateKey = c.FormValue("create_key")
	in := locations.LocationInput{Texts: map[string]locations.Text{}, CreateKey: f.CreateKey}
	for _, l := range f.Langs {
		t := locations.Text{Name: c.FormValue("name." + l), Tagline: c.FormValue("tagline." + l), Description: c.FormValue("description." + l)}
		f.Texts[l] = t
		in.Texts[l] = t
	}
	d, err := s.Locations.Create(c.Context(), s.actor(c), in)
	if err == nil {
		return s.redirectTo(c, locationPath(d.ID))
	}
	inv, ok := errors.AsType[*apperr.Invalid](err)
	if !ok {
		return err
	}
	f.Errors = inv.Fields
	f.Other = otherErrors(f.Errors, textFieldShown(f.Langs, []string{"name", "tagline", "description"}))
	return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/locations/new", "admin-location-new", f)
}

// textFieldShown reports whether a form shows a field: one of parts in one
// of langs ("name.en").
func textFieldShown(langs, parts []string) func(string) bool {
	shown := map[string]bool{}
	for _, l := range langs {
		for _, p := range parts {
			shown[p+"."+l] = true
		}
	}
	return func(k string) bool { return shown[k] }
}

// locationTheme is the data of the admin-location-theme fragment: the four
// colours with a preview that admin.js updates as they change.
type locationTheme struct {
	ID      int64
	Version int32
	CSRF    string
	// Name is the venue's name, for the preview.
	Name string
	// Theme is what the inputs hold: the venue's colours, or what the
	// editor typed when a save was refused.
	Theme locations.Theme
	// Original is the theme the form started from: when only other fields
	// changed meanwhile, a save goes through.
	Original locations.Theme
	// Theirs is a colleague's newer theme, shown after a conflict (409).
	Theirs      *locations.Theme
	Errors      fieldErrors
	Saved       bool
	MinContrast float64
}

func (s *Server) locationTheme(c fiber.Ctx, d locations.Draft) locationTheme {
	return locationTheme{
		ID: d.ID, Version: d.Version, CSRF: s.csrfToken(c), Name: locationTitle(d, s.Bundle.Default()),
		Theme: d.Theme, Original: d.Theme, MinContrast: locations.MinContrast,
	}
}

// themeFrom reads a theme from the form, each colour under prefix + its
// field ("theme.background", "original.background").
func themeFrom(c fiber.Ctx, prefix string) locations.Theme {
	return locations.Theme{
		Background: c.FormValue(prefix + "background"), Surface: c.FormValue(prefix + "surface"),
		Text: c.FormValue(prefix + "text"), Accent: c.FormValue(prefix + "accent"),
	}
}

// withTheme is d as the whole-venue form sends it, with theme t: Update
// replaces every field, so the others keep their current values, and the
// texts are left out so that none changes.
func withTheme(d locations.Draft, t locations.Theme) locations.LocationInput {
	return locations.LocationInput{
		Position: d.Position, Theme: t, BackgroundMediaID: d.BackgroundMediaID, StreamKind: d.StreamKind,
		StreamStatusURL: d.StreamStatusURL, StreamListenURL: d.StreamListenURL, TeleportURL: d.TeleportURL, Screen: d.Screen,
	}
}

// adminLocationTheme saves the four colours at once: the contrast rule
// judges the new theme as a whole, where one colour at a time could pass
// through an unreadable pair and be refused.
func (s *Server) adminLocationTheme(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	ctx, a := c.Context(), s.actor(c)
	cur, err := s.Locations.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	typed, original := themeFrom(c, "theme."), themeFrom(c, "original.")
	th := s.locationTheme(c, cur)
	th.Theme, th.Original, th.Version = typed, original, version
	if version != cur.Version && original == cur.Theme {
		// Only other fields moved on since the form was shown: saving the
		// theme over the new version loses nothing of a colleague's.
		th.Original, th.Version = cur.Theme, cur.Version
	}
	_, err = s.Locations.Update(ctx, a, id, th.Version, withTheme(cur, typed))
	inv, invalid := errors.AsType[*apperr.Invalid](err)
	status := fiber.StatusUnprocessableEntity
	switch {
	case invalid:
		th.Errors = inv.Fields
	case errors.Is(err, apperr.ErrConflict):
		if cur, err = s.Locations.AdminGet(ctx, id); err != nil {
			return err
		}
		theirs := cur.Theme
		th.Theirs, th.Original, th.Version = &theirs, cur.Theme, cur.Version
		status = fiber.StatusConflict
	case err != nil:
		return err
	case !isPartial(c):
		return c.Redirect().Status(fiber.StatusSeeOther).To(locationPath(id) + "#admin-location-theme")
	default:
		saved, err := s.Locations.AdminGet(ctx, id)
		if err != nil {
			return err
		}
		th = s.locationTheme(c, saved)
		th.Saved = true
		return s.fragmentWithHistory(c, "admin-location-theme", th, audit.KindLocation, id)
	}
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-location-theme", th)
	}
	data, err := s.locationPage(c, cur)
	if err != nil {
		return err
	}
	data.Theme = th
	return s.adminPage(c, status, "admin/locations/show", "", data)
}

// adminLocationToken gives the venue a new now-playing token and shows it,
// this once: only its hash is kept. The old token stops working at once.
func (s *Server) adminLocationToken(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	token, err := s.Locations.RotateNowPlayingToken(ctx, s.actor(c), id)
	if err != nil {
		return err
	}
	d, err := s.Locations.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	tok := s.locationToken(c, d, token)
	if isPartial(c) {
		return s.fragmentWithHistory(c, "admin-location-token", tok, audit.KindLocation, id)
	}
	// No redirect: the token is in this answer and nowhere else.
	data, err := s.locationPage(c, d)
	if err != nil {
		return err
	}
	data.Token = tok
	return s.adminPage(c, fiber.StatusOK, "admin/locations/show", "", data)
}

// adminLocationDelete deletes the venue once the form's confirmation is
// ticked. Deleting is a decision about the venue as it is now, so it names
// the current version; a venue with events is refused, and the reason is
// shown beside the button.
func (s *Server) adminLocationDelete(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	cur, err := s.Locations.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	return s.deleteEntity(c, "locations", "admin-location-delete", id,
		func() error { return s.Locations.Delete(ctx, s.actor(c), id, cur.Version) },
		func(form entityDelete) error {
			data, err := s.locationPage(c, cur)
			if err != nil {
				return err
			}
			data.Delete = form
			return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/locations/show", "", data)
		})
}

// themeColour is one colour of the theme form.
type themeColour struct {
	// Name is the colour's part of the field name ("theme.background").
	Name string
	// Var is the custom property the preview reads, which admin.js sets.
	Var             string
	LabelID         string
	Value, Original string
	// Theirs is a colleague's value after a conflict.
	Theirs string
	Error  *apperr.Message
}

// Colours lists the form's colours in the order it shows them.
func (t locationTheme) Colours() []themeColour {
	parts := func(th locations.Theme) []string { return []string{th.Background, th.Surface, th.Text, th.Accent} }
	value, original := parts(t.Theme), parts(t.Original)
	var theirs []string
	if t.Theirs != nil {
		theirs = parts(*t.Theirs)
	}
	vars := []string{"--bg", "--surface", "--text", "--accent"}
	out := make([]themeColour, len(vars))
	for i, name := range []string{"background", "surface", "text", "accent"} {
		c := themeColour{Name: name, Var: vars[i], LabelID: "admin.location.theme." + name, Value: value[i], Original: original[i]}
		if theirs != nil {
			c.Theirs = theirs[i]
		}
		if m, ok := t.Errors["theme."+name]; ok {
			c.Error = &m
		}
		out[i] = c
	}
	return out
}

// OtherErrors are the refusals about no colour: the service judges the
// whole venue, so a rule about another field can stop a theme too.
func (t locationTheme) OtherErrors() []apperr.Message {
	return otherErrors(t.Errors, func(k string) bool { return strings.HasPrefix(k, "theme.") })
}
