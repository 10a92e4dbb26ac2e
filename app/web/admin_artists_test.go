package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/testenv"
)

func (p places) artist(t *testing.T, id int64) artists.Draft {
	t.Helper()
	d, err := p.srv.Artists.AdminGet(t.Context(), id)
	require.NoError(t, err)
	return d
}

func TestAdminArtistsList(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	tag := strings.ToLower(testenv.Unique("crew"))
	for i := range artists.AdminDefaultPerPage + 1 {
		testenv.Artist(t, p.q, testenv.ArtistOpts{Name: fmt.Sprintf("%s %02d", tag, i)})
	}
	testenv.Artist(t, p.q, testenv.ArtistOpts{Name: tag + ` <script>alert(1)</script>`})
	rows := func(d *goquery.Document) int { return d.Find("#admin-artists tbody tr").Length() }
	list := "/admin/artists?q=" + url.QueryEscape(tag)

	for _, partial := range []bool{false, true} {
		res := p.as(t, http.MethodGet, list, nil, partial)
		d := requireAdminHTML(t, res, http.StatusOK, partial, "admin-artists")
		require.Equal(t, artists.AdminDefaultPerPage, rows(d))
		require.Contains(t, d.Find("#admin-artists-title").Text(), "(52)")
		require.Equal(t, "/admin/artists/new", d.Find(`#admin-artists a[href="/admin/artists/new"]`).AttrOr("href", ""))
		require.Equal(t, "/admin/artists?page=2&q="+url.QueryEscape(tag), d.Find("#pager-next").AttrOr("href", ""), "the page is in the address")
		require.NotContains(t, res.Body, "<script>alert(1)")
	}
	res := p.as(t, http.MethodGet, list+"&page=2", nil, true)
	d := requireAdminHTML(t, res, http.StatusOK, true, "admin-artists")
	require.Equal(t, 2, rows(d))
	require.Equal(t, list, d.Find("#pager-prev").AttrOr("href", ""))
	res = p.as(t, http.MethodGet, list+"&page=99", nil, false)
	require.Equal(t, 2, rows(doc(t, res.Body)), "a page past the end shows the last")
	res = p.as(t, http.MethodGet, "/admin/artists?q="+url.QueryEscape(tag+" <script"), nil, false)
	d = doc(t, res.Body)
	require.Equal(t, 1, rows(d))
	require.Equal(t, tag+` <script>alert(1)</script>`, d.Find("#admin-artists tbody a").Text())
	res = p.as(t, http.MethodGet, "/admin/artists?q=%FF%FE", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)
}

