package web_test

import (
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
	"github.com/dreamerscave/tdc/app/testenv"
)

// An admin changes the club's settings in the back office and the public
// site shows them, cached pages included: the name and tagline per
// language in the header, title and meta tags, the zone label beside club
// times, the social links in the footer, and the name in the calendar
// feed. A database of its own keeps the renamed club from other tests.
func TestSettingsReachThePublicSite(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "site_settings")
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	cfg.RedisKeyPrefix = prefix
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	// Before the server: its show clock reads the programme index at once,
	// and a row inserted by hand is published by no one.
	testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Published: true, Title: "Night Bloom", Start: now.Add(26 * time.Hour)})
	srv := testenv.Build(t, cfg, sqlDB, rdb, now)
	followChanges(t, srv)
	admin := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleAdmin, DisplayName: "Site admin"})
	sess := testenv.SignIn(t, srv, admin.Email, testenv.DefaultPassword)

	// The defaults first, and cached: the stock name, the configured zone
	// label (TDC_CLUB_TIMEZONE_LABEL), no tagline and no links.
	home := get(t, srv, "/?lang=en")
	require.Equal(t, "The Dreamer's Cave", home.Doc.Find(".brand__name").Text())
	require.Zero(t, home.Doc.Find(".brand__tagline").Length())
	require.Zero(t, home.Doc.Find(".site-footer__social").Length())
	require.Contains(t, get(t, srv, "/events?lang=en").Doc.Find(".event-card__time").First().Text(), cfg.ClubZoneLabel)
	require.Equal(t, home.Header.Get("ETag"), get(t, srv, "/?lang=en").Header.Get("ETag"), "cached")
	get(t, srv, "/?lang=de")

	const name = `Cave <b>Two</b>`
	set := func(setting, value string) {
		t.Helper()
		id, e := settingID(t, srv, setting)
		res := officeReq(t, srv, &sess, http.MethodPatch, fmt.Sprintf("/admin/settings/%d/fields/%s", id, setting),
			url.Values{"value": {value}, "version": {strconv.Itoa(e.Version + 1)}}, true)
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	}
	set("club.name", name)
	set("club.name.de", "Höhle Zwei")
	set("club.tagline.de", "Musik <i>im Dunkeln</i>")
	set("club.zone_label", "CAVE")
	set("social.mastodon", "https://mastodon.example/@cave")

	require.Eventually(t, func() bool {
		return get(t, srv, "/?lang=en").Doc.Find(".brand__name").Text() == name
	}, 5*time.Second, 10*time.Millisecond, "the cached page was dropped")
	en := get(t, srv, "/?lang=en")
	require.NotContains(t, en.Body, "<b>Two", "escaped")
	require.True(t, strings.HasSuffix(en.Doc.Find("title").Text(), name), en.Doc.Find("title").Text())
	require.Equal(t, name, en.Doc.Find(`meta[property="og:site_name"]`).AttrOr("content", ""))
	require.Equal(t, name+", home", en.Doc.Find("a.brand").AttrOr("aria-label", ""))
	require.Zero(t, en.Doc.Find(".brand__tagline").Length(), "no English tagline, and the default language has none to fall back on")
	require.Equal(t, name, en.Doc.Find(".site-footer__small").Text())
	link := en.Doc.Find(".site-footer__social a")
	require.Equal(t, "https://mastodon.example/@cave", link.AttrOr("href", ""))
	require.Equal(t, "Mastodon", link.Text())
	require.NotContains(t, en.Body, "The Dreamer's Cave")

	de := get(t, srv, "/?lang=de")
	require.Equal(t, "Höhle Zwei", de.Doc.Find(".brand__name").Text())
	require.Empty(t, de.Doc.Find(".brand__name").AttrOr("lang", ""), "the German name is German")
	require.Equal(t, "Musik <i>im Dunkeln</i>", de.Doc.Find(".brand__tagline").Text())
	require.True(t, strings.HasSuffix(de.Doc.Find("title").Text(), "Höhle Zwei"))
	require.Equal(t, "Höhle Zwei, Startseite", de.Doc.Find("a.brand").AttrOr("aria-label", ""))
	require.Equal(t, 1, de.Doc.Find(".site-footer__social a").Length())

	events := get(t, srv, "/events?lang=en")
	require.Contains(t, events.Doc.Find(".event-card__time").First().Text(), "CAVE", "club times carry the new label")
	require.Contains(t, events.Doc.Find(`.zone-form option[value="America/Los_Angeles"]`).Text(), "CAVE")
	require.Equal(t, name+": programme", events.Doc.Find(`link[type="text/calendar"]`).AttrOr("title", ""))

	ics := get(t, srv, "/calendar.ics?lang=de")
	require.Equal(t, http.StatusOK, ics.StatusCode)
	require.Contains(t, ics.Body, "Höhle Zwei")

	// Clearing the German name falls back to the default language's,
	// marked as such.
	set("club.name.de", "")
	require.Eventually(t, func() bool {
		return get(t, srv, "/?lang=de").Doc.Find(".brand__name").Text() == name
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "en", get(t, srv, "/?lang=de").Doc.Find(".brand__name").AttrOr("lang", ""))
}

// The settings page is the only place the settings are changed: a member
// or an editor cannot rename the club.
func TestSettingsOnlyAdminsRename(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	id, e := settingID(t, srv, "club.name")
	for _, role := range []actor.Role{actor.RoleMember, actor.RoleEditor, actor.RoleArtist} {
		_, sess := officeSignIn(t, srv, role)
		res := officeReq(t, srv, sess, http.MethodPatch, fmt.Sprintf("/admin/settings/%d/fields/club.name", id),
			url.Values{"value": {"Taken over"}, "version": {strconv.Itoa(e.Version + 1)}}, true)
		require.Equal(t, http.StatusForbidden, res.StatusCode, role)
	}
	_, after := settingID(t, srv, "club.name")
	require.Equal(t, e.Value, after.Value)
}
