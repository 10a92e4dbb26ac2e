package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/events"
)

// The two whole forms of events: a new event, and its lineup. Both work
// without JavaScript and answer 422 with what was typed when refused.

// lineupForm is the data of the admin-lineup fragment.
type lineupForm struct {
	EventID int64
	Version int32
	CSRF    string
	Rows    []lineupRow
	Artists []fieldOption
	Errors  fieldErrors
}

// lineupRow is one act of the form; the form always has spare empty rows
// for new acts.
type lineupRow struct {
	Index            int
	ArtistID         string
	SetStart, SetEnd string
	ArtistName       string
	Invalid          bool
}

// lineupSpare is how many empty rows the lineup form offers for new acts.
const lineupSpare = 2

// allArtists lists every artist for the lineup's choices, a page at a time.
func (s *Server) allArtists(c fiber.Ctx) ([]fieldOption, error) {
	var out []fieldOption
	for page := 1; page <= 50; page++ {
		p, err := s.Artists.AdminList(c.Context(), artists.AdminFilter{Page: page, PerPage: 100})
		if err != nil {
			return nil, err
		}
		for _, a := range p.Artists {
			out = append(out, fieldOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
		}
		if page >= p.Pages {
			break
		}
	}
	return out, nil
}

// lineupForm lays out d's lineup, or rows as typed when a save was refused.
func (s *Server) lineupForm(c fiber.Ctx, d events.Draft, typed []lineupRow) (lineupForm, error) {
	options, err := s.allArtists(c)
	if err != nil {
		return lineupForm{}, err
	}
	f := lineupForm{EventID: d.ID, Version: d.Version, CSRF: s.csrfToken(c), Artists: options, Rows: typed}
	z := zoneOf(c)
	if typed == nil {
		for _, act := range d.Lineup {
			f.Rows = append(f.Rows, lineupRow{
				ArtistID: strconv.FormatInt(act.ArtistID, 10), ArtistName: act.ArtistName,
				SetStart: editorClock(act.SetStartsAt, z), SetEnd: editorClock(act.SetEndsAt, z),
			})
		}
		for range lineupSpare {
			f.Rows = append(f.Rows, lineupRow{})
		}
	}
	for i := range f.Rows {
		f.Rows[i].Index = i
	}
	return f, nil
}

// adminEventLineup replaces an event's lineup with the form's rows: an
// act per row with an artist chosen, in the order of the rows.
func (s *Server) adminEventLineup(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 32)
	if err != nil || version <= 0 {
		return badRequest("error.request.version_missing", nil)
	}
	args := c.Request().PostArgs()
	ids, starts, ends := args.PeekMulti("artist"), args.PeekMulti("set_start"), args.PeekMulti("set_end")
	if len(ids) > 200 || len(starts) != len(ids) || len(ends) != len(ids) {
		return badRequest("error.request.value_malformed", nil)
	}
	loc := zoneOf(c).Location()
	var rows []lineupRow
	var acts []events.LineupInput
	errs := map[string]apperr.Message{}
	for i := range ids {
		row := lineupRow{ArtistID: string(ids[i]), SetStart: string(starts[i]), SetEnd: string(ends[i])}
		rows = append(rows, row)
		if strings.TrimSpace(row.ArtistID) == "" {
			continue
		}
		artistID, perr := strconv.ParseInt(row.ArtistID, 10, 64)
		if perr != nil || artistID <= 0 {
			errs[fmt.Sprintf("lineup.%d", i)] = apperr.Message{ID: "error.event.lineup_unknown_artist"}
			continue
		}
		act := events.LineupInput{ArtistID: artistID, Position: len(acts) + 1}
		for _, t := range []struct {
			in  string
			out *time.Time
		}{{row.SetStart, &act.SetStartsAt}, {row.SetEnd, &act.SetEndsAt}} {
			if v := strings.TrimSpace(t.in); v != "" {
				parsed, perr := time.ParseInLocation(dateTimeLayout, v, loc)
				if perr != nil {
					errs[fmt.Sprintf("lineup.%d", i)] = apperr.Message{ID: "admin.error.datetime_invalid"}
					continue
				}
				*t.out = parsed.UTC()
			}
		}
		acts = append(acts, act)
	}
	ctx := c.Context()
	if len(errs) == 0 {
		_, err = s.Events.SetLineup(ctx, s.actor(c), id, int32(version), acts)
		if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
			errs = inv.Fields
			err = nil
		}
	}
	if errors.Is(err, apperr.ErrConflict) {
		errs["lineup"] = apperr.Message{ID: "admin.lineup.conflict"}
		err = nil
	}
	if err != nil {
		return err
	}
	d, err := s.Events.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		if !isPartial(c) {
			return c.Redirect().Status(fiber.StatusSeeOther).To(fmt.Sprintf("/admin/events/%d#lineup", id))
		}
		data, err := s.eventPage(c, d)
		if err != nil {
			return err
		}
		return s.adminPage(c, fiber.StatusOK, "admin/events/show", "admin-event", data)
	}
	form, err := s.lineupForm(c, d, rows)
	if err != nil {
		return err
	}
	form.Version = int32(version)
	if _, conflict := errs["lineup"]; conflict && errs["lineup"].ID == "admin.lineup.conflict" {
		form.Version = d.Version
	}
	form.Errors = errs
	for i := range form.Rows {
		_, form.Rows[i].Invalid = errs[fmt.Sprintf("lineup.%d", i)]
	}
	status := fiber.StatusUnprocessableEntity
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-lineup", form)
	}
	data, err := s.eventPage(c, d)
	if err != nil {
		return err
	}
	data.Lineup = form
	return s.adminPage(c, status, "admin/events/show", "", data)
}

