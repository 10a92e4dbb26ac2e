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
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/testenv"
)

// An artist lands on their own page in the back office, which lists the
// events they play with a form for their own set's times. They save their
// set (with and without JavaScript) and the public event page shows it;
// another artist's set, a set outside the event, a time that is no time
// and an event not on their list are refused, and nothing changes.
func TestArtistEditsOwnSetTimes(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	q := db.New(sqlDB)
	followChanges(t, srv)

	now := testenv.Seeded(t)
	mine := testenv.Artist(t, q, testenv.ArtistOpts{Name: "Moth <i>"})
	other := testenv.Artist(t, q, testenv.ArtistOpts{})
	start := now.Truncate(time.Hour).Add(50 * time.Hour)
	ev := testenv.Event(t, q, testenv.EventOpts{Published: true, Title: "Deep <b>Night</b>", Start: start, Duration: 4 * time.Hour,
		Lineup: []testenv.ArtistRow{mine, other}})
	past := testenv.Event(t, q, testenv.EventOpts{Published: true, Start: now.Add(-72 * time.Hour), Lineup: []testenv.ArtistRow{mine}})
	artist := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleArtist, ArtistID: mine.ID})
	sess := testenv.SignIn(t, srv, artist.Email, testenv.DefaultPassword)
	own := fmt.Sprintf("/admin/artists/%d", mine.ID)
	setURL := func(artistID int64) string { return fmt.Sprintf("/admin/events/%d/sets/%d", ev.ID, artistID) }
	domID := fmt.Sprintf("set-%d-%d", ev.ID, mine.ID)
	la, err := time.LoadLocation("America/Los_Angeles") // the club's zone, the editor's here
	require.NoError(t, err)
	clock := func(t time.Time) string { return t.In(la).Format("2006-01-02T15:04") }
	draft := func() events.Draft {
		d, err := srv.Events.AdminGet(t.Context(), ev.ID)
		require.NoError(t, err)
		return d
	}
	act := func(d events.Draft, id int64) events.LineupEntry {
		for _, e := range d.Lineup {
			if e.ArtistID == id {
				return e
			}
		}
		t.Fatalf("artist %d not in the lineup", id)
		return events.LineupEntry{}
	}
	version := func() string { return strconv.Itoa(int(draft().Version)) }

	res := officeReq(t, srv, &sess, http.MethodGet, "/admin", nil, false)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, own, res.Header.Get("Location"), "an artist lands on their own page")
	res = officeReq(t, srv, &sess, http.MethodGet, own, nil, false)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	page := doc(t, res.Body)
	form := page.Find("#" + domID)
	require.Equal(t, 1, form.Length(), "their set at the event")
	require.Equal(t, setURL(mine.ID), form.AttrOr("action", ""))
	require.Equal(t, "Deep <b>Night</b>", form.Find(".set-form__event a").Text())
	require.NotContains(t, res.Body, "Deep <b>Night")
	require.Equal(t, version(), inputValue(page, "#"+domID+` input[name="version"]`))
	require.Zero(t, page.Find(fmt.Sprintf("#set-%d-%d", ev.ID, other.ID)).Length(), "not another artist's")
	require.Zero(t, page.Find(fmt.Sprintf("#set-%d-%d", past.ID, mine.ID)).Length(), "not a past event")
	require.Zero(t, page.Find(`.admin-nav a[href="/admin/events"]`).Length(), "the event list is for staff")

	// With htmx: the form comes back saved, in place.
	setStart, setEnd := start.Add(time.Hour), start.Add(2*time.Hour)
	res = officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), url.Values{
		"version": {version()}, "set_start": {clock(setStart)}, "set_end": {clock(setEnd)}, "original_start": {""}, "original_end": {""},
	}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	officePrivate(t, res)
	saved := officePartial(t, res, domID)
	require.Equal(t, 1, saved.Find(".set-form__saved").Length())
	require.Equal(t, clock(setStart), inputValue(saved, `input[name="set_start"]`))
	require.Equal(t, version(), inputValue(saved, `input[name="version"]`))
	got := act(draft(), mine.ID)
	require.True(t, got.SetStartsAt.Equal(setStart), got.SetStartsAt)
	require.True(t, got.SetEndsAt.Equal(setEnd))
	require.True(t, act(draft(), other.ID).SetStartsAt.IsZero(), "the other act is untouched")
	history, err := srv.Audit.ForEntity(t.Context(), audit.KindEvent, ev.ID, 5)
	require.NoError(t, err)
	require.Equal(t, events.ActionSetTimes, history[0].Action)
	require.Equal(t, artist.ID, history[0].UserID, "the artist is in the log")
	require.Eventually(t, func() bool {
		return get(t, srv, "/events/"+ev.Slug+"?lang=en").Doc.Find(".lineup__time time").First().AttrOr("datetime", "") == i18n.ISO(setStart)
	}, 5*time.Second, 10*time.Millisecond, "the public page shows the set")

	// Refused beside the field, nothing written: a set outside the event,
	// an end before the start, a time that is no time, hostile text.
	for _, tc := range []struct {
		name, start, end, errID, msg string
	}{
		{"before the event", clock(start.Add(-time.Hour)), clock(start), domID + "-start-error", "within the event's time"},
		{"after the event", clock(start.Add(3 * time.Hour)), clock(start.Add(5 * time.Hour)), domID + "-end-error", "within the event's time"},
		{"end before start", clock(start.Add(2 * time.Hour)), clock(start.Add(time.Hour)), domID + "-end-error", "end after it starts"},
		{"no time", "tomorrow", "", domID + "-start-error", "date and time"},
		{"hostile", `<script>alert(1)</script>`, "", domID + "-start-error", "date and time"},
		{"invalid UTF-8", "2031-01-01T10:00\xff", "", domID + "-start-error", "date and time"},
		{"oversize", strings.Repeat("9", 100_000), "", domID + "-start-error", "date and time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), url.Values{"version": {version()}, "set_start": {tc.start}, "set_end": {tc.end}}, true)
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, res.Body)
			d := officePartial(t, res, domID)
			require.Contains(t, d.Find("#"+tc.errID).Text(), tc.msg)
			require.NotContains(t, res.Body, "<script>alert")
			require.True(t, act(draft(), mine.ID).SetStartsAt.Equal(setStart), "nothing written")
		})
	}

	// Another artist's set, an event not on the list, no version.
	before := draft().Version
	res = officeReq(t, srv, &sess, http.MethodPost, setURL(other.ID), url.Values{"version": {version()}, "set_start": {clock(start)}}, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = officeReq(t, srv, &sess, http.MethodPost, fmt.Sprintf("/admin/events/%d/sets/%d", past.ID, mine.ID), url.Values{"version": {"1"}, "set_start": {clock(past.StartsAt)}}, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, &sess, http.MethodPost, fmt.Sprintf("/admin/events/%d/sets/%d", 987654321, mine.ID), url.Values{"version": {"1"}}, true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res = officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), url.Values{"set_start": {clock(start)}}, true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, before, draft().Version, "nothing changed")
	require.True(t, act(draft(), other.ID).SetStartsAt.IsZero())
	require.True(t, act(draft(), mine.ID).SetStartsAt.Equal(setStart))

	// Without JavaScript: a plain post redirects back to the set, and a
	// refusal is the whole page with the message beside the field.
	noJS := func(v url.Values) testenv.Response {
		return officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), v, false)
	}
	res = noJS(url.Values{"version": {version()}, "set_start": {clock(start)}, "set_end": {""}, "original_start": {clock(setStart)}, "original_end": {clock(setEnd)}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, own+"#"+domID, res.Header.Get("Location"))
	require.True(t, act(draft(), mine.ID).SetStartsAt.Equal(start))
	require.True(t, act(draft(), mine.ID).SetEndsAt.IsZero(), "an empty end clears it")
	res = noJS(url.Values{"version": {version()}, "set_start": {clock(start.Add(-time.Hour))}})
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	whole := officeFull(t, res)
	require.Contains(t, whole.Find("#"+domID+"-start-error").Text(), "within the event's time")
	require.Equal(t, clock(start.Add(-time.Hour)), inputValue(whole, "#"+domID+`-start`), "what was typed is kept")

	// Staff changed something else meanwhile: the stale form still saves,
	// since this set is as the form found it.
	stale := version()
	_, err = srv.Events.Patch(t.Context(), actor.Actor{Role: actor.RoleEditor}, ev.ID, draft().Version, "summary.en", "Changed meanwhile")
	require.NoError(t, err)
	res = officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), url.Values{"version": {stale}, "set_start": {clock(setStart)},
		"original_start": {clock(start)}, "original_end": {""}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.True(t, act(draft(), mine.ID).SetStartsAt.Equal(setStart))

	// Staff moved this very set meanwhile: 409 with their times and the
	// version to save over; saving again uses the artist's.
	stale = version()
	theirs := start.Add(3 * time.Hour)
	_, err = srv.Events.SetSetTimes(t.Context(), actor.Actor{Role: actor.RoleEditor}, ev.ID, draft().Version, mine.ID, theirs, time.Time{})
	require.NoError(t, err)
	res = officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), url.Values{"version": {stale}, "set_start": {clock(setEnd)},
		"original_start": {clock(setStart)}, "original_end": {""}}, true)
	require.Equal(t, http.StatusConflict, res.StatusCode, res.Body)
	conflict := officePartial(t, res, domID)
	require.NotEmpty(t, conflict.Find(".field__theirs").Text())
	require.Equal(t, clock(setEnd), inputValue(conflict, `input[name="set_start"]`), "mine kept in the box")
	require.Equal(t, version(), inputValue(conflict, `input[name="version"]`))
	require.True(t, act(draft(), mine.ID).SetStartsAt.Equal(theirs), "theirs stands")
	res = officeReq(t, srv, &sess, http.MethodPost, setURL(mine.ID), url.Values{"version": {version()}, "set_start": {clock(setEnd)},
		"original_start": {inputValue(conflict, `input[name="original_start"]`)}, "original_end": {""}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.True(t, act(draft(), mine.ID).SetStartsAt.Equal(setEnd))

	// Staff keep the whole lineup form on the event and may use an
	// artist's form too.
	_, editor := officeSignIn(t, srv, actor.RoleEditor)
	res = officeReq(t, srv, editor, http.MethodPost, setURL(other.ID), url.Values{"version": {version()}, "set_start": {clock(start)}}, true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.True(t, act(draft(), other.ID).SetStartsAt.Equal(start))
	res = officeReq(t, srv, editor, http.MethodGet, fmt.Sprintf("/admin/events/%d", ev.ID), nil, false)
	require.Equal(t, 1, doc(t, res.Body).Find("form#lineup").Length())
	// A member has no back office at all.
	_, member := officeSignIn(t, srv, actor.RoleMember)
	res = officeReq(t, srv, member, http.MethodPost, setURL(mine.ID), url.Values{"version": {version()}, "set_start": {clock(start)}}, true)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}
