package settings_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/settings"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The tests share the package database, so each one changes settings no
// other test touches and may run in parallel.

// recorder remembers the topics a service publishes.
type recorder = testenv.Published

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

var start = time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)

// The flags the tests' services know: one on and two off by default.
const (
	flagOn   = "test.on.enabled"
	flagOff  = "test.off.enabled"
	flagSync = "test.sync.enabled"
)

func opts() settings.Options {
	return settings.Options{Languages: []string{"en", "de"}, ZoneLabel: "SLT", Flags: []settings.FlagDef{
		{Name: flagOn, Default: true, Description: "On unless switched off."},
		{Name: flagOff, Description: "Off unless switched on."},
		{Name: flagSync, Description: "Switched by the tests."},
	}}
}

type testBundle struct {
	db    *sql.DB
	pub   *recorder
	clock *clock
	admin actor.Actor
}

func setup(t *testing.T) (*settings.Service, *testBundle) {
	t.Helper()
	b := &testBundle{db: testenv.DB(t), pub: &recorder{}, clock: &clock{t: start}}
	b.admin = user(t, b.db, actor.RoleAdmin)
	return settings.New(b.db, opts(), b.pub, testenv.Logger(t), b.clock.now), b
}

func user(t *testing.T, sqlDB *sql.DB, role actor.Role) actor.Actor {
	t.Helper()
	email := fmt.Sprintf("%s-%d@example.test", role, time.Now().UnixNano())
	res, err := sqlDB.ExecContext(t.Context(), `INSERT INTO users (email, display_name, role) VALUES (?, ?, ?)`,
		email, "Ada "+string(role), string(role))
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	return actor.Actor{UserID: id, Role: role}
}

