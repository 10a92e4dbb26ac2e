package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// Helpers of the blog, users and settings back-office tests.

const evilText = `<script>alert("x")</script>`

// officeSignIn makes a user with role and signs them in.
func officeSignIn(t *testing.T, srv *web.Server, role actor.Role) (accounts.User, *testenv.Session) {
	t.Helper()
	sqlDB := testenv.DB(t)
	o := testenv.UserOpts{Role: role, DisplayName: "Office " + string(role)}
	if role == actor.RoleArtist {
		o.ArtistID = testenv.Artist(t, db.New(sqlDB), testenv.ArtistOpts{}).ID
	}
	u := testenv.User(t, sqlDB, o)
	sess := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	return u, &sess
}

// officeReq sends method target as sess, with body as a form when not nil,
// as an htmx partial request when hx is set.
func officeReq(t *testing.T, srv *web.Server, sess *testenv.Session, method, target string, body url.Values, hx bool) testenv.Response {
	t.Helper()
	var req *http.Request
	if body != nil {
		req = sess.Request(method, target, strings.NewReader(body.Encode()))
	} else {
		req = sess.Request(method, target, nil)
	}
	if hx {
		req = htmx(req)
	}
	return sess.Do(t, srv, req)
}

// officePrivate checks what every back-office answer says about caching.
func officePrivate(t *testing.T, res testenv.Response) {
	t.Helper()
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	require.Contains(t, res.Header.Get("Vary"), "HX-Request")
}

// officeFull checks an answer is a whole back-office page, officePartial
// that it is only the fragment whose root has id.
func officeFull(t *testing.T, res testenv.Response) *goquery.Document {
	t.Helper()
	require.Contains(t, res.Body, "<html", "a whole page")
	require.Contains(t, res.Body, `class="admin"`)
	return doc(t, res.Body)
}

func officePartial(t *testing.T, res testenv.Response, id string) *goquery.Document {
	t.Helper()
	require.NotContains(t, res.Body, "<html", "only the fragment")
	d := doc(t, res.Body)
	require.Equal(t, 1, d.Find("#"+id).Length(), "fragment root #%s in:\n%s", id, res.Body)
	return d
}

// field is the current value of a form's named input in d.
func inputValue(d *goquery.Document, selector string) string {
	return d.Find(selector).AttrOr("value", "")
}

// postVersion is post id's current version, as a form sends it.
func postVersion(t *testing.T, srv *web.Server, id int64) string {
	t.Helper()
	d, err := srv.Blog.AdminGet(t.Context(), id)
	require.NoError(t, err)
	return strconv.Itoa(d.Version)
}

