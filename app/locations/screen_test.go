package locations_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
)

func TestScreenSettings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, input("Screen Cave"))
	require.NoError(t, err)
	require.Equal(t, locations.Panels(), d.Screen.Panels, "every panel by default")
	require.False(t, d.Screen.HasKey)
	b.pub.Take()

	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "screen.panels", " clock,now-playing ,clock")
	require.NoError(t, err)
	require.Equal(t, []string{"now-playing", "clock"}, d.Screen.Panels)
	require.Contains(t, b.pub.Take(), live.LocationTopic(d.Slug, "screen"))
	d, err = b.svc.Patch(ctx, editor, d.ID, d.Version, "screen.announcements.de", "  Erste\n\n Zweite  ")
	require.NoError(t, err)
	require.Equal(t, "Erste\nZweite", d.Screen.Announcements["de"])
	require.Contains(t, b.pub.Take(), live.LocationTopic(d.Slug, "screen"))

	// The public view: German lines for German, the default's (none) else.
	info, err := b.svc.Screen(ctx, "de", d.Slug)
	require.NoError(t, err)
	require.Equal(t, []string{"Erste", "Zweite"}, info.Announcements)
	require.True(t, info.Shows(locations.PanelClock))
	require.False(t, info.Shows(locations.PanelQR))
	require.False(t, info.Keyed())
	require.True(t, info.Admits(""))
	require.Equal(t, "screen", info.TopicPart())
	info, err = b.svc.Screen(ctx, "en", d.Slug)
	require.NoError(t, err)
	require.Empty(t, info.Announcements)
	_, err = b.svc.Screen(ctx, "en", "no-such-venue")
	require.ErrorIs(t, err, apperr.ErrNotFound)

	for _, tc := range []struct{ name, field, value, msg string }{
		{"unknown panel", "screen.panels", "clock,ticker", locations.MsgUnknownPanel},
		{"too many lines", "screen.announcements.en", strings.Repeat("a\n", locations.MaxAnnouncements+1), locations.MsgTooManyLines},
		{"long line", "screen.announcements.en", strings.Repeat("é", locations.MaxAnnouncementLine+1), locations.MsgAnnouncementLong},
		{"huge", "screen.announcements.en", strings.Repeat("x", 1<<20), locations.MsgTooManyLines},
		{"bad utf-8", "screen.announcements.en", "a\xffb", "error.content.invalid_utf8"},
		{"unknown language", "screen.announcements.fr", "Salut", "error.content.unknown_language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Patch(ctx, editor, d.ID, d.Version, tc.field, tc.value)
			requireField(t, err, tc.field, tc.msg)
		})
	}
	for _, who := range []actor.Actor{member, artist} {
		_, err := b.svc.Patch(ctx, who, d.ID, d.Version, "screen.panels", "clock")
		require.ErrorIs(t, err, apperr.ErrForbidden)
		_, err = b.svc.SetScreenKey(ctx, who, d.ID)
		require.ErrorIs(t, err, apperr.ErrForbidden)
		require.ErrorIs(t, b.svc.ClearScreenKey(ctx, who, d.ID), apperr.ErrForbidden)
	}
	after, err := b.svc.AdminGet(ctx, d.ID)
	require.NoError(t, err)
	require.Equal(t, d.Version, after.Version, "nothing half-written")
	require.Equal(t, d.Screen, after.Screen)
}

func TestScreenKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	d, err := b.svc.Create(ctx, editor, input("Keyed Cave"))
	require.NoError(t, err)
	b.pub.Take()
	key, err := b.svc.SetScreenKey(ctx, editor, d.ID)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(key), 24)
	require.Contains(t, b.pub.Take(), live.LocationTopic(d.Slug, "screen"))
	info, err := b.svc.Screen(ctx, "en", d.Slug)
	require.NoError(t, err)
	require.True(t, info.Keyed())
	require.True(t, info.Admits(key))
	for _, bad := range []string{"", key + "x", key[1:], strings.ToUpper(key)} {
		if bad != key {
			require.False(t, info.Admits(bad), bad)
		}
	}
	part := info.TopicPart()
	require.Regexp(t, `^screen-[0-9a-f]{24}$`, part)
	require.NotContains(t, part, key)
	require.NotContains(t, part, locations.ScreenKeyHash(key)[:24], "the topic is not the stored hash")

	// Only the hash is stored, and the audit log says only that it changed.
	var stored string
	require.NoError(t, b.sqlDB.QueryRowContext(ctx, "SELECT screen_key_sha256 FROM locations WHERE id = ?", d.ID).Scan(&stored))
	require.Equal(t, locations.ScreenKeyHash(key), stored)
	var changes string
	require.NoError(t, b.sqlDB.QueryRowContext(ctx,
		"SELECT COALESCE(detail, '') FROM audit_log WHERE entity_id = ? AND action = ? ORDER BY id DESC LIMIT 1", d.ID, locations.ActionSetScreenKey).Scan(&changes))
	require.NotContains(t, changes, key)
	require.NotContains(t, changes, stored)

	// A new key: the old one and its topic are out.
	key2, err := b.svc.SetScreenKey(ctx, editor, d.ID)
	require.NoError(t, err)
	info2, err := b.svc.Screen(ctx, "en", d.Slug)
	require.NoError(t, err)
	require.False(t, info2.Admits(key))
	require.True(t, info2.Admits(key2))
	require.NotEqual(t, part, info2.TopicPart())

	require.NoError(t, b.svc.ClearScreenKey(ctx, editor, d.ID))
	info3, err := b.svc.Screen(ctx, "en", d.Slug)
	require.NoError(t, err)
	require.False(t, info3.Keyed())
	require.Equal(t, "screen", info3.TopicPart())
	_, err = b.svc.SetScreenKey(ctx, editor, 1<<40)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}
