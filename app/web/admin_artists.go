package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/live"
)

// The artists of the back office: staff see a list and edit everyone; an
// artist-role user has their own profile only (the list sends them to it),
// and the artists service refuses anyone else's. Fields are edited in
// place; staff create artists with a form and delete them.

func artistListSpec() listSpec { return listSpec{sorts: []string{"name"}} }

// artistRoutes are the back office's artist routes.
func (s *Server) artistRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/artists", rolesOffice, s.adminArtists},
		{methodsRead, "/admin/artists/new", rolesStaff, s.adminArtistNew},
		{methodsWrite, "/admin/artists", rolesStaff, s.adminArtistCreate},
		{methodsRead, "/admin/artists/:id<int>", rolesOffice, s.adminArtist},
		{methodsWrite, "/admin/artists/:id<int>/delete", rolesStaff, s.adminArtistDelete},
	}
}

func artistPath(id int64) string { return fmt.Sprintf("/admin/artists/%d", id) }

func (s *Server) adminArtists(c fiber.Ctx) error {
	a := s.actor(c)
	if !a.IsStaff() && a.ArtistID != 0 {
		return s.redirectTo(c, artistPath(a.ArtistID))
	}
	spec := artistListSpec()
	q := parseList(c, spec)
	lang := langOf(c)
	// An artist-role user gets here only while their account is linked to
	// no profile: there is nothing to list.
	total, perPage, emptyID := 0, artists.AdminDefaultPerPage, "admin.artists.not_linked"
	var rows []listRow
	if a.IsStaff() {
		page, err := s.Artists.AdminList(c.Context(), artists.AdminFilter{Q: q.Q, Page: q.Page})
		if err != nil {
			return err
		}
		q.Page, total, perPage, emptyID = page.Page, page.Total, page.PerPage, "admin.list.empty"
		for _, ar := range page.Artists {
			rows = append(rows, listRow{Cells: []listCell{
				{Text: ar.Name, Href: artistPath(ar.ID)},
				{Text: ar.Slug},
				{Text: strconv.Itoa(ar.EventCount)},
			}})
		}
	}
	l := newAdminList("admin-artists", "/admin/artists", "admin.artists.title", spec, q, total, perPage, [][2]string{
		{"admin.artist.name", ""},
		{"admin.artist.slug", ""},
		{"admin.artist.events", ""},
	})
	l.Rows, l.EmptyID = rows, emptyID
	if a.IsStaff() {
		l.NewURL, l.NewLabel = "/admin/artists/new", s.Bundle.T(lang, "admin.artists.new", nil)
	}
	data := adminListPage{adminBase: s.adminBase(c, "artists", s.Bundle.T(lang, "admin.artists.title", nil)), List: l}
	return s.sendAdminList(c, "admin/artists/index", data)
}

// mayEditArtist checks, as the artists service does on every write, that
// the request's actor may see artist id's page: staff, or the artist.
func (s *Server) mayEditArtist(c fiber.Ctx, id int64) error {
	if a := s.actor(c); a.IsStaff() || a.OwnsArtist(id) {
		return nil
	}
	return fmt.Errorf("web: artist %d: %w", id, apperr.ErrForbidden)
}

// adminArtistGet loads artist id for the request's actor: not found
// first, so an id says no more to an artist than the public pages do.
func (s *Server) adminArtistGet(c fiber.Ctx, id int64) (artists.Draft, error) {
	d, err := s.Artists.AdminGet(c.Context(), id)
	if err != nil {
		return artists.Draft{}, err
	}
	if err := s.mayEditArtist(c, id); err != nil {
		return artists.Draft{}, err
	}
	return d, nil
}

// artistsEntity is the inline editing of artists.
func (s *Server) artistsEntity() inlineEntity {
	return inlineEntity{
		name: "artists", auditKind: audit.KindArtist, roles: rolesOffice,
		page: artistPath,
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			d, err := s.adminArtistGet(c, id)
			if err != nil {
				return fieldSet{}, err
			}
			return s.artistFields(c, d)
		},
		save: func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error {
			_, err := s.Artists.Patch(c.Context(), a, id, version, name, value)
			return err
		},
	}
}

// artistLinksText is the links as the links field edits them: one a line,
// "kind url".
func artistLinksText(ls []artists.Link) string {
	lines := make([]string, len(ls))
	for i, l := range ls {
		lines[i] = l.Kind + " " + l.URL
	}
	return strings.Join(lines, "\n")
}