func TestAdminBlogList(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	tok := strings.ToLower(testenv.Unique("lst"))
	cat, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{})
	for i := range 27 {
		o := testenv.PostOpts{Texts: map[string]testenv.PostText{"en": {Title: fmt.Sprintf("%s %02d", tok, i), Body: "b"}}}
		switch {
		case i == 0:
			o.Status, o.Categories = "draft", []int64{cat}
			o.Texts["en"] = testenv.PostText{Title: tok + " zz " + evilText, Body: "b"}
		case i == 1:
			o.Status, o.PublishAt = "scheduled", time.Now().Add(72*time.Hour)
		}
		testenv.Post(t, sqlDB, o)
	}

	res := officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q="+tok, nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	require.Equal(t, 25, d.Find("#admin-posts tbody tr").Length())
	require.Contains(t, d.Find("#admin-posts-title").Text(), "(27)")
	require.Equal(t, "/admin/blog/new", d.Find("#admin-posts .admin-list__head a").AttrOr("href", ""))
	require.Equal(t, "/admin/blog?page=2&q="+tok, d.Find("#pager-next").AttrOr("href", ""))
	require.Equal(t, "/admin/blog", d.Find(`.admin-nav a[aria-current="page"]`).AttrOr("href", ""))

	// The list alone for htmx, the state in the URL: page 2, and a page past
	// the end shows the last one.
	for _, target := range []string{"/admin/blog?q=" + tok + "&page=2", "/admin/blog?q=" + tok + "&page=99"} {
		res = officeReq(t, srv, sess, http.MethodGet, target, nil, true)
		require.Equal(t, http.StatusOK, res.StatusCode)
		officePrivate(t, res)
		d = officePartial(t, res, "admin-posts")
		require.Equal(t, 2, d.Find("tbody tr").Length(), target)
	}

	// Filters: status, category; junk values fall back to "any".
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q="+tok+"&status=draft", nil, true)
	d = officePartial(t, res, "admin-posts")
	require.Equal(t, 1, d.Find("tbody tr").Length())
	require.Equal(t, "draft", d.Find(`select[name="status"] option[selected]`).AttrOr("value", ""))
	require.NotContains(t, res.Body, evilText, "titles are escaped")
	require.Contains(t, d.Find("tbody td a").Text(), evilText)
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q="+tok+"&status=scheduled", nil, true)
	d = officePartial(t, res, "admin-posts")
	require.Equal(t, 1, d.Find("tbody tr").Length())
	require.Equal(t, "Scheduled", strings.TrimSpace(d.Find("tbody .badge").Text()))
	res = officeReq(t, srv, sess, http.MethodGet, fmt.Sprintf("/admin/blog?q=%s&category=%d", tok, cat), nil, true)
	d = officePartial(t, res, "admin-posts")
	require.Equal(t, 1, d.Find("tbody tr").Length())
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q="+tok+"&status=bogus&category=x&sort=nonsense", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, officePartial(t, res, "admin-posts").Find("#admin-posts-title").Text(), "(27)")

	// Sorted by title: the first row is "tok 01" (the hostile one sorts
	// last), and the header says so.
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q="+tok+"&sort=title", nil, true)
	d = officePartial(t, res, "admin-posts")
	require.Equal(t, tok+" 01", d.Find("tbody tr").First().Find("td a").Text())
	require.Equal(t, "ascending", d.Find(`th[aria-sort]`).AttrOr("aria-sort", ""))

	// A search with control characters is refused, not a server error.
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q=a%01b", nil, false)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	// Invalid UTF-8 in the search is dropped.
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog?q=%ff%fe", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)

	for _, role := range []actor.Role{actor.RoleArtist, actor.RoleMember} {
		_, other := officeSignIn(t, srv, role)
		res = officeReq(t, srv, other, http.MethodGet, "/admin/blog", nil, false)
		require.Equal(t, http.StatusForbidden, res.StatusCode, role)
	}
}

