package facebook_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/facebook"
	"github.com/dreamerscave/tdc/app/facebook/facebooktest"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/syncstate"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const pageID = "1234567890"

type testBundle struct {
	sqlDB  *sql.DB
	q      *db.Queries
	fake   *facebooktest.Server
	fb     *facebook.Service
	events *events.Service
	clock  *testenv.Clock
	loc    testenv.LocationRow
}

// setup builds the services over the package database and a fake Graph
// API. Tests do not run in parallel: Post takes every due row, so each
// test removes its rows when it ends.
func setup(t *testing.T, timeout time.Duration) testBundle {
	t.Helper()
	sqlDB := testenv.DB(t)
	b := testBundle{sqlDB: sqlDB, q: db.New(sqlDB), fake: facebooktest.New(t, pageID, "page-token"),
		clock: testenv.NewClock(time.Now().UTC().Truncate(time.Second))}
	log := testenv.Logger(t)
	b.events = events.New(sqlDB, []string{"en", "de"}, b.clock.Now, live.Discard{}, log)
	b.fb = b.service(t, "page-token", timeout)
	b.events.OnWrite(b.fb.Hook)
	b.loc = testenv.Location(t, b.q, testenv.LocationOpts{})
	t.Cleanup(func() {
		for _, q := range []string{"DELETE FROM sync_state", "DELETE FROM integration_cursors"} {
			_, err := sqlDB.Exec(q)
			require.NoError(t, err)
		}
	})
	return b
}

func (b testBundle) service(t *testing.T, token string, timeout time.Duration) *facebook.Service {
	return b.serviceIn(t, "en", token, timeout)
}

// serviceIn is a service whose default language is lang.
func (b testBundle) serviceIn(t *testing.T, lang, token string, timeout time.Duration) *facebook.Service {
	return facebook.New(b.sqlDB, facebook.Options{
		PageID: pageID, Token: token, GraphURL: b.fake.URL, Version: "v23.0", Timeout: timeout,
		SiteURL: "https://club.example/", DefaultLanguage: lang, Zone: time.UTC, ZoneLabel: "UTC",
		Locales: locales.FS,
	}, testenv.Logger(t), b.clock.Now)
}

func (b testBundle) publish(t *testing.T, title string) events.Draft {
	t.Helper()
	r := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Title: title, Start: b.clock.Now().Add(72 * time.Hour)})
	d, err := b.events.AdminGet(t.Context(), r.ID)
	require.NoError(t, err)
	d, err = b.events.Publish(t.Context(), actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	return d
}

