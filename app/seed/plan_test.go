package seed

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
)

// testNow matches the database tests' moment: 03:00 SLT on a Wednesday.
var testNow = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

// TestPlanGuarantees plans the programme every 67 minutes over 16 days, so
// across a DST change and at every hour of the week, and checks what the home
// page relies on: something on now, and at least five events in the next 48 hours.
func TestPlanGuarantees(t *testing.T) {
	t.Parallel()
	zone, err := time.LoadLocation(clubZone)
	require.NoError(t, err)
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) // DST starts on 9 March
	for now := start; now.Before(start.AddDate(0, 0, 16)); now = now.Add(67 * time.Minute) {
		events, err := planEvents(now, zone, rand.New(rand.NewPCG(seedHi, seedLo)))
		require.NoError(t, err, now)
		if !runningAt(events, now) {
			t.Fatalf("nothing is on at %s", now)
		}
		// The events service takes whole minutes only, and no set that
		// ends before it starts.
		for _, e := range events {
			if !wholeMinute(e.start) || !wholeMinute(e.end) {
				t.Fatalf("%s at %s: not on whole minutes", e.slug, now)
			}
			for _, s := range e.lineup {
				if !wholeMinute(s.start) || !wholeMinute(s.end) || !s.end.After(s.start) {
					t.Fatalf("%s at %s: set %s to %s", e.slug, now, s.start, s.end)
				}
			}
		}
		next := 0
		for _, e := range events {
			if e.published && e.start.After(now) && !e.start.After(now.Add(48*time.Hour)) {
				next++
			}
		}
		if next < 5 {
			t.Fatalf("%d events in the 48 hours after %s, want at least 5", next, now)
		}
	}
}

// TestPlanShape checks the planned programme in detail at a few moments:
// at testNow (Open Decks), during a weekly slot, on the DST change, and on a
// Saturday night.
func TestPlanShape(t *testing.T) {
	t.Parallel()
	zone, err := time.LoadLocation(clubZone)
	require.NoError(t, err)
	for _, now := range []time.Time{
		testNow,
		time.Date(2025, 3, 12, 19, 30, 0, 0, time.UTC),
		time.Date(2025, 3, 9, 10, 15, 0, 0, time.UTC),
		time.Date(2025, 11, 2, 4, 0, 0, 0, time.UTC),
		time.Date(2026, 6, 14, 5, 45, 0, 0, time.UTC),
	} {
		events, err := planEvents(now, zone, rand.New(rand.NewPCG(seedHi, seedLo)))
		require.NoError(t, err, now)
		require.GreaterOrEqual(t, len(events), 84)

		var drafts, noGerman int
		slugs := make(map[string]bool, len(events))
		for i, e := range events {
			require.False(t, slugs[e.slug], "duplicate slug %s", e.slug)
			slugs[e.slug] = true
			// A published event's slug carries its club date; a draft's
			// follows its title, as the events service makes it.
			base := slugify(eventTemplates[e.template].en.title)
			if e.published {
				base += "-" + e.start.In(zone).Format(time.DateOnly)
			}
			require.Regexp(t, "^"+base+`(-\d+)?$`, e.slug)
			if !e.published {
				drafts++
				require.True(t, e.start.After(now.Add(72*time.Hour)), "draft %s is far enough ahead", e.slug)
			}
			if !e.german {
				noGerman++
			}
			require.True(t, e.end.After(e.start), e.slug)
			require.LessOrEqual(t, e.end.Sub(e.start), 4*time.Hour, e.slug)
			require.False(t, e.start.Before(now.AddDate(0, 0, -42)) || e.start.After(now.AddDate(0, 0, 42)), e.slug)
			require.True(t, i == 0 || !e.start.Before(events[i-1].start), "sorted by start")
			require.False(t, overlaps(events[:i], e.location, e.start, e.end), "%s overlaps another event at its venue", e.slug)
			if e.template != openDecks {
				h := e.start.In(zone).Hour()
				require.True(t, h >= 11 && h <= 22, "%s starts in the club's evening hours", e.slug)
			}

			require.NotEmpty(t, e.lineup, e.slug)
			require.LessOrEqual(t, len(e.lineup), 4, e.slug)
			require.Equal(t, e.start, e.lineup[0].start, e.slug)
			require.Equal(t, e.end, e.lineup[len(e.lineup)-1].end, e.slug)
			for j, s := range e.lineup {
				require.True(t, s.end.After(s.start), e.slug)
				require.True(t, j == 0 || s.start.Equal(e.lineup[j-1].end), "%s: sets follow each other", e.slug)
			}
		}
		require.Equal(t, 3, drafts)
		require.Equal(t, 2*untranslated, noGerman)
	}
}

func wholeMinute(t time.Time) bool { return t.Equal(t.Truncate(time.Minute)) }

