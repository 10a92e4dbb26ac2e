package locations_test

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
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/testenv"
)

// recorder remembers the topics a service publishes.
type recorder = testenv.Published

var (
	editor = actor.Actor{Role: actor.RoleEditor}
	member = actor.Actor{Role: actor.RoleMember}
	artist = actor.Actor{Role: actor.RoleArtist, ArtistID: 1}
)

type bundle struct {
	svc   *locations.Service
	pub   *recorder
	sqlDB *sql.DB
	now   time.Time
}

func setup(t *testing.T) bundle {
	t.Helper()
	b := bundle{pub: &recorder{}, sqlDB: testenv.DB(t), now: time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC)}
	b.svc = locations.New(b.sqlDB, []string{"en", "de"}, func() time.Time { return b.now }, b.pub, testenv.Logger(t))
	return b
}

func input(name string) locations.LocationInput {
	return locations.LocationInput{Texts: map[string]locations.Text{
		"en": {Name: name, Tagline: "Deep and dark", Description: "Line one\nLine two"},
		"de": {Name: name + " DE"},
	}}
}

func requireField(t *testing.T, err error, field, msg string) {
	t.Helper()
	inv, ok := errors.AsType[*apperr.Invalid](err)
	require.Truef(t, ok, "want *apperr.Invalid, got %v", err)
	require.Containsf(t, inv.Fields, field, "fields: %v", inv)
	if msg != "" {
		require.Equal(t, msg, inv.Fields[field].ID)
	}
}

func image(t *testing.T, sqlDB *sql.DB, contentType string) int64 {
	t.Helper()
	res, err := sqlDB.ExecContext(t.Context(), "INSERT INTO media (sha256, content_type, size_bytes) VALUES (?, ?, 10)", testenv.Unique("m"), contentType)
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	return id
}

func TestCreate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tag := testenv.Unique("t")
	d, err := b.svc.Create(t.Context(), editor, input("Grüne Höhle "+tag))
	require.NoError(t, err)
	require.Equal(t, "gruene-hoehle-"+tag, d.Slug)
	require.Equal(t, int32(1), d.Version)
	require.Equal(t, locations.Theme{Background: "#0d0b1a", Surface: "#1a1630", Text: "#f3efff", Accent: "#b18cff"}, d.Theme, "defaults")
	require.Equal(t, "none", d.StreamKind)
	require.Equal(t, locations.Screen{Layout: "split", DaysAhead: 7, RotateSeconds: 20, Panels: locations.Panels(), Announcements: map[string]string{}}, d.Screen)
	require.Equal(t, "Line one\nLine two", d.Texts["en"].Description)
	require.False(t, d.HasNowPlayingToken)
	require.Equal(t, []string{live.LocationTopic(d.Slug, ""), live.LocationTopic(d.Slug, "screen"), live.TopicLocations}, b.pub.Take())

	// The public side sees it at once.
	got, err := b.svc.Get(t.Context(), "de", d.Slug)
	require.NoError(t, err)
	require.Equal(t, "Grüne Höhle "+tag+" DE", got.Name.Value)

	entries, err := audit.New(b.sqlDB).ForEntity(t.Context(), audit.KindLocation, d.ID, 5)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, locations.ActionCreate, entries[0].Action)

	// Same name, next slug; the slug never follows later renames.
	d2, err := b.svc.Create(t.Context(), editor, input("Grüne Höhle "+tag))
	require.NoError(t, err)
	require.Equal(t, "gruene-hoehle-"+tag+"-2", d2.Slug)
	d2, err = b.svc.Patch(t.Context(), editor, d2.ID, d2.Version, "name.en", "Renamed "+tag)
	require.NoError(t, err)
	require.Equal(t, "gruene-hoehle-"+tag+"-2", d2.Slug)
}

func TestCreateRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pdf := image(t, b.sqlDB, "application/pdf")
	cases := []struct {
		name  string
		edit  func(in *locations.LocationInput)
		field string
		msg   string
	}{
		{"no default name", func(in *locations.LocationInput) { in.Texts = map[string]locations.Text{"de": {Name: "Nur Deutsch"}} }, "name.en", locations.MsgNameRequired},
		{"name too long", func(in *locations.LocationInput) { in.Texts["en"] = locations.Text{Name: strings.Repeat("n", 201)} }, "name.en", "error.content.too_long"},
		{"10 MB description", func(in *locations.LocationInput) {
			in.Texts["de"] = locations.Text{Name: "x", Description: strings.Repeat("d", 10<<20)}
		}, "description.de", "error.content.too_long"},
		{"invalid utf-8 tagline", func(in *locations.LocationInput) { in.Texts["en"] = locations.Text{Name: "x", Tagline: "\xff"} }, "tagline.en", "error.content.invalid_utf8"},
		{"line break in name", func(in *locations.LocationInput) { in.Texts["en"] = locations.Text{Name: "a\nb"} }, "name.en", "error.content.no_line_breaks"},
		{"unknown language", func(in *locations.LocationInput) { in.Texts["xx"] = locations.Text{Name: "x"} }, "name.xx", "error.content.unknown_language"},
		{"short colour", func(in *locations.LocationInput) { in.Theme.Accent = "#fff" }, "theme.accent", locations.MsgBadColour},
		{"css injection", func(in *locations.LocationInput) { in.Theme.Background = "#000000;background:url(x)" }, "theme.background", locations.MsgBadColour},
		{"named colour", func(in *locations.LocationInput) { in.Theme.Text = "white" }, "theme.text", locations.MsgBadColour},
		{"low contrast", func(in *locations.LocationInput) {
			in.Theme = locations.Theme{Background: "#777777", Surface: "#000000", Text: "#888888", Accent: "#ffffff"}
		}, "theme.text", locations.MsgLowContrast},
		{"low contrast on the surface", func(in *locations.LocationInput) {
			in.Theme = locations.Theme{Background: "#000000", Surface: "#eeeeee", Text: "#ffffff", Accent: "#ffffff"}
		}, "theme.text", locations.MsgLowContrast},
		{"unknown stream kind", func(in *locations.LocationInput) { in.StreamKind = "hls" }, "stream_kind", locations.MsgUnknownStreamKind},
		{"icecast without status", func(in *locations.LocationInput) { in.StreamKind = "icecast" }, "stream_kind", locations.MsgStatusURLRequired},
		{"javascript status url", func(in *locations.LocationInput) { in.StreamStatusURL = "javascript:alert(1)" }, "stream_status_url", "error.content.bad_url"},
		{"long listen url", func(in *locations.LocationInput) {
			in.StreamListenURL = "https://x.example/" + strings.Repeat("a", 500)
		}, "stream_listen_url", "error.content.too_long"},
		{"bad teleport", func(in *locations.LocationInput) { in.TeleportURL = "javascript:alert(1)" }, "teleport_url", locations.MsgBadTeleport},
		{"teleport with quotes", func(in *locations.LocationInput) { in.TeleportURL = `secondlife://R/1/2/3"onclick="x` }, "teleport_url", locations.MsgBadTeleport},
		{"unknown layout", func(in *locations.LocationInput) { in.Screen.Layout = "grid" }, "screen.layout", locations.MsgUnknownLayout},
		{"days too many", func(in *locations.LocationInput) { in.Screen.DaysAhead = 61 }, "screen.days_ahead", "error.content.number_range"},
		{"rotation too fast", func(in *locations.LocationInput) { in.Screen.RotateSeconds = 4 }, "screen.rotate_seconds", "error.content.number_range"},
		{"negative position", func(in *locations.LocationInput) { in.Position = -1 }, "position", "error.content.number_range"},
		{"unknown background", func(in *locations.LocationInput) { in.BackgroundMediaID = 1 << 50 }, "background", "error.content.unknown_image"},
		{"background not an image", func(in *locations.LocationInput) { in.BackgroundMediaID = pdf }, "background", "error.content.unknown_image"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := testenv.Unique("Rule")
			in := input(name)
			tc.edit(&in)
			_, err := b.svc.Create(t.Context(), editor, in)
			requireField(t, err, tc.field, tc.msg)
			var n int
			require.NoError(t, b.sqlDB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM location_translations WHERE name LIKE ?", name+"%").Scan(&n))
			require.Zero(t, n, "a refused create writes nothing")
		})
	}

	// Valid extremes pass, and hostile text is stored as typed.
	tag := testenv.Unique("t")
	hostile := `<script>alert(1)</script>"'` + tag
	in := input(hostile)
	in.Texts["en"] = locations.Text{Name: hostile, Tagline: hostile, Description: hostile}
	in.StreamKind, in.StreamStatusURL = "icecast", "http://127.0.0.1:8000/status-json.xsl"
	in.TeleportURL = "secondlife://Dreamers%20Cave/128/128/25"
	in.Theme = locations.Theme{Background: "#FFFFFF", Surface: "#f4f4f4", Text: "#111111", Accent: "#AA0000"}
	in.Screen = locations.Screen{Layout: "now-playing", DaysAhead: 60, RotateSeconds: 3600}
	d, err := b.svc.Create(t.Context(), editor, in)
	require.NoError(t, err)
	require.Equal(t, hostile, d.Texts["en"].Name)
	require.Equal(t, hostile, d.Texts["en"].Description)
	require.Equal(t, "#ffffff", d.Theme.Background, "colours are stored in lower case")
	require.Equal(t, "secondlife://Dreamers%20Cave/128/128/25", d.TeleportURL)
}

func TestPatchFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	img := image(t, b.sqlDB, "image/png")
	cases := []struct {
		field, value string
		errField     string
		msg          string
		check        func(t *testing.T, d locations.Draft)
	}{
		{"name.en", " New name ", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, "New name", d.Texts["en"].Name) }},
		{"name.en", "", "name.en", locations.MsgNameRequired, nil},
		{"name.de", "", "", "", func(t *testing.T, d locations.Draft) { require.NotContains(t, d.Texts, "de") }},
		{"tagline.de", "Tief", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, "Tief", d.Texts["de"].Tagline) }},
		{"description.en", "<img src=x onerror=alert(1)>", "", "", func(t *testing.T, d locations.Draft) {
			require.Equal(t, "<img src=x onerror=alert(1)>", d.Texts["en"].Description)
		}},
		{"description.en", "\xfe", "description.en", "error.content.invalid_utf8", nil},
		{"name.fr", "x", "name.fr", "error.content.unknown_language", nil},
		{"theme.accent", "#00FF00", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, "#00ff00", d.Theme.Accent) }},
		{"theme.accent", "green", "theme.accent", locations.MsgBadColour, nil},
		{"theme.background", "#f0f0f0", "theme.background", locations.MsgLowContrast, nil},
		{"theme.surface", "#eeeeee", "theme.surface", locations.MsgLowContrast, nil},
		{"theme.text", "#222222", "theme.text", locations.MsgLowContrast, nil},
		{"theme.text", "#ffffff", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, "#ffffff", d.Theme.Text) }},
		{"background", fmt.Sprint(img), "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, img, d.BackgroundMediaID) }},
		{"background", "x", "background", "error.content.unknown_image", nil},
		{"stream_kind", "push", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, "push", d.StreamKind) }},
		{"stream_kind", "shoutcast", "stream_kind", locations.MsgStatusURLRequired, nil},
		{"stream_kind", "rtmp", "stream_kind", locations.MsgUnknownStreamKind, nil},
		{"stream_status_url", "https://radio.example/status", "", "", func(t *testing.T, d locations.Draft) {
			require.Equal(t, "https://radio.example/status", d.StreamStatusURL)
		}},
		{"stream_status_url", "file:///etc/passwd", "stream_status_url", "error.content.bad_url", nil},
		{"stream_listen_url", "http://127.0.0.1:8010/stream", "", "", func(t *testing.T, d locations.Draft) {
			require.Equal(t, "http://127.0.0.1:8010/stream", d.StreamListenURL)
		}},
		{"teleport_url", "https://maps.secondlife.com/secondlife/R/1/2/3", "", "", func(t *testing.T, d locations.Draft) {
			require.Equal(t, "https://maps.secondlife.com/secondlife/R/1/2/3", d.TeleportURL)
		}},
		{"teleport_url", "secondlife://", "teleport_url", locations.MsgBadTeleport, nil},
		{"screen.layout", "schedule", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, "schedule", d.Screen.Layout) }},
		{"screen.layout", "<b>", "screen.layout", locations.MsgUnknownLayout, nil},
		{"screen.days_ahead", "14", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, 14, d.Screen.DaysAhead) }},
		{"screen.days_ahead", "0", "screen.days_ahead", "error.content.number_range", nil},
		{"screen.days_ahead", "seven", "screen.days_ahead", "error.content.bad_number", nil},
		{"screen.rotate_seconds", "3601", "screen.rotate_seconds", "error.content.number_range", nil},
		{"position", "3", "", "", func(t *testing.T, d locations.Draft) { require.Equal(t, 3, d.Position) }},
		{"position", "1e3", "position", "error.content.bad_number", nil},
		{"slug", "new-slug", "slug", "error.content.unknown_field", nil},
		{"theme", "#000000", "theme", "error.content.unknown_field", nil},
		{"now_playing_token", "x", "now_playing_token", "error.content.unknown_field", nil},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", i, tc.field), func(t *testing.T) {
			t.Parallel()
			d, err := b.svc.Create(t.Context(), editor, input(testenv.Unique("Patch")))
			require.NoError(t, err)
			got, err := b.svc.Patch(t.Context(), editor, d.ID, d.Version, tc.field, tc.value)
			if tc.errField == "" {
				require.NoError(t, err)
				require.Equal(t, d.Version+1, got.Version)
				tc.check(t, got)
				return
			}
			requireField(t, err, tc.errField, tc.msg)
			after, err := b.svc.AdminGet(t.Context(), d.ID)
			require.NoError(t, err)
			require.Equal(t, d, after, "a refused patch writes nothing")
		})
	}
}

func TestThemeChangesAtOnceThroughUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(testenv.Unique("Theme")))
	require.NoError(t, err)
	// Dark to light one colour at a time passes through unreadable pairs...
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "theme.background", "#ffffff")
	requireField(t, err, "theme.background", locations.MsgLowContrast)
	// ...the whole form changes them together.
	in := input(d.Texts["en"].Name)
	in.Theme = locations.Theme{Background: "#ffffff", Surface: "#f2f2f2", Text: "#1a1a1a", Accent: "#7a2cff"}
	in.StreamKind, in.Screen = d.StreamKind, d.Screen
	u, err := b.svc.Update(t.Context(), editor, d.ID, d.Version, in)
	require.NoError(t, err)
	require.True(t, u.Theme.Light())
	require.Equal(t, d.Version+1, u.Version)
}

func TestConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(testenv.Unique("Tabs")))
	require.NoError(t, err)
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "tagline.en", "First")
	require.NoError(t, err)
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "tagline.en", "Second")
	require.ErrorIs(t, err, apperr.ErrConflict)
	again, err := b.svc.Patch(t.Context(), editor, d.ID, d.Version, "tagline.en", "First")
	require.NoError(t, err, "a double submit of what is there is no conflict")
	require.Equal(t, "First", again.Texts["en"].Tagline)
	require.Equal(t, d.Version+1, again.Version)
	err = b.svc.Delete(t.Context(), editor, d.ID, d.Version)
	require.ErrorIs(t, err, apperr.ErrConflict)
}

