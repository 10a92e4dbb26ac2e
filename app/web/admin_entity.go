package web

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
)

// What the back office's entity pages (events, venues, artists) share: the
// list page's data, the id in the URL, the version a form edits, fields
// bound to their entity and split by language, and the errors a form has
// no place for.

// adminListPage is the data of a back-office list page.
type adminListPage struct {
	adminBase
	List adminList
}

// sendAdminList sends a list page, or for htmx the list alone: the
// admin-list fragment takes the list, not the page.
func (s *Server) sendAdminList(c fiber.Ctx, page string, data adminListPage) error {
	return s.listPage(c, page, data, data.List)
}

// paramID reads the entity id from the URL; a route's <int> constraint lets
// only digits through, so an error is an id too large to exist.
func paramID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// formVersion reads the version a form edits; without it a save could
// overwrite a colleague's change unseen, so it is a bad request.
func formVersion(c fiber.Ctx) (int32, error) {
	v, err := strconv.ParseInt(c.FormValue("version"), 10, 32)
	if err != nil || v <= 0 {
		return 0, badRequest("error.request.version_missing", nil)
	}
	return int32(v), nil
}

// bind gives every field of set what its URL and form need.
func (set *fieldSet) bind(entity string, id int64, csrf, page string) {
	for i := range set.Fields {
		f := &set.Fields[i]
		f.Entity, f.ID, f.Version, f.CSRF, f.Page = entity, id, set.Version, csrf, page
	}
}

// langFields are one language's fields, shown side by side with the others.
type langFields struct {
	Lang, NameID string
	Fields       []field
}

// byLanguage splits fields into those of no language and each language's,
// in the order of langs, for a page that shows translations side by side.
func byLanguage(langs []string, fields []field) (general []field, texts []langFields) {
	for _, l := range langs {
		texts = append(texts, langFields{Lang: l, NameID: "language.name"})
	}
	for _, f := range fields {
		if f.Lang == "" {
			general = append(general, f)
			continue
		}
		for i := range texts {
			if texts[i].Lang == f.Lang {
				texts[i].Fields = append(texts[i].Fields, f)
			}
		}
	}
	return general, texts
}

// pickFields returns the named fields of set, in the order named, for a page
// that shows them in panels of their own.
func pickFields(set fieldSet, names ...string) []field {
	var out []field
	for _, n := range names {
		if f, ok := set.get(n); ok {
			out = append(out, f)
		}
	}
	return out
}

// otherErrors returns the messages of errs whose field the form does not
// show, so a refusal never goes unexplained.
func otherErrors(errs map[string]apperr.Message, shown func(field string) bool) []apperr.Message {
	var out []apperr.Message
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		if !shown(k) {
			out = append(out, errs[k])
		}
	}
	return out
}

// entityDelete is the data of an entity's delete form: a confirmation to
// tick and a button, and the reason when the deletion was refused.
type entityDelete struct {
	// Entity is the URL segment, "locations" or "artists".
	Entity string
	ID     int64
	CSRF   string
	Error  *apperr.Message
}

func (s *Server) entityDelete(c fiber.Ctx, entity string, id int64) entityDelete {
	return entityDelete{Entity: entity, ID: id, CSRF: s.csrfToken(c)}
}

// deleteEntity runs del once the delete form's confirmation is ticked (a
// box, so it works without JavaScript too) and then sends the browser to
// the entity's list. A refusal, no confirmation or the service's reason
// (*apperr.Invalid), answers 422 beside the button: the fragment for htmx,
// else page renders the entity's page with the form.
func (s *Server) deleteEntity(c fiber.Ctx, entity, fragment string, id int64, del func() error, page func(entityDelete) error) error {
	form := s.entityDelete(c, entity, id)
	if c.FormValue("confirm") != "yes" {
		form.Error = &apperr.Message{ID: "admin.delete.unconfirmed"}
	} else {
		err := del()
		inv, ok := errors.AsType[*apperr.Invalid](err)
		switch {
		case ok:
			form.Error = firstMessage(inv)
		case err != nil:
			return err
		default:
			return s.redirectTo(c, "/admin/"+entity)
		}
	}
	if isPartial(c) {
		return s.adminFragment(c, fiber.StatusUnprocessableEntity, fragment, form)
	}
	return page(form)
}

// firstMessage is the message of inv's first field in name order, for a
// form with one place to show a reason.
func firstMessage(inv *apperr.Invalid) *apperr.Message {
	for _, k := range slices.Sorted(maps.Keys(inv.Fields)) {
		m := inv.Fields[k]
		return &m
	}
	return &apperr.Message{ID: "error.400.message"}
}

// fragmentWithHistory answers a change with a fragment and, out of band,
// the entity's history, which the change just grew.
func (s *Server) fragmentWithHistory(c fiber.Ctx, name string, data any, kind string, id int64) error {
	history, err := s.Audit.ForEntity(c.Context(), kind, id, historyLength)
	if err != nil {
		return err
	}
	var buf strings.Builder
	lang := langOf(c)
	if err := s.Views.Fragment(&buf, lang, name, data); err != nil {
		return err
	}
	h := entityHistory{Kind: kind, ID: id, Entries: history, Zone: zoneOf(c), OOB: true}
	if err := s.Views.Fragment(&buf, lang, "admin-history", h); err != nil {
		return err
	}
	pageHeaders(c)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Status(fiber.StatusOK).SendString(buf.String())
}

// fieldErrors are a whole form's refusals by field. Templates ask
// {{with .Errors.Of "name"}}: indexing the map would give a zero Message
// for a field without an error, and a struct is never empty to `with`.
type fieldErrors map[string]apperr.Message

// Of is the message for field, or nil.
func (e fieldErrors) Of(field string) *apperr.Message {
	if m, ok := e[field]; ok {
		return &m
	}
	return nil
}
