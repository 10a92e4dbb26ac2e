package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

// An artist's sets: their page in the back office lists the upcoming
// events they play, each with a small form for when their own set starts
// and ends. The event routes are for staff; this one is open to the back
// office, and the events service lets an artist change their own act's
// times and nothing else. Staff keep the whole lineup form on the event.

// setRoutes are the routes of an artist's set.
func (s *Server) setRoutes() []adminRoute {
	return []adminRoute{
		{methodsWrite, "/admin/events/:id<int>/sets/:artist<int>", rolesOffice, s.adminSetTimes},
	}
}

// artistSets is the data of the admin-artist-sets fragment.
type artistSets struct {
	Sets []setForm
	Zone i18n.Zone
	Now  time.Time
}

// setForm is the data of the admin-set fragment: one event an artist
// plays and the form for their set's times.
type setForm struct {
	EventID, ArtistID   int64
	Title, LocationName i18n.Text
	StartsAt, EndsAt    time.Time
	Published           bool
	PublicURL           string
	Version             int32
	CSRF                string
	// Start and End are the set's times as the inputs show them, in the
	// editor's zone; Original* what the form started from, so a save over
	// a colleague's change elsewhere in the event still goes through.
	Start, End                 string
	OriginalStart, OriginalEnd string
	Zone                       i18n.Zone
	Errors                     fieldErrors
	// Theirs is set (with the new version) when a colleague changed this
	// set meanwhile: their times as shown.
	Theirs string
	Saved  bool
}

// DOMID is the id of the form's element.
func (f setForm) DOMID() string { return fmt.Sprintf("set-%d-%d", f.EventID, f.ArtistID) }

// URL is where the form posts.
func (f setForm) URL() string { return fmt.Sprintf("/admin/events/%d/sets/%d", f.EventID, f.ArtistID) }

// setFormOf lays out set for artistID, in the request's zone.
func (s *Server) setFormOf(c fiber.Ctx, artistID int64, set events.ArtistSet) setForm {
	z := zoneOf(c)
	start, end := editorClock(set.SetStartsAt, z), editorClock(set.SetEndsAt, z)
	return setForm{
		EventID: set.EventID, ArtistID: artistID, Title: set.Title, LocationName: set.LocationName,
		StartsAt: set.StartsAt, EndsAt: set.EndsAt, Published: set.Published, PublicURL: "/events/" + set.EventSlug,
		Version: set.Version, CSRF: s.csrfToken(c), Start: start, End: end, OriginalStart: start, OriginalEnd: end, Zone: z,
	}
}

// artistSetsOf lists artistID's upcoming sets as the request's actor may
// see them.
func (s *Server) artistSetsOf(c fiber.Ctx, artistID int64) (artistSets, error) {
	sets, err := s.Events.ArtistSets(c.Context(), s.actor(c), artistID, langOf(c))
	if err != nil {
		return artistSets{}, err
	}
	out := artistSets{Zone: zoneOf(c), Now: s.Now()}
	for _, set := range sets {
		out.Sets = append(out.Sets, s.setFormOf(c, artistID, set))
	}
	return out, nil
}

// maxSetTime bounds a typed time: a datetime-local value is 16 bytes.
const maxSetTime = 32

// parseSetTime reads a set time typed in loc; empty is no time.
func parseSetTime(typed string, loc *time.Location) (time.Time, bool) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return time.Time{}, true
	}
	if len(typed) > maxSetTime {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(dateTimeLayout, typed, loc)
	return t.UTC(), err == nil
}

