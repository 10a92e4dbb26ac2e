package web

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/media"
)

// The media library of the back office: a grid of thumbnails with search
// and paging in the URL, the upload (a plain multipart form; admin.js adds
// a progress bar), a page per picture with its alt texts edited in place,
// where it is used and its history, and deleting it. The picker other
// entities' picture fields open is in admin_media_picker.go.

// mediaListSpec is the library's list state: a search and a page, newest
// first (the service's only order).
var mediaListSpec = listSpec{sorts: []string{""}}

// mediaAccept is what the upload's file input offers to choose; the
// service decides by the bytes, whatever the browser sent.
const mediaAccept = media.TypeJPEG + "," + media.TypePNG + "," + media.TypeWebP + "," + media.TypeGIF

// mediaRoutes are the back office's media routes.
func (s *Server) mediaRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/media", rolesOffice, s.adminMedia},
		// The upload alone may send more than TDC_BODY_LIMIT (bodylimit.go)
		// and take longer than TDC_REQUEST_TIMEOUT.
		{methodsWrite, mediaUploadPath, rolesOffice, withTimeout(s.Config.UploadTimeout, s.adminMediaUpload)},
		{methodsRead, "/admin/media/picker", rolesOffice, s.adminMediaPicker},
		{methodsRead, "/admin/media/:id<int>", rolesOffice, s.adminMediaItem},
		{methodsRead, "/admin/media/:id<int>/delete", rolesOffice, s.adminMediaDeleteForm},
		{methodsWrite, "/admin/media/:id<int>/delete", rolesOffice, s.adminMediaDelete},
	}
}

// mediaThumb is a picture as the back office lists it: its thumbnail, its
// name and its alt text in the editor's language.
type mediaThumb struct {
	ID            int64
	URL           string // the thumbnail
	Width, Height int    // of the thumbnail
	Name          string // as uploaded; may be empty
	// Alt is the editor's language's alt text, else the default
	// language's, with AltLang set to it.
	Alt, AltLang string
	// OrigWidth and OrigHeight are the picture's own size.
	OrigWidth, OrigHeight int
}

// thumbOf lays out m for the back office in lang.
func (s *Server) thumbOf(m media.Media, lang string) mediaThumb {
	t := mediaThumb{ID: m.ID, URL: m.URL(), Width: m.Width, Height: m.Height, Name: m.OriginalName, OrigWidth: m.Width, OrigHeight: m.Height}
	if v, ok := m.Variant(media.VariantThumb); ok {
		t.URL, t.Width, t.Height = v.URL(), v.Width, v.Height
	}
	t.Alt = m.Alt[lang]
	if def := s.Bundle.Default(); t.Alt == "" && lang != def && m.Alt[def] != "" {
		t.Alt, t.AltLang = m.Alt[def], def
	}
	return t
}

// mediaUpload is the data of the admin-media-upload fragment.
type mediaUpload struct {
	CSRF     string
	Accept   string
	MaxMB    int
	MaxBytes int64
	// Error is why the last file was refused; Name is that file's name.
	Error *apperr.Message
	Name  string
}

func (s *Server) uploadForm(c fiber.Ctx) mediaUpload {
	return mediaUpload{CSRF: s.csrfToken(c), Accept: mediaAccept, MaxMB: s.Config.MediaMaxMB, MaxBytes: int64(s.Config.MediaMaxMB) << 20}
}

// mediaLibrary is the data of the admin-media-library fragment: the grid
// of one page of the library, its search and its pager.
type mediaLibrary struct {
	adminList
	Items []mediaThumb
}

// mediaLibraryPage is the data of /admin/media.
type mediaLibraryPage struct {
	adminBase
	Upload  mediaUpload
	Library mediaLibrary
}

