package web

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
)

// The events of the back office: a list, a page per event whose fields
// are edited in place, the actions that change its state (publish, cancel,
// duplicate) and the lineup form.

var eventListSpec = listSpec{
	sorts: []string{events.SortStartsAt, events.SortStartsAtDesc, events.SortTitle, events.SortUpdated},
	filters: []listFilterSpec{
		{name: "status", labelID: "admin.event.status", options: statusOptions()},
		{name: "kind", labelID: "admin.event.kind", options: kindOptions(true)},
	},
}

func statusOptions() []fieldOption {
	var out []fieldOption
	for _, st := range events.Statuses() {
		out = append(out, fieldOption{Value: string(st), LabelID: "admin.event.status." + string(st)})
	}
	return out
}

func kindOptions(any bool) []fieldOption {
	var out []fieldOption
	if any {
		out = append(out, fieldOption{Value: "", LabelID: "admin.list.any"})
	}
	for _, k := range events.Kinds() {
		out = append(out, fieldOption{Value: string(k), LabelID: "event.kind." + string(k)})
	}
	return out
}

// eventRoutes are the back office's event routes.
func (s *Server) eventRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/events", rolesStaff, s.adminEvents},
		{methodsRead, "/admin/events/new", rolesStaff, s.adminEventNew},
		{methodsWrite, "/admin/events", rolesStaff, s.adminEventCreate},
		{methodsRead, "/admin/events/:id<int>", rolesStaff, s.adminEvent},
		{methodsWrite, "/admin/events/:id<int>/:action<regex(publish|unpublish|cancel|reinstate|duplicate)>", rolesStaff, s.adminEventAction},
		{methodsWrite, "/admin/events/:id<int>/lineup", rolesStaff, s.adminEventLineup},
	}
}

func (s *Server) adminEvents(c fiber.Ctx) error {
	q := parseList(c, eventListSpec)
	lang, z := langOf(c), zoneOf(c)
	page, err := s.Events.AdminList(c.Context(), events.AdminFilter{
		Q: q.Q, Status: events.Status(q.Filters["status"]), Kind: events.Kind(q.Filters["kind"]),
		Sort: q.Sort, Page: q.Page, Lang: lang,
	})
	if err != nil {
		return err
	}
	q.Page = page.Page
	l := newAdminList("admin-events", "/admin/events", "admin.events.title", eventListSpec, q, page.Total, page.PerPage, [][2]string{
		{"admin.event.title", events.SortTitle},
		{"admin.event.starts_at", events.SortStartsAt},
		{"admin.event.location", ""},
		{"admin.event.kind", ""},
		{"admin.event.status", ""},
		{"admin.event.updated", events.SortUpdated},
	})
	l.EmptyID, l.NewURL, l.NewLabel = "admin.list.empty", "/admin/events/new", s.Bundle.T(lang, "admin.events.new", nil)
	for _, e := range page.Events {
		status, badge := eventBadge(e.Published, e.Cancelled)
		l.Rows = append(l.Rows, listRow{Cells: []listCell{
			{Text: e.Title.Value, Href: fmt.Sprintf("/admin/events/%d", e.ID)},
			{Text: s.Bundle.When(lang, e.StartsAt, z)},
			{Text: e.LocationName.Value},
			{Text: s.Bundle.T(lang, "event.kind."+string(e.Kind), nil)},
			{Text: s.Bundle.T(lang, status, nil), Badge: badge},
			{Text: s.Bundle.When(lang, e.UpdatedAt, z)},
		}})
	}
	data := adminListPage{adminBase: s.adminBase(c, "events", s.Bundle.T(lang, "admin.events.title", nil)), List: l}
	return s.sendAdminList(c, "admin/events/index", data)
}

// eventBadge names an event's state and its badge.
func eventBadge(published, cancelled bool) (msgID, badge string) {
	switch {
	case cancelled:
		return "admin.event.status.cancelled", "cancelled"
	case published:
		return "admin.event.status.published", "published"
	}
	return "admin.event.status.draft", "draft"
}

