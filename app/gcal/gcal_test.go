package gcal_test

import (
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/gcal"
	"github.com/dreamerscave/tdc/app/gcal/gcaltest"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/syncstate"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const calID = "club@group.calendar.google.com"

type testBundle struct {
	sqlDB  *sql.DB
	q      *db.Queries
	fake   *gcaltest.Server
	gcal   *gcal.Service
	events *events.Service
	clock  *testenv.Clock
	loc    testenv.LocationRow
}

// setup builds the services over the package database and a fake Google.
// The tests do not run in parallel: Sync takes every due row of the
// table, so each test removes its rows when it ends.
func setup(t *testing.T, timeout time.Duration) testBundle {
	t.Helper()
	return setupOn(t, testenv.DB(t), timeout)
}

// setupOn is setup over a database of the test's choosing.
func setupOn(t *testing.T, sqlDB *sql.DB, timeout time.Duration) testBundle {
	t.Helper()
	b := testBundle{sqlDB: sqlDB, q: db.New(sqlDB), fake: gcaltest.New(t, calID),
		clock: testenv.NewClock(time.Now().UTC().Truncate(time.Second))}
	log := testenv.Logger(t)
	b.events = events.New(sqlDB, []string{"en", "de"}, b.clock.Now, live.Discard{}, log)
	b.gcal = gcal.New(sqlDB, gcal.Options{
		CredentialsFile: b.fake.KeyFile, CalendarID: calID, APIURL: b.fake.URL, Timeout: timeout,
		SiteURL: "https://club.example", DefaultLanguage: "en",
	}, log, b.clock.Now)
	require.NoError(t, b.gcal.Problem())
	b.events.OnWrite(b.gcal.Hook)
	b.loc = testenv.Location(t, b.q, testenv.LocationOpts{})
	t.Cleanup(func() {
		_, err := sqlDB.Exec("DELETE FROM sync_state")
		require.NoError(t, err)
	})
	return b
}

// draft inserts an unpublished event of the bundle's venue.
func (b testBundle) draft(t *testing.T, title string) events.Draft {
	t.Helper()
	r := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Title: title, Start: b.clock.Now().Add(48 * time.Hour)})
	d, err := b.events.AdminGet(t.Context(), r.ID)
	require.NoError(t, err)
	return d
}