// renameAndRepublish edits d's title, unpublishes and publishes it again:
// every write after the first publication that could wrongly post.
func (b testBundle) renameAndRepublish(t *testing.T, d events.Draft, title string) {
	t.Helper()
	ctx := t.Context()
	d, err := b.events.Patch(ctx, actor.System(), d.ID, d.Version, "title.en", title)
	require.NoError(t, err)
	d, err = b.events.Unpublish(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	_, err = b.events.Publish(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
}

func (b testBundle) row(t *testing.T, id int64) (db.SyncGetRow, string, time.Time) {
	t.Helper()
	r, err := b.q.SyncGet(t.Context(), db.SyncGetParams{Integration: db.SyncStateIntegrationFacebook, EntityID: id})
	require.NoError(t, err)
	var msg sql.NullString
	var next time.Time
	require.NoError(t, b.sqlDB.QueryRow("SELECT last_error, next_attempt_at FROM sync_state WHERE integration='facebook' AND entity_id=?", id).Scan(&msg, &next))
	return r, msg.String, next.UTC()
}

// The first publication posts once, with the title, time, venue and link;
// later edits and a second publication post nothing more.
func TestPostOnFirstPublish(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	d := b.publish(t, "Aurora Night")
	require.NoError(t, b.fb.Post(ctx))
	posts := b.fake.Posts()
	require.Len(t, posts, 1)
	link := "https://club.example/events/" + d.Slug
	require.Equal(t, link, posts[0].Link)
	require.Contains(t, posts[0].Message, "Aurora Night")
	tr, err := i18n.New(locales.FS, []string{"en"})
	require.NoError(t, err)
	when := tr.When("en", d.StartsAt, i18n.Zone{Loc: time.UTC, Label: "UTC"})
	require.Contains(t, posts[0].Message, when+" at "+b.loc.Name, "the date as the mails write it")
	require.NotContains(t, posts[0].Message, d.StartsAt.Format("2006-01-02"), "no numeric date")
	require.Contains(t, posts[0].Message, "Details: "+link)
	r, _, _ := b.row(t, d.ID)
	require.Equal(t, syncstate.StatusSynced, r.Status)
	require.Equal(t, posts[0].ID, r.ExternalID.String)
	var stored sql.NullString
	require.NoError(t, b.sqlDB.QueryRow("SELECT facebook_event_id FROM events WHERE id=?", d.ID).Scan(&stored))
	require.Equal(t, posts[0].ID, stored.String)
	require.Equal(t, 0, b.fake.Lists(), "a first attempt has nothing to look for")

	b.renameAndRepublish(t, d, "Aurora Night II")
	b.clock.Add(time.Hour)
	require.NoError(t, b.fb.Post(ctx))
	require.Len(t, b.fake.Posts(), 1)
}

// A club whose default language is German posts in German, in the club's
// zone: weekday, day and month as the German mails write them.
func TestPostInDefaultLanguageAndZone(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	zone, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	de := facebook.New(b.sqlDB, facebook.Options{
		PageID: pageID, Token: "page-token", GraphURL: b.fake.URL, Version: "v23.0", Timeout: 5 * time.Second,
		SiteURL: "https://club.example", DefaultLanguage: "de", Zone: zone, ZoneLabel: "MEZ", Locales: locales.FS,
	}, testenv.Logger(t), b.clock.Now)
	r := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Title: "Nachtschicht",
		Start: time.Date(2031, time.December, 5, 23, 30, 0, 0, time.UTC)})
	// The integrations copy an event in the default language only.
	for _, q := range []string{
		"INSERT INTO event_translations (event_id, lang, title, description) VALUES (?, 'de', 'Nachtschicht', '') ON DUPLICATE KEY UPDATE title = VALUES(title)",
		"INSERT INTO location_translations (location_id, lang, name, description) VALUES (?, 'de', 'Hauptsaal', '') ON DUPLICATE KEY UPDATE name = VALUES(name)",
	} {
		id := r.ID
		if strings.Contains(q, "location") {
			id = b.loc.ID
		}
		_, err := b.sqlDB.Exec(q, id)
		require.NoError(t, err)
	}
	d, err := b.events.AdminGet(ctx, r.ID)
	require.NoError(t, err)
	_, err = b.events.Publish(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	require.NoError(t, de.Problem(ctx))
	require.NoError(t, de.Post(ctx))
	posts := b.fake.Posts()
	require.Len(t, posts, 1)
	// 23:30 UTC on Friday is 00:30 on Saturday in Berlin.
	require.Contains(t, posts[0].Message, "Nachtschicht\nSa. 6. Dez., 00:30 MEZ, Ort: Hauptsaal", posts[0].Message)
	require.Contains(t, posts[0].Message, "Mehr dazu: https://club.example/events/"+d.Slug)
}

// Without message files a configured service cannot word a post: it says
// so in the admin and posts nothing.
func TestNoLocalesIsAProblem(t *testing.T) {
	b := setup(t, 5*time.Second)
	bad := facebook.New(b.sqlDB, facebook.Options{PageID: pageID, Token: "page-token", GraphURL: b.fake.URL,
		Version: "v23.0", DefaultLanguage: "en"}, testenv.Logger(t), b.clock.Now)
	require.ErrorContains(t, bad.Problem(t.Context()), "message files")
	b.publish(t, "Unworded")
	require.NoError(t, bad.Post(t.Context()))
	require.Empty(t, b.fake.Posts())
}

// The process dies between Facebook's answer and our write: the next run
// finds the post by its link and adopts it instead of posting again.
func TestCrashAfterPostNeverPostsTwice(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	d := b.publish(t, "Crash Test")
	b.fb.SetAfterPost(func() error { return errors.New("killed") })
	require.ErrorContains(t, b.fb.Post(ctx), "killed")
	require.Len(t, b.fake.Posts(), 1)
	r, _, _ := b.row(t, d.ID)
	require.Equal(t, syncstate.StatusPending, r.Status)
	require.True(t, r.Intent.Valid)
	require.False(t, r.ExternalID.Valid)

	restarted := b.service(t, "page-token", 5*time.Second)
	require.NoError(t, restarted.Post(ctx))
	require.Empty(t, b.fake.Lists(), "the dead run's claim holds until its lease ends")
	b.clock.Add(time.Minute)
	require.NoError(t, restarted.Post(ctx))
	require.Len(t, b.fake.Posts(), 1)
	require.Equal(t, 1, b.fake.Lists())
	r, _, _ = b.row(t, d.ID)
	require.Equal(t, syncstate.StatusSynced, r.Status)
	require.Equal(t, b.fake.Posts()[0].ID, r.ExternalID.String)
}

// Rate limits (as HTTP 400, 403 or 429), server errors, garbage and
// silence back off; when the answer was lost after Facebook posted, the
// retry adopts that post.
func TestErrorsBackOffWithoutDuplicates(t *testing.T) {
	lost := facebooktest.Garbage
	lost.Lost = true
	cases := []struct {
		name  string
		fault facebooktest.Fault
		want  string
	}{
		{"4 app limit", facebooktest.AppLimit, "graph error 4 "},
		{"17 user limit", facebooktest.UserLimit, "graph error 17 "},
		{"32 page limit", facebooktest.PageLimit, "graph error 32 "},
		{"613 custom limit", facebooktest.CustomLimit, "graph error 613 "},
		{"80001 page BUC limit", facebooktest.BUCLimit, "graph error 80001 "},
		{"500", facebooktest.InternalError, "HTTP 500"},
		{"garbage", facebooktest.Garbage, "not the JSON expected"},
		{"lost answer", lost, "not the JSON expected"},
		{"hanging", facebooktest.Hang, "deadline exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t, 300*time.Millisecond)
			d := b.publish(t, "Limits "+tc.name)
			b.fake.Fail(tc.fault)
			require.ErrorContains(t, b.fb.Post(t.Context()), "1 of 1")
			r, msg, next := b.row(t, d.ID)
			require.Equal(t, syncstate.StatusPending, r.Status)
			require.Contains(t, msg, tc.want)
			require.NotContains(t, msg, "page-token")
			require.True(t, next.After(b.clock.Now()), "next attempt %s in the future", next)

			require.NoError(t, b.fb.Post(t.Context()))
			require.Equal(t, 0, b.fake.Lists(), "not due yet")
			b.clock.Add(7 * time.Hour)
			require.NoError(t, b.fb.Post(t.Context()))
			require.Len(t, b.fake.Posts(), 1)
			r, _, _ = b.row(t, d.ID)
			require.Equal(t, syncstate.StatusSynced, r.Status)
		})
	}
}