func TestAdminArtistPage(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	ar := testenv.Artist(t, p.q, testenv.ArtistOpts{Name: "DJ <i>Moth</i>", Genre: "Ambient"})
	path := fmt.Sprintf("/admin/artists/%d", ar.ID)
	for _, partial := range []bool{false, true} {
		res := p.as(t, http.MethodGet, path, nil, partial)
		d := requireAdminHTML(t, res, http.StatusOK, partial, "admin-artist")
		require.Equal(t, "DJ <i>Moth</i>", d.Find("#admin-artist h1").Text())
		require.NotContains(t, res.Body, "<i>Moth")
		for _, f := range []string{"name", "links", "genre-en", "genre-de", "bio-en", "bio-de"} {
			require.Equal(t, 1, d.Find(fmt.Sprintf("#field-artists-%d-%s a.field__value", ar.ID, f)).Length(), f)
		}
		require.Equal(t, 1, d.Find(fmt.Sprintf("#field-artists-%d-photo a.media-field__choose", ar.ID)).Length(), "the photo is picked from the library")
		require.Equal(t, "Ambient", strings.TrimSpace(d.Find(fmt.Sprintf("#field-artists-%d-genre-en a", ar.ID)).Contents().First().Text()))
		require.Equal(t, 2, d.Find(".side-by-side__lang").Length(), "genre and bio side by side per language")
		require.Equal(t, path+"/delete", d.Find("form#admin-artist-delete").AttrOr("action", ""), "staff may delete")
		require.Equal(t, 1, d.Find(fmt.Sprintf("#history-artist-%d", ar.ID)).Length())
		require.Equal(t, 1, d.Find(`a[href="/artists/`+ar.Slug+`"]`).Length())
	}
	res := p.as(t, http.MethodGet, "/admin/artists/987654321", nil, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestAdminArtistInlineEditing(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	ar := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	field := func(name string) string { return fmt.Sprintf("/admin/artists/%d/fields/%s", ar.ID, name) }
	domID := func(name string) string {
		return fmt.Sprintf("field-artists-%d-%s", ar.ID, strings.NewReplacer(".", "-", "_", "-").Replace(name))
	}
	version := func() string { return strconv.Itoa(int(p.artist(t, ar.ID).Version)) }

	// Links are a text area, one a line: "kind url" or just the url.
	res := p.as(t, http.MethodGet, field("links")+"/edit", nil, true)
	d := requireAdminHTML(t, res, http.StatusOK, true, domID("links"))
	require.Equal(t, 1, d.Find(`textarea[name="value"]`).Length())
	res = p.as(t, http.MethodPatch, field("links"), form("version", version(), "value", "soundcloud https://soundcloud.com/moth\r\nhttps://www.mixcloud.com/moth\n\n"), true)
	d = requireAdminHTML(t, res, http.StatusOK, true, domID("links"))
	require.Equal(t, []artists.Link{{Kind: "soundcloud", URL: "https://soundcloud.com/moth"}, {Kind: "mixcloud", URL: "https://www.mixcloud.com/moth"}}, p.artist(t, ar.ID).Links)
	require.Contains(t, d.Find("a.field__value").Text(), "mixcloud https://www.mixcloud.com/moth")
	require.Contains(t, d.Find(fmt.Sprintf(`#history-artist-%d[hx-swap-oob]`, ar.ID)).Text(), "links")
	res = p.as(t, http.MethodGet, field("links")+"/edit", nil, true)
	require.Equal(t, "soundcloud https://soundcloud.com/moth\nmixcloud https://www.mixcloud.com/moth", doc(t, res.Body).Find("textarea").Text())

	evil := `Moth <script>alert("x")</script>`
	res = p.as(t, http.MethodPatch, field("name"), form("version", version(), "value", evil), true)
	d = requireAdminHTML(t, res, http.StatusOK, true, domID("name"))
	require.NotContains(t, res.Body, "<script>alert")
	require.Contains(t, d.Find("a.field__value").Text(), evil)
	require.Equal(t, evil, p.artist(t, ar.ID).Name)

	for _, tc := range []struct{ name, field, value, message string }{
		{"link not a web address", "links", "website ftp://example.org/x", "Line 1 is not a link"},
		{"line of three words", "links", "https://example.org\nsoundcloud https://soundcloud.com/x extra", "Line 2 is not a link"},
		{"name required", "name", " ", "This field is required."},
		{"invalid UTF-8", "bio.de", "Bio \xc3\x28", "not valid text"},
		{"photo not a number", "photo", "<script>", "no such image"},
		{"genre too long", "genre.en", strings.Repeat("g", artists.MaxGenre+1), "at most 200"},
		{"language not offered", "genre.fr", "x", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := p.as(t, http.MethodPatch, field(tc.field), form("version", version(), "value", tc.value), true)
			if tc.message == "" {
				require.Equal(t, http.StatusNotFound, res.StatusCode, "a field the page does not offer")
				return
			}
			d := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, domID(tc.field))
			// A text field's form or the photo's picker carries the refusal.
			require.Contains(t, d.Find(".field--invalid .field__error").Text(), tc.message)
			require.NotContains(t, res.Body, "<script>")
		})
	}
	require.Len(t, p.artist(t, ar.ID).Links, 2, "nothing refused was written")

	// A colleague saved the bio meanwhile.
	stale := version()
	res = p.as(t, http.MethodPatch, field("bio.en"), form("version", stale, "value", "Their bio", "original", ""), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	res = p.as(t, http.MethodPatch, field("bio.en"), form("version", stale, "value", "My bio", "original", ""), true)
	d = requireAdminHTML(t, res, http.StatusConflict, true, domID("bio.en"))
	require.Contains(t, d.Find(".field__theirs").Text(), "Their bio")
	require.Equal(t, "My bio", d.Find("textarea").Text())
	require.Equal(t, "Their bio", p.artist(t, ar.ID).Texts["en"].Bio)

	res = p.as(t, http.MethodPost, field("genre.de"), form("version", version(), "value", "Umgebungsmusik"), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, fmt.Sprintf("/admin/artists/%d", ar.ID), res.Header.Get("Location"))
	require.Equal(t, "Umgebungsmusik", p.artist(t, ar.ID).Texts["de"].Genre)

	require.Equal(t, http.StatusRequestEntityTooLarge, p.sendHuge(t, http.MethodPatch, field("bio.en"), "version="+version()+"&value=", 10<<20))
	sess := *p.staff
	sess.CSRF = ""
	res = p.send(t, &sess, http.MethodPatch, field("bio.en"), form("version", version(), "value", "no token"), true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, "Their bio", p.artist(t, ar.ID).Texts["en"].Bio)
}

// An artist-role user has their own profile and nothing else: the list
// sends them to it, another artist's page and fields are forbidden, and
// creating and deleting are for staff.
func TestAdminArtistRole(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	mine := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	other := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	sess := signInAs(t, p.srv, p.sqlDB, testenv.UserOpts{Role: actor.RoleArtist, ArtistID: mine.ID})
	own := fmt.Sprintf("/admin/artists/%d", mine.ID)
	theirs := fmt.Sprintf("/admin/artists/%d", other.ID)

	res := p.send(t, sess, http.MethodGet, "/admin/artists", nil, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, own, res.Header.Get("Location"))
	res = p.send(t, sess, http.MethodGet, "/admin/artists?q=x", nil, true)
	require.Equal(t, own, res.Header.Get("HX-Location"))

	for _, partial := range []bool{false, true} {
		res = p.send(t, sess, http.MethodGet, own, nil, partial)
		d := requireAdminHTML(t, res, http.StatusOK, partial, "admin-artist")
		require.Equal(t, 0, d.Find("#admin-artist-delete").Length(), "an artist cannot delete themself")
		require.Equal(t, 0, d.Find(`#admin-artist a[href="/admin/artists"]`).Length())
		require.Equal(t, 1, d.Find(fmt.Sprintf("#field-artists-%d-bio-de a.field__value", mine.ID)).Length())
	}
	d := doc(t, p.send(t, sess, http.MethodGet, own, nil, false).Body)
	require.Equal(t, 1, d.Find(`.admin-nav a[href="/admin/artists"]`).Length())
	require.Equal(t, 0, d.Find(`.admin-nav a[href="/admin/locations"]`).Length())

	v := strconv.Itoa(int(p.artist(t, mine.ID).Version))
	res = p.send(t, sess, http.MethodPatch, own+"/fields/genre.en", form("version", v, "value", "Drone"), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, "Drone", p.artist(t, mine.ID).Texts["en"].Genre)
	v = strconv.Itoa(int(p.artist(t, mine.ID).Version))
	res = p.send(t, sess, http.MethodPatch, own+"/fields/links", form("version", v, "value", "https://moth.example.org"), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, []artists.Link{{Kind: "website", URL: "https://moth.example.org"}}, p.artist(t, mine.ID).Links)

	before := p.artist(t, other.ID)
	ov := strconv.Itoa(int(before.Version))
	p.requireForbidden(t, sess, []request{
		{http.MethodGet, theirs, ""},
		{http.MethodGet, theirs + "/fields/name", ""},
		{http.MethodGet, theirs + "/fields/name/edit", ""},
		{http.MethodPatch, theirs + "/fields/name", "version=" + ov + "&value=Mine"},
		{http.MethodPost, theirs + "/fields/bio.en", "version=" + ov + "&value=Mine"},
		{http.MethodPost, theirs + "/delete", "confirm=yes"},
		{http.MethodPost, own + "/delete", "confirm=yes"},
		{http.MethodGet, "/admin/artists/new", ""},
		{http.MethodPost, "/admin/artists", "name=Mine"},
	})
	require.Equal(t, before.Version, p.artist(t, other.ID).Version, "nothing of another artist's changed")
	p.artist(t, mine.ID) // still there: the artist could not delete themself

	// Once their profile is deleted, the account is linked to none and has
	// nothing to list.
	require.NoError(t, p.srv.Artists.Delete(t.Context(), actor.System(), mine.ID, p.artist(t, mine.ID).Version))
	res = p.send(t, sess, http.MethodGet, "/admin/artists", nil, false)
	d = requireAdminHTML(t, res, http.StatusOK, false, "admin-artists")
	require.Contains(t, d.Find(".admin-list__empty").Text(), "not linked to an artist profile")
	require.Equal(t, 0, d.Find(`a[href="/admin/artists/new"]`).Length())
}

func TestAdminArtistCreate(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	name := "Moth " + testenv.Unique("new") + ` <script>alert(1)</script>`
	id := p.requireCreateForm(t, "artists", "admin-artist-new", url.Values{"name": {name}, "genre.de": {"Drone"}})
	page, err := p.srv.Artists.AdminList(t.Context(), artists.AdminFilter{Q: name})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total)
	require.Equal(t, id, page.Artists[0].ID)
	require.Equal(t, name, page.Artists[0].Name, "stored as typed")
	require.Equal(t, "Drone", p.artist(t, id).Texts["de"].Genre)

	res := p.as(t, http.MethodPost, "/admin/artists", form("name", "", "genre.en", "Dub <techno>"), true)
	d := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-artist-new")
	require.Contains(t, d.Find("#new-artist-name-error").Text(), "This field is required.")
	require.Equal(t, "Dub <techno>", d.Find(`input[name="genre.en"]`).AttrOr("value", ""))
	require.Equal(t, 1, d.Find(`textarea[name="bio.de"]`).Length())
	res = p.as(t, http.MethodPost, "/admin/artists", form("name", "Fine", "bio.de", "Bio \xff"), false)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, false, "admin-artist-new")
	require.Contains(t, d.Find("#new-artist-bio-de-error").Text(), "not valid text")
}

func TestAdminArtistDelete(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	busy := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	testenv.Event(t, p.q, testenv.EventOpts{Lineup: []testenv.ArtistRow{busy}, Start: time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, 3)})
	del := func(id int64) string { return fmt.Sprintf("/admin/artists/%d/delete", id) }

	res := p.as(t, http.MethodPost, del(busy.ID), form("confirm", "yes"), true)
	d := requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-artist-delete")
	require.Contains(t, d.Find(".field__error").Text(), "upcoming events (1)")
	res = p.as(t, http.MethodPost, del(busy.ID), form("confirm", "yes"), false)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, false, "admin-artist")
	require.Contains(t, d.Find("#admin-artist-delete .field__error").Text(), "Take them out of those lineups first")
	p.artist(t, busy.ID)

	free := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	res = p.as(t, http.MethodPost, del(free.ID), nil, true)
	d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, "admin-artist-delete")
	require.Contains(t, d.Find(".field__error").Text(), "Tick the box")
	res = p.as(t, http.MethodPost, del(free.ID), form("confirm", "yes"), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/artists", res.Header.Get("Location"))
	_, err := p.srv.Artists.AdminGet(t.Context(), free.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}
