package notify_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/testenv"
)

type queued struct {
	UserID int64
	Status string
	Due    time.Time
}

// queuedFor lists the queue rows whose dedupe key starts with prefix.
func queuedFor(t *testing.T, sqlDB *sql.DB, prefix string) map[int64]queued {
	t.Helper()
	rows, err := sqlDB.QueryContext(t.Context(),
		"SELECT user_id, status, next_attempt_at FROM notification_queue WHERE dedupe_key LIKE CONCAT(?, '%')", prefix)
	require.NoError(t, err)
	defer rows.Close()
	out := map[int64]queued{}
	for rows.Next() {
		var q queued
		require.NoError(t, rows.Scan(&q.UserID, &q.Status, &q.Due))
		out[q.UserID] = q
	}
	require.NoError(t, rows.Err())
	return out
}

// The first publish of an event queues its announcement in the publish's
// transaction: at once for a supporter, after TDC_ANNOUNCE_DELAY for the
// others; not for those who turned announcements off. Publishing it again
// adds nothing; unpublishing it cancels what is still waiting.
func TestAnnounceOnFirstPublish(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	q := db.New(sqlDB)
	now := time.Now().UTC().Truncate(time.Second)
	c := newClock(now)
	svc := newService(t, sqlDB, "", c, testOptions())
	evs := events.New(sqlDB, []string{"en", "de"}, c.Now, live.Discard{}, testenv.Logger(t))
	evs.OnWrite(svc.EventHook())

	artist := testenv.Artist(t, q, testenv.ArtistOpts{})
	ev := testenv.Event(t, q, testenv.EventOpts{Start: now.Add(72 * time.Hour), Lineup: []testenv.ArtistRow{artist}})
	fan := follower(t, sqlDB, "Fan", "en", "", artist.ID)
	supporter := follower(t, sqlDB, "Patron", "de", "", artist.ID)
	_, err := sqlDB.ExecContext(t.Context(), `INSERT INTO patreon_members (patreon_member_id, user_id, tier_ids, raw, supporter)
		VALUES (?, ?, '[]', '{}', TRUE)`, testenv.Unique("pm"), supporter.ID)
	require.NoError(t, err)
	quiet := follower(t, sqlDB, "Quiet", "en", "", artist.ID)
	require.NoError(t, svc.SavePrefs(t.Context(), quiet.ID, notify.Prefs{Reminders: true, LeadMinutes: 60}))
	venueFan := testenv.User(t, sqlDB, testenv.UserOpts{})
	_, err = sqlDB.ExecContext(t.Context(), "INSERT INTO location_follows (user_id, location_id) VALUES (?, ?)", venueFan.ID, ev.LocationID)
	require.NoError(t, err)

	d, err := evs.AdminGet(t.Context(), ev.ID)
	require.NoError(t, err)
	d, err = evs.Publish(t.Context(), actor.System(), ev.ID, d.Version)
	require.NoError(t, err)

	prefix := "announce:event:" + itoa(ev.ID) + ":"
	got := queuedFor(t, sqlDB, prefix)
	require.Len(t, got, 3)
	require.Equal(t, now, got[supporter.ID].Due.UTC(), "supporters first")
	require.Equal(t, now.Add(24*time.Hour), got[fan.ID].Due.UTC())
	require.Equal(t, now.Add(24*time.Hour), got[venueFan.ID].Due.UTC())
	require.NotContains(t, got, quiet.ID)

	// Unpublished before the others' turn: theirs are cancelled; the
	// supporter's would be too had it not gone out (here it is pending).
	d, err = evs.Unpublish(t.Context(), actor.System(), ev.ID, d.Version)
	require.NoError(t, err)
	for _, r := range queuedFor(t, sqlDB, prefix) {
		require.Equal(t, "cancelled", r.Status)
	}
	// Published again: not a first publish, nothing new.
	d, err = evs.Publish(t.Context(), actor.System(), ev.ID, d.Version)
	require.NoError(t, err)
	for _, r := range queuedFor(t, sqlDB, prefix) {
		require.Equal(t, "cancelled", r.Status)
	}

	// An event sooner than the delay: the others get it an hour before.
	soon := testenv.Event(t, q, testenv.EventOpts{Start: now.Add(5 * time.Hour), Lineup: []testenv.ArtistRow{artist}})
	ds, err := evs.AdminGet(t.Context(), soon.ID)
	require.NoError(t, err)
	_, err = evs.Publish(t.Context(), actor.System(), soon.ID, ds.Version)
	require.NoError(t, err)
	got = queuedFor(t, sqlDB, "announce:event:"+itoa(soon.ID)+":")
	require.Equal(t, now.Add(4*time.Hour), got[fan.ID].Due.UTC())
	require.Equal(t, now, got[supporter.ID].Due.UTC())

	// Cancelling an event cancels its waiting reminders too.
	ev2 := testenv.Event(t, q, testenv.EventOpts{Start: now.Add(30 * time.Minute), Published: true, Lineup: []testenv.ArtistRow{artist}})
	_, err = svc.EnqueueReminders(t.Context())
	require.NoError(t, err)
	require.NotEmpty(t, queuedFor(t, sqlDB, "reminder:event:"+itoa(ev2.ID)+":"))
	d2, err := evs.AdminGet(t.Context(), ev2.ID)
	require.NoError(t, err)
	_, err = evs.Cancel(t.Context(), actor.System(), ev2.ID, d2.Version)
	require.NoError(t, err)
	for _, r := range queuedFor(t, sqlDB, "reminder:event:"+itoa(ev2.ID)+":") {
		require.Equal(t, "cancelled", r.Status)
	}
}

