package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/i18n"
)

// Inline editing: every editable field of an entity has one URL,
// /admin/{entity}/{id}/fields/{field}. GET shows it, GET …/edit gives its
// form, PATCH (or POST from a plain form) saves it. htmx swaps the field's
// element in place; without JavaScript the same URLs answer whole pages
// and a save redirects back to the entity's page. Every save carries the
// version the editor saw, so a colleague's newer change is shown, never
// overwritten.

// inlineEntity is an entity whose fields the back office edits in place.
type inlineEntity struct {
	// name is the URL segment, e.g. "events".
	name string
	// auditKind names the entity in the audit log.
	auditKind string
	// keyless entities record their audit entries with no entity id (a
	// setting is keyed by name), so their history is the kind's.
	keyless bool
	// roles may use its field routes; the service still decides what each
	// actor may change.
	roles []actor.Role
	// page is the entity's back-office page.
	page func(id int64) string
	// load returns the fields as the request's actor sees them, in the
	// editor's language and zone.
	load func(c fiber.Ctx, id int64) (fieldSet, error)
	// save applies one field's value, given in the service's form (times
	// as RFC 3339), over version.
	save func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error
}

// fieldSet is an entity's editable fields at one version.
type fieldSet struct {
	Title   string
	Version int32
	Fields  []field
}

// get returns the named field.
func (fs fieldSet) get(name string) (field, bool) {
	for _, f := range fs.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return field{}, false
}

// Input kinds a field may have.
const (
	inputText     = "text"
	inputTextarea = "textarea"
	inputSelect   = "select"
	inputDateTime = "datetime-local"
	inputColour   = "color"
	inputURL      = "url"
	inputNumber   = "number"
	inputCheckbox = "checkbox"
	// inputChoices is any number of its Options, each a checkbox; the
	// form sends each ticked one as a value, and Value holds them
	// comma-separated.
	inputChoices = "choices"
	// inputMedia is a picture from the library, chosen in the picker
	// (admin_media_picker.go); its value is a media id, "" for none.
	inputMedia = "media"
)

// dateTimeLayout is how <input type="datetime-local"> sends a time: wall
// clock in the editor's zone, to the minute.
const dateTimeLayout = "2006-01-02T15:04"

// editorClock is t as a datetime-local input shows it: wall clock in the
// editor's zone, "" for no time.
func editorClock(t time.Time, z i18n.Zone) string {
	if t.IsZero() {
		return ""
	}
	return t.In(z.Location()).Format(dateTimeLayout)
}

// field is one editable value as its fragments show it.
type field struct {
	Entity  string
	ID      int64
	Name    string // "title.en", "starts_at"
	LabelID string // message ID of the label
	// Lang is set for a translation: the input gets lang and the label
	// says which language.
	Lang     string
	Input    string
	Value    string // the form value
	Display  string // what the page shows; Value when empty
	Options  []fieldOption
	MaxLen   int
	Required bool
	ReadOnly bool
	Version  int32
	CSRF     string
	Page     string
	// Error is set when a save was refused (422).
	Error *apperr.Message
	// Theirs is a colleague's current value, shown when a save found a
	// newer version (409); Value then holds what the editor tried.
	Theirs      string
	TheirsValue string
	Conflict    bool
	// Picture is the current picture of an inputMedia field, nil for none.
	Picture *mediaThumb
}

// fieldOption is one choice of a select.
type fieldOption struct {
	Value, LabelID, Label string
}

// URL is the field's address.
func (f field) URL() string {
	return fmt.Sprintf("/admin/%s/%d/fields/%s", f.Entity, f.ID, f.Name)
}

// DOMID is the id of the field's element, the target of its swaps.
func (f field) DOMID() string {
	return "field-" + f.Entity + "-" + strconv.FormatInt(f.ID, 10) + "-" + strings.NewReplacer(".", "-", "_", "-").Replace(f.Name)
}

// Shown is what the display shows.
func (f field) Shown() string {
	if f.Display != "" {
		return f.Display
	}
	return f.Value
}

// Chosen reports whether an inputChoices field has v ticked.
func (f field) Chosen(v string) bool {
	for c := range strings.SplitSeq(f.Value, ",") {
		if strings.TrimSpace(c) == v {
			return true
		}
	}
	return false
}