// An expired token (190) stops posting until the token changes, and says
// so; other errors fail the row until an admin retries it.
func TestTokenRejectedAndPermanentErrors(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	d := b.publish(t, "Expired")
	b.fake.Fail(facebooktest.TokenExpired)
	require.ErrorContains(t, b.fb.Post(ctx), "token was rejected")
	require.ErrorContains(t, b.fb.Problem(ctx), "Session has expired")
	b.clock.Add(24 * time.Hour)
	require.NoError(t, b.fb.Post(ctx))
	require.Empty(t, b.fake.Posts())
	require.Equal(t, 0, b.fake.Lists(), "no call with a rejected token")

	b.fake.Token = "new-token"
	renewed := b.service(t, "new-token", 5*time.Second)
	require.NoError(t, renewed.Problem(ctx))
	require.NoError(t, renewed.Post(ctx))
	require.Len(t, b.fake.Posts(), 1)
	r, _, _ := b.row(t, d.ID)
	require.Equal(t, syncstate.StatusSynced, r.Status)

	d2 := b.publish(t, "Refused")
	b.fake.Fail(facebooktest.Duplicate)
	require.Error(t, renewed.Post(ctx))
	r, msg, _ := b.row(t, d2.ID)
	require.Equal(t, syncstate.StatusFailed, r.Status)
	require.Contains(t, msg, "Duplicate status message")
	b.clock.Add(24 * time.Hour)
	require.NoError(t, renewed.Post(ctx), "a failed row waits")
	require.NoError(t, renewed.Retry(ctx, actor.Actor{Role: actor.RoleAdmin, IP: "192.0.2.9"}, d2.ID))
	logged, err := audit.New(b.sqlDB).ForEntity(ctx, audit.KindEvent, d2.ID, 1)
	require.NoError(t, err)
	require.Equal(t, syncstate.ActionRetry, logged[0].Action, "the retry is in the event's history")
	require.Equal(t, "facebook", logged[0].Summary)
	require.Equal(t, "192.0.2.9", logged[0].IP)
	require.ErrorIs(t, renewed.Retry(ctx, actor.System(), d2.ID), apperr.ErrNotFound, "only a failed row is retried")
	require.NoError(t, renewed.Post(ctx))
	require.Len(t, b.fake.Posts(), 2)
}

