// The database tests live in package seed_test: testenv imports seed, so
// package seed itself cannot import testenv.
package seed_test

import (
	"database/sql"
	"math"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/seed"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/settings"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// testNow is 03:00 SLT on a Wednesday: no weekly slot runs then, so seeding
// has to put Open Decks on to keep "happening now" filled.
var testNow = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

func TestSeed(t *testing.T) {
	sqlDB := testenv.DB(t)
	ctx := t.Context()

	seeded, err := seed.IfEmpty(ctx, testenv.Services(t, sqlDB, testNow), sqlDB, testNow)
	require.NoError(t, err)
	require.True(t, seeded, "first IfEmpty seeds")
	seeded, err = seed.IfEmpty(ctx, testenv.Services(t, sqlDB, testNow), sqlDB, testNow)
	require.NoError(t, err)
	require.False(t, seeded, "second IfEmpty leaves the content alone")

	count := func(t *testing.T, query string, args ...any) int {
		t.Helper()
		return countRows(t, sqlDB, query, args...)
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

	// The slugs are the ones the seed made when it wrote rows directly;
	// tests, the demo posts' links and bookmarks use them.
	t.Run("slugs", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{`SELECT slug FROM locations`, []string{"crystal-grotto", "ember-lounge", "fern-hollow", "main-cave", "moonlit-lagoon"}},
			{`SELECT slug FROM artists`, []string{
				"astra-feldspar", "aurelio-sands", "baron-von-bassline", "cassius-moonwater", "dr-fennel", "emberly-vance",
				"frostbyte-collective", "glasswing", "hollow-meridian", "juniper-okafor", "kaito-hoshizora", "kitsune-drift",
				"linnea-sorby", "luma-vesper", "marisol-quinn", "mister-lowtide", "nyx-calloway", "ottoline-fairweather",
				"pixel-moth", "rook-halvorsen", "sable-and-thistle", "selene-marchetti", "tidecaller", "wren-abernathy",
			}},
			{`SELECT slug FROM blog_categories`, []string{"behind-the-scenes", "guides", "interviews", "news"}},
			{`SELECT slug FROM blog_posts WHERE status = 'published'`, []string{
				"a-tour-of-the-cave", "finding-us-in-second-life", "follow-artists-and-venues", "how-we-build-a-themed-party",
				"interview-hollow-meridian", "interview-luma-vesper", "interview-marisol-quinn", "screens-in-every-venue",
				"streaming-to-the-cave-checklist", "sunday-ambient-brunch-turns-one", "volunteer-hosts-wanted",
				"welcome-to-the-new-website", "what-we-do-with-html-in-posts",
			}},
			// Slugs of posts not yet public follow their titles.
			{`SELECT slug FROM blog_posts WHERE status <> 'published'`, []string{
				"coming-up-next-months-highlights", "draft-notes-for-the-summer-festival",
			}},
		} {
			require.Equal(t, tc.want, column(t, sqlDB, tc.query+` ORDER BY slug`), tc.query)
		}
	})

	// A published event's slug is its title and its date in club time,
	// fixed when it was published; a draft's follows its title.
	t.Run("event slugs", func(t *testing.T) {
		t.Parallel()
		zone, err := time.LoadLocation("America/Los_Angeles")
		require.NoError(t, err)
		rows, err := sqlDB.QueryContext(ctx, `SELECT e.slug, e.published, e.starts_at, t.title
			FROM events e JOIN event_translations t ON t.event_id = e.id AND t.lang = 'en'`)
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			var slug, title string
			var published bool
			var starts time.Time
			require.NoError(t, rows.Scan(&slug, &published, &starts, &title))
			want := content.Slug(title, "en", 80)
			if published {
				want += "-" + starts.In(zone).Format(time.DateOnly)
			}
			require.Regexp(t, "^"+regexp.QuoteMeta(want)+`(-\d+)?$`, slug)
			n++
		}
		require.NoError(t, rows.Err())
		require.Equal(t, count(t, `SELECT COUNT(*) FROM events`), n, "every event has an English title")
	})

	// The rules the events service enforces hold for the whole programme.
	t.Run("event rules", func(t *testing.T) {
		t.Parallel()
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events a JOIN events b
			ON a.location_id = b.location_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`),
			"no two events overlap at a venue")
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events WHERE SECOND(starts_at) <> 0 OR SECOND(ends_at) <> 0`))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM event_artists
			WHERE SECOND(set_starts_at) <> 0 OR SECOND(set_ends_at) <> 0`))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events WHERE allow_overlap OR cancelled_at IS NOT NULL`))
		require.Zero(t, count(t, `SELECT COUNT(*) FROM events
			WHERE published <> (first_published_at IS NOT NULL)`), "published events have been published once, drafts never")
	})

	// Every write went through a service: each left its audit entry.
	t.Run("audit", func(t *testing.T) {
		t.Parallel()
		audited := func(kind, action string) int {
			return count(t, `SELECT COUNT(DISTINCT entity_id) FROM audit_log
				WHERE entity_kind = ? AND action = ? AND user_id IS NULL`, kind, action)
		}
		require.Equal(t, count(t, `SELECT COUNT(*) FROM locations`), audited("location", "create"))
		require.Equal(t, count(t, `SELECT COUNT(*) FROM artists`), audited("artist", "create"))
		require.Equal(t, count(t, `SELECT COUNT(*) FROM events`), audited("event", "create"))
		require.Equal(t, count(t, `SELECT COUNT(*) FROM events WHERE published`), audited("event", "publish"))
		require.Equal(t, count(t, `SELECT COUNT(*) FROM blog_categories`), audited("category", "create"))
		require.Equal(t, count(t, `SELECT COUNT(*) FROM blog_posts`), audited("post", "create"))
		require.Equal(t, count(t, `SELECT COUNT(*) FROM blog_posts WHERE status = 'published'`), audited("post", "publish"))
		require.Equal(t, 1, audited("post", "schedule"))
	})

	t.Run("now playing", func(t *testing.T) {
		t.Parallel()
		streams := count(t, `SELECT COUNT(*) FROM locations WHERE stream_kind <> 'none'`)
		require.Positive(t, streams)
		// Nothing for the now-playing job to poll, and no link to a stream
		// server the demo does not run: `task run` stays quiet.
		polled, err := db.New(sqlDB).NowPlayingSources(ctx)
		require.NoError(t, err)
		require.Empty(t, polled)
		require.Zero(t, count(t, `SELECT COUNT(*) FROM locations WHERE stream_status_url <> '' OR stream_listen_url <> ''`))
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
		got, err := testenv.Services(t, sqlDB, testNow).Settings.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, "The Dreamer's Cave", got.Name("en").Value)
		require.Equal(t, "Live music and DJ sets in Second Life, every night of the week.", got.Tagline("en").Value)
		require.Empty(t, column(t, sqlDB, `SELECT name FROM feature_flags`), "no flag is seeded")
		// A value equal to the default is not stored; the tagline is.
		require.Equal(t, []string{settings.ClubTagline}, column(t, sqlDB, `SELECT name FROM settings`))
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
	_, err := seed.IfEmpty(ctx, testenv.Services(t, sqlDB, testNow), sqlDB, testNow)
	require.NoError(t, err)
	before := contentCounts(t, sqlDB)

	// Another moment would plan another programme: the check comes first.
	require.ErrorIs(t, seed.Run(ctx, testenv.Services(t, sqlDB, testNow), sqlDB, testNow.Add(36*time.Hour)), seed.ErrNotEmpty)
	require.Equal(t, before, contentCounts(t, sqlDB))
}