// A post's page, and each kind of inline field on it.
func TestAdminPostPageAndFields(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	id, slug := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft", Texts: map[string]testenv.PostText{
		"en": {Title: "Page test", Summary: "Sum", Body: "Some **bold** text\n\n<script>alert(1)</script>"},
		"de": {Title: "Seitentest", Body: "Ein *Text*"},
	}})
	page := fmt.Sprintf("/admin/blog/%d", id)

	res := officeReq(t, srv, sess, http.MethodGet, page, nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	require.Equal(t, "Page test", d.Find("#admin-post h1").Text())
	for _, f := range []string{"slug", "author-name", "publish-at", "cover", "title-en", "summary-en", "body-en", "title-de", "summary-de", "body-de"} {
		require.Equal(t, 1, d.Find(fmt.Sprintf("#field-posts-%d-%s", id, f)).Length(), f)
	}
	require.Equal(t, slug, strings.TrimSpace(d.Find(fmt.Sprintf("#field-posts-%d-slug .field__value", id)).Text()), "the slug is shown, read-only")
	require.Zero(t, d.Find(fmt.Sprintf("#field-posts-%d-slug a", id)).Length())
	preview := d.Find("#post-preview-en")
	require.Equal(t, "bold", preview.Find("strong").Text(), "the body's preview is rendered markdown")
	require.Zero(t, preview.Find("script").Length(), "and sanitised")
	require.Equal(t, "Text", d.Find("#post-preview-de em").Text())
	require.Equal(t, "/admin/blog/preview?lang=en", d.Find("#post-preview-en").Closest("[hx-post]").AttrOr("hx-post", ""))
	require.Equal(t, 1, d.Find(fmt.Sprintf("#history-post-%d", id)).Length())
	require.Equal(t, 1, d.Find("#post-categories").Length())
	require.Equal(t, 1, d.Find(fmt.Sprintf(`form[action="/admin/blog/%d/publish"]`, id)).Length())

	// A field's editor, as htmx fetches it, and as a page without it.
	title := fmt.Sprintf("/admin/posts/%d/fields/title.en", id)
	res = officeReq(t, srv, sess, http.MethodGet, title+"/edit", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	officePrivate(t, res)
	d = officePartial(t, res, fmt.Sprintf("field-posts-%d-title-en", id))
	require.Equal(t, "Page test", inputValue(d, "input[name=value]"))
	version := inputValue(d, "input[name=version]")
	res = officeReq(t, srv, sess, http.MethodGet, title+"/edit", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)
	officeFull(t, res)
	res = officeReq(t, srv, sess, http.MethodGet, fmt.Sprintf("/admin/posts/%d/fields/slug/edit", id), nil, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "the slug is not edited by hand")

	// Save: hostile text stored as typed, shown escaped, history out of band.
	res = officeReq(t, srv, sess, http.MethodPatch, title, url.Values{"value": {"New " + evilText}, "version": {version}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d = officePartial(t, res, fmt.Sprintf("field-posts-%d-title-en", id))
	require.NotContains(t, res.Body, evilText)
	require.Contains(t, d.Find(".field__value").Text(), "New "+evilText)
	hist := d.Find(fmt.Sprintf("#history-post-%d", id))
	require.Equal(t, "true", hist.AttrOr("hx-swap-oob", ""))
	require.Contains(t, hist.Text(), "title.en")
	got, err := srv.Blog.AdminGet(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, "New "+evilText, got.Texts["en"].Title)

	// Refused: too long, invalid UTF-8, a publishing time that is no time;
	// 422 with the message inside the field's form and the typed value kept.
	for _, tc := range []struct{ field, value, msg string }{
		{"title.en", strings.Repeat("x", blog.MaxTitle+1), "at most 200 characters"},
		{"summary.de", "bad \xff bytes", "not valid UTF-8"},
		{"publish_at", "tomorrow", "Enter a date and time"},
		{"cover", "-4", "Choose the cover image"},
		{"cover", "987654321", "no longer exists"},
	} {
		u := fmt.Sprintf("/admin/posts/%d/fields/%s", id, tc.field)
		res = officeReq(t, srv, sess, http.MethodPatch, u, url.Values{"value": {tc.value}, "version": {postVersion(t, srv, id)}}, true)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, tc.field)
		d = doc(t, res.Body)
		// A text field's form, or the cover's picker.
		form := d.Find(".field--invalid")
		require.Equal(t, 1, form.Length(), tc.field)
		require.Contains(t, form.Find(".field__error").Text(), tc.msg, tc.field)
	}

	// A datetime in the editor's zone (the club's, SLT) is stored in UTC.
	res = officeReq(t, srv, sess, http.MethodPatch, fmt.Sprintf("/admin/posts/%d/fields/publish_at", id),
		url.Values{"value": {"2031-07-04T20:30"}, "version": {postVersion(t, srv, id)}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	got, err = srv.Blog.AdminGet(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, time.Date(2031, 7, 5, 3, 30, 0, 0, time.UTC), got.PublishAt.UTC())

	// A colleague changed the title meanwhile: 409 with their value, mine
	// kept in the box, and the new version to save mine over it.
	stale := postVersion(t, srv, id)
	_, err = srv.Blog.Patch(t.Context(), actor.System(), id, got.Version, "title.en", "Colleague's title")
	require.NoError(t, err)
	res = officeReq(t, srv, sess, http.MethodPatch, title, url.Values{"value": {"Mine"}, "version": {stale}, "original": {"New " + evilText}}, true)
	require.Equal(t, http.StatusConflict, res.StatusCode, res.Body)
	d = doc(t, res.Body)
	require.Contains(t, d.Find(".field__theirs").Text(), "Colleague's title")
	require.Equal(t, "Mine", inputValue(d, "input[name=value]"))
	require.Equal(t, postVersion(t, srv, id), inputValue(d, "input[name=version]"))
	require.Contains(t, d.Find("button[type=submit]").Text(), "Save mine instead")
	// A colleague's change to another field is no conflict for this one.
	_, err = srv.Blog.Patch(t.Context(), actor.System(), id, mustVersion(t, srv, id), "summary.en", "Their summary")
	require.NoError(t, err)
	res = officeReq(t, srv, sess, http.MethodPatch, title, url.Values{"value": {"Mine"}, "version": {stale}, "original": {"Colleague's title"}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)

	// Without JavaScript: the form posts and the page comes back.
	res = officeReq(t, srv, sess, http.MethodPost, fmt.Sprintf("/admin/posts/%d/fields/body.de", id),
		url.Values{"value": {"Neuer **Text**"}, "version": {postVersion(t, srv, id)}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, page, res.Header.Get("Location"))
	res = officeReq(t, srv, sess, http.MethodPatch, title, url.Values{"value": {"x"}}, true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "no version")

	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog/987654321", nil, false)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

func mustVersion(t *testing.T, srv *web.Server, id int64) int {
	t.Helper()
	v, err := strconv.Atoi(postVersion(t, srv, id))
	require.NoError(t, err)
	return v
}

// What every write of the blog's back office refuses: no CSRF token, a
// forged one, a body past the limit, and roles that do not edit the blog.
func TestAdminBlogWritesRefused(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	id, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft"})
	cat, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{})
	writes := []struct {
		method, target string
		body           url.Values
	}{
		{http.MethodPatch, fmt.Sprintf("/admin/posts/%d/fields/title.en", id), url.Values{"value": {"x"}, "version": {"1"}}},
		{http.MethodPost, "/admin/blog", url.Values{"title.en": {"x"}}},
		{http.MethodPost, "/admin/blog/preview", url.Values{"value": {"x"}}},
		{http.MethodPost, fmt.Sprintf("/admin/blog/%d/publish", id), url.Values{}},
		{http.MethodPost, fmt.Sprintf("/admin/blog/%d/delete", id), url.Values{"confirm": {"yes"}}},
		{http.MethodPost, fmt.Sprintf("/admin/blog/%d/categories", id), url.Values{"version": {"1"}}},
		{http.MethodPost, "/admin/blog/categories", url.Values{"name.en": {"x"}}},
		{http.MethodPost, fmt.Sprintf("/admin/blog/categories/%d/delete", cat), url.Values{"confirm": {"yes"}}},
		{http.MethodPatch, fmt.Sprintf("/admin/categories/%d/fields/name.en", cat), url.Values{"value": {"x"}, "version": {"1"}}},
	}
	_, member := officeSignIn(t, srv, actor.RoleMember)
	_, artist := officeSignIn(t, srv, actor.RoleArtist)
	base := serve(t, srv)
	for _, w := range writes {
		noToken := *sess
		noToken.CSRF = ""
		res := officeReq(t, srv, &noToken, w.method, w.target, w.body, true)
		require.Equal(t, http.StatusForbidden, res.StatusCode, "no token: %s %s", w.method, w.target)
		forged := *sess
		forged.CSRF = "forged" + sess.CSRF[6:]
		res = officeReq(t, srv, &forged, w.method, w.target, w.body, false)
		require.Equal(t, http.StatusForbidden, res.StatusCode, "forged token: %s %s", w.method, w.target)
		for _, other := range []*testenv.Session{member, artist} {
			res = officeReq(t, srv, other, w.method, w.target, w.body, true)
			require.Equal(t, http.StatusForbidden, res.StatusCode, "%s %s", w.method, w.target)
		}
		officeTooLarge(t, base, sess, w.method, w.target)
	}
	got, err := srv.Blog.AdminGet(t.Context(), id)
	require.NoError(t, err, "the post is still there")
	require.Equal(t, blog.StatusDraft, got.Status)
	_, err = srv.Blog.AdminCategory(t.Context(), cat)
	require.NoError(t, err)
}

// officeTooLarge starts sending a form with ten megabytes in a field to
// method target over a real connection, as sess: the body limit refuses
// it with 413 before any handler, from its length alone.
func officeTooLarge(t *testing.T, base string, sess *testenv.Session, method, target string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	var cookies []string
	for _, c := range sess.Cookies {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	_, err = fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nvalue=%s",
		method, target, strings.Join(cookies, "; "), sess.CSRF, 10<<20+6, strings.Repeat("a", 1<<16))
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode, "%s %s", method, target)
}

func TestAdminPostPreview(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	for _, tc := range []struct{ lang, want string }{{"de", "de"}, {"xx", "en"}, {"", "en"}} {
		res := officeReq(t, srv, sess, http.MethodPost, "/admin/blog/preview?lang="+tc.lang,
			url.Values{"value": {"# Hello\n\n" + evilText + "\n\n[x](javascript:alert(1))"}, "_csrf": {sess.CSRF}}, true)
		require.Equal(t, http.StatusOK, res.StatusCode)
		officePrivate(t, res)
		d := officePartial(t, res, "post-preview-"+tc.want)
		require.Equal(t, tc.want, d.Find(".post-preview").AttrOr("lang", ""))
		require.Equal(t, "Hello", d.Find("h1").Text())
		require.NotContains(t, res.Body, "<script")
		require.NotContains(t, res.Body, "javascript:")
	}
	res := officeReq(t, srv, sess, http.MethodPost, "/admin/blog/preview?lang=en", url.Values{"value": {"ok \xff\xfe *fine*"}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "fine", doc(t, res.Body).Find("em").Text(), "bytes that are not UTF-8 are dropped")
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog/preview?lang=en", url.Values{}, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Body, "Nothing to preview yet.")
}

// Publishing, scheduling, unpublishing and deleting a post, with htmx and
// without, and the dashboard's panel of scheduled posts.
func TestAdminPostActions(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	tok := testenv.Unique("act")
	id, slug := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft", Texts: map[string]testenv.PostText{"en": {Title: "Actions " + tok, Body: "Body"}}})
	page := fmt.Sprintf("/admin/blog/%d", id)
	status := func() blog.PostDraft {
		d, err := srv.Blog.AdminGet(t.Context(), id)
		require.NoError(t, err)
		return d
	}

	res := officeReq(t, srv, sess, http.MethodPost, page+"/publish", url.Values{}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d := officePartial(t, res, "admin-post")
	require.Equal(t, "Published", d.Find(".entity-status .badge").Text())
	require.Equal(t, "/blog/"+status().Slug, d.Find(".entity-status a").AttrOr("href", ""))
	require.NotEqual(t, slug, status().Slug, "a draft's slug follows its title until it is public")
	require.Equal(t, blog.StatusPublished, status().Status)
	require.Contains(t, d.Find(fmt.Sprintf("#history-post-%d", id)).Text(), "published")

	res = officeReq(t, srv, sess, http.MethodPost, page+"/unpublish", url.Values{}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, page, res.Header.Get("Location"))
	require.Equal(t, blog.StatusDraft, status().Status)

	// Scheduling takes the editor's wall clock (the club's zone here).
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	at := srv.Now().Add(72 * time.Hour).In(la).Truncate(time.Minute)
	res = officeReq(t, srv, sess, http.MethodPost, page+"/schedule", url.Values{"publish_at": {at.Format("2006-01-02T15:04")}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, "Scheduled", officePartial(t, res, "admin-post").Find(".entity-status .badge").Text())
	require.Equal(t, blog.StatusScheduled, status().Status)
	require.True(t, at.Equal(status().PublishAt), "%s vs %s", at, status().PublishAt)

	// The dashboard's panel lists it; a browser without htmx gets the list.
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog/scheduled", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	officePrivate(t, res)
	d = officePartial(t, res, "admin-dashboard-posts")
	require.Equal(t, page, d.Find("a:contains('Actions "+tok+"')").AttrOr("href", ""))
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/blog/scheduled", nil, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/blog?status=scheduled&sort=publish_at", res.Header.Get("Location"))

	// Refusals show beside the actions, with what was typed.
	for _, tc := range []struct{ value, msg string }{
		{srv.Now().Add(-time.Hour).In(la).Format("2006-01-02T15:04"), "Choose a time in the future."},
		{"next friday", "Enter a date and time"},
		{"", "needs a publishing time"},
	} {
		res = officeReq(t, srv, sess, http.MethodPost, page+"/schedule", url.Values{"publish_at": {tc.value}}, true)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, tc.value)
		d = officePartial(t, res, "admin-post")
		require.Contains(t, d.Find(".entity-status .field__error").Text(), tc.msg)
		require.Equal(t, tc.value, inputValue(d, `input[name="publish_at"]`))
	}
	res = officeReq(t, srv, sess, http.MethodPost, page+"/schedule", url.Values{"publish_at": {"next friday"}}, false)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	officeFull(t, res)

	// A post without a title cannot be published.
	bare, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft", Texts: map[string]testenv.PostText{"de": {Title: "Nur Deutsch", Body: "x"}}})
	res = officeReq(t, srv, sess, http.MethodPost, fmt.Sprintf("/admin/blog/%d/publish", bare), url.Values{}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find(".entity-status .field__error").Text(), "in the default language (en) before it can be published")

	// Deleting needs the box ticked.
	res = officeReq(t, srv, sess, http.MethodPost, page+"/delete", url.Values{}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d = officePartial(t, res, "admin-post")
	require.Contains(t, d.Find(".entity-status .field__error").Text(), "Tick the box")
	_, open := d.Find("details.danger-zone").Attr("open")
	require.True(t, open)
	res = officeReq(t, srv, sess, http.MethodPost, page+"/delete", url.Values{"confirm": {"yes"}}, true)
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	require.Equal(t, "/admin/blog", res.Header.Get("HX-Location"))
	_, err = srv.Blog.AdminGet(t.Context(), id)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	res = officeReq(t, srv, sess, http.MethodPost, fmt.Sprintf("/admin/blog/%d/delete", bare), url.Values{"confirm": {"yes"}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/blog", res.Header.Get("Location"))
	res = officeReq(t, srv, sess, http.MethodPost, page+"/publish", url.Values{}, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestAdminPostCategories(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	c1, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{Names: map[string]string{"en": "Cat one " + evilText}})
	c2, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{})
	id, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft"})
	target := fmt.Sprintf("/admin/blog/%d/categories", id)
	ids := func() []int64 {
		d, err := srv.Blog.AdminGet(t.Context(), id)
		require.NoError(t, err)
		return d.CategoryIDs
	}
	choose := func(version, original string, cats ...string) url.Values {
		return url.Values{"version": {version}, "original": {original}, "category": cats}
	}
	s1, s2 := strconv.FormatInt(c1, 10), strconv.FormatInt(c2, 10)

	res := officeReq(t, srv, sess, http.MethodPost, target, choose(postVersion(t, srv, id), "", s1, s2), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d := officePartial(t, res, "post-categories")
	require.Equal(t, 1, d.Find(fmt.Sprintf(`input[value="%d"][checked]`, c1)).Length())
	require.Equal(t, 1, d.Find(fmt.Sprintf(`input[value="%d"][checked]`, c2)).Length())
	require.NotContains(t, res.Body, evilText)
	require.Equal(t, "true", d.Find(fmt.Sprintf("#history-post-%d", id)).AttrOr("hx-swap-oob", ""))
	require.ElementsMatch(t, []int64{c1, c2}, ids())

	// Refused: not an id, a category that is gone; the boxes stay ticked.
	for _, tc := range []struct{ value, msg string }{{"abc", "could not be read"}, {"987654321", "no longer exists"}} {
		res = officeReq(t, srv, sess, http.MethodPost, target, choose(postVersion(t, srv, id), joinInts(c1, c2), s1, tc.value), true)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, tc.value)
		d = officePartial(t, res, "post-categories")
		require.Contains(t, d.Find(".field__error").Text(), tc.msg)
		require.Equal(t, 1, d.Find(fmt.Sprintf(`input[value="%d"][checked]`, c1)).Length())
		require.Zero(t, d.Find(fmt.Sprintf(`input[value="%d"][checked]`, c2)).Length())
	}
	require.ElementsMatch(t, []int64{c1, c2}, ids())

	// A colleague changed another field: the stale form still saves.
	stale := postVersion(t, srv, id)
	_, err := srv.Blog.Patch(t.Context(), actor.System(), id, mustVersion(t, srv, id), "author_name", "Colleague")
	require.NoError(t, err)
	res = officeReq(t, srv, sess, http.MethodPost, target, choose(stale, joinInts(c1, c2), s1), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, []int64{c1}, ids())
	// A colleague changed the categories: 409, theirs named, mine ticked.
	stale = postVersion(t, srv, id)
	_, err = srv.Blog.Patch(t.Context(), actor.System(), id, mustVersion(t, srv, id), "categories", s2)
	require.NoError(t, err)
	res = officeReq(t, srv, sess, http.MethodPost, target, choose(stale, s1, s1), true)
	require.Equal(t, http.StatusConflict, res.StatusCode, res.Body)
	d = officePartial(t, res, "post-categories")
	require.Contains(t, d.Find(".field__conflict").Text(), "Category ")
	require.Equal(t, 1, d.Find(fmt.Sprintf(`input[value="%d"][checked]`, c1)).Length())
	require.Equal(t, postVersion(t, srv, id), inputValue(d, "input[name=version]"))
	require.Equal(t, s2, inputValue(d, "input[name=original]"))
	require.Equal(t, []int64{c2}, ids())
	// Without JavaScript: none ticked is none, and the page comes back.
	res = officeReq(t, srv, sess, http.MethodPost, target, choose(postVersion(t, srv, id), s2), false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Empty(t, ids())
	res = officeReq(t, srv, sess, http.MethodPost, target, url.Values{"category": {s1}}, true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "no version")
	many := choose(postVersion(t, srv, id), "")
	for i := range 201 {
		many.Add("category", strconv.Itoa(i+1))
	}
	res = officeReq(t, srv, sess, http.MethodPost, target, many, true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
}

func joinInts(ids ...int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func TestAdminPostCreate(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	_, sess := officeSignIn(t, srv, actor.RoleEditor)
	cat, _ := testenv.Category(t, sqlDB, testenv.CategoryOpts{})
	tok := testenv.Unique("new")

	res := officeReq(t, srv, sess, http.MethodGet, "/admin/blog/new", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode)
	officePrivate(t, res)
	d := officeFull(t, res)
	key := inputValue(d, `#admin-post-new input[name="create_key"]`)
	require.NotEmpty(t, key)
	require.Equal(t, 1, d.Find(fmt.Sprintf(`#admin-post-new input[name="category"][value="%d"]`, cat)).Length())
	for _, l := range []string{"en", "de"} {
		require.Equal(t, 1, d.Find(`label[for="new-post-title-`+l+`"]`).Length())
	}

	form := url.Values{
		"create_key": {key}, "title.en": {tok + " " + evilText}, "body.en": {"Hello"}, "title.de": {"Hallo"},
		"author_name": {"Guest"}, "category": {strconv.FormatInt(cat, 10)},
	}
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", form, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	loc := res.Header.Get("Location")
	require.Regexp(t, `^/admin/blog/\d+$`, loc)
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/admin/blog/"), 10, 64)
	require.NoError(t, err)
	got, err := srv.Blog.AdminGet(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, tok+" "+evilText, got.Texts["en"].Title, "stored as typed")
	require.Equal(t, "Guest", got.AuthorName)
	require.Equal(t, []int64{cat}, got.CategoryIDs)
	require.Equal(t, blog.StatusDraft, got.Status)
	res = officeReq(t, srv, sess, http.MethodGet, loc, nil, false)
	require.NotContains(t, res.Body, evilText)

	// The same form again, and by htmx: still one post.
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", form, false)
	require.Equal(t, loc, res.Header.Get("Location"))
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", form, true)
	require.Equal(t, loc, res.Header.Get("HX-Location"))
	page, err := srv.Blog.AdminList(t.Context(), blog.PostFilter{Q: tok})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total)

	// A new form sent three times at once (a double click): one post.
	tok2 := testenv.Unique("twice")
	twice := url.Values{"create_key": {newKey(t, srv, sess)}, "title.en": {tok2}}
	var wg sync.WaitGroup
	locs := make([]string, 3)
	for i := range locs {
		wg.Go(func() {
			s := *sess
			r := officeReq(t, srv, &s, http.MethodPost, "/admin/blog", twice, false)
			locs[i] = r.Header.Get("Location")
		})
	}
	wg.Wait()
	require.Regexp(t, `^/admin/blog/\d+$`, locs[0])
	require.Equal(t, []string{locs[0], locs[0], locs[0]}, locs)
	page, err = srv.Blog.AdminList(t.Context(), blog.PostFilter{Q: tok2})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total)

	// A new form's key makes a new post.
	form.Set("create_key", newKey(t, srv, sess))
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", form, true)
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	require.Regexp(t, `^/admin/blog/\d+$`, res.Header.Get("HX-Location"))
	require.NotEqual(t, loc, res.Header.Get("HX-Location"))

	// Refused: 422 with the form as typed and the message beside the field,
	// and the key free for the corrected form.
	bad := url.Values{"create_key": {newKey(t, srv, sess)}, "title.en": {strings.Repeat("y", 201)}, "body.de": {"Behalten"}, "category": {"x"}}
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", bad, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d = officePartial(t, res, "admin-post-new")
	require.Contains(t, d.Find(".field__error").Text(), "could not be read")
	require.Equal(t, "Behalten", d.Find(`textarea[name="body.de"]`).Text())
	bad.Del("category")
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", bad, false)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	d = officeFull(t, res)
	require.Contains(t, d.Find("#admin-post-new .field__error").Text(), "at most 200 characters")
	require.Equal(t, bad.Get("create_key"), inputValue(d, `input[name="create_key"]`))
	bad.Set("title.en", "Fixed "+tok)
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", bad, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	bad.Set("title.en", "\xff\xfe")
	bad.Set("create_key", newKey(t, srv, sess))
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/blog", bad, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, res.Body, "not valid UTF-8")
}

// newKey is the create key of a fresh new-post form.
func newKey(t *testing.T, srv *web.Server, sess *testenv.Session) string {
	t.Helper()
	res := officeReq(t, srv, sess, http.MethodGet, "/admin/blog/new", nil, false)
	return inputValue(doc(t, res.Body), `input[name="create_key"]`)
}
