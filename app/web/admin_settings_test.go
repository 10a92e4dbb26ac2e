package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/settings"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// settingID is setting name's id on the settings page: its 1-based place
// in the service's list.
func settingID(t *testing.T, srv *web.Server, name string) (int64, settings.Entry) {
	t.Helper()
	entries, err := srv.Settings.List(t.Context())
	require.NoError(t, err)
	for i, e := range entries {
		if e.Name == name {
			return int64(i + 1), e
		}
	}
	t.Fatalf("no setting %s", name)
	return 0, settings.Entry{}
}

// restoreSetting puts setting name back as it was when the test ends: the
// package's tests share one database.
func restoreSetting(t *testing.T, srv *web.Server, name string) {
	t.Helper()
	_, before := settingID(t, srv, name)
	t.Cleanup(func() {
		// t.Context is over by now.
		ctx := context.Background()
		entries, err := srv.Settings.List(ctx)
		require.NoError(t, err)
		for _, now := range entries {
			if now.Name == name {
				_, err := srv.Settings.Set(ctx, actor.System(), name, now.Version, before.Value)
				require.NoError(t, err)
			}
		}
	})
}

func TestAdminSettings(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	_, sess := officeSignIn(t, srv, actor.RoleAdmin)
	for _, n := range []string{"social.flickr", "social.bluesky", "club.tagline.de", "reminders.default_lead_minutes"} {
		restoreSetting(t, srv, n)
	}

	res := officeReq(t, srv, sess, http.MethodGet, "/admin/settings", nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d := officeFull(t, res)
	entries, err := srv.Settings.List(t.Context())
	require.NoError(t, err)
	require.Equal(t, len(entries), d.Find(".setting").Length())
	id, _ := settingID(t, srv, "social.flickr")
	row := d.Find(fmt.Sprintf("#setting-%d", id))
	require.Equal(t, "Flickr link", strings.TrimSpace(row.Find(".field__label").First().Text()))
	require.Contains(t, row.Find(".field__help").Text(), "The club's page on flickr")
	nameID, _ := settingID(t, srv, "club.name.de")
	require.Contains(t, d.Find(fmt.Sprintf("#setting-%d .field__label", nameID)).Text(), "Club name")
	require.Contains(t, d.Find(fmt.Sprintf("#setting-%d .field__lang", nameID)).Text(), "de")
	require.NotContains(t, res.Body, "<no value>", "every label has what it needs")
	require.Equal(t, "/admin/settings", d.Find(`.admin-nav a[aria-current="page"]`).AttrOr("href", ""))

	// A setting never stored has version 0; the form carries 1.
	flickr := fmt.Sprintf("/admin/settings/%d/fields/social.flickr", id)
	res = officeReq(t, srv, sess, http.MethodGet, flickr+"/edit", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode)
	officePrivate(t, res)
	d = officePartial(t, res, fmt.Sprintf("field-settings-%d-social-flickr", id))
	require.Equal(t, "url", d.Find("input[name=value]").AttrOr("type", ""))
	version := inputValue(d, "input[name=version]")
	res = officeReq(t, srv, sess, http.MethodPatch, flickr, url.Values{"value": {"https://flickr.com/dreamers"}, "version": {version}, "original": {""}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d = officePartial(t, res, fmt.Sprintf("field-settings-%d-social-flickr", id))
	require.Contains(t, d.Find("#"+fmt.Sprintf("field-settings-%d-social-flickr", id)).Text(), "https://flickr.com/dreamers")
	// The settings' history grows out of band: their entries have no
	// entity id, so it is one history for the page, not one per setting.
	hist := d.Find(`#history-setting-0[hx-swap-oob="true"]`)
	require.Equal(t, 1, hist.Length(), res.Body)
	require.Contains(t, hist.Text(), "social.flickr")
	require.Contains(t, hist.Text(), "https://flickr.com/dreamers")
	_, e := settingID(t, srv, "social.flickr")
	require.Equal(t, "https://flickr.com/dreamers", e.Value)
	got, err := srv.Settings.Get(t.Context())
	require.NoError(t, err)
	require.Contains(t, got.Social, settings.SocialLink{Network: "flickr", URL: "https://flickr.com/dreamers"}, "in force at once")

	// Refused by the setting's rule: 422 beside the field, nothing stored.
	for _, v := range []string{"javascript:alert(1)", "not a url", "https://x.org/\xff"} {
		res = officeReq(t, srv, sess, http.MethodPatch, flickr, url.Values{"value": {v}, "version": {strconv.Itoa(e.Version + 1)}}, true)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, v)
		require.NotEmpty(t, doc(t, res.Body).Find("form.field--invalid .field__error").Text(), v)
	}
	lead, _ := settingID(t, srv, "reminders.default_lead_minutes")
	res = officeReq(t, srv, sess, http.MethodPatch, fmt.Sprintf("/admin/settings/%d/fields/reminders.default_lead_minutes", lead),
		url.Values{"value": {"2"}, "version": {"1"}}, true)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, doc(t, res.Body).Find(".field__error").Text(), "Enter a number from 5 to 10080")
	_, e = settingID(t, srv, "social.flickr")
	require.Equal(t, "https://flickr.com/dreamers", e.Value)

	// Hostile text is kept as typed and shown escaped.
	tag, _ := settingID(t, srv, "club.tagline.de")
	res = officeReq(t, srv, sess, http.MethodPost, fmt.Sprintf("/admin/settings/%d/fields/club.tagline.de", tag),
		url.Values{"value": {evilText}, "version": {"1"}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, fmt.Sprintf("/admin/settings#setting-%d", tag), res.Header.Get("Location"))
	_, e = settingID(t, srv, "club.tagline.de")
	require.Equal(t, evilText, e.Value)
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/settings", nil, false)
	require.NotContains(t, res.Body, evilText)
	require.Contains(t, doc(t, res.Body).Find(fmt.Sprintf("#setting-%d", tag)).Text(), evilText)
	require.Contains(t, doc(t, res.Body).Find(fmt.Sprintf("#setting-%d .setting__changed", tag)).Text(), "Office admin")

	// The page's history: newest first, with who, the field and old -> new.
	logged := doc(t, res.Body).Find("#history-setting-0 .history__entry")
	at := func(field, value string) int {
		for i := range logged.Length() {
			e := logged.Eq(i)
			if e.Find("dt").Text() == field && e.Find("ins").Text() == value {
				require.Contains(t, e.Find(".history__who").Text(), "Office admin")
				return i
			}
		}
		t.Fatalf("no history entry %s -> %s in %s", field, value, logged.Text())
		return -1
	}
	require.Less(t, at("club.tagline.de", evilText), at("social.flickr", "https://flickr.com/dreamers"), "newest first")

	// A colleague stored one meanwhile: 409 with their value.
	blue, be := settingID(t, srv, "social.bluesky")
	_, err = srv.Settings.Set(t.Context(), actor.System(), "social.bluesky", be.Version, "https://bsky.app/theirs")
	require.NoError(t, err)
	res = officeReq(t, srv, sess, http.MethodPatch, fmt.Sprintf("/admin/settings/%d/fields/social.bluesky", blue),
		url.Values{"value": {"https://bsky.app/mine"}, "version": {strconv.Itoa(be.Version + 1)}, "original": {be.Value}}, true)
	require.Equal(t, http.StatusConflict, res.StatusCode, res.Body)
	d = doc(t, res.Body)
	require.Contains(t, d.Find(".field__theirs").Text(), "https://bsky.app/theirs")
	require.Equal(t, "https://bsky.app/mine", inputValue(d, "input[name=value]"))
	require.Equal(t, strconv.Itoa(be.Version+2), inputValue(d, "input[name=version]"))
	res = officeReq(t, srv, sess, http.MethodPatch, fmt.Sprintf("/admin/settings/%d/fields/social.bluesky", blue),
		url.Values{"value": {"https://bsky.app/mine"}, "version": {strconv.Itoa(be.Version + 2)}, "original": {"https://bsky.app/theirs"}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, "saving mine instead")
	_, be = settingID(t, srv, "social.bluesky")
	require.Equal(t, "https://bsky.app/mine", be.Value)

	// An id and a name that do not go together, or no such id: 404.
	res = officeReq(t, srv, sess, http.MethodPatch, fmt.Sprintf("/admin/settings/%d/fields/social.flickr", blue), url.Values{"value": {"https://x.org"}, "version": {"1"}}, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, sess, http.MethodGet, "/admin/settings/9999/fields/social.flickr/edit", nil, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, sess, http.MethodPatch, flickr, url.Values{"value": {"https://x.org"}}, true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "no version")

	// Only admins.
	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	for _, r := range []struct{ method, target string }{
		{http.MethodGet, "/admin/settings"},
		{http.MethodGet, flickr + "/edit"},
		{http.MethodPatch, flickr},
		{http.MethodPost, "/admin/settings/flags"},
	} {
		res = officeReq(t, srv, editor, r.method, r.target, url.Values{"value": {"https://evil.example"}, "version": {"1"}, "name": {"screens.enabled"}, "enabled": {"false"}}, true)
		require.Equal(t, http.StatusForbidden, res.StatusCode, r.target)
	}
	_, e = settingID(t, srv, "social.flickr")
	require.Equal(t, "https://flickr.com/dreamers", e.Value)
	noToken := *sess
	noToken.CSRF = ""
	res = officeReq(t, srv, &noToken, http.MethodPatch, flickr, url.Values{"value": {"https://x.org"}, "version": {"1"}}, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	base := serve(t, srv)
	officeTooLarge(t, base, sess, http.MethodPatch, flickr)
	officeTooLarge(t, base, sess, http.MethodPost, "/admin/settings/flags")
}

func TestAdminFeatureFlags(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	_, sess := officeSignIn(t, srv, actor.RoleAdmin)
	// A flag of this test's own, so switching it changes nothing else.
	name := strings.ToLower(testenv.Unique("office.test")) + ".enabled"
	err := db.New(testenv.DB(t)).FeatureFlagInsert(t.Context(), db.FeatureFlagInsertParams{
		Name: name, Description: "Test flag " + evilText, UpdatedBy: sql.NullInt64{}, UpdatedAt: time.Now().UTC().Truncate(time.Second),
	})
	require.NoError(t, err)
	domID := "flag-" + strings.NewReplacer(".", "-").Replace(name)
	enabled := func() (bool, int) {
		flags, err := srv.Settings.Flags(t.Context())
		require.NoError(t, err)
		for _, f := range flags {
			if f.Name == name {
				return f.Enabled, f.Version
			}
		}
		t.Fatalf("no flag %s", name)
		return false, 0
	}

	res := officeReq(t, srv, sess, http.MethodGet, "/admin/settings", nil, false)
	d := officeFull(t, res)
	flag := d.Find("#" + domID)
	require.Equal(t, 1, flag.Length())
	require.Equal(t, name, flag.Find("h3").Text())
	require.Equal(t, "Test flag "+evilText, flag.Find(".field__help").Text())
	require.NotContains(t, res.Body, evilText)
	require.Equal(t, "Off", flag.Find(".badge").Text())
	require.Equal(t, "true", inputValue(d, "#"+domID+` input[name="enabled"]`))

	res = officeReq(t, srv, sess, http.MethodPost, "/admin/settings/flags", url.Values{"name": {name}, "version": {"1"}, "enabled": {"true"}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	d = officePartial(t, res, domID)
	require.Equal(t, "On", d.Find(".badge").Text())
	require.Equal(t, "false", inputValue(d, `input[name="enabled"]`))
	require.Equal(t, "2", inputValue(d, `input[name="version"]`))
	require.Contains(t, d.Find(".setting__changed").Text(), "Office admin")
	hist := d.Find(`#history-setting-0[hx-swap-oob="true"] .history__entry`).First()
	require.Equal(t, name, hist.Find("dt").Text(), "the switch heads the history")
	require.Equal(t, "false", hist.Find("del").Text())
	require.Equal(t, "true", hist.Find("ins").Text())
	on, v := enabled()
	require.True(t, on)
	require.Equal(t, 2, v)
	got, err := srv.Settings.Get(t.Context())
	require.NoError(t, err)
	require.True(t, got.Enabled(name), "in force at once")

	// A stale form: 409, and the flag as it is now to switch again.
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/settings/flags", url.Values{"name": {name}, "version": {"1"}, "enabled": {"true"}}, true)
	require.Equal(t, http.StatusConflict, res.StatusCode, res.Body)
	d = officePartial(t, res, domID)
	require.Contains(t, d.Find(".field__error").Text(), "switched this flag meanwhile")
	require.Equal(t, "On", d.Find(".badge").Text())
	require.Equal(t, "2", inputValue(d, `input[name="version"]`))
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/settings/flags", url.Values{"name": {name}, "version": {"1"}, "enabled": {"false"}}, false)
	require.Equal(t, http.StatusConflict, res.StatusCode)
	require.Contains(t, officeFull(t, res).Find("#"+domID+" .field__error").Text(), "switched this flag meanwhile")
	on, _ = enabled()
	require.True(t, on)

	// Without JavaScript: a redirect to the flag.
	res = officeReq(t, srv, sess, http.MethodPost, "/admin/settings/flags", url.Values{"name": {name}, "version": {"2"}, "enabled": {"false"}}, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/settings#"+domID, res.Header.Get("Location"))
	on, _ = enabled()
	require.False(t, on)

	// Bad forms.
	for _, tc := range []struct {
		form   url.Values
		status int
	}{
		{url.Values{"name": {"no.such.flag"}, "version": {"0"}, "enabled": {"true"}}, http.StatusNotFound},
		{url.Values{"version": {"3"}, "enabled": {"true"}}, http.StatusBadRequest},
		{url.Values{"name": {"bad\xff"}, "version": {"3"}, "enabled": {"true"}}, http.StatusBadRequest},
		{url.Values{"name": {strings.Repeat("n", 101)}, "version": {"3"}, "enabled": {"true"}}, http.StatusBadRequest},
		{url.Values{"name": {name}, "version": {"x"}, "enabled": {"true"}}, http.StatusBadRequest},
		{url.Values{"name": {name}, "version": {"-1"}, "enabled": {"true"}}, http.StatusBadRequest},
		{url.Values{"name": {name}, "version": {"3"}, "enabled": {"maybe"}}, http.StatusBadRequest},
		{url.Values{"name": {name}, "version": {"3"}}, http.StatusBadRequest},
	} {
		res = officeReq(t, srv, sess, http.MethodPost, "/admin/settings/flags", tc.form, true)
		require.Equal(t, tc.status, res.StatusCode, "%v", tc.form)
	}
	on, _ = enabled()
	require.False(t, on)
}