// TestAlongside seeds a database that has other content, as a test
// package's database may, and checks that a second seed finds the demo.
func TestAlongside(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "seed_beside")
	ctx := t.Context()
	for _, q := range []string{
		`INSERT INTO artists (slug, name) VALUES ('luma-vesper-tribute', 'Luma Vesper Tribute')`,
		`INSERT INTO blog_categories (slug) VALUES ('news-archive')`,
	} {
		_, err := sqlDB.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	svc := testenv.Services(t, sqlDB, testNow)
	require.ErrorIs(t, seed.Run(ctx, svc, sqlDB, testNow), seed.ErrNotEmpty)

	require.NoError(t, seed.Alongside(ctx, svc, sqlDB, testNow))
	require.Equal(t, 1, countRows(t, sqlDB, `SELECT COUNT(*) FROM artists WHERE slug = 'luma-vesper'`))
	require.Equal(t, 1, countRows(t, sqlDB, `SELECT COUNT(*) FROM artists WHERE slug = 'luma-vesper-tribute'`))
	require.Equal(t, 5, countRows(t, sqlDB, `SELECT COUNT(*) FROM blog_categories`))
	counts := contentCounts(t, sqlDB)

	require.ErrorIs(t, seed.Alongside(ctx, svc, sqlDB, testNow.Add(time.Hour)), seed.ErrSeeded)
	require.Equal(t, counts, contentCounts(t, sqlDB))
}