// adminSetTimes saves an artist's set times at an event: the artist
// themself or staff, for an upcoming event on the artist's list. A bad
// time or one outside the event comes back beside its field (422); a
// colleague's change to the same set comes back with their times (409).
func (s *Server) adminSetTimes(c fiber.Ctx) error {
	eventID, err := paramID(c)
	if err != nil {
		return err
	}
	artistID, err := strconv.ParseInt(c.Params("artist"), 10, 64)
	if err != nil || artistID <= 0 {
		return fiber.ErrNotFound
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	ctx, a := c.Context(), s.actor(c)
	all, err := s.artistSetsOf(c, artistID)
	if err != nil {
		return err // another artist's sets: forbidden
	}
	var form setForm
	for _, f := range all.Sets {
		if f.EventID == eventID {
			form = f
		}
	}
	if form.EventID == 0 {
		// Not an upcoming set of theirs: past, cancelled, or not in it.
		return fmt.Errorf("web: set of artist %d at event %d: %w", artistID, eventID, apperr.ErrNotFound)
	}
	form.Version = version
	form.Start, form.End = c.FormValue("set_start"), c.FormValue("set_end")
	form.OriginalStart, form.OriginalEnd = c.FormValue("original_start"), c.FormValue("original_end")
	loc := zoneOf(c).Location()
	starts, okStart := parseSetTime(form.Start, loc)
	ends, okEnd := parseSetTime(form.End, loc)
	if !okStart || !okEnd {
		form.Errors = fieldErrors{}
		if !okStart {
			form.Errors["set_starts_at"] = apperr.Message{ID: "admin.error.datetime_invalid"}
		}
		if !okEnd {
			form.Errors["set_ends_at"] = apperr.Message{ID: "admin.error.datetime_invalid"}
		}
		return s.setAnswer(c, fiber.StatusUnprocessableEntity, artistID, form)
	}
	d, err := s.Events.SetSetTimes(ctx, a, eventID, version, artistID, starts, ends)
	if errors.Is(err, apperr.ErrConflict) {
		// The event moved on. If this set is still as the form found it,
		// the change was elsewhere and nothing of a colleague's is lost.
		cur, lerr := s.Events.AdminGet(ctx, eventID)
		if lerr != nil {
			return lerr
		}
		act, ok := lineupAct(cur, artistID)
		if !ok {
			return fmt.Errorf("web: artist %d left event %d: %w", artistID, eventID, apperr.ErrNotFound)
		}
		z := zoneOf(c)
		theirStart, theirEnd := editorClock(act.SetStartsAt, z), editorClock(act.SetEndsAt, z)
		if theirStart == form.OriginalStart && theirEnd == form.OriginalEnd {
			d, err = s.Events.SetSetTimes(ctx, a, eventID, cur.Version, artistID, starts, ends)
		}
		if errors.Is(err, apperr.ErrConflict) {
			form.Version, form.OriginalStart, form.OriginalEnd = cur.Version, theirStart, theirEnd
			form.Theirs = s.setSpan(c, act)
			return s.setAnswer(c, fiber.StatusConflict, artistID, form)
		}
	}
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		form.Errors = fieldErrors{}
		for k, m := range inv.Fields {
			if k != "set_starts_at" && k != "set_ends_at" {
				k = "set" // a rule about the event as a whole
			}
			form.Errors[k] = m
		}
		return s.setAnswer(c, fiber.StatusUnprocessableEntity, artistID, form)
	}
	if err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(artistPath(artistID) + "#" + form.DOMID())
	}
	act, _ := lineupAct(d, artistID)
	z := zoneOf(c)
	form.Version = d.Version
	form.Start, form.End = editorClock(act.SetStartsAt, z), editorClock(act.SetEndsAt, z)
	form.OriginalStart, form.OriginalEnd = form.Start, form.End
	form.Saved = true
	return s.adminFragment(c, fiber.StatusOK, "admin-set", form)
}

// lineupAct is artistID's act in d's lineup.
func lineupAct(d events.Draft, artistID int64) (events.LineupEntry, bool) {
	for _, e := range d.Lineup {
		if e.ArtistID == artistID {
			return e, true
		}
	}
	return events.LineupEntry{}, false
}

// setSpan is an act's set times as a sentence in the editor's language.
func (s *Server) setSpan(c fiber.Ctx, act events.LineupEntry) string {
	lang := langOf(c)
	if act.SetStartsAt.IsZero() {
		return s.Bundle.T(lang, "admin.sets.not_announced", nil)
	}
	if act.SetEndsAt.IsZero() {
		return s.Bundle.When(lang, act.SetStartsAt, zoneOf(c))
	}
	return s.Bundle.Span(lang, act.SetStartsAt, act.SetEndsAt, zoneOf(c))
}

// setAnswer answers a refused or conflicting save with the form: the
// fragment for htmx, else the artist's page with this form in place.
func (s *Server) setAnswer(c fiber.Ctx, status int, artistID int64, form setForm) error {
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-set", form)
	}
	d, err := s.adminArtistGet(c, artistID)
	if err != nil {
		return err
	}
	data, err := s.artistPage(c, d)
	if err != nil {
		return err
	}
	for i := range data.Sets.Sets {
		if data.Sets.Sets[i].EventID == form.EventID {
			data.Sets.Sets[i] = form
		}
	}
	return s.adminPage(c, status, "admin/artists/show", "", data)
}