func entry(t *testing.T, svc *settings.Service, name string) settings.Entry {
	t.Helper()
	all, err := svc.List(t.Context())
	require.NoError(t, err)
	for _, e := range all {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no setting %s", name)
	return settings.Entry{}
}

func TestDefaultsOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "settings")
	svc := settings.New(sqlDB, opts(), live.Discard{}, testenv.Logger(t), time.Now)
	ctx := t.Context()
	s, err := svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, i18n.Text{Value: settings.DefaultClubName}, s.Name("en"))
	require.Equal(t, i18n.Text{Value: settings.DefaultClubName, Fallback: true}, s.Name("de"))
	require.Equal(t, i18n.Text{Value: "", Fallback: true}, s.Tagline("de"))
	require.Equal(t, "SLT", s.ZoneLabel)
	require.Equal(t, settings.DefaultReminderLead, s.ReminderLead)
	require.Empty(t, s.Social)
	require.True(t, s.Enabled(flagOn))
	require.False(t, s.Enabled(flagOff))
	require.False(t, s.Enabled("no.such.flag"))

	// Values written around the service that break their rule are not
	// trusted; the defaults stand in.
	_, err = sqlDB.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES
		('reminders.default_lead_minutes', 'soon'), ('club.zone_label', ''), ('social.facebook', 'javascript:alert(1)'),
		('club.tagline', 'Fine')`)
	require.NoError(t, err)
	svc.Invalidate()
	s, err = svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, settings.DefaultReminderLead, s.ReminderLead)
	require.Equal(t, "SLT", s.ZoneLabel)
	require.Empty(t, s.Social)
	require.Equal(t, "Fine", s.Tagline("en").Value)

	list, err := svc.List(ctx)
	require.NoError(t, err)
	require.Equal(t, settings.ClubName, list[0].Name)
	require.Equal(t, settings.DefaultClubName, list[0].Value)
	require.Zero(t, list[0].Version)
	require.True(t, list[0].Required)
	require.Equal(t, "club.name.de", list[1].Name)
	require.Equal(t, "de", list[1].Lang)
	flags, err := svc.Flags(ctx)
	require.NoError(t, err)
	require.Len(t, flags, len(opts().Flags))
	for _, f := range flags {
		require.Zero(t, f.Version, f.Name)
	}
}

func TestSet(t *testing.T) {
	t.Parallel()
	svc, b := setup(t)
	ctx := t.Context()
	_, err := svc.Get(ctx) // warm the cache: Set must drop it
	require.NoError(t, err)

	e := entry(t, svc, settings.ClubName)
	got, err := svc.Set(ctx, b.admin, settings.ClubName, e.Version, "  The Dreamers' Cave  ")
	require.NoError(t, err)
	require.Equal(t, "The Dreamers' Cave", got.Value, "trimmed")
	require.Equal(t, e.Version+1, got.Version)
	require.Equal(t, b.admin.UserID, got.UpdatedBy)
	require.Equal(t, "Ada admin", got.UpdatedByName)
	require.Equal(t, start, got.UpdatedAt)
	require.Equal(t, []string{live.TopicSettings}, b.pub.Take())
	s, err := svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, "The Dreamers' Cave", s.Name("en").Value, "seen at once by the writing instance")

	de, err := svc.Set(ctx, b.admin, "club.name.de", entry(t, svc, "club.name.de").Version, "Die Traumhöhle")
	require.NoError(t, err)
	s, err = svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, i18n.Text{Value: "Die Traumhöhle"}, s.Name("de"))
	// Emptying a translation falls back to the default language again.
	_, err = svc.Set(ctx, b.admin, "club.name.de", de.Version, "")
	require.NoError(t, err)
	s, err = svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, i18n.Text{Value: "The Dreamers' Cave", Fallback: true}, s.Name("de"))
	b.pub.Take()

	// Saving the same value changes nothing and tells nobody.
	same, err := svc.Set(ctx, b.admin, settings.ClubName, got.Version, "The Dreamers' Cave")
	require.NoError(t, err)
	require.Equal(t, got, same)
	require.Empty(t, b.pub.Take())

	lead, err := svc.Set(ctx, b.admin, settings.ReminderLead, entry(t, svc, settings.ReminderLead).Version, " 090 ")
	require.NoError(t, err)
	require.Equal(t, "90", lead.Value)
	zone, err := svc.Set(ctx, b.admin, settings.ZoneLabel, entry(t, svc, settings.ZoneLabel).Version, "PT")
	require.NoError(t, err)
	require.Equal(t, "PT", zone.Value)
	_, err = svc.Set(ctx, b.admin, "social.mastodon", 0, "https://mastodon.example/@cave")
	require.NoError(t, err)
	_, err = svc.Set(ctx, b.admin, "social.instagram", 0, "https://instagram.example/cave")
	require.NoError(t, err)
	s, err = svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 90*time.Minute, s.ReminderLead)
	require.Equal(t, "PT", s.ZoneLabel)
	var links []settings.SocialLink // other tests set other networks
	for _, l := range s.Social {
		if l.Network == "instagram" || l.Network == "mastodon" {
			links = append(links, l)
		}
	}
	require.Equal(t, []settings.SocialLink{
		{Network: "instagram", URL: "https://instagram.example/cave"},
		{Network: "mastodon", URL: "https://mastodon.example/@cave"},
	}, links, "in Networks() order")

	// Hostile text is stored as typed; escaping is the views' job.
	script := `<script>alert("x")</script>`
	_, err = svc.Set(ctx, b.admin, "club.tagline.de", entry(t, svc, "club.tagline.de").Version, script)
	require.NoError(t, err)
	s, err = svc.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, script, s.Tagline("de").Value)

	// Every change is in the audit log: who, what, old and new.
	recent, err := audit.New(b.db).Recent(ctx, 200)
	require.NoError(t, err)
	var mine []audit.Logged
	for _, l := range recent {
		if l.Kind == audit.KindSetting && l.UserID == b.admin.UserID {
			mine = append(mine, l)
		}
	}
	require.Len(t, mine, 8)
	require.Equal(t, "social.instagram", mine[1].Summary)
	require.Equal(t, []audit.Change{{Field: settings.ReminderLead, Old: "60", New: "90"}}, mine[4].Changes)
	require.Contains(t, mine, audit.Logged{
		ID: mine[len(mine)-1].ID, At: start, UserID: b.admin.UserID, UserEmail: mine[len(mine)-1].UserEmail, UserName: "Ada admin",
		Action: settings.ActionSet, Kind: audit.KindSetting, Summary: settings.ClubName,
		Changes: []audit.Change{{Field: settings.ClubName, Old: "The Dreamer's Cave", New: "The Dreamers' Cave"}},
	})
}

func TestSetRejectsBadValues(t *testing.T) {
	t.Parallel()
	svc, b := setup(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name, setting, value, msg string
	}{
		{"club name empty", settings.ClubName, "   ", settings.MsgRequired},
		{"club name too long", settings.ClubName, strings.Repeat("n", settings.MaxClubName+1), settings.MsgTooLong},
		{"club name invalid UTF-8", settings.ClubName, "Cave \xff", settings.MsgInvalidUTF8},
		{"club name newline", "club.name.de", "Cave\nHöhle", settings.MsgControlChars},
		{"tagline too long", settings.ClubTagline, strings.Repeat("t", settings.MaxTagline+1), settings.MsgTooLong},
		{"tagline bidi override", "club.tagline.de", "a\u202eb", settings.MsgControlChars},
		{"10 MB tagline", settings.ClubTagline, strings.Repeat("x", 10<<20), settings.MsgTooLong},
		{"zone label empty", settings.ZoneLabel, "", settings.MsgRequired},
		{"zone label too long", settings.ZoneLabel, "Pacific Standard", settings.MsgTooLong},
		{"minutes not a number", settings.ReminderLead, "an hour", settings.MsgNotANumber},
		{"minutes with a fraction", settings.ReminderLead, "1.5", settings.MsgNotANumber},
		{"minutes empty", settings.ReminderLead, "", settings.MsgRequired},
		{"minutes too few", settings.ReminderLead, "4", settings.MsgOutOfRange},
		{"minutes negative", settings.ReminderLead, "-60", settings.MsgOutOfRange},
		{"minutes too many", settings.ReminderLead, "10081", settings.MsgOutOfRange},
		{"minutes overflow", settings.ReminderLead, "99999999999999999999", settings.MsgNotANumber},
		{"javascript link", "social.facebook", "javascript:alert(1)", settings.MsgURLInvalid},
		{"relative link", "social.facebook", "/cave", settings.MsgURLInvalid},
		{"ftp link", "social.facebook", "ftp://files.example/cave", settings.MsgURLInvalid},
		{"link without host", "social.facebook", "https://", settings.MsgURLInvalid},
		{"link with user info", "social.facebook", "https://facebook.com@evil.example/", settings.MsgURLInvalid},
		{"link with a space", "social.facebook", "https://facebook.com/the cave", settings.MsgURLInvalid},
		{"link too long", "social.facebook", "https://facebook.com/" + strings.Repeat("a", settings.MaxURL), settings.MsgTooLong},
		{"link with markup", "social.facebook", `https://x.example/"><script>`, settings.MsgURLInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := svc.Set(ctx, b.admin, tc.setting, 0, tc.value)
			inv, ok := errors.AsType[*apperr.Invalid](err)
			require.True(t, ok, "want a field error, got %v", err)
			require.Equal(t, tc.msg, inv.Fields[tc.setting].ID)
		})
	}
	_, err := svc.Set(ctx, b.admin, "club.secret", 0, "x")
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.Set(ctx, b.admin, "club.name.fr", 0, "x")
	require.ErrorIs(t, err, apperr.ErrNotFound, "only offered languages")
	require.Empty(t, b.pub.Take())
	require.Zero(t, entry(t, svc, "social.facebook").Version, "nothing stored")
}

