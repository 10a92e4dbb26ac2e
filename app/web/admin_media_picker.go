package web

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/media"
)

// Picking a picture for another entity (an event's cover, an artist's
// photo, a venue's background, a post's cover). Such a field is an inline
// field of kind inputMedia: it shows its picture and a "Choose" link, which
// opens the picker in its place: a page of the library as radio buttons,
// with a search. The picker saves the chosen id through the field's own
// URL, so the entity's service checks it, versions it and records it like
// any other field; without JavaScript the same picker is a page of its own.
//
// An entity's page offers one by adding mediaField's result to its fields:
//
//	photo, err := s.mediaField(c, "photo", "admin.artist.photo", d.PhotoMediaID)

// pickerPerPage is how many pictures the picker shows at once.
const pickerPerPage = 24

// mediaField is a picture field called name (the service's field name),
// labelled by labelID, showing file id (0 for none).
func (s *Server) mediaField(c fiber.Ctx, name, labelID string, id int64) (field, error) {
	f := field{Name: name, LabelID: labelID, Input: inputMedia}
	if id <= 0 {
		return f, nil
	}
	f.Value = strconv.FormatInt(id, 10)
	m, err := s.Media.Get(c.Context(), id)
	if errors.Is(err, apperr.ErrNotFound) {
		// Deleted since: the service refuses that while it is shown, so
		// this is a race; the id still says which it was.
		f.Display = "#" + f.Value
		return f, nil
	}
	if err != nil {
		return field{}, err
	}
	lang := langOf(c)
	t := s.thumbOf(m, lang)
	f.Picture, f.Display = &t, s.mediaTitle(lang, m)
	return f, nil
}

// mediaPicker is the data of the admin-media-picker fragment.
type mediaPicker struct {
	Field field
	Q     string
	Items []mediaThumb
	// Selected is the picture chosen now (or typed, after a refusal).
	Selected         int64
	Page, Pages      int
	PrevURL, NextURL string
}

// mediaPickerPage is the picker as a page of its own, without JavaScript:
// the page of any field's form, with the picker in place of the field's.
type mediaPickerPage struct {
	fieldPage
	Picker mediaPicker
}

// pickerField matches the field URL the picker is opened for.
var pickerField = regexp.MustCompile(`^/admin/([a-z][a-z0-9_-]{0,30})/([0-9]{1,18})/fields/([a-z0-9_.]{1,64})$`)

// adminMediaPicker opens the picker for the picture field whose URL is
// ?field=; q and page search and page the library.
func (s *Server) adminMediaPicker(c fiber.Ctx) error {
	m := pickerField.FindStringSubmatch(c.Query("field"))
	if m == nil {
		return badRequest("admin.media.error.picker_field", nil)
	}
	for _, e := range s.inlineEntities() {
		if e.name != m[1] {
			continue
		}
		// The field's own routes ask for these roles; the picker shows its
		// value, so it asks for them too.
		if !slices.Contains(e.roles, s.actor(c).Role) {
			return apperr.ErrForbidden
		}
		_, set, f, err := s.loadField(c, e, m[2], m[3])
		if err != nil {
			return err
		}
		if f.Input != inputMedia {
			return badRequest("admin.media.error.picker_field", nil)
		}
		if f.ReadOnly {
			return apperr.ErrForbidden
		}
		return s.mediaPickerForm(c, e, set, f, fiber.StatusOK)
	}
	return badRequest("admin.media.error.picker_field", nil)
}

// mediaPickerForm answers with the picker for f: the fragment for htmx,
// the whole page otherwise. The inline machinery's form for a picture
// field is this one, so a refused save (422) or a colleague's newer choice
// (409) comes back in the picker.
func (s *Server) mediaPickerForm(c fiber.Ctx, e inlineEntity, set fieldSet, f field, status int) error {
	q := parseList(c, mediaListSpec)
	page, err := s.Media.List(c.Context(), media.Filter{Q: q.Q, Page: q.Page, PerPage: pickerPerPage})
	if err != nil {
		return err
	}
	p := mediaPicker{Field: f, Q: q.Q, Page: page.Page, Pages: page.Pages}
	p.Selected, _ = strconv.ParseInt(f.Value, 10, 64)
	lang := langOf(c)
	// The current picture comes first, so it stays in view whatever the
	// search and page.
	if f.Picture != nil {
		p.Items = append(p.Items, *f.Picture)
	}
	for _, m := range page.Items {
		if f.Picture == nil || m.ID != f.Picture.ID {
			p.Items = append(p.Items, s.thumbOf(m, lang))
		}
	}
	link := func(n int) string {
		v := url.Values{"field": {f.URL()}}
		if q.Q != "" {
			v.Set("q", q.Q)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/admin/media/picker?" + v.Encode()
	}
	if p.Page > 1 {
		p.PrevURL = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.NextURL = link(p.Page + 1)
	}
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-media-picker", p)
	}
	return s.adminPage(c, status, "admin/media/picker", "", mediaPickerPage{fieldPage: s.fieldPageOf(c, e, set, f), Picker: p})
}