// mediaLibraryPage loads the page of the library the URL asks for.
func (s *Server) mediaLibraryPage(c fiber.Ctx, upload mediaUpload) (mediaLibraryPage, error) {
	q := parseList(c, mediaListSpec)
	lang := langOf(c)
	page, err := s.Media.List(c.Context(), media.Filter{Q: q.Q, Page: q.Page})
	if err != nil {
		return mediaLibraryPage{}, err
	}
	q.Page = page.Page
	lib := mediaLibrary{adminList: newAdminList("admin-media-library", "/admin/media", "admin.media.title", mediaListSpec, q, page.Total, page.PerPage, nil)}
	lib.EmptyID = "admin.list.empty"
	for _, m := range page.Items {
		lib.Items = append(lib.Items, s.thumbOf(m, lang))
	}
	return mediaLibraryPage{
		adminBase: s.adminBase(c, "media", s.Bundle.T(lang, "admin.media.title", nil)),
		Upload:    upload,
		Library:   lib,
	}, nil
}

func (s *Server) adminMedia(c fiber.Ctx) error {
	data, err := s.mediaLibraryPage(c, s.uploadForm(c))
	if err != nil {
		return err
	}
	if isPartial(c) {
		// A search or a pager link: the list alone, as admin-list does.
		return s.adminFragment(c, fiber.StatusOK, "admin-media-library", data.Library)
	}
	return s.adminPage(c, fiber.StatusOK, "admin/media/index", "", data)
}

// adminMediaUpload stores the picture of the form's "file" field. A plain
// form is sent to the picture's page (303); htmx, or admin.js sending as
// htmx does, gets the picture's card for the grid. A refused file answers
// 422 with the form and the reason. The same bytes sent twice (a double
// submit) are one picture, and both answers show it.
func (s *Server) adminMediaUpload(c fiber.Ctx) error {
	form := s.uploadForm(c)
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, fasthttp.ErrNoMultipartForm), errors.Is(err, fasthttp.ErrMissingFile):
		form.Error = &apperr.Message{ID: "admin.media.error.no_file"}
		return s.uploadRefused(c, form)
	case err != nil:
		return badRequest("admin.media.error.form_malformed", nil)
	}
	form.Name = fh.Filename
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("web: open uploaded file: %w", err)
	}
	defer f.Close()
	m, err := s.Media.Upload(c.Context(), s.actor(c), fh.Filename, f)
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		m := inv.First("file")
		form.Error = &m
		return s.uploadRefused(c, form)
	}
	if err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(fmt.Sprintf("/admin/media/%d", m.ID))
	}
	return s.adminFragment(c, fiber.StatusOK, "admin-media-card", s.thumbOf(m, langOf(c)))
}

// uploadRefused answers 422 with the upload form and its message: the form
// alone for htmx, the whole library page otherwise.
func (s *Server) uploadRefused(c fiber.Ctx, form mediaUpload) error {
	if isPartial(c) {
		return s.adminFragment(c, fiber.StatusUnprocessableEntity, "admin-media-upload", form)
	}
	data, err := s.mediaLibraryPage(c, form)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/media/index", "", data)
}

// mediaUse is one place a picture is shown, linked.
type mediaUse struct {
	KindID string // message ID of its kind
	Name   string
	URL    string
}

// usesOf lays out where a picture is shown. Events link to their page in
// the back office; the others to their public page, whose address is the
// site's contract.
func usesOf(uses []media.Use) []mediaUse {
	out := make([]mediaUse, 0, len(uses))
	for _, u := range uses {
		mu := mediaUse{KindID: "admin.kind." + u.Kind, Name: u.Slug}
		switch u.Kind {
		case audit.KindEvent:
			mu.URL = fmt.Sprintf("/admin/events/%d", u.ID)
		case audit.KindArtist:
			mu.URL = "/artists/" + u.Slug
		case audit.KindLocation:
			mu.URL = "/locations/" + u.Slug
		case audit.KindPost:
			mu.URL = "/blog/" + u.Slug
		}
		out = append(out, mu)
	}
	return out
}