func TestPlanDeterministic(t *testing.T) {
	t.Parallel()
	zone, err := time.LoadLocation(clubZone)
	require.NoError(t, err)
	a, err := planEvents(testNow, zone, rand.New(rand.NewPCG(seedHi, seedLo)))
	require.NoError(t, err)
	b, err := planEvents(testNow, zone, rand.New(rand.NewPCG(seedHi, seedLo)))
	require.NoError(t, err)
	require.Equal(t, a, b)
}

// TestContentTables checks that the data tables refer to each other correctly.
func TestContentTables(t *testing.T) {
	t.Parallel()
	artistSlugs := map[string]bool{}
	for _, a := range demoArtists {
		require.False(t, artistSlugs[a.slug], "duplicate artist %s", a.slug)
		artistSlugs[a.slug] = true
		require.NotEmpty(t, a.en.genre, a.slug)
		require.NotEmpty(t, a.en.bio, a.slug)
		require.True(t, a.de == artistText{} || a.de.genre != "" && a.de.bio != "", "%s: German complete or absent", a.slug)
		require.NotEmpty(t, a.links, a.slug)
		require.LessOrEqual(t, len(a.links), 3, a.slug)
		for _, l := range a.links {
			require.True(t, l.kind.Valid(), a.slug)
			require.Regexp(t, `^https://`, l.url)
		}
	}
	require.GreaterOrEqual(t, len(demoArtists), 22)

	locationSlugs := map[string]bool{}
	kinds := map[db.LocationsStreamKind]bool{}
	for _, l := range demoLocations {
		locationSlugs[l.slug] = true
		kinds[l.stream] = true
		require.NotEmpty(t, l.de.name, l.slug)
		if l.stream != db.LocationsStreamKindNone {
			require.NotEmpty(t, playlists[l.slug], l.slug)
		}
	}
	// Polled kinds need a stream server the demo does not run.
	require.Equal(t, map[db.LocationsStreamKind]bool{db.LocationsStreamKindNone: true, db.LocationsStreamKindPush: true}, kinds,
		"venues with and without a stream")
	require.LessOrEqual(t, time.Duration(eventTemplates[openDecks].lineupMax)*setStep, openDecksMin,
		"the shortest Open Decks gives each set a quarter of an hour")
	for _, v := range fallbackVenues {
		require.True(t, locationSlugs[v], v)
	}

	used := map[string]bool{openDecks: true}
	for _, s := range weeklyProgramme {
		require.True(t, locationSlugs[s.location], s.location)
		for _, key := range s.templates {
			used[key] = true
		}
	}
	for _, s := range specials {
		require.True(t, locationSlugs[s.location], s.location)
		require.False(t, s.day >= -1 && s.day <= 2, "special %s stays clear of now and next", s.template)
		used[s.template] = true
	}
	playing := map[string]bool{}
	for key, tpl := range eventTemplates {
		require.True(t, used[key], "template %s is used", key)
		require.True(t, tpl.kind.Valid(), key)
		require.GreaterOrEqual(t, tpl.lineupMin, 1, key)
		require.LessOrEqual(t, tpl.lineupMax, 4, key)
		require.GreaterOrEqual(t, len(tpl.pool), tpl.lineupMax, key)
		require.NotEmpty(t, tpl.en.title, key)
		require.NotEmpty(t, tpl.en.summary, key)
		require.NotEmpty(t, tpl.en.description, key)
		require.NotEmpty(t, tpl.de.title, key)
		require.NotEmpty(t, tpl.de.summary, key)
		require.NotEmpty(t, tpl.de.description, key)
		for _, a := range tpl.pool {
			require.True(t, artistSlugs[a], "%s: unknown artist %s", key, a)
			playing[a] = true
		}
	}
	for a := range artistSlugs {
		require.True(t, playing[a], "%s is in some lineup pool", a)
	}
	for key := range used {
		_, ok := eventTemplates[key]
		require.True(t, ok, "unknown template %s", key)
	}

	categories := map[string]bool{}
	for _, c := range blogCategories {
		categories[c.slug] = true
	}
	for _, p := range blogPosts {
		require.NotEmpty(t, p.categories, p.slug)
		require.LessOrEqual(t, len(p.categories), 2, p.slug)
		for _, c := range p.categories {
			require.True(t, categories[c], "%s: unknown category %s", p.slug, c)
		}
		require.NotEmpty(t, p.en.body, p.slug)
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Deep Dive Sessions", "deep-dive-sessions"},
		{"Breaks & Basslines", "breaks-and-basslines"},
		{"Album release: Glass Horizons", "album-release-glass-horizons"},
		{"DJing in Second Life: a beginner's workshop", "djing-in-second-life-a-beginners-workshop"},
		{"Rock’n’Roll", "rocknroll"},
		{"Dr. Fennel", "dr-fennel"},
		{"  --Trim me--  ", "trim-me"},
	} {
		require.Equal(t, tc.want, slugify(tc.in), tc.in)
	}
	// Drafts' slugs are planned with slugify and made by the events
	// service with content.Slug: the two agree on every event title.
	for key, tpl := range eventTemplates {
		require.Equal(t, content.Slug(tpl.en.title, "en", 80), slugify(tpl.en.title), key)
	}
}