// eventNewForm is the data of the new-event page.
type eventNewForm struct {
	adminBase
	Kind, Location, StartsAt, EndsAt string
	Texts                            map[string]events.Text
	Langs                            []string
	Kinds                            []fieldOption
	Locations                        []fieldOption
	CreateKey                        string
	Errors                           fieldErrors
	// Other holds the errors of no field of the form.
	Other []apperr.Message
}

func (s *Server) newEventForm(c fiber.Ctx) (eventNewForm, error) {
	lang := langOf(c)
	locs, err := s.Locations.List(c.Context(), lang)
	if err != nil {
		return eventNewForm{}, err
	}
	f := eventNewForm{
		adminBase: s.adminBase(c, "events", s.Bundle.T(lang, "admin.events.new", nil)),
		Kind:      string(events.KindDJSet),
		Texts:     map[string]events.Text{},
		Langs:     s.Bundle.Languages(),
		Kinds:     kindOptions(false),
		CreateKey: newCreateKey(),
	}
	for _, l := range locs {
		f.Locations = append(f.Locations, fieldOption{Value: strconv.FormatInt(l.ID, 10), Label: l.Name.Value})
	}
	return f, nil
}

func (s *Server) adminEventNew(c fiber.Ctx) error {
	f, err := s.newEventForm(c)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/events/new", "", f)
}

func (s *Server) adminEventCreate(c fiber.Ctx) error {
	f, err := s.newEventForm(c)
	if err != nil {
		return err
	}
	f.Kind, f.Location = c.FormValue("kind"), c.FormValue("location")
	f.StartsAt, f.EndsAt = c.FormValue("starts_at"), c.FormValue("ends_at")
	f.CreateKey = c.FormValue("create_key")
	in := events.EventInput{Kind: events.Kind(f.Kind), Texts: map[string]events.Text{}, CreateKey: f.CreateKey}
	errs := map[string]apperr.Message{}
	if f.Location != "" {
		id, perr := strconv.ParseInt(f.Location, 10, 64)
		if perr != nil {
			errs["location"] = apperr.Message{ID: "error.event.unknown_location"}
		}
		in.LocationID = id
	}
	loc := zoneOf(c).Location()
	for name, v := range map[string]struct {
		typed string
		out   *time.Time
	}{"starts_at": {f.StartsAt, &in.StartsAt}, "ends_at": {f.EndsAt, &in.EndsAt}} {
		if strings.TrimSpace(v.typed) == "" {
			continue // the service says it is required
		}
		t, perr := time.ParseInLocation(dateTimeLayout, strings.TrimSpace(v.typed), loc)
		if perr != nil {
			errs[name] = apperr.Message{ID: "admin.error.datetime_invalid"}
			continue
		}
		*v.out = t.UTC()
	}
	for _, l := range f.Langs {
		t := events.Text{Title: c.FormValue("title." + l), Summary: c.FormValue("summary." + l), Description: c.FormValue("description." + l)}
		f.Texts[l] = t
		in.Texts[l] = t
	}
	if len(errs) == 0 {
		d, err := s.Events.Create(c.Context(), s.actor(c), in)
		if err == nil {
			return s.redirectTo(c, fmt.Sprintf("/admin/events/%d", d.ID))
		}
		inv, ok := errors.AsType[*apperr.Invalid](err)
		if !ok {
			return err
		}
		errs = inv.Fields
	}
	f.Errors = errs
	shown := map[string]bool{"kind": true, "location": true, "starts_at": true, "ends_at": true}
	for _, l := range f.Langs {
		for _, part := range []string{"title", "summary", "description"} {
			shown[part+"."+l] = true
		}
	}
	f.Other = otherErrors(errs, func(k string) bool { return shown[k] })
	return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/events/new", "admin-event-new", f)
}