func TestTopics(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(testenv.Unique("Topics")))
	require.NoError(t, err)
	b.pub.Take()
	d, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "screen.days_ahead", "3")
	require.NoError(t, err)
	require.Equal(t, []string{live.LocationTopic(d.Slug, ""), live.LocationTopic(d.Slug, "screen"), live.TopicLocations}, b.pub.Take())
	d, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "stream_kind", "push")
	require.NoError(t, err)
	require.Contains(t, b.pub.Take(), live.LocationTopic(d.Slug, "now-playing"))
	_, err = b.svc.Patch(t.Context(), editor, d.ID, d.Version, "name.de", "Neu")
	require.NoError(t, err)
	require.Subset(t, b.pub.TakeChanges(), []live.Change{
		{Topic: live.TopicEvents}, // the programme's id names one event, 0 any
		{Topic: live.LocationTopic(d.Slug, "schedule"), ID: d.ID},
	}, "event cards show the venue's name")
}

func TestNowPlayingToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, input(testenv.Unique("Token")))
	require.NoError(t, err)
	_, err = b.svc.RotateNowPlayingToken(ctx, member, d.ID)
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = b.svc.RotateNowPlayingToken(ctx, editor, 1<<50)
	require.ErrorIs(t, err, apperr.ErrNotFound)

	first, err := b.svc.RotateNowPlayingToken(ctx, editor, d.ID)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(first), 40)
	id, slug, err := b.svc.ByNowPlayingToken(ctx, first)
	require.NoError(t, err)
	require.Equal(t, [2]any{d.ID, d.Slug}, [2]any{id, slug})

	second, err := b.svc.RotateNowPlayingToken(ctx, editor, d.ID)
	require.NoError(t, err)
	require.NotEqual(t, first, second)
	_, _, err = b.svc.ByNowPlayingToken(ctx, first)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the old token stops working at once")
	_, _, err = b.svc.ByNowPlayingToken(ctx, "")
	require.ErrorIs(t, err, apperr.ErrNotFound)

	var stored string
	require.NoError(t, b.sqlDB.QueryRowContext(ctx, "SELECT now_playing_token_sha256 FROM locations WHERE id = ?", d.ID).Scan(&stored))
	require.Equal(t, locations.NowPlayingTokenHash(second), stored)
	require.NotContains(t, stored, second)
	got, err := b.svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.True(t, got.HasNowPlayingToken)
	require.True(t, got.NowPlayingTokenRotatedAt.Equal(b.now))
	require.Equal(t, d.Version, got.Version, "the token is not part of the edited form")

	entries, err := audit.New(b.sqlDB).ForEntity(ctx, audit.KindLocation, d.ID, 5)
	require.NoError(t, err)
	require.Equal(t, locations.ActionRotateToken, entries[0].Action)
	for _, e := range entries {
		for _, c := range e.Changes {
			require.NotContains(t, c.Old+c.New, first)
			require.NotContains(t, c.Old+c.New, second)
		}
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	q := db.New(b.sqlDB)
	d, err := b.svc.Create(ctx, editor, input(testenv.Unique("Busy")))
	require.NoError(t, err)
	loc := testenv.LocationRow{ID: d.ID, Slug: d.Slug}
	testenv.Event(t, q, testenv.EventOpts{Location: loc})
	testenv.Event(t, q, testenv.EventOpts{Location: loc, Start: b.now.AddDate(-1, 0, 0)})
	err = b.svc.Delete(ctx, editor, d.ID, d.Version)
	requireField(t, err, "events", locations.MsgHasEvents)
	inv, _ := errors.AsType[*apperr.Invalid](err)
	require.Equal(t, int64(2), inv.Fields["events"].Args["Count"])
	_, err = b.svc.AdminGet(ctx, d.ID)
	require.NoError(t, err, "still there")

	empty, err := b.svc.Create(ctx, editor, input(testenv.Unique("Empty")))
	require.NoError(t, err)
	require.ErrorIs(t, b.svc.Delete(ctx, member, empty.ID, empty.Version), apperr.ErrForbidden)
	b.pub.Take()
	require.NoError(t, b.svc.Delete(ctx, editor, empty.ID, empty.Version))
	_, err = b.svc.AdminGet(ctx, empty.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.Contains(t, b.pub.Take(), live.TopicLocations)
	require.ErrorIs(t, b.svc.Delete(ctx, editor, empty.ID, empty.Version), apperr.ErrNotFound)

	list, err := b.svc.AdminList(ctx, "de")
	require.NoError(t, err)
	var found bool
	for _, l := range list {
		require.NotEqual(t, empty.ID, l.ID)
		if l.ID == d.ID {
			found = true
			require.Equal(t, 2, l.EventCount)
			require.Equal(t, d.Texts["de"].Name, l.Name.Value)
		}
	}
	require.True(t, found)
}

func TestRoles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(testenv.Unique("Roles")))
	require.NoError(t, err)
	for _, a := range []actor.Actor{{}, member, artist} {
		_, err := b.svc.Create(t.Context(), a, input(testenv.Unique("Nope")))
		require.ErrorIs(t, err, apperr.ErrForbidden)
		_, err = b.svc.Patch(t.Context(), a, d.ID, d.Version, "name.en", "Mine")
		require.ErrorIs(t, err, apperr.ErrForbidden)
		_, err = b.svc.Update(t.Context(), a, d.ID, d.Version, input("Mine"))
		require.ErrorIs(t, err, apperr.ErrForbidden)
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d, err := b.svc.Create(t.Context(), editor, input(testenv.Unique("Survivor")))
	require.NoError(t, err)
	b.pub.Take()
	// Refuse the audit entry of this venue: the last step of a write.
	name := strings.ReplaceAll(testenv.Unique("fail_audit"), "-", "_")
	_, err = b.sqlDB.ExecContext(t.Context(), fmt.Sprintf(
		"CREATE TRIGGER %s BEFORE INSERT ON audit_log FOR EACH ROW BEGIN "+
			"IF NEW.entity_kind = 'location' AND NEW.entity_id = %d THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused'; END IF; END",
		name, d.ID))
	require.NoError(t, err)
	t.Cleanup(func() { b.sqlDB.ExecContext(context.Background(), "DROP TRIGGER IF EXISTS "+name) })

	in := input("Changed")
	in.Theme = locations.Theme{Background: "#000000", Surface: "#111111", Text: "#ffffff", Accent: "#ff00ff"}
	in.Texts["de"] = locations.Text{}
	in.StreamKind, in.Screen = d.StreamKind, d.Screen
	_, err = b.svc.Update(t.Context(), editor, d.ID, d.Version, in)
	require.ErrorContains(t, err, "audit refused")
	after, err := b.svc.AdminGet(t.Context(), d.ID)
	require.NoError(t, err)
	require.Equal(t, d, after)
	require.Empty(t, b.pub.Take())
	require.ErrorContains(t, b.svc.Delete(t.Context(), editor, d.ID, d.Version), "audit refused")
	_, err = b.svc.AdminGet(t.Context(), d.ID)
	require.NoError(t, err, "a delete whose audit entry fails deletes nothing")
}

func TestCreateKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := input(testenv.Unique("Twice"))
	in.CreateKey = testenv.Unique("form")
	var wg sync.WaitGroup
	got := make([]locations.Draft, 3)
	errs := make([]error, 3)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = b.svc.Create(t.Context(), editor, in) })
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		require.Equal(t, got[0].ID, got[i].ID, "a double-submitted form makes one venue")
	}
}