func TestTwoTabsSavingTheSameSetting(t *testing.T) {
	t.Parallel()
	svc, b := setup(t)
	ctx := t.Context()
	other := user(t, b.db, actor.RoleAdmin)

	// Both tabs opened while nothing was stored (version 0).
	first, err := svc.Set(ctx, b.admin, "social.discord", 0, "https://discord.example/one")
	require.NoError(t, err)
	require.Equal(t, 1, first.Version)
	_, err = svc.Set(ctx, other, "social.discord", 0, "https://discord.example/two")
	require.ErrorIs(t, err, apperr.ErrConflict)
	second, err := svc.Set(ctx, other, "social.discord", first.Version, "https://discord.example/two")
	require.NoError(t, err)
	_, err = svc.Set(ctx, b.admin, "social.discord", first.Version, "https://discord.example/three")
	require.ErrorIs(t, err, apperr.ErrConflict)
	require.Equal(t, "https://discord.example/two", entry(t, svc, "social.discord").Value)
	require.Equal(t, second.Version, entry(t, svc, "social.discord").Version)

	// Saving at the same moment, even the first value: one wins.
	for _, name := range []string{"social.youtube", "social.flickr"} {
		version := 0
		if name == "social.flickr" {
			e, err := svc.Set(ctx, b.admin, name, 0, "https://flickr.example/start")
			require.NoError(t, err)
			version = e.Version
		}
		const n = 5
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, err := svc.Set(ctx, b.admin, name, version, fmt.Sprintf("https://%d.example/", i))
				errs <- err
			}()
		}
		won := 0
		for range n {
			if err := <-errs; err == nil {
				won++
			} else {
				require.ErrorIs(t, err, apperr.ErrConflict, name)
			}
		}
		require.Equal(t, 1, won, name)
		require.Equal(t, version+1, entry(t, svc, name).Version)
	}
}