// An event withdrawn before its turn is not announced.
func TestWithdrawnBeforePosting(t *testing.T) {
	b := setup(t, 5*time.Second)
	d := b.publish(t, "Withdrawn")
	_, err := b.events.Unpublish(t.Context(), actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	require.NoError(t, b.fb.Post(t.Context()))
	require.Empty(t, b.fake.Posts())
	r, _, _ := b.row(t, d.ID)
	require.Equal(t, syncstate.StatusDeleted, r.Status)
}

// Without a Page the hook queues nothing and the job does nothing; once a
// Page is set, the events published meanwhile are never announced, not
// even when they change or are published again.
func TestUnconfigured(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	off := facebook.New(b.sqlDB, facebook.Options{DefaultLanguage: "en"}, testenv.Logger(t), b.clock.Now)
	require.False(t, off.Configured())
	evs := events.New(b.sqlDB, []string{"en", "de"}, b.clock.Now, live.Discard{}, testenv.Logger(t))
	evs.OnWrite(off.Hook)
	r := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Title: "Before Facebook", Start: b.clock.Now().Add(72 * time.Hour)})
	d, err := evs.AdminGet(ctx, r.ID)
	require.NoError(t, err)
	d, err = evs.Publish(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	_, err = b.q.SyncGet(ctx, db.SyncGetParams{Integration: db.SyncStateIntegrationFacebook, EntityID: d.ID})
	require.ErrorIs(t, err, sql.ErrNoRows)
	require.NoError(t, off.Post(ctx))
	require.NoError(t, off.Problem(ctx))

	// Facebook configured: b.events runs the configured hook.
	b.renameAndRepublish(t, d, "Before Facebook, renamed")
	require.NoError(t, b.fb.Post(ctx))
	require.Empty(t, b.fake.Posts(), "an event published before the Page was set is not announced")
	_, err = b.q.SyncGet(ctx, db.SyncGetParams{Integration: db.SyncStateIntegrationFacebook, EntityID: d.ID})
	require.ErrorIs(t, err, sql.ErrNoRows)
}

// A second instance running the job while the first is posting does not
// take the same row: the first one's claim holds it.
func TestClaimKeepsOtherInstancesOff(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	b.publish(t, "Claimed")
	other := b.service(t, "page-token", 5*time.Second)
	b.fb.SetAfterPost(func() error { return other.Post(ctx) })
	require.NoError(t, b.fb.Post(ctx))
	require.Len(t, b.fake.Posts(), 1)
	require.Equal(t, 0, b.fake.Lists(), "the other instance never looked")
}
