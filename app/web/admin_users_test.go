package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestAdminUsersList(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleAdmin)
	tok := strings.ToLower(testenv.Unique("usr"))
	for i, r := range []actor.Role{actor.RoleEditor, actor.RoleMember, actor.RoleMember} {
		testenv.User(t, sqlDB, testenv.UserOpts{
			Email: fmt.Sprintf("%s-%d@example.org", tok, i), Role: r, DisplayName: fmt.Sprintf("%c %s", 'c'-i, evilText),
		})
	}

	res := officeReq(t, srv, sess, http.MethodGet, "/admin/users?q="+tok, nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	require.Equal(t, 3, d.Find("#admin-users tbody tr").Length())
	require.NotContains(t, res.Body, evilText)
	require.Contains(t, d.Find("#admin-users tbody").Text(), evilText)
	require.Equal(t, "/admin/users", d.Find(`.admin-nav a[aria-current="page"]`).AttrOr("href", ""))

	res = officeReq(t, srv, sess, http.MethodGet, "/admin/users?q="+tok+"&role=editor", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	officePrivate(t, res)
	d = officePartial(t, res, "admin-users")
	require.Equal(t, 1, d.Find("tbody tr").Length())
	require.Equal(t, "Editor", d.Find("tbody td").Eq(2).Text())

	// Sorted by name: "a …" first; by email: "-0@" first.
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/users?q="+tok+"&sort=name", nil, true)
	d = officePartial(t, res, "admin-users")
	require.Equal(t, tok+"-2@example.org", d.Find("tbody tr").First().Find("td a").Text())
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/users?q="+tok+"&sort=email", nil, true)
	d = officePartial(t, res, "admin-users")
	require.Equal(t, tok+"-0@example.org", d.Find("tbody tr").First().Find("td a").Text())
	// Junk falls back to the defaults; a page past the end is the last.
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/users?q="+tok+"&role=root&sort=x&page=40", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, 3, officePartial(t, res, "admin-users").Find("tbody tr").Length())
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/users?q=%ff", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)

	// Only admins: an editor gets 403 on every user route.
	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	res = officeReq(t, srv, editor, http.MethodGet, "/admin/users", nil, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = officeReq(t, srv, editor, http.MethodGet, "/admin/users", nil, false)
	require.NotContains(t, res.Body, tok)
}

// A user's page, role changes with their refusals, and the account
// actions, as an admin; and the escalations that must fail.
func TestAdminUser(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	admin, sess := officeSignIn(t, srv, actor.RoleAdmin)
	target := testenv.User(t, sqlDB, testenv.UserOpts{DisplayName: "Target " + evilText})
	targetSess := testenv.SignIn(t, srv, target.Email, testenv.DefaultPassword)
	artist := testenv.Artist(t, db.New(sqlDB), testenv.ArtistOpts{Name: "DJ " + evilText})
	page := fmt.Sprintf("/admin/users/%d", target.ID)
	user := func() accounts.User {
		u, err := srv.Accounts.Get(t.Context(), target.ID)
		require.NoError(t, err)
		return u
	}

	res := officeReq(t, srv, sess, http.MethodGet, page, nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	require.Equal(t, "Target "+evilText, d.Find("#admin-user h1").Text())
	require.NotContains(t, res.Body, evilText)
	require.Equal(t, 1, d.Find(fmt.Sprintf(`#user-role-artist option[value="%d"]`, artist.ID)).Length())
	require.Equal(t, 1, d.Find(fmt.Sprintf("#history-user-%d", target.ID)).Length())
	require.Equal(t, 1, d.Find(fmt.Sprintf(`form[action="%s/disable"]`, page)).Length())

	// Editor, with htmx: the whole user comes back, saying it is done.
	res = officeReq(t, srv, sess, http.MethodPost, page+"/role", url.Values{"role": {"editor"}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d = officePartial(t, res, "admin-user")
	require.Contains(t, d.Find(".alert--success").Text(), "The role has been saved.")
	require.Contains(t, d.Find(fmt.Sprintf("#history-user-%d", target.ID)).Text(), "changed the role")
	require.Equal(t, actor.RoleEditor, user().Role)
	// The new role is in force at once: the editor may now see the blog.
	res = officeReq(t, srv, &targetSess, http.MethodGet, "/admin/blog", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)

	// Refused: the artist role without a profile, a profile without the
	// artist role, no such role, a profile that is no number.
	for _, tc := range []struct {
		role, artist, msg string
	}{
		{"artist", "", "needs the artist profile"},
		{"member", strconv.FormatInt(artist.ID, 10), "Only artist accounts"},
		{"root", "", "There is no such role."},
		{"artist", "x", "There is no such artist."},
		{"artist", "987654321", "There is no such artist."},
	} {
		res = officeReq(t, srv, sess, http.MethodPost, page+"/role", url.Values{"role": {tc.role}, "artist": {tc.artist}}, true)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%+v", tc)
		d = officePartial(t, res, "admin-user")
		require.Contains(t, d.Find("#user-role .field__error").Text(), tc.msg, "%+v", tc)
		require.Equal(t, tc.role, d.Find(`#user-role-select option[selected]`).AttrOr("value", tc.role), "kept as chosen")
	}
	require.Equal(t, actor.RoleEditor, user().Role)

	// Artist, without JavaScript: a redirect, and the page says so.
	res = officeReq(t, srv, sess, http.MethodPost, page+"/role", url.Values{"role": {"artist"}, "artist": {strconv.FormatInt(artist.ID, 10)}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, page+"?done=role", res.Header.Get("Location"))
	require.Equal(t, artist.ID, user().ArtistID)
	res = officeReq(t, srv, sess, http.MethodGet, page+"?done=role", nil, false)
	require.Contains(t, doc(t, res.Body).Find(".alert--success").Text(), "The role has been saved.")
	res = officeReq(t, srv, sess, http.MethodGet, page+"?done="+url.QueryEscape(evilText), nil, false)
	require.Zero(t, doc(t, res.Body).Find(".alert--success").Length())

	// Sign out everywhere ends the user's sessions.
	res = officeReq(t, srv, sess, http.MethodPost, page+"/signout", url.Values{}, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, officePartial(t, res, "admin-user").Find(".alert--success").Text(), "All sessions")
	res = officeReq(t, srv, &targetSess, http.MethodGet, "/account", nil, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "signed out")

	// Disable: no sign-in; enable: sign-in again.
	targetSess = testenv.SignIn(t, srv, target.Email, testenv.DefaultPassword)
	res = officeReq(t, srv, sess, http.MethodPost, page+"/disable", url.Values{}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.True(t, user().Disabled)
	res = officeReq(t, srv, &targetSess, http.MethodGet, "/account", nil, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "a disabled account's sessions end")
	res = officeReq(t, srv, sess, http.MethodGet, page+"?done=disable", nil, false)
	d = officeFull(t, res)
	require.Equal(t, "Disabled", d.Find(".entity-status .badge").Text())
	require.Equal(t, 1, d.Find(fmt.Sprintf(`form[action="%s/enable"]`, page)).Length())
	require.Contains(t, d.Find(fmt.Sprintf("#history-user-%d", target.ID)).Text(), "disabled")
	res = officeReq(t, srv, sess, http.MethodPost, page+"/enable", url.Values{}, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.False(t, user().Disabled)
	testenv.SignIn(t, srv, target.Email, testenv.DefaultPassword)

	// One's own page: no role form, no account actions; sent anyway, the
	// service refuses and the page says why.
	own := fmt.Sprintf("/admin/users/%d", admin.ID)
	res = officeReq(t, srv, sess, http.MethodGet, own, nil, false)
	d = officeFull(t, res)
	require.Contains(t, d.Find("#user-role-self").Text(), "Nobody can change their own role")
	require.Zero(t, d.Find("#user-role button[type=submit]").Length())
	require.Zero(t, d.Find(fmt.Sprintf(`form[action="%s/disable"]`, own)).Length())
	for _, hx := range []bool{true, false} {
		res = officeReq(t, srv, sess, http.MethodPost, own+"/role", url.Values{"role": {"member"}}, hx)
		require.Equal(t, http.StatusForbidden, res.StatusCode)
		require.Contains(t, doc(t, res.Body).Find("#user-role .field__error").Text(), "You cannot change your own role")
		res = officeReq(t, srv, sess, http.MethodPost, own+"/disable", url.Values{}, hx)
		require.Equal(t, http.StatusForbidden, res.StatusCode)
		require.Contains(t, doc(t, res.Body).Find("#admin-user .field__error").Text(), "You cannot disable or enable your own account")
	}
	me, err := srv.Accounts.Get(t.Context(), admin.ID)
	require.NoError(t, err)
	require.Equal(t, actor.RoleAdmin, me.Role)
	require.False(t, me.Disabled)

	// Escalation: an editor raising themselves, or anyone, gets 403 and
	// changes nothing.
	editor, editorSess := officeSignIn(t, srv, actor.RoleEditor)
	for _, u := range []string{fmt.Sprintf("/admin/users/%d/role", editor.ID), page + "/role"} {
		res = officeReq(t, srv, editorSess, http.MethodPost, u, url.Values{"role": {"admin"}}, true)
		require.Equal(t, http.StatusForbidden, res.StatusCode, u)
	}
	for _, u := range []string{page, page + "/disable", page + "/signout"} {
		method := http.MethodPost
		if u == page {
			method = http.MethodGet
		}
		res = officeReq(t, srv, editorSess, method, u, url.Values{}, false)
		require.Equal(t, http.StatusForbidden, res.StatusCode, u)
	}
	e, err := srv.Accounts.Get(t.Context(), editor.ID)
	require.NoError(t, err)
	require.Equal(t, actor.RoleEditor, e.Role)
	require.Equal(t, actor.RoleArtist, user().Role)

	// CSRF and the body limit, as everywhere.
	noToken := *sess
	noToken.CSRF = ""
	res = officeReq(t, srv, &noToken, http.MethodPost, page+"/role", url.Values{"role": {"admin"}}, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	forged := *sess
	forged.CSRF = "forged"
	res = officeReq(t, srv, &forged, http.MethodPost, page+"/role", url.Values{"role": {"admin"}}, false)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Equal(t, actor.RoleArtist, user().Role)
	base := serve(t, srv)
	officeTooLarge(t, base, sess, http.MethodPost, page+"/role")
	officeTooLarge(t, base, sess, http.MethodPost, page+"/signout")
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/users/987654321", nil, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/users/987654321/disable", url.Values{}, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}