// artistFields lays out an artist's fields edited in place: name, photo
// and links, then each language's genre and bio.
func (s *Server) artistFields(c fiber.Ctx, d artists.Draft) (fieldSet, error) {
	photo, err := s.mediaField(c, "photo", "admin.artist.photo", d.PhotoMediaID)
	if err != nil {
		return fieldSet{}, err
	}
	set := fieldSet{Title: d.Name, Version: d.Version}
	set.Fields = []field{
		{Name: "name", LabelID: "admin.artist.name", Input: inputText, Value: d.Name, MaxLen: artists.MaxName, Required: true},
		photo,
		{Name: "links", LabelID: "admin.artist.links", Input: inputTextarea, Value: artistLinksText(d.Links),
			MaxLen: artists.MaxLinks * (artists.MaxURL + 16)},
	}
	for _, l := range s.Bundle.Languages() {
		t := d.Texts[l]
		set.Fields = append(set.Fields,
			field{Name: "genre." + l, LabelID: "admin.artist.genre", Lang: l, Input: inputText, Value: t.Genre, MaxLen: artists.MaxGenre},
			field{Name: "bio." + l, LabelID: "admin.artist.bio", Lang: l, Input: inputTextarea, Value: t.Bio, MaxLen: artists.MaxBio},
		)
	}
	set.bind("artists", d.ID, s.csrfToken(c), artistPath(d.ID))
	return set, nil
}

// artistAdminPage is the data of an artist's page and its admin-artist
// fragment.
type artistAdminPage struct {
	adminBase
	Artist    artists.Draft
	Title     string
	PublicURL string
	General   []field
	Langs     []langFields
	// Sets are the upcoming events the artist plays, each with a form
	// for their set's times.
	Sets artistSets
	// Delete is the delete form, for staff only.
	Delete  *entityDelete
	History entityHistory
}

func (s *Server) adminArtist(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.adminArtistGet(c, id)
	if err != nil {
		return err
	}
	data, err := s.artistPage(c, d)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/artists/show", "admin-artist", data)
}

func (s *Server) artistPage(c fiber.Ctx, d artists.Draft) (artistAdminPage, error) {
	set, err := s.artistFields(c, d)
	if err != nil {
		return artistAdminPage{}, err
	}
	history, err := s.Audit.ForEntity(c.Context(), audit.KindArtist, d.ID, historyLength)
	if err != nil {
		return artistAdminPage{}, err
	}
	sets, err := s.artistSetsOf(c, d.ID)
	if err != nil {
		return artistAdminPage{}, err
	}
	p := artistAdminPage{
		Sets:      sets,
		adminBase: s.adminBase(c, "artists", set.Title),
		Artist:    d,
		Title:     set.Title,
		PublicURL: "/artists/" + d.Slug,
		History:   entityHistory{Kind: audit.KindArtist, ID: d.ID, Entries: history, Zone: zoneOf(c)},
	}
	p.General, p.Langs = byLanguage(s.Bundle.Languages(), set.Fields)
	if s.actor(c).IsStaff() {
		del := s.entityDelete(c, "artists", d.ID)
		p.Delete = &del
	}
	p.follow(live.AdminTopic(live.AdminArtist, d.ID), int64(d.Version))
	return p, nil
}

// artistNewForm is the data of the new-artist page and its fragment.
type artistNewForm struct {
	adminBase
	Name      string
	Texts     map[string]artists.Text
	Langs     []string
	CreateKey string
	Errors    fieldErrors
	// Other holds the errors of no field of the form.
	Other []apperr.Message
}

func (s *Server) newArtistForm(c fiber.Ctx) artistNewForm {
	return artistNewForm{
		adminBase: s.adminBase(c, "artists", s.Bundle.T(langOf(c), "admin.artists.new", nil)),
		Texts:     map[string]artists.Text{},
		Langs:     s.Bundle.Languages(),
		CreateKey: newCreateKey(),
	}
}

func (s *Server) adminArtistNew(c fiber.Ctx) error {
	return s.adminPage(c, fiber.StatusOK, "admin/artists/new", "admin-artist-new", s.newArtistForm(c))
}

func (s *Server) adminArtistCreate(c fiber.Ctx) error {
	f := s.newArtistForm(c)
	f.Name, f.CreateKey = c.FormValue("name"), c.FormValue("create_key")
	in := artists.ArtistInput{Name: f.Name, Texts: map[string]artists.Text{}, CreateKey: f.CreateKey}
	for _, l := range f.Langs {
		t := artists.Text{Genre: c.FormValue("genre." + l), Bio: c.FormValue("bio." + l)}
		f.Texts[l] = t
		in.Texts[l] = t
	}
	d, err := s.Artists.Create(c.Context(), s.actor(c), in)
	if err == nil {
		return s.redirectTo(c, artistPath(d.ID))
	}
	inv, ok := errors.AsType[*apperr.Invalid](err)
	if !ok {
		return err
	}
	f.Errors = inv.Fields
	texts := textFieldShown(f.Langs, []string{"genre", "bio"})
	f.Other = otherErrors(f.Errors, func(k string) bool { return k == "name" || texts(k) })
	return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/artists/new", "admin-artist-new", f)
}

// adminArtistDelete deletes the artist once the confirmation is ticked;
// one who plays upcoming events is refused, with the reason shown.
func (s *Server) adminArtistDelete(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	cur, err := s.Artists.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	return s.deleteEntity(c, "artists", "admin-artist-delete", id,
		func() error { return s.Artists.Delete(ctx, s.actor(c), id, cur.Version) },
		func(form entityDelete) error {
			data, err := s.artistPage(c, cur)
			if err != nil {
				return err
			}
			data.Delete = &form
			return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/artists/show", "", data)
		})
}