// eventsEntity is the inline editing of events.
func (s *Server) eventsEntity() inlineEntity {
	return inlineEntity{
		name: "events", auditKind: audit.KindEvent, roles: rolesStaff,
		page: func(id int64) string { return fmt.Sprintf("/admin/events/%d", id) },
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			d, err := s.Events.AdminGet(c.Context(), id)
			if err != nil {
				return fieldSet{}, err
			}
			return s.eventFields(c, d)
		},
		save: func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error {
			_, err := s.Events.Patch(c.Context(), a, id, version, name, value)
			return err
		},
	}
}

// eventFields lays out an event's editable fields in the editor's language
// and zone: the general ones, then each language's text.
func (s *Server) eventFields(c fiber.Ctx, d events.Draft) (fieldSet, error) {
	lang, z, a := langOf(c), zoneOf(c), s.actor(c)
	locs, err := s.Locations.List(c.Context(), lang)
	if err != nil {
		return fieldSet{}, err
	}
	var locOptions []fieldOption
	locName := d.LocationSlug
	for _, l := range locs {
		locOptions = append(locOptions, fieldOption{Value: l.Slug, Label: l.Name.Value})
		if l.Slug == d.LocationSlug {
			locName = l.Name.Value
		}
	}
	shown := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return s.Bundle.When(lang, t, z)
	}
	yesNo := map[bool]string{true: s.Bundle.T(lang, "admin.yes", nil), false: s.Bundle.T(lang, "admin.no", nil)}
	set := fieldSet{Title: eventTitle(d, s.Bundle.Default()), Version: d.Version}
	set.Fields = []field{
		{Name: "kind", LabelID: "admin.event.kind", Input: inputSelect, Value: string(d.Kind),
			Display: s.Bundle.T(lang, "event.kind."+string(d.Kind), nil), Options: kindOptions(false), Required: true},
		{Name: "location", LabelID: "admin.event.location", Input: inputSelect, Value: d.LocationSlug, Display: locName, Options: locOptions, Required: true},
		{Name: "starts_at", LabelID: "admin.event.starts_at", Input: inputDateTime, Value: editorClock(d.StartsAt, z), Display: shown(d.StartsAt), Required: true},
		{Name: "ends_at", LabelID: "admin.event.ends_at", Input: inputDateTime, Value: editorClock(d.EndsAt, z), Display: shown(d.EndsAt), Required: true},
		{Name: "allow_overlap", LabelID: "admin.event.allow_overlap", Input: inputCheckbox, Value: strconv.FormatBool(d.AllowOverlap),
			Display: yesNo[d.AllowOverlap], ReadOnly: !a.IsAdmin()},
	}
	cover, err := s.mediaField(c, "cover", "admin.event.cover", d.CoverMediaID)
	if err != nil {
		return fieldSet{}, err
	}
	set.Fields = append(set.Fields, cover)
	for _, l := range s.Bundle.Languages() {
		t := d.Texts[l]
		set.Fields = append(set.Fields,
			field{Name: "title." + l, LabelID: "admin.event.title", Lang: l, Input: inputText, Value: t.Title, MaxLen: 200, Required: l == s.Bundle.Default()},
			field{Name: "summary." + l, LabelID: "admin.event.summary", Lang: l, Input: inputText, Value: t.Summary, MaxLen: 500},
			field{Name: "description." + l, LabelID: "admin.event.description", Lang: l, Input: inputTextarea, Value: t.Description, MaxLen: 20000},
		)
	}
	set.bind("events", d.ID, s.csrfToken(c), fmt.Sprintf("/admin/events/%d", d.ID))
	return set, nil
}

// eventTitle is the event's name in the back office: the default
// language's title, any title, or its slug.
func eventTitle(d events.Draft, def string) string {
	if t := d.Texts[def].Title; t != "" {
		return t
	}
	for _, t := range d.Texts {
		if t.Title != "" {
			return t.Title
		}
	}
	return d.Slug
}