// mediaItem is the data of the admin-media-item fragment.
type mediaItem struct {
	M         media.Media
	Title     string
	Preview   *media.Image
	SizeKB    int64
	Uses      []mediaUse
	Alt       []field
	History   entityHistory
	CanChange bool
}

type mediaItemPage struct {
	adminBase
	Item mediaItem
}

// mediaTitle is a picture's name in the back office.
func (s *Server) mediaTitle(lang string, m media.Media) string {
	if m.OriginalName != "" {
		return m.OriginalName
	}
	return s.Bundle.T(lang, "admin.media.untitled", map[string]any{"ID": m.ID})
}

// mayChangeMedia mirrors the service's rule, to offer only what it allows:
// staff, and the artist who uploaded the picture.
func mayChangeMedia(a actor.Actor, m media.Media) bool {
	return a.IsStaff() || (a.Role == actor.RoleArtist && a.UserID != 0 && a.UserID == m.UploadedBy)
}

// mediaParam is the picture the URL names.
func (s *Server) mediaParam(c fiber.Ctx) (media.Media, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return media.Media{}, fiber.ErrNotFound
	}
	return s.Media.Get(c.Context(), id)
}

func (s *Server) mediaItemPage(c fiber.Ctx, m media.Media) (mediaItemPage, error) {
	ctx, lang := c.Context(), langOf(c)
	uses, err := s.Media.Usage(ctx, m.ID)
	if err != nil {
		return mediaItemPage{}, err
	}
	history, err := s.Audit.ForEntity(ctx, audit.KindMedia, m.ID, historyLength)
	if err != nil {
		return mediaItemPage{}, err
	}
	imgs, err := s.Media.Images(ctx, lang, []int64{m.ID})
	if err != nil {
		return mediaItemPage{}, err
	}
	item := mediaItem{
		M: m, Title: s.mediaTitle(lang, m), SizeKB: (m.Size + 1023) / 1024,
		Uses: usesOf(uses), Alt: s.mediaFields(c, m).Fields, CanChange: mayChangeMedia(s.actor(c), m),
		History: entityHistory{Kind: audit.KindMedia, ID: m.ID, Entries: history, Zone: zoneOf(c)},
	}
	if img, ok := imgs[m.ID]; ok {
		item.Preview = &img
	}
	return mediaItemPage{adminBase: s.adminBase(c, "media", item.Title), Item: item}, nil
}

func (s *Server) adminMediaItem(c fiber.Ctx) error {
	m, err := s.mediaParam(c)
	if err != nil {
		return err
	}
	data, err := s.mediaItemPage(c, m)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/media/show", "admin-media-item", data)
}

// mediaDelete is the data of the admin-media-delete fragment: the question,
// where the picture is shown, and why it was refused.
type mediaDelete struct {
	ID    int64
	Title string
	Thumb mediaThumb
	Uses  []mediaUse
	CSRF  string
	Error *apperr.Message
}

type mediaDeletePage struct {
	adminBase
	Delete mediaDelete
}

func (s *Server) mediaDeletePage(c fiber.Ctx, m media.Media) (mediaDeletePage, error) {
	uses, err := s.Media.Usage(c.Context(), m.ID)
	if err != nil {
		return mediaDeletePage{}, err
	}
	lang := langOf(c)
	d := mediaDelete{ID: m.ID, Title: s.mediaTitle(lang, m), Thumb: s.thumbOf(m, lang), Uses: usesOf(uses), CSRF: s.csrfToken(c)}
	return mediaDeletePage{adminBase: s.adminBase(c, "media", d.Title), Delete: d}, nil
}

// adminMediaDeleteForm asks whether to delete a picture, saying where it
// is shown; it works without JavaScript.
func (s *Server) adminMediaDeleteForm(c fiber.Ctx) error {
	m, err := s.mediaParam(c)
	if err != nil {
		return err
	}
	if !mayChangeMedia(s.actor(c), m) {
		return apperr.ErrForbidden
	}
	data, err := s.mediaDeletePage(c, m)
	if err != nil {
		return err
	}
	return s.deleteAnswer(c, fiber.StatusOK, data)
}