// TestNotEmpty checks that one row of content of any kind stops Run and
// IfEmpty, and one under a demo slug stops Alongside, before they write.
func TestNotEmpty(t *testing.T) {
	t.Parallel()
	for table, insert := range map[string]string{
		"locations":       `INSERT INTO locations (slug) VALUES ('fern-hollow')`,
		"artists":         `INSERT INTO artists (slug, name) VALUES ('wren-abernathy', 'Someone else')`,
		"blog_categories": `INSERT INTO blog_categories (slug) VALUES ('guides')`,
		"blog_posts":      `INSERT INTO blog_posts (slug) VALUES ('volunteer-hosts-wanted')`,
	} {
		t.Run(table, func(t *testing.T) {
			t.Parallel()
			_, sqlDB := testenv.ScratchDB(t, "seed_"+table)
			_, err := sqlDB.ExecContext(t.Context(), insert)
			require.NoError(t, err)
			svc := testenv.Services(t, sqlDB, testNow)
			seeded, err := seed.IfEmpty(t.Context(), svc, sqlDB, testNow)
			require.NoError(t, err)
			require.False(t, seeded)
			require.ErrorIs(t, seed.Run(t.Context(), svc, sqlDB, testNow), seed.ErrNotEmpty)
			require.ErrorIs(t, seed.Alongside(t.Context(), svc, sqlDB, testNow), seed.ErrSeeded)
			require.Equal(t, map[string]int{table: 1}, nonZero(contentCounts(t, sqlDB)))
		})
	}
}

// TestSeedFailsPartWay breaks the database under the seed (no event can
// get a lineup) and checks that the failure says the database holds a
// partial seed, and that no later seed runs over it.
func TestSeedFailsPartWay(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "seed_partial")
	ctx := t.Context()
	_, err := sqlDB.ExecContext(ctx, `CREATE TRIGGER seed_test_no_lineups BEFORE INSERT ON event_artists
		FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no lineups today'`)
	require.NoError(t, err)
	svc := testenv.Services(t, sqlDB, testNow)

	err = seed.Run(ctx, svc, sqlDB, testNow)
	require.ErrorIs(t, err, seed.ErrPartial)
	require.ErrorContains(t, err, "seed: create event ")
	require.ErrorContains(t, err, "no lineups today")
	counts := contentCounts(t, sqlDB)
	require.Equal(t, map[string]int{"locations": 5, "artists": 24}, nonZero(counts), "what came before the events stays")

	_, err = sqlDB.ExecContext(ctx, `DROP TRIGGER seed_test_no_lineups`)
	require.NoError(t, err)
	seeded, err := seed.IfEmpty(ctx, svc, sqlDB, testNow)
	require.NoError(t, err)
	require.False(t, seeded, "a partial seed is content")
	require.ErrorIs(t, seed.Run(ctx, svc, sqlDB, testNow), seed.ErrNotEmpty)
	require.Equal(t, counts, contentCounts(t, sqlDB))
}

// TestSeedNeedsGerman seeds a site that offers English only: the services
// refuse the German texts at the first write, and the database is left
// empty, which the error does not call a partial seed.
func TestSeedNeedsGerman(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "seed_en")
	cfg := testenv.Config(t)
	cfg.Languages = []string{"en"}
	svc := services.New(cfg, sqlDB, nil, live.Discard{}, testenv.Logger(t), func() time.Time { return testNow })

	err := seed.Run(t.Context(), svc, sqlDB, testNow)
	require.ErrorContains(t, err, "seed: create location main-cave")
	require.ErrorContains(t, err, "name.de=error.content.unknown_language")
	require.NotErrorIs(t, err, seed.ErrPartial)
	require.Empty(t, nonZero(contentCounts(t, sqlDB)))
}

// TestSeedConcurrently starts two seeders on one empty database: one seeds,
// the other waits for it and then finds content.
func TestSeedConcurrently(t *testing.T) {
	t.Parallel()
	_, sqlDB := testenv.ScratchDB(t, "seed_race")
	svc := testenv.Services(t, sqlDB, testNow)
	var wg sync.WaitGroup
	seeded := make([]bool, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			seeded[i], errs[i] = seed.IfEmpty(t.Context(), svc, sqlDB, testNow)
		})
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.ElementsMatch(t, []bool{true, false}, seeded)
	require.Len(t, column(t, sqlDB, `SELECT slug FROM locations`), 5, "one set of venues, not two")
	require.Zero(t, countRows(t, sqlDB, `SELECT COUNT(*) FROM artists WHERE slug LIKE '%-2'`))
}

// contentCounts counts the rows of each content table.
func contentCounts(t *testing.T, sqlDB *sql.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"locations", "artists", "events", "event_artists", "blog_categories", "blog_posts", "now_playing"} {
		out[table] = countRows(t, sqlDB, `SELECT COUNT(*) FROM `+table)
	}
	return out
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func countRows(t *testing.T, sqlDB *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), query, args...).Scan(&n), query)
	return n
}

// column returns the first column of query's rows.
func column(t *testing.T, sqlDB *sql.DB, query string) []string {
	t.Helper()
	rows, err := sqlDB.QueryContext(t.Context(), query)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
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
