package i18n_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Kept translations say what a fresh bundle says, for every argument,
// count and language, asked once or many times.
func TestKeptTranslationsWithArguments(t *testing.T) {
	t.Parallel()
	kept := bundle(t)
	for _, lang := range []string{"en", "de", "fr"} {
		for n := range 4 {
			for range 3 {
				fresh := bundle(t) // nothing kept yet
				require.Equal(t, fresh.N(lang, "events.list.count", n, nil), kept.N(lang, "events.list.count", n, nil))
				args := map[string]any{"Page": n, "Pages": 3}
				require.Equal(t, fresh.N(lang, "events.list.count_paged", n, args), kept.N(lang, "events.list.count_paged", n, args))
				require.Equal(t, fresh.T(lang, "pager.status", args), kept.T(lang, "pager.status", args))
				// A string and a number that print alike are kept apart only
				// by their type; both print the same here.
				sargs := map[string]any{"Page": strconv.Itoa(n), "Pages": "3"}
				require.Equal(t, fresh.T(lang, "pager.status", sargs), kept.T(lang, "pager.status", sargs))
				zargs := map[string]any{"Zone": "SLT <b>", "Time": strconv.Itoa(n) + ":00"}
				require.Equal(t, fresh.T(lang, "footer.zone.current", zargs), kept.T(lang, "footer.zone.current", zargs))
				require.Equal(t, "no.such.id", kept.T(lang, "no.such.id", args))
			}
		}
	}
	en := kept.N("en", "events.list.count_paged", 1, map[string]any{"Page": 2, "Pages": 3})
	require.Equal(t, "1 event · page 2 of 3", en)
	require.Equal(t, "2 events · page 2 of 3", kept.N("en", "events.list.count_paged", 2, map[string]any{"Page": 2, "Pages": 3}))
	require.Equal(t, "Seite 2 von 7", kept.T("de", "pager.status", map[string]any{"Page": 2, "Pages": 7}))
	// An argument of another type is translated afresh, and right.
	type page struct{ N int }
	require.Equal(t, "Page {2} of 7", kept.T("en", "pager.status", map[string]any{"Page": page{2}, "Pages": 7}))
}

// However many different arguments come, the kept results stay bounded
// and right.
func TestKeptTranslationsBounded(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	for i := range 10_000 {
		got := b.T("en", "pager.status", map[string]any{"Page": i, "Pages": i + 1})
		if i%997 == 0 {
			require.Equal(t, "Page "+strconv.Itoa(i)+" of "+strconv.Itoa(i+1), got)
		}
	}
	require.LessOrEqual(t, b.KeptTranslations(), 4096)
}