// A post that goes public is queued for those who asked for new posts:
// published by an editor, or a scheduled one the blog-publish job flips
// (audited, once); taken back before the mail went out, it is cancelled.
func TestPostOnPublish(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	now := time.Now().UTC().Truncate(time.Second)
	c := newClock(now)
	svc := newService(t, sqlDB, "", c, testOptions())
	posts := blog.New(sqlDB, []string{"en", "de"}, live.Discard{}, testenv.Logger(t), c.Now)
	posts.OnWrite(svc.PostHook())

	reader := testenv.User(t, sqlDB, testenv.UserOpts{})
	require.NoError(t, svc.SavePrefs(t.Context(), reader.ID, notify.Prefs{LeadMinutes: 60, Posts: true}))
	other := testenv.User(t, sqlDB, testenv.UserOpts{})

	id, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft"})
	d, err := posts.AdminGet(t.Context(), id)
	require.NoError(t, err)
	d, err = posts.Publish(t.Context(), actor.System(), id, d.Version)
	require.NoError(t, err)
	got := queuedFor(t, sqlDB, "post:"+itoa(id)+":")
	require.Contains(t, got, reader.ID)
	require.NotContains(t, got, other.ID)
	_, err = posts.Unpublish(t.Context(), actor.System(), id, d.Version)
	require.NoError(t, err)
	require.Equal(t, "cancelled", queuedFor(t, sqlDB, "post:"+itoa(id)+":")[reader.ID].Status)

	// Scheduled for a minute from now; the job, after that minute.
	sid, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "scheduled", PublishAt: now.Add(time.Minute)})
	n, err := posts.PublishDue(t.Context())
	require.NoError(t, err)
	require.Zero(t, n)
	require.Empty(t, queuedFor(t, sqlDB, "post:"+itoa(sid)+":"))
	c.Add(2 * time.Minute)
	n, err = posts.PublishDue(t.Context())
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 1)
	sd, err := posts.AdminGet(t.Context(), sid)
	require.NoError(t, err)
	require.Equal(t, blog.StatusPublished, sd.Status)
	require.Contains(t, queuedFor(t, sqlDB, "post:"+itoa(sid)+":"), reader.ID)
	var audited int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(),
		"SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'post' AND entity_id = ? AND action = 'publish'", sid).Scan(&audited))
	require.Equal(t, 1, audited)
	n, err = posts.PublishDue(t.Context())
	require.NoError(t, err)
	require.Zero(t, n)
}

// services.New wires the hooks: a publish through the events service
// queues the announcement. And the announcement and new-post mails render
// and arrive, in the recipient's language.
func TestAnnouncementAndPostMail(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "notify")
	q := db.New(sqlDB)
	now := time.Now().UTC().Truncate(time.Second)
	set := testenv.Services(t, sqlDB, now)
	artist := testenv.Artist(t, q, testenv.ArtistOpts{})
	ev := testenv.Event(t, q, testenv.EventOpts{Start: now.Add(48 * time.Hour), Lineup: []testenv.ArtistRow{artist},
		Title: "Moon Dance", Titles: map[string]string{"de": "Mondtanz"}})
	fan := follower(t, sqlDB, "Anna", "de", "Europe/Berlin", artist.ID)
	require.NoError(t, set.Notify.SavePrefs(t.Context(), fan.ID, notify.Prefs{LeadMinutes: 60, Announcements: true, Posts: true}))
	_, err := sqlDB.ExecContext(t.Context(), `INSERT INTO patreon_members (patreon_member_id, user_id, tier_ids, raw, supporter)
		VALUES (?, ?, '[]', '{}', TRUE)`, testenv.Unique("pm"), fan.ID)
	require.NoError(t, err)
	d, err := set.Events.AdminGet(t.Context(), ev.ID)
	require.NoError(t, err)
	_, err = set.Events.Publish(t.Context(), actor.System(), ev.ID, d.Version)
	require.NoError(t, err)
	pid, _ := testenv.Post(t, sqlDB, testenv.PostOpts{Status: "draft",
		Texts: map[string]testenv.PostText{"en": {Title: "Winter news", Body: "b"}, "de": {Title: "Winternachrichten", Body: "b"}}})
	pd, err := set.Blog.AdminGet(t.Context(), pid)
	require.NoError(t, err)
	pd, err = set.Blog.Publish(t.Context(), actor.System(), pid, pd.Version)
	require.NoError(t, err)
	slug := pd.Slug // the slug follows the title until the first publish

	srv := testenv.SMTP(t)
	svc := newService(t, sqlDB, srv.URL, newClock(now), testOptions())
	st, err := svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Sent: 2}, st)
	subjects := map[string]testenv.Mail{}
	for _, m := range srv.Messages() {
		subjects[m.Subject] = m
	}
	require.Contains(t, subjects, "Neu in The Dreamer's Cave: Mondtanz")
	require.Contains(t, subjects["Neu in The Dreamer's Cave: Mondtanz"].Text, "https://club.example/events/"+ev.Slug)
	require.Contains(t, subjects, "Neu im Blog: Winternachrichten")
	require.Contains(t, subjects["Neu im Blog: Winternachrichten"].HTML, "https://club.example/blog/"+slug)
	require.Contains(t, subjects["Neu im Blog: Winternachrichten"].Text, svc.UnsubscribeURL(fan.ID, notify.KindPost))
}