// adminMediaDelete deletes a picture and goes back to the library. While
// the picture is shown somewhere the service refuses, and the form says
// where (422).
func (s *Server) adminMediaDelete(c fiber.Ctx) error {
	m, err := s.mediaParam(c)
	if err != nil {
		return err
	}
	err = s.Media.Delete(c.Context(), s.actor(c), m.ID)
	inv, refused := errors.AsType[*apperr.Invalid](err)
	if !refused {
		if err != nil {
			return err
		}
		return s.redirectTo(c, "/admin/media")
	}
	data, err := s.mediaDeletePage(c, m)
	if err != nil {
		return err
	}
	msg := inv.First("file")
	data.Delete.Error = &msg
	return s.deleteAnswer(c, fiber.StatusUnprocessableEntity, data)
}

// deleteAnswer sends the delete confirmation: its form for htmx, the page
// otherwise.
func (s *Server) deleteAnswer(c fiber.Ctx, status int, data mediaDeletePage) error {
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-media-delete", data.Delete)
	}
	return s.adminPage(c, status, "admin/media/delete", "", data)
}

// mediaEntity is the inline editing of a picture's alt texts, fields
// "alt.<lang>". Pictures have no version column, so the version the
// editor saves over is a fingerprint of the alt texts (altVersion): a
// colleague's change to any of them makes a save a conflict, as a version
// would. The service's SetAlt does not compare it itself, so the check and
// the write are two steps; a colleague's save landing between them is the
// one case it misses.
func (s *Server) mediaEntity() inlineEntity {
	return inlineEntity{
		name: "media", auditKind: audit.KindMedia, roles: rolesOffice,
		page: func(id int64) string { return fmt.Sprintf("/admin/media/%d", id) },
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			m, err := s.Media.Get(c.Context(), id)
			if err != nil {
				return fieldSet{}, err
			}
			return s.mediaFields(c, m), nil
		},
		save: func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error {
			lang, ok := strings.CutPrefix(name, "alt.")
			if !ok {
				return fiber.ErrNotFound
			}
			m, err := s.Media.Get(c.Context(), id)
			if err != nil {
				return err
			}
			if altVersion(m.Alt) != version {
				return fmt.Errorf("web: alt text of media %d: %w", id, apperr.ErrConflict)
			}
			return s.Media.SetAlt(c.Context(), a, id, lang, value)
		},
	}
}

// mediaFields are a picture's alt texts, one field a language.
func (s *Server) mediaFields(c fiber.Ctx, m media.Media) fieldSet {
	set := fieldSet{Title: s.mediaTitle(langOf(c), m), Version: altVersion(m.Alt)}
	readOnly := !mayChangeMedia(s.actor(c), m)
	page := fmt.Sprintf("/admin/media/%d", m.ID)
	for _, l := range s.Bundle.Languages() {
		set.Fields = append(set.Fields, field{
			Entity: "media", ID: m.ID, Name: "alt." + l, LabelID: "admin.media.alt", Lang: l, Input: inputText,
			Value: m.Alt[l], MaxLen: media.MaxAlt, ReadOnly: readOnly, Version: set.Version, CSRF: s.csrfToken(c), Page: page,
		})
	}
	return set
}

// altVersion is a fingerprint of a picture's alt texts: a positive number
// (the inline editor takes no version ≤ 0) that changes when any of them
// does.
func altVersion(alt map[string]string) int32 {
	langs := make([]string, 0, len(alt))
	for l := range alt {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	h := fnv.New32a()
	for _, l := range langs {
		h.Write([]byte(l))
		h.Write([]byte{0})
		h.Write([]byte(alt[l]))
		h.Write([]byte{0})
	}
	v := int32(h.Sum32() & 0x7fffffff)
	return max(v, 1)
}
