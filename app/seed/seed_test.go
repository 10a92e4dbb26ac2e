// The database tests live in package seed_test: testenv imports seed, so
// package seed itself cannot import testenv.
package seed_test

import (
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/seed"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// testNow is 03:00 SLT on a Wednesday: no weekly slot runs then, so seeding
// has to put Open Decks on to keep "happening now" filled.
var testNow = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

func TestSeed(t *testing.T) {
	sqlDB := testenv.DB(t)
	ctx := t.Context()

	seeded, err := seed.IfEmpty(ctx, sqlDB, testNow)
	require.NoError(t, err)
	require.True(t, seeded, "first IfEmpty seeds")
	seeded, err = seed.IfEmpty(ctx, sqlDB, testNow)
	require.NoError(t, err)
	require.False(t, seeded, "second IfEmpty leaves the content alone")

	count := func(t *testing.T, query string, args ...any) int {
		t.Helper()
		var n int
		require.NoError(t, sqlDB.QueryRowContext(ctx, query, args...).Scan(&n), query)
		return n
	}
	from, to := testNow.AddDate(0, 0, -42), testNow.AddDate(0, 0, 42)

	t.Run("counts", func(t *testing.T) {
		t.Parallel()
		require.GreaterOrEqual(t, count(t, `SELECT COUNT(*) FROM locations`), 4)
		require.GreaterOrEqual(t, count(t, `SELECT COUNT(*) FROM artists`), 20)
		require.GreaterOrEqual(t, count(t, `SELECT COUNT(*) FROM events WHERE starts_at >= ? AND starts_at <= ?`, from, to), 80)
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events WHERE starts_at < ? OR starts_at > ?`, from, to))
		require.Equal(t, 3, count(t, `SELECT COUNT(*) FROM events WHERE NOT published`))
		require.Equal(t, 4, count(t, `SELECT COUNT(*) FROM blog_categories`))
	})

	t.Run("blog visibility", func(t *testing.T) {
		t.Parallel()
		visible := `SELECT COUNT(*) FROM blog_posts WHERE status IN ('published', 'scheduled') AND publish_at <= ?`
		require.GreaterOrEqual(t, count(t, visible, testNow), 10)
		require.Zero(t, count(t, `SELECT COUNT(*) FROM blog_posts WHERE status = 'published' AND publish_at < ?`,
			testNow.AddDate(0, -2, -1)), "published within the past two months")
		require.Equal(t, 1, count(t, `SELECT COUNT(*) FROM blog_posts WHERE status = 'scheduled' AND publish_at > ?`,
			testNow.Add(48*time.Hour)), "one scheduled post, days ahead")
		require.Equal(t, 1, count(t, `SELECT COUNT(*) FROM blog_posts WHERE status = 'draft' AND publish_at IS NULL`))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM blog_posts p WHERE NOT EXISTS (
			SELECT 1 FROM blog_post_categories c WHERE c.post_id = p.id)`), "every post has a category")
		require.Equal(t, 1, count(t, `SELECT COUNT(*) FROM blog_post_translations WHERE lang = 'en'
			AND body_markdown LIKE '%<script>alert(1)</script>%'`))
	})

	t.Run("translations", func(t *testing.T) {
		t.Parallel()
		missing := func(lang, parent, table, fk string) int {
			return count(t, `SELECT COUNT(*) FROM `+parent+` p WHERE NOT EXISTS (
				SELECT 1 FROM `+table+` tr WHERE tr.`+fk+` = p.id AND tr.lang = ?)`, lang)
		}
		for _, tc := range []struct {
			parent, table, fk string
			missingDE         int
		}{
			{"locations", "location_translations", "location_id", 0},
			{"artists", "artist_translations", "artist_id", 2},
			{"events", "event_translations", "event_id", 6},
			{"blog_categories", "blog_category_translations", "category_id", 0},
			{"blog_posts", "blog_post_translations", "post_id", 2},
		} {
			require.Zero(t, missing("en", tc.parent, tc.table, tc.fk), "%s without English", tc.parent)
			require.Equal(t, tc.missingDE, missing("de", tc.parent, tc.table, tc.fk), "%s without German", tc.parent)
		}
	})

	t.Run("now and next", func(t *testing.T) {
		t.Parallel()
		require.GreaterOrEqual(t, count(t, `SELECT COUNT(*) FROM events
			WHERE published AND starts_at < ? AND ends_at > ?`, testNow, testNow), 1, "an event is on now")
		require.GreaterOrEqual(t, count(t, `SELECT COUNT(*) FROM events
			WHERE published AND starts_at > ? AND starts_at <= ?`, testNow, testNow.Add(48*time.Hour)), 5)
	})

	t.Run("lineups", func(t *testing.T) {
		t.Parallel()
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events e
			WHERE (SELECT COUNT(*) FROM event_artists ea WHERE ea.event_id = e.id) NOT BETWEEN 1 AND 4`))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM event_artists ea JOIN events e ON e.id = ea.event_id
			WHERE ea.set_starts_at IS NULL OR ea.set_ends_at IS NULL
			   OR ea.set_starts_at < e.starts_at OR ea.set_ends_at > e.ends_at
			   OR ea.set_starts_at >= ea.set_ends_at`), "sets lie within their events")
		require.Zero(t, count(t, `SELECT COUNT(*) FROM event_artists a JOIN event_artists b
			ON a.event_id = b.event_id AND a.artist_id < b.artist_id
			WHERE a.set_starts_at < b.set_ends_at AND b.set_starts_at < a.set_ends_at`), "sets do not overlap")
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events e
			WHERE TIMESTAMPDIFF(SECOND, e.starts_at, e.ends_at) <> (
				SELECT SUM(TIMESTAMPDIFF(SECOND, ea.set_starts_at, ea.set_ends_at))
				FROM event_artists ea WHERE ea.event_id = e.id)`), "sets fill their events")
		require.Zero(t, count(t, `SELECT COUNT(*) FROM artists a
			WHERE NOT EXISTS (SELECT 1 FROM event_artists ea WHERE ea.artist_id = a.id)`), "every artist plays")
		require.Zero(t, count(t, `SELECT COUNT(*) FROM artists a WHERE (
			SELECT COUNT(*) FROM artist_links l WHERE l.artist_id = a.id) NOT BETWEEN 1 AND 3`))
	})

	t.Run("event slugs", func(t *testing.T) {
		t.Parallel()
		rows, err := sqlDB.QueryContext(ctx, `SELECT slug FROM events`)
		require.NoError(t, err)
		defer rows.Close()
		pattern := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}(-\d+)?$`)
		for rows.Next() {
			var slug string
			require.NoError(t, rows.Scan(&slug))
			require.Regexp(t, pattern, slug)
		}
		require.NoError(t, rows.Err())
	})

	t.Run("now playing", func(t *testing.T) {
		t.Parallel()
		streams := count(t, `SELECT COUNT(*) FROM locations WHERE stream_kind <> 'none'`)
		require.Positive(t, streams)
		require.Equal(t, streams, count(t, `SELECT COUNT(*) FROM now_playing np JOIN locations l ON l.id = np.location_id
			WHERE np.source = l.stream_kind AND np.started_at < ? AND np.started_at > ?`,
			testNow, testNow.Add(-10*time.Minute)))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM locations l WHERE l.stream_kind <> 'none' AND (
			SELECT COUNT(*) FROM now_playing_history h WHERE h.location_id = l.id) NOT BETWEEN 5 AND 10`))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM now_playing_history h JOIN now_playing np ON np.location_id = h.location_id
			WHERE h.ended_at IS NULL OR h.ended_at > np.started_at OR h.started_at >= h.ended_at`))
	})

	t.Run("settings", func(t *testing.T) {
		t.Parallel()
		var name string
		require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'club.name'`).Scan(&name))
		require.Equal(t, "The Dreamer's Cave", name)
		var screens, patreon bool
		require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT
			(SELECT enabled FROM feature_flags WHERE name = 'screens.enabled'),
			(SELECT enabled FROM feature_flags WHERE name = 'patreon.enabled')`).Scan(&screens, &patreon))
		require.True(t, screens)
		require.False(t, patreon)
	})

	t.Run("theme contrast", func(t *testing.T) {
		t.Parallel()
		rows, err := sqlDB.QueryContext(ctx, `SELECT slug, theme_background, theme_surface, theme_text, theme_accent FROM locations`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var slug string
			var background, surface, text, accent string
			require.NoError(t, rows.Scan(&slug, &background, &surface, &text, &accent))
			hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
			for _, c := range []string{background, surface, text, accent} {
				require.Regexp(t, hex, c, slug)
			}
			// WCAG: AAA for text, AA for the accent.
			require.GreaterOrEqual(t, contrast(text, background), 7.0, "%s: text on background", slug)
			require.GreaterOrEqual(t, contrast(text, surface), 7.0, "%s: text on surface", slug)
			require.GreaterOrEqual(t, contrast(accent, background), 4.5, "%s: accent on background", slug)
		}
		require.NoError(t, rows.Err())
	})
}

// TestRunTwice checks that a second Run on a seeded database fails and leaves
// the first content as it was.
func TestRunTwice(t *testing.T) {
	sqlDB := testenv.DB(t)
	ctx := t.Context()
	// TestSeed may not have run (go test -run), so seed if needed first.
	_, err := seed.IfEmpty(ctx, sqlDB, testNow)
	require.NoError(t, err)
	var before int
	require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&before))

	require.Error(t, seed.Run(ctx, sqlDB, testNow))

	var after int
	require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&after))
	require.Equal(t, before, after)
}

func TestContrast(t *testing.T) {
	t.Parallel()
	require.InDelta(t, 21.0, contrast("#000000", "#ffffff"), 0.001)
	require.InDelta(t, 1.0, contrast("#777777", "#777777"), 0.001)
	// #767676 on white is the classic just-passing AA grey.
	require.InDelta(t, 4.54, contrast("#767676", "#ffffff"), 0.01)
}

// contrast is the WCAG 2 contrast ratio of two "#rrggbb" colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(1) + 0.7152*channel(3) + 0.0722*channel(5)
}
