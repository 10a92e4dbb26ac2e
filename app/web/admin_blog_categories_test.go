package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/testenv"
)

var categoryLocation = regexp.MustCompile(`^/admin/blog/categories#category-(\d+)$`)

func TestAdminCategories(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	tok := testenv.Unique("cat")

	res := officeReq(t, srv, sess, http.MethodGet, "/admin/blog/categories", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	key := inputValue(d, `#admin-category-new input[name="create_key"]`)
	require.NotEmpty(t, key)
	require.Equal(t, 1, d.Find("#admin-category-list").Length())

	// Create: hostile text stored as typed, shown escaped; the same form
	// twice makes one category.
	form := url.Values{"create_key": {key}, "name.en": {tok + " " + evilText}, "name.de": {"Kat " + tok}, "description.en": {"About"}, "position": {"7"}}
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog/categories", form, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	m := categoryLocation.FindStringSubmatch(res.Header.Get("Location"))
	require.NotNil(t, m, res.Header.Get("Location"))
	id, err := strconv.ParseInt(m[1], 10, 64)
	require.NoError(t, err)
	got, err := srv.Blog.AdminCategory(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, tok+" "+evilText, got.Texts["en"].Name)
	require.Equal(t, 7, got.Position)
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog/categories", form, true)
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	require.Equal(t, fmt.Sprintf("/admin/blog/categories#category-%d", id), res.Header.Get("HX-Location"))
	cats, err := srv.Blog.AdminCategories(t.Context())
	require.NoError(t, err)
	n := 0
	for _, c := range cats {
		if strings.HasPrefix(c.Texts["en"].Name, tok) {
			n++
		}
	}
	require.Equal(t, 1, n, "one category for one form")

	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog/categories", nil, false)
	d = officeFull(t, res)
	card := d.Find(fmt.Sprintf("#category-%d", id))
	require.Equal(t, 1, card.Length())
	require.NotContains(t, res.Body, evilText)
	require.Equal(t, tok+" "+evilText, card.Find(fmt.Sprintf("#category-%d-title", id)).Text())
	require.Contains(t, card.Find(fmt.Sprintf("#history-category-%d", id)).Text(), "created")
	for _, f := range []string{"position", "name-en", "description-en", "name-de", "description-de"} {
		require.Equal(t, 1, card.Find(fmt.Sprintf("#field-categories-%d-%s", id, f)).Length(), f)
	}

	// Refused: no default-language name, a position that is no number;
	// 422 with the form as typed.
	bad := url.Values{"create_key": {testenv.Unique("k")[2:] + "AAAAAAAAAA"}, "name.de": {"Nur Deutsch"}, "position": {"abc"}}
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog/categories", bad, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d = officePartial(t, res, "admin-category-new")
	require.Contains(t, d.Find(".field__error").Text(), "Enter a whole number")
	require.Equal(t, "Nur Deutsch", inputValue(d, `input[name="name.de"]`))
	bad.Set("position", "3")
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog/categories", bad, false)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d = officeFull(t, res)
	require.Contains(t, d.Find("#admin-category-new .field__error").Text(), "needs a name in the default language")
	bad.Set("name.en", "bad \xff")
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog/categories", bad, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, res.Body, "not valid UTF-8")

	// Inline: a name, and a position out of range.
	u := fmt.Sprintf("/admin/categories/%d/fields/", id)
	version := strconv.Itoa(got.Version)
	res = officeReq(t, srv, sess, http.MethodGet, u+"name.de/edit", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "Kat "+tok, inputValue(officePartial(t, res, fmt.Sprintf("field-categories-%d-name-de", id)), "input[name=value]"))
	res = officeReq(t, srv, sess, http.MethodPatch, u+"name.de", url.Values{"value": {"Neu " + evilText}, "version": {version}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.NotContains(t, res.Body, evilText)
	require.Contains(t, doc(t, res.Body).Find(fmt.Sprintf("#history-category-%d", id)).Text(), "name.de")
	got, err = srv.Blog.AdminCategory(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, "Neu "+evilText, got.Texts["de"].Name)
	res = officeReq(t, srv, sess, http.MethodPatch, u+"position", url.Values{"value": {"-5"}, "version": {strconv.Itoa(got.Version)}}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find(".field__error").Text(), "Enter a whole number from 0 to 10000")
	res = officeReq(t, srv, sess, http.MethodPatch, u+"name.en", url.Values{"value": {""}, "version": {strconv.Itoa(got.Version)}}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "the default name stays")
	res = officeReq(t, srv, sess, http.MethodPatch, u+"name.en", url.Values{"value": {"Stale"}, "version": {version}, "original": {"changed since"}}, true)
	require.Equal(t, http.StatusConflict, res.StatusCode)
	res = officeReq(t, srv, sess, http.MethodPost, u+"name.en", url.Values{"value": {"Plain " + tok}, "version": {strconv.Itoa(got.Version)}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, fmt.Sprintf("/admin/blog/categories#category-%d", id), res.Header.Get("Location"))

	// Deleting a category with a post in it is refused, and says why on it.
	testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft", Categories: []int64{id}})
	del := fmt.Sprintf("/admin/blog/categories/%d/delete", id)
	res = officeReq(t, srv, sess, http.MethodPost, del, url.Values{"confirm": {"yes"}}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, res.Body)
	d = officePartial(t, res, "admin-category-list")
	require.Contains(t, d.Find(fmt.Sprintf("#category-%d .field__error", id)).Text(), "Posts are still in this category (1)")
	_, open := d.Find(fmt.Sprintf("#category-%d details.danger-zone", id)).Attr("open")
	require.True(t, open)
	res = officeReq(t, srv, sess, http.MethodPost, del, url.Values{"confirm": {"yes"}}, false)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	officeFull(t, res)
	_, err = srv.Blog.AdminCategory(t.Context(), id)
	require.NoError(t, err)

	// An empty one goes, once the box is ticked.
	empty, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{})
	del = fmt.Sprintf("/admin/blog/categories/%d/delete", empty)
	res = officeReq(t, srv, sess, http.MethodPost, del, url.Values{}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find(fmt.Sprintf("#category-%d .field__error", empty)).Text(), "Tick the box")
	res = officeReq(t, srv, sess, http.MethodPost, del, url.Values{"confirm": {"yes"}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	d = officePartial(t, res, "admin-category-list")
	require.Zero(t, d.Find(fmt.Sprintf("#category-%d", empty)).Length())
	_, err = srv.Blog.AdminCategory(t.Context(), empty)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	res = officeReq(t, srv, sess, http.MethodPost, del, url.Values{"confirm": {"yes"}}, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	other, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{})
	res = officeReq(t, srv, sess, http.MethodPost, fmt.Sprintf("/admin/blog/categories/%d/delete", other), url.Values{"confirm": {"yes"}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/blog/categories", res.Header.Get("Location"))
}