func TestOnlyAdminsWrite(t *testing.T) {
	t.Parallel()
	svc, b := setup(t)
	ctx := t.Context()
	for _, a := range []actor.Actor{
		user(t, b.db, actor.RoleEditor),
		user(t, b.db, actor.RoleArtist),
		user(t, b.db, actor.RoleMember),
		{},
	} {
		_, err := svc.Set(ctx, a, "social.bluesky", 0, "https://bsky.example/cave")
		require.ErrorIs(t, err, apperr.ErrForbidden, a.Role)
		_, err = svc.SetFlag(ctx, a, flagOff, 0, true)
		require.ErrorIs(t, err, apperr.ErrForbidden, a.Role)
	}
	require.Zero(t, entry(t, svc, "social.bluesky").Version)
	require.Empty(t, b.pub.Take())
	// The system may, as seed and the command line do.
	_, err := svc.Set(ctx, actor.System(), "social.bluesky", 0, "https://bsky.example/cave")
	require.NoError(t, err)
}

func TestFlags(t *testing.T) {
	t.Parallel()
	svc, b := setup(t)
	ctx := t.Context()
	require.False(t, svc.Enabled(ctx, flagSync), "off by default")

	f, err := svc.SetFlag(ctx, b.admin, flagSync, 0, true)
	require.NoError(t, err)
	require.True(t, f.Enabled)
	require.Equal(t, 1, f.Version)
	require.Equal(t, "Ada admin", f.UpdatedByName)
	require.NotEmpty(t, f.Description)
	require.True(t, svc.Enabled(ctx, flagSync))
	require.Equal(t, []string{live.TopicSettings}, b.pub.Take())

	_, err = svc.SetFlag(ctx, b.admin, flagSync, 0, false)
	require.ErrorIs(t, err, apperr.ErrConflict, "a second tab")
	same, err := svc.SetFlag(ctx, b.admin, flagSync, f.Version, true)
	require.NoError(t, err)
	require.Equal(t, f, same, "no change")
	require.Empty(t, b.pub.Take())
	f, err = svc.SetFlag(ctx, b.admin, flagSync, f.Version, false)
	require.NoError(t, err)
	require.False(t, svc.Enabled(ctx, flagSync))

	// A flag stored by someone else (an older version, the seed) can be
	// switched too; one that exists nowhere cannot.
	name := fmt.Sprintf("test.%d.enabled", time.Now().UnixNano())
	require.NoError(t, db.New(b.db).FeatureFlagUpsert(ctx, db.FeatureFlagUpsertParams{Name: name, Description: "test"}))
	svc.Invalidate()
	require.False(t, svc.Enabled(ctx, name))
	_, err = svc.SetFlag(ctx, b.admin, name, 1, true)
	require.NoError(t, err)
	require.True(t, svc.Enabled(ctx, name))
	_, err = svc.SetFlag(ctx, b.admin, "no.such.flag", 0, true)
	require.ErrorIs(t, err, apperr.ErrNotFound)

	flags, err := svc.Flags(ctx)
	require.NoError(t, err)
	var names []string
	for _, f := range flags {
		names = append(names, f.Name)
	}
	require.Contains(t, names, name)
	require.Contains(t, names, flagOn)
	require.IsIncreasing(t, names)

	recent, err := audit.New(b.db).Recent(ctx, 200)
	require.NoError(t, err)
	var changes []audit.Change
	for _, l := range recent {
		if l.Kind == audit.KindSetting && l.Action == settings.ActionFlag && l.Summary == flagSync {
			changes = append(changes, l.Changes...)
		}
	}
	require.Equal(t, []audit.Change{
		{Field: flagSync, Old: "true", New: "false"},
		{Field: flagSync, Old: "false", New: "true"},
	}, changes)
}