type eventAdminPage struct {
	adminBase
	Event     events.Draft
	Title     string
	General   []field
	Langs     []langFields
	Status    eventStatus
	Lineup    lineupForm
	History   entityHistory
	PublicURL string
}

// eventStatus is the data of the admin-event-status fragment: the state
// and the actions it allows.
type eventStatus struct {
	ID                   int64
	Published, Cancelled bool
	StatusID, Badge      string
	CSRF                 string
	PublicURL            string
	Error                *apperr.Message
}

func (s *Server) adminEvent(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	d, err := s.Events.AdminGet(c.Context(), id)
	if err != nil {
		return err
	}
	data, err := s.eventPage(c, d)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/events/show", "", data)
}

func (s *Server) eventPage(c fiber.Ctx, d events.Draft) (eventAdminPage, error) {
	set, err := s.eventFields(c, d)
	if err != nil {
		return eventAdminPage{}, err
	}
	history, err := s.Audit.ForEntity(c.Context(), audit.KindEvent, d.ID, historyLength)
	if err != nil {
		return eventAdminPage{}, err
	}
	lineup, err := s.lineupForm(c, d, nil)
	if err != nil {
		return eventAdminPage{}, err
	}
	p := eventAdminPage{
		adminBase: s.adminBase(c, "events", set.Title),
		Event:     d,
		Title:     set.Title,
		Status:    s.eventStatus(c, d),
		Lineup:    lineup,
		History:   entityHistory{Kind: audit.KindEvent, ID: d.ID, Entries: history, Zone: zoneOf(c)},
		PublicURL: "/events/" + d.Slug,
	}
	p.General, p.Langs = byLanguage(s.Bundle.Languages(), set.Fields)
	p.follow(live.AdminTopic(live.AdminEvent, d.ID), int64(d.Version))
	return p, nil
}

func (s *Server) eventStatus(c fiber.Ctx, d events.Draft) eventStatus {
	id, badge := eventBadge(d.Published, d.Cancelled)
	return eventStatus{
		ID: d.ID, Published: d.Published, Cancelled: d.Cancelled, StatusID: id, Badge: badge,
		CSRF: s.csrfToken(c), PublicURL: "/events/" + d.Slug,
	}
}

// adminEventAction publishes, unpublishes, cancels, reinstates or
// duplicates an event. A state change is an explicit decision about the
// event as it is now, not an edit of a field someone else may have
// changed, so it applies to the current version.
func (s *Server) adminEventAction(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx, a := c.Context(), s.actor(c)
	cur, err := s.Events.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	var d events.Draft
	switch c.Params("action") {
	case "publish":
		d, err = s.Events.Publish(ctx, a, id, cur.Version)
	case "unpublish":
		d, err = s.Events.Unpublish(ctx, a, id, cur.Version)
	case "cancel":
		d, err = s.Events.Cancel(ctx, a, id, cur.Version)
	case "reinstate":
		d, err = s.Events.Reinstate(ctx, a, id, cur.Version)
	case "duplicate":
		d, err = s.Events.Duplicate(ctx, a, id)
		if err == nil {
			return s.redirectTo(c, fmt.Sprintf("/admin/events/%d", d.ID))
		}
	default:
		return fiber.ErrNotFound
	}
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		// The refusal is shown in the event's status, and the whole event
		// answers, as a success would: the actions target #admin-event.
		data, perr := s.eventPage(c, cur)
		if perr != nil {
			return perr
		}
		msg := inv.First()
		data.Status.Error = &msg
		return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/events/show", "admin-event", data)
	}
	if err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(fmt.Sprintf("/admin/events/%d", id))
	}
	// The whole page changes with the state (version, history), so htmx
	// gets it back and swaps the main element.
	data, err := s.eventPage(c, d)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/events/show", "admin-event", data)
}

// redirectTo sends a browser to path: HX-Location for htmx, 303 otherwise.
func (s *Server) redirectTo(c fiber.Ctx, path string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Location", path)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(path)
}