func (b testBundle) publish(t *testing.T, title string) events.Draft {
	t.Helper()
	d := b.draft(t, title)
	d, err := b.events.Publish(t.Context(), actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	return d
}

func (b testBundle) row(t *testing.T, id int64) db.SyncGetRow {
	t.Helper()
	r, err := b.q.SyncGet(t.Context(), db.SyncGetParams{Integration: db.SyncStateIntegrationGoogle, EntityID: id})
	require.NoError(t, err)
	return r
}

func (b testBundle) lastError(t *testing.T, id int64) (string, time.Time) {
	t.Helper()
	var msg sql.NullString
	var next time.Time
	require.NoError(t, b.sqlDB.QueryRow("SELECT last_error, next_attempt_at FROM sync_state WHERE integration='google' AND entity_id=?", id).Scan(&msg, &next))
	return msg.String, next.UTC()
}

// Publishing creates the copy once; an edit updates it; cancelling and
// unpublishing delete it (Google keeps it as cancelled); reinstating
// restores it without a second insert.
func TestSyncFollowsTheEvent(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	d := b.publish(t, "Moonlight Set")
	gid := gcal.EventID(d.ID)
	require.Regexp(t, `^[0-9a-v]{5,}$`, gid)

	require.NoError(t, b.gcal.Sync(ctx))
	got, ok := b.fake.Event(gid)
	require.True(t, ok)
	require.Equal(t, "confirmed", got.Status)
	require.Equal(t, "Moonlight Set", got.Summary)
	require.Equal(t, d.StartsAt.Format(time.RFC3339), got.Start.DateTime)
	require.Equal(t, "https://club.example/events/"+d.Slug, got.Source["url"])
	require.Equal(t, map[string]string{gcal.PropEventID: itoa(d.ID)}, got.Extended.Private)
	require.Equal(t, syncstate.StatusSynced, b.row(t, d.ID).Status)
	var stored sql.NullString
	require.NoError(t, b.sqlDB.QueryRow("SELECT google_event_id FROM events WHERE id=?", d.ID).Scan(&stored))
	require.Equal(t, gid, stored.String)

	require.NoError(t, b.gcal.Sync(ctx), "nothing pending")
	require.Equal(t, 1, b.fake.Calls("insert"))
	require.Equal(t, 0, b.fake.Calls("update"))

	d, err := b.events.Patch(ctx, actor.System(), d.ID, d.Version, "title.en", "Moonlight Set (extended)")
	require.NoError(t, err)
	require.NoError(t, b.gcal.Sync(ctx))
	got, _ = b.fake.Event(gid)
	require.Equal(t, "Moonlight Set (extended)", got.Summary)
	require.Equal(t, 1, b.fake.Calls("update"))

	d, err = b.events.Cancel(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	require.NoError(t, b.gcal.Sync(ctx))
	got, _ = b.fake.Event(gid)
	require.Equal(t, "cancelled", got.Status)
	require.Equal(t, syncstate.StatusDeleted, b.row(t, d.ID).Status)

	d, err = b.events.Reinstate(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	require.NoError(t, b.gcal.Sync(ctx))
	got, _ = b.fake.Event(gid)
	require.Equal(t, "confirmed", got.Status, "an update restores a deleted event")

	_, err = b.events.Unpublish(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	require.NoError(t, b.gcal.Sync(ctx))
	got, _ = b.fake.Event(gid)
	require.Equal(t, "cancelled", got.Status)
	require.Equal(t, 1, b.fake.Calls("insert"))
	require.Equal(t, 2, b.fake.Calls("delete"))
	require.Equal(t, 1, b.fake.Len())
}

// A draft nobody has seen concerns nobody: its writes queue nothing.
func TestHookIgnoresDrafts(t *testing.T) {
	b := setup(t, 5*time.Second)
	d := b.draft(t, "Secret Set")
	_, err := b.events.Patch(t.Context(), actor.System(), d.ID, d.Version, "title.en", "Still Secret")
	require.NoError(t, err)
	_, err = b.q.SyncGet(t.Context(), db.SyncGetParams{Integration: db.SyncStateIntegrationGoogle, EntityID: d.ID})
	require.ErrorIs(t, err, sql.ErrNoRows)
}

// Google did the insert but its answer was lost: the retry meets 409 and
// updates, so the calendar never holds two copies.
func TestRetryAfterLostAnswerNeverDuplicates(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	d := b.publish(t, "Lost Answer")
	b.fake.Fail(gcaltest.Fault{Lost: true, Status: 200, Body: `{"kind":"calendar#event","id":`})
	require.Error(t, b.gcal.Sync(ctx))
	require.Equal(t, 1, b.fake.Len(), "Google made it")
	msg, next := b.lastError(t, d.ID)
	require.NotEmpty(t, msg)
	require.True(t, next.After(b.clock.Now()), "backed off")
	require.Equal(t, syncstate.StatusPending, b.row(t, d.ID).Status)

	require.NoError(t, b.gcal.Sync(ctx))
	require.Equal(t, 1, b.fake.Calls("insert"), "not due yet")
	b.clock.Add(7 * time.Hour)
	require.NoError(t, b.gcal.Sync(ctx))
	require.Equal(t, syncstate.StatusSynced, b.row(t, d.ID).Status)
	require.Equal(t, 1, b.fake.Len())
	require.Equal(t, 1, b.fake.Calls("insert"))
	require.Equal(t, 1, b.fake.Calls("update"))
}

// Rate limits, server errors, garbage and silence back off with the next
// attempt in the future; other 4xx fail the row until an admin retries.
func TestErrorsBackOffOrFail(t *testing.T) {
	cases := []struct {
		name  string
		fault gcaltest.Fault
		want  string
	}{
		{"403 rate limit", gcaltest.RateLimited, "rateLimitExceeded"},
		{"403 user rate limit", gcaltest.UserRateLimited, "userRateLimitExceeded"},
		{"429", gcaltest.TooMany, "429"},
		{"500", gcaltest.ServerError, "backendError"},
		{"garbage JSON", gcaltest.Garbage, "unexpected end of JSON input"},
		{"hanging", gcaltest.Hang, "deadline exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t, 300*time.Millisecond)
			d := b.publish(t, "Backoff "+tc.name)
			b.fake.Fail(tc.fault)
			require.ErrorContains(t, b.gcal.Sync(t.Context()), "1 of 1")
			msg, next := b.lastError(t, d.ID)
			require.Contains(t, msg, tc.want)
			require.True(t, next.After(b.clock.Now()), "next attempt %s is in the future", next)
			r := b.row(t, d.ID)
			require.Equal(t, syncstate.StatusPending, r.Status)
			require.EqualValues(t, 1, r.Attempts)
			b.clock.Add(7 * time.Hour)
			require.NoError(t, b.gcal.Sync(t.Context()))
			require.Equal(t, syncstate.StatusSynced, b.row(t, d.ID).Status)
			require.Equal(t, 1, b.fake.Len())
		})
	}

	t.Run("400 fails until retried", func(t *testing.T) {
		b := setup(t, time.Second)
		d := b.publish(t, "Bad Request")
		b.fake.Fail(gcaltest.BadRequest)
		require.Error(t, b.gcal.Sync(t.Context()))
		require.Equal(t, syncstate.StatusFailed, b.row(t, d.ID).Status)
		msg, _ := b.lastError(t, d.ID)
		require.Contains(t, msg, "timeRangeEmpty")
		o, err := b.gcal.Overview(t.Context())
		require.NoError(t, err)
		require.EqualValues(t, 1, o.Failed)
		require.Equal(t, d.Slug, o.Problems[0].Slug)

		b.clock.Add(7 * time.Hour)
		require.NoError(t, b.gcal.Sync(t.Context()), "a failed row waits")
		require.Equal(t, 0, b.fake.Len())
		admin := actor.Actor{Role: actor.RoleAdmin, IP: "192.0.2.7"}
		require.NoError(t, b.gcal.Retry(t.Context(), admin, d.ID))
		require.Error(t, b.gcal.Retry(t.Context(), admin, d.ID), "only a failed row can be retried")
		logged, err := audit.New(b.sqlDB).ForEntity(t.Context(), audit.KindEvent, d.ID, 10)
		require.NoError(t, err)
		require.Equal(t, syncstate.ActionRetry, logged[0].Action, "the retry is in the event's history")
		require.Equal(t, "google", logged[0].Summary)
		require.Equal(t, "192.0.2.7", logged[0].IP)
		require.Equal(t, []audit.Change{{Field: "google", Old: "failed", New: "pending"}}, logged[0].Changes)
		require.NotEqual(t, syncstate.ActionRetry, logged[1].Action, "the refused retry left no entry")
		require.NoError(t, b.gcal.Sync(t.Context()))
		require.Equal(t, syncstate.StatusSynced, b.row(t, d.ID).Status)
	})
}

// An edit made while a push is on the wire is not lost: the push of the
// older revision does not mark the row synced.
func TestEditDuringPushStaysPending(t *testing.T) {
	b := setup(t, 5*time.Second)
	ctx := t.Context()
	d := b.publish(t, "Racing")
	rev := b.row(t, d.ID).Revision
	_, err := b.events.Patch(ctx, actor.System(), d.ID, d.Version, "title.en", "Racing Again")
	require.NoError(t, err)
	store := syncstate.New(b.sqlDB, db.SyncStateIntegrationGoogle, "en", b.clock.Now)
	ok, err := store.Done(ctx, d.ID, rev, syncstate.StatusSynced, gcal.EventID(d.ID), d.Version)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, syncstate.StatusPending, b.row(t, d.ID).Status)
	require.NoError(t, b.gcal.Sync(ctx))
	got, _ := b.fake.Event(gcal.EventID(d.ID))
	require.Equal(t, "Racing Again", got.Summary)
}

// Resync compares each event with Google's copy and reports what it did.
func TestResync(t *testing.T) {
	// Resync looks at every published event: a database of its own.
	_, sqlDB := testenv.ScratchDB(t, "gcalresync")
	b := setupOn(t, sqlDB, 5*time.Second)
	ctx := t.Context()
	same := b.publish(t, "Same")
	edited := b.publish(t, "Edited")
	gone := b.publish(t, "Gone")
	require.NoError(t, b.gcal.Sync(ctx))
	fresh := b.publish(t, "Fresh") // never pushed
	e, _ := b.fake.Event(gcal.EventID(edited.ID))
	e.Summary = "Changed at Google"
	b.fake.Put(e)
	_, err := b.sqlDB.Exec("UPDATE events SET published = FALSE WHERE id = ?", gone.ID) // behind the hook's back
	require.NoError(t, err)

	rep, err := b.gcal.Resync(ctx)
	require.NoError(t, err)
	require.Empty(t, rep.Failures)
	require.Equal(t, 1, rep.Counts[gcal.Created], "%v", rep.Counts)
	require.Equal(t, 1, rep.Counts[gcal.Updated])
	require.Equal(t, 1, rep.Counts[gcal.Deleted])
	require.Equal(t, 1, rep.Counts[gcal.Unchanged])
	got, _ := b.fake.Event(gcal.EventID(edited.ID))
	require.Equal(t, "Edited", got.Summary)
	got, _ = b.fake.Event(gcal.EventID(gone.ID))
	require.Equal(t, "cancelled", got.Status)
	_, ok := b.fake.Event(gcal.EventID(fresh.ID))
	require.True(t, ok)
	_ = same

	rep, err = b.gcal.Resync(ctx)
	require.NoError(t, err)
	require.Equal(t, map[gcal.Outcome]int{gcal.Unchanged: 4}, rep.Counts)

	b.fake.Fail(gcaltest.BadRequest)
	rep, err = b.gcal.Resync(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Failures, 1)
	require.Equal(t, 1, rep.Counts[gcal.Failed])
}

// Without credentials the service does nothing; a bad key file is a
// problem the admin shows, not a crash.
func TestUnconfigured(t *testing.T) {
	sqlDB := testenv.DB(t)
	log := testenv.Logger(t)
	off := gcal.New(sqlDB, gcal.Options{DefaultLanguage: "en"}, log, time.Now)
	require.False(t, off.Configured())
	require.NoError(t, off.Sync(t.Context()))
	_, err := off.Resync(t.Context())
	require.ErrorContains(t, err, "not configured")

	bad := gcal.New(sqlDB, gcal.Options{CredentialsFile: "/nonexistent/key.json", CalendarID: calID, DefaultLanguage: "en"}, log, time.Now)
	require.True(t, bad.Configured())
	require.ErrorContains(t, bad.Problem(), "read key")
	require.NoError(t, bad.Sync(t.Context()))
}

// An unconfigured service's hook queues nothing, however the event
// changes; once Google is configured, the admin's resync queues the events
// published meanwhile (audited with their ids) and the job pushes them.
func TestUnconfiguredHookThenEnabled(t *testing.T) {
	// QueueAll takes every published event: a database of its own.
	_, sqlDB := testenv.ScratchDB(t, "gcaloff")
	b := setupOn(t, sqlDB, 5*time.Second)
	ctx := t.Context()
	off := gcal.New(sqlDB, gcal.Options{DefaultLanguage: "en"}, testenv.Logger(t), b.clock.Now)
	evs := events.New(sqlDB, []string{"en", "de"}, b.clock.Now, live.Discard{}, testenv.Logger(t))
	evs.OnWrite(off.Hook)
	r := testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc, Title: "Before Google", Start: b.clock.Now().Add(48 * time.Hour)})
	d, err := evs.AdminGet(ctx, r.ID)
	require.NoError(t, err)
	d, err = evs.Publish(ctx, actor.System(), d.ID, d.Version)
	require.NoError(t, err)
	d, err = evs.Patch(ctx, actor.System(), d.ID, d.Version, "title.en", "Before Google, renamed")
	require.NoError(t, err)
	_, err = b.q.SyncGet(ctx, db.SyncGetParams{Integration: db.SyncStateIntegrationGoogle, EntityID: d.ID})
	require.ErrorIs(t, err, sql.ErrNoRows, "no row while Google is off")

	n, err := off.QueueAll(ctx, actor.System())
	require.NoError(t, err)
	require.Zero(t, n, "an unconfigured resync queues nothing")
	n, err = b.gcal.QueueAll(ctx, actor.Actor{Role: actor.RoleAdmin, IP: "192.0.2.8"})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	logged, err := audit.New(sqlDB).Recent(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, syncstate.ActionResync, logged[0].Action)
	require.Equal(t, audit.KindIntegration, logged[0].Kind)
	require.Equal(t, "google: 1 events", logged[0].Summary)
	require.Equal(t, []audit.Change{{Field: "events", New: itoa(d.ID)}}, logged[0].Changes)
	require.NoError(t, b.gcal.Sync(ctx))
	got, ok := b.fake.Event(gcal.EventID(d.ID))
	require.True(t, ok)
	require.Equal(t, "Before Google, renamed", got.Summary)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