// Two services over one database and one Redis, as on two servers: a change
// made on one is seen by the other once the message arrives, and not
// before; without a message, the TTL is the safety net.
func TestSecondInstanceSeesChange(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	rdb, prefix := testenv.Redis(t)
	log := testenv.Logger(t)
	admin := user(t, sqlDB, actor.RoleAdmin)
	clockA, clockB := &clock{t: start}, &clock{t: start}
	busA, busB := live.NewBus(rdb, prefix, log), live.NewBus(rdb, prefix, log)
	a := settings.New(sqlDB, opts(), busA, log, clockA.now)
	b := settings.New(sqlDB, opts(), busB, log, clockB.now)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	subscribed := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		busB.Listen(ctx, func(c live.Change) {
			b.Changed(c.Topic) // as every instance's listener does
			// The first call is TopicAll, once subscribed: it drops the
			// cache too, so the test starts after it.
			once.Do(func() { close(subscribed) })
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-subscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("b never subscribed")
	}

	tagline := func() string {
		s, err := b.Get(t.Context())
		require.NoError(t, err)
		return s.Tagline("en").Value
	}
	before := tagline()
	// Changed behind both services' backs: b keeps serving its copy.
	_, err := sqlDB.ExecContext(t.Context(), `INSERT INTO settings (name, value) VALUES (?, 'behind the back')
		ON DUPLICATE KEY UPDATE value = VALUES(value)`, settings.ClubTagline)
	require.NoError(t, err)
	require.Equal(t, before, tagline(), "served from the cache")

	e, err := a.Set(t.Context(), admin, settings.ClubTagline, entry(t, a, settings.ClubTagline).Version, "Music in the dark")
	require.NoError(t, err)
	require.Equal(t, "Music in the dark", e.Value)
	require.Eventually(t, func() bool { return tagline() == "Music in the dark" }, 5*time.Second, 10*time.Millisecond,
		"b dropped its cache when a's change arrived")

	// Many readers at once, while the cache is dropped again and again.
	var wg sync.WaitGroup
	errs := make(chan error, 8*20)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				b.Invalidate()
				_, err := b.Get(t.Context())
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	// A lost message: the TTL brings the change in anyway.
	_, err = sqlDB.ExecContext(t.Context(), `UPDATE settings SET value = 'lost message' WHERE name = ?`, settings.ClubTagline)
	require.NoError(t, err)
	require.Equal(t, "Music in the dark", tagline())
	clockB.add(settings.DefaultTTL - time.Second)
	require.Equal(t, "Music in the dark", tagline(), "still fresh")
	clockB.add(2 * time.Second)
	require.Equal(t, "lost message", tagline(), "expired")
}

// When the database is gone, Enabled answers from the last copy it had, or
// the flag's default, and never fails the request.
func TestEnabledWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	sqlDB, err := db.Open(t.Context(), testenv.DSN(t), 2)
	require.NoError(t, err)
	svc := settings.New(sqlDB, opts(), live.Discard{}, testenv.Logger(t), time.Now)
	cold := settings.New(sqlDB, opts(), live.Discard{}, testenv.Logger(t), time.Now)
	require.True(t, svc.Enabled(t.Context(), flagOn))
	require.NoError(t, sqlDB.Close())
	svc.Invalidate()
	_, err = svc.Get(t.Context())
	require.Error(t, err)
	require.True(t, svc.Enabled(t.Context(), flagOn), "the last copy")
	require.True(t, cold.Enabled(t.Context(), flagOn), "the default")
	require.False(t, cold.Enabled(t.Context(), flagOff), "the default")
}

// Every message the package returns or names exists in English and German.
func TestMessagesAreTranslated(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	ids := []string{
		settings.MsgRequired, settings.MsgTooLong, settings.MsgInvalidUTF8, settings.MsgControlChars,
		settings.MsgNotANumber, settings.MsgOutOfRange, settings.MsgURLInvalid,
	}
	svc := settings.New(testenv.DB(t), opts(), live.Discard{}, testenv.Logger(t), time.Now)
	list, err := svc.List(t.Context())
	require.NoError(t, err)
	args := map[string]any{"Max": 1, "Min": 1}
	for _, id := range ids {
		for _, lang := range []string{"en", "de"} {
			require.Contains(t, bundle.MessageIDs(lang), id, lang)
			require.NotContains(t, bundle.T(lang, id, args), "<no value>", id)
		}
	}
	for _, e := range list {
		for _, m := range []apperr.Message{e.Label, e.Help} {
			for _, lang := range []string{"en", "de"} {
				require.Contains(t, bundle.MessageIDs(lang), m.ID, lang)
				require.NotContains(t, bundle.T(lang, m.ID, m.Args), "<no value>", m.ID)
			}
		}
	}
}