// Multiline reports whether the field is a textarea.
func (f field) Multiline() bool { return f.Input == inputTextarea }

// inlineRoutes are the three field routes of e.
func (s *Server) inlineRoutes(e inlineEntity) []adminRoute {
	base := "/admin/" + e.name + "/:id<int>/fields/:field"
	return []adminRoute{
		{methodsRead, base, e.roles, s.inlineShow(e)},
		{methodsRead, base + "/edit", e.roles, s.inlineEdit(e)},
		{methodsSave, base, e.roles, s.inlineSave(e)},
	}
}

// fieldPage is the data of the whole-page field form (no JavaScript).
type fieldPage struct {
	adminBase
	Entity     string
	EntityPage string
	Field      field
}

// inlineField loads the entity and the field the URL names.
func (s *Server) inlineField(c fiber.Ctx, e inlineEntity) (int64, fieldSet, field, error) {
	return s.loadField(c, e, c.Params("id"), c.Params("field"))
}

// loadField loads entity e's row rawID and its field called name.
func (s *Server) loadField(c fiber.Ctx, e inlineEntity, rawID, name string) (int64, fieldSet, field, error) {
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil || id <= 0 {
		return 0, fieldSet{}, field{}, fiber.ErrNotFound
	}
	set, err := e.load(c, id)
	if err != nil {
		return 0, fieldSet{}, field{}, err
	}
	f, ok := set.get(name)
	if !ok {
		return 0, fieldSet{}, field{}, fiber.ErrNotFound
	}
	f.Entity, f.ID, f.Version, f.CSRF, f.Page = e.name, id, set.Version, s.csrfToken(c), e.page(id)
	return id, set, f, nil
}

func (s *Server) inlineShow(e inlineEntity) fiber.Handler {
	return func(c fiber.Ctx) error {
		id, _, f, err := s.inlineField(c, e)
		if err != nil {
			return err
		}
		if !isPartial(c) {
			return c.Redirect().Status(fiber.StatusSeeOther).To(e.page(id))
		}
		return s.adminFragment(c, fiber.StatusOK, "admin-field", f)
	}
}

func (s *Server) inlineEdit(e inlineEntity) fiber.Handler {
	return func(c fiber.Ctx) error {
		_, set, f, err := s.inlineField(c, e)
		if err != nil {
			return err
		}
		if f.ReadOnly {
			return apperr.ErrForbidden
		}
		return s.fieldForm(c, e, set, f, fiber.StatusOK)
	}
}

// fieldForm answers with the field's form: the fragment for htmx, the whole
// page otherwise.
func (s *Server) fieldForm(c fiber.Ctx, e inlineEntity, set fieldSet, f field, status int) error {
	if f.Input == inputMedia {
		return s.mediaPickerForm(c, e, set, f, status)
	}
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-field-edit", f)
	}
	return s.adminPage(c, status, "admin/field", "", s.fieldPageOf(c, e, set, f))
}

// fieldPageOf is the data of f's whole-page form.
func (s *Server) fieldPageOf(c fiber.Ctx, e inlineEntity, set fieldSet, f field) fieldPage {
	return fieldPage{
		adminBase:  s.adminBase(c, e.name, set.Title),
		Entity:     set.Title,
		EntityPage: e.page(f.ID),
		Field:      f,
	}
}

