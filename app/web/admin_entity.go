package web

import (
	"maps"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
)

// What the back office's entity pages share: the list page, fields bound
// to their entity and split by language, the errors a form has no place
// for, and a change's answer with the grown history.

// adminListPage is the data of a back-office list page.
type adminListPage struct {
	adminBase
	List adminList
}

// sendAdminList sends a list page, or for htmx the list alone: the
// admin-list fragment takes the list, not the page.
func (s *Server) sendAdminList(c fiber.Ctx, page string, data adminListPage) error {
	if isPartial(c) {
		return s.adminFragment(c, fiber.StatusOK, "admin-list", data.List)
	}
	return s.adminPage(c, fiber.StatusOK, page, "", data)
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
