package notify_test

import (
	"bytes"
	"database/sql"
	netmail "net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/testenv"
)

// follower makes a verified user in lang and zone who follows artist.
func follower(t *testing.T, sqlDB *sql.DB, name, lang, zone string, artistID int64) accounts.User {
	t.Helper()
	u := testenv.User(t, sqlDB, testenv.UserOpts{DisplayName: name})
	_, err := sqlDB.ExecContext(t.Context(), "UPDATE users SET language = ?, time_zone = ? WHERE id = ?", lang, zone, u.ID)
	require.NoError(t, err)
	_, err = sqlDB.ExecContext(t.Context(), "INSERT INTO artist_follows (user_id, artist_id) VALUES (?, ?)", u.ID, artistID)
	require.NoError(t, err)
	return u
}

// A reminder goes through a real SMTP conversation: to its recipient, from
// the club, with List-Unsubscribe and one-click, subject and both parts in
// the recipient's language, the time in their zone (or the club's, SLT).
// A second run of the producer adds nothing, so nobody gets it twice.
func TestReminderOverSMTP(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "notify")
	q := db.New(sqlDB)
	srv := testenv.SMTP(t)
	start := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC) // 21:00 CET, 12:00 PST
	c := newClock(start.Add(-30 * time.Minute))
	svc := newService(t, sqlDB, srv.URL, c, testOptions())

	artist := testenv.Artist(t, q, testenv.ArtistOpts{})
	ev := testenv.Event(t, q, testenv.EventOpts{Start: start, Published: true, Lineup: []testenv.ArtistRow{artist},
		Title: "Moon Dance", Titles: map[string]string{"de": "Mondtanz"}})
	de := follower(t, sqlDB, "Anna", "de", "Europe/Berlin", artist.ID)
	en := follower(t, sqlDB, "Bob", "en", "", artist.ID)

	n, err := svc.EnqueueReminders(t.Context())
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	n, err = svc.EnqueueReminders(t.Context())
	require.NoError(t, err)
	require.Zero(t, n, "the second run finds both already queued")

	st, err := svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Sent: 2}, st)

	got := srv.WaitFor(t, de.Email, 0)
	require.Equal(t, []string{de.Email}, got.To)
	require.Equal(t, "Bald: Mondtanz", got.Subject)
	require.Contains(t, got.Text, "Hallo Anna")
	require.Contains(t, got.Text, "21:00 CET")
	require.Contains(t, got.HTML, "21:00 CET")
	require.Contains(t, got.Text, "https://club.example/events/"+ev.Slug)
	h := headers(t, got.Raw)
	require.Equal(t, "<"+svc.UnsubscribeURL(de.ID, notify.KindReminder)+">", h.Get("List-Unsubscribe"))
	require.True(t, strings.HasPrefix(h.Get("List-Unsubscribe"), "<https://club.example/unsubscribe/"))
	require.Equal(t, "List-Unsubscribe=One-Click", h.Get("List-Unsubscribe-Post"))
	from, err := netmail.ParseAddress(h.Get("From"))
	require.NoError(t, err)
	require.Equal(t, "club@example.org", from.Address)
	require.Contains(t, got.Text, svc.UnsubscribeURL(de.ID, notify.KindReminder))
	require.Regexp(t, `^<notify-\d+@club\.example>$`, h.Get("Message-Id"), "the same ID on every attempt")

	got = srv.WaitFor(t, en.Email, 0)
	require.Equal(t, "Soon: Moon Dance", got.Subject)
	require.Contains(t, got.Text, "Hello Bob")
	require.Contains(t, got.Text, "12:00 PM SLT")
	require.Contains(t, got.HTML, `lang="en"`)

	n, err = svc.EnqueueReminders(t.Context())
	require.NoError(t, err)
	require.Zero(t, n)
	st, err = svc.Run(t.Context())
	require.NoError(t, err)
	require.Zero(t, st.Sent)
	require.Len(t, srv.Messages(), 2, "each reminder arrived once")
}

// No reminder for: an unverified or disabled user, one who turned
// reminders off, a lead time not yet reached, a cancelled or unpublished
// event, an event already started.
func TestReminderSkips(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "notify")
	q := db.New(sqlDB)
	now := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	c := newClock(now)
	svc := newService(t, sqlDB, "", c, testOptions())
	artist := testenv.Artist(t, q, testenv.ArtistOpts{})
	line := []testenv.ArtistRow{artist}

	testenv.Event(t, q, testenv.EventOpts{Start: now.Add(2 * time.Hour), Published: true, Lineup: line}) // beyond 60 min
	testenv.Event(t, q, testenv.EventOpts{Start: now.Add(30 * time.Minute), Published: true, Cancelled: true, Lineup: line})
	testenv.Event(t, q, testenv.EventOpts{Start: now.Add(30 * time.Minute), Lineup: line})
	testenv.Event(t, q, testenv.EventOpts{Start: now.Add(-10 * time.Minute), Published: true, Lineup: line})
	soon := testenv.Event(t, q, testenv.EventOpts{Start: now.Add(20 * time.Minute), Published: true, Lineup: line})

	ok := follower(t, sqlDB, "Ok", "en", "", artist.ID)
	off := follower(t, sqlDB, "Off", "en", "", artist.ID)
	require.NoError(t, svc.SavePrefs(t.Context(), off.ID, notify.Prefs{Reminders: false, LeadMinutes: 60, Announcements: true}))
	short := follower(t, sqlDB, "Short", "en", "", artist.ID)
	require.NoError(t, svc.SavePrefs(t.Context(), short.ID, notify.Prefs{Reminders: true, LeadMinutes: 10}))
	unverified := testenv.User(t, sqlDB, testenv.UserOpts{Unverified: true})
	_, err := sqlDB.ExecContext(t.Context(), "INSERT INTO artist_follows (user_id, artist_id) VALUES (?, ?)", unverified.ID, artist.ID)
	require.NoError(t, err)
	disabled := follower(t, sqlDB, "Gone", "en", "", artist.ID)
	_, err = sqlDB.ExecContext(t.Context(), "UPDATE users SET disabled_at = ? WHERE id = ?", now, disabled.ID)
	require.NoError(t, err)

	n, err := svc.EnqueueReminders(t.Context())
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var key string
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT dedupe_key FROM notification_queue").Scan(&key))
	require.Equal(t, "reminder:event:"+itoa(soon.ID)+":user:"+itoa(ok.ID), key)

	// A venue's follower is reminded too, once even when they also
	// follow an artist of the lineup.
	_, err = sqlDB.ExecContext(t.Context(), "INSERT INTO location_follows (user_id, location_id) VALUES (?, ?)", ok.ID, soon.LocationID)
	require.NoError(t, err)
	venueOnly := testenv.User(t, sqlDB, testenv.UserOpts{})
	_, err = sqlDB.ExecContext(t.Context(), "INSERT INTO location_follows (user_id, location_id) VALUES (?, ?)", venueOnly.ID, soon.LocationID)
	require.NoError(t, err)
	n, err = svc.EnqueueReminders(t.Context())
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "only the venue's new follower")
}

func headers(t *testing.T, raw []byte) netmail.Header {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	return m.Header
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