func (s *Server) inlineSave(e inlineEntity) fiber.Handler {
	return func(c fiber.Ctx) error {
		id, set, f, err := s.inlineField(c, e)
		if err != nil {
			return err
		}
		if f.ReadOnly {
			return apperr.ErrForbidden
		}
		version, err := strconv.ParseInt(c.FormValue("version"), 10, 32)
		if err != nil || version <= 0 {
			return badRequest("error.request.version_missing", nil)
		}
		typed := formValue(c, f)
		f.Value = typed
		value, perr := serviceValue(f, typed, zoneOf(c).Location())
		if perr != nil {
			f.Error = perr
			return s.fieldForm(c, e, set, f, fiber.StatusUnprocessableEntity)
		}
		err = e.save(c, s.actor(c), id, int32(version), f.Name, value)
		if errors.Is(err, apperr.ErrConflict) {
			// The row moved on, but perhaps only in other fields: if this
			// one still holds what the editor started from, nothing of a
			// colleague's is lost by saving over the new version.
			if cur, lerr := e.load(c, id); lerr == nil {
				if now, ok := cur.get(f.Name); ok && c.FormValue("original") == now.Value && c.Request().PostArgs().Has("original") {
					err = e.save(c, s.actor(c), id, cur.Version, f.Name, value)
				}
			}
		}
		if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
			// A rule about another field (e.g. the end before the start)
			// still belongs beside the one being edited.
			msg := inv.First(f.Name)
			f.Error = &msg
			return s.fieldForm(c, e, set, f, fiber.StatusUnprocessableEntity)
		}
		if errors.Is(err, apperr.ErrConflict) {
			return s.fieldConflict(c, e, id, f)
		}
		if err != nil {
			return err
		}
		if !isPartial(c) {
			return c.Redirect().Status(fiber.StatusSeeOther).To(e.page(id))
		}
		_, _, saved, err := s.inlineField(c, e)
		if err != nil {
			return err
		}
		return s.savedField(c, e, id, saved)
	}
}

// fieldConflict answers a save over a newer version: the colleague's value,
// what the editor typed, and the new version to reapply it over.
func (s *Server) fieldConflict(c fiber.Ctx, e inlineEntity, id int64, mine field) error {
	set, err := e.load(c, id)
	if err != nil {
		return err
	}
	theirs, ok := set.get(mine.Name)
	if !ok {
		return fiber.ErrNotFound
	}
	mine.Theirs, mine.TheirsValue = theirs.Shown(), theirs.Value
	mine.Version = set.Version
	mine.Conflict = true
	return s.fieldForm(c, e, set, mine, fiber.StatusConflict)
}

// savedField is the answer to a successful save: the field shown, and the
// entity's history out of band, since it just grew.
func (s *Server) savedField(c fiber.Ctx, e inlineEntity, id int64, f field) error {
	if e.keyless {
		id = 0
	}
	return s.fragmentWithHistory(c, "admin-field", f, e.auditKind, id)
}

// historyLength is how many audit entries an entity's page shows.
const historyLength = 30

// entityHistory is the data of the admin-history fragment.
type entityHistory struct {
	Kind    string
	ID      int64
	Entries []audit.Logged
	Zone    i18n.Zone
	OOB     bool
}

// adminFragment sends one fragment, never cached.
func (s *Server) adminFragment(c fiber.Ctx, status int, name string, data any) error {
	var buf strings.Builder
	if err := s.Views.Fragment(&buf, langOf(c), name, data); err != nil {
		return err
	}
	pageHeaders(c)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Status(status).SendString(buf.String())
}

// formValue reads the field's value from the form as typed: a checkbox
// sends nothing when unticked, a multiple select several values.
func formValue(c fiber.Ctx, f field) string {
	switch f.Input {
	case inputCheckbox:
		return strconv.FormatBool(c.FormValue("value") != "")
	case inputChoices:
		var chosen []string
		for _, v := range c.Request().PostArgs().PeekMulti("value") {
			chosen = append(chosen, string(v))
		}
		return strings.Join(chosen, ",")
	}
	return c.FormValue("value")
}

// serviceValue turns a typed value into the form the service takes: a wall
// clock time in the editor's zone becomes an instant. A value that cannot
// be read is the editor's mistake, reported beside the field.
func serviceValue(f field, typed string, loc *time.Location) (string, *apperr.Message) {
	if f.Input != inputDateTime {
		return typed, nil
	}
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", nil
	}
	t, err := time.ParseInLocation(dateTimeLayout, typed, loc)
	if err != nil {
		return "", &apperr.Message{ID: "admin.error.datetime_invalid"}
	}
	return t.UTC().Format(time.RFC3339), nil
}

// inlineEntities lists every entity edited in place.
func (s *Server) inlineEntities() []inlineEntity {
	return append([]inlineEntity{s.eventsEntity(), s.mediaEntity(), s.locationsEntity(), s.artistsEntity()}, s.officeEntities()...)
}
