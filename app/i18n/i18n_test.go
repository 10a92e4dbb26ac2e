package i18n_test

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/locales"
)

func bundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	return b
}

// Every key of the reference language must exist in every other language,
// so no German page silently shows English UI text.
func TestEveryEnglishKeyIsTranslated(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	en := b.MessageIDs("en")
	require.NotEmpty(t, en)
	for _, lang := range b.Languages()[1:] {
		have := map[string]bool{}
		for _, id := range b.MessageIDs(lang) {
			have[id] = true
		}
		for _, id := range en {
			require.Truef(t, have[id], "%s lacks %q", lang, id)
		}
		for id := range have {
			require.Containsf(t, en, id, "%s has %q, which English lacks", lang, id)
		}
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	cases := []struct {
		name, query, cookie, accept, want string
	}{
		{"default", "", "", "", "en"},
		{"query wins", "de", "en", "en", "de"},
		{"cookie next", "", "de", "en", "de"},
		{"accept language", "", "", "de-AT,de;q=0.9,en;q=0.5", "de"},
		{"unknown query ignored", "fr", "", "de", "de"},
		{"unsupported accept", "", "", "ja,zh;q=0.8", "en"},
		{"garbage accept", "", "", ";;;q=zz,<script>", "en"},
		{"hostile query", "<script>", "", "", "en"},
		{"case", "DE", "", "", "de"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, b.Negotiate(tc.query, tc.cookie, tc.accept))
		})
	}
}

func TestPluralsAndFallback(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	require.Equal(t, "1 event", b.N("en", "events.list.count", 1, nil))
	require.Equal(t, "3 events", b.N("en", "events.list.count", 3, nil))
	require.Equal(t, "1 Event", b.N("de", "events.list.count", 1, nil))
	require.Equal(t, "0 Events", b.N("de", "events.list.count", 0, nil))
	require.Equal(t, "no.such.key", b.T("de", "no.such.key", nil))
	require.Equal(t, "Programm", b.T("de", "nav.events", nil))
	require.Equal(t, "Programme", b.T("xx", "nav.events", nil), "unknown language falls back to default")
}

func TestTimeFormatsSayTheirZone(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	club := i18n.Zone{Loc: la, Label: "SLT"}
	// 2026-12-05 05:00 UTC is Friday 4 Dec 21:00 in Los Angeles.
	start := time.Date(2026, 12, 5, 5, 0, 0, 0, time.UTC)
	end := start.Add(3 * time.Hour)
	require.Equal(t, "Fri Dec 4, 9:00 PM SLT", b.When("en", start, club))
	require.Equal(t, "Fr. 4. Dez., 21:00 SLT", b.When("de", start, club))
	require.Equal(t, "Fri Dec 4, 9:00 PM – 12:00 AM SLT", b.Span("en", start, end, club))
	require.Equal(t, "Sa. 5. Dez., 06:00–09:00 CET", b.Span("de", start, end, i18n.Zone{Loc: berlin}))
	require.Equal(t, "Freitag, 4. Dezember 2026", b.DateLong("de", start, club))
	long := b.Span("en", start, start.Add(30*time.Hour), club)
	require.Equal(t, "Fri Dec 4, 9:00 PM – Sun Dec 6, 3:00 AM SLT", long)
}

// A span across a DST change names each end's zone; the club's own label
// stays one.
func TestSpanAcrossDST(t *testing.T) {
	t.Parallel()
	b := bundle(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	// Europe springs forward on 2026-03-29 at 02:00 CET.
	start := time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC) // 23:00 CET
	require.Equal(t, "Sa. 28. März, 23:00 CET–05:00 CEST", b.Span("de", start, start.Add(5*time.Hour), i18n.Zone{Loc: berlin}))
	// New York falls back on 2026-11-01 at 02:00 EDT.
	start = time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC) // 11:00 PM EDT
	require.Equal(t, "Sat Oct 31, 11:00 PM EDT – 3:00 AM EST", b.Span("en", start, start.Add(5*time.Hour), i18n.Zone{Loc: ny}))
	require.Equal(t, "Sat Oct 31, 8:00 PM – 1:00 AM SLT", b.Span("en", start, start.Add(5*time.Hour), i18n.Zone{Loc: la, Label: "SLT"}))
}

func TestAreaFiles(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"en.json":          {Data: []byte(`{"site.name": "Cave"}`)},
		"admin.en.json":    {Data: []byte(`{"admin.title": "Back office"}`)},
		"de.json":          {Data: []byte(`{"site.name": "Höhle"}`)},
		"accounts.de.json": {Data: []byte(`{"admin.title": "Verwaltung"}`)},
	}
	b, err := i18n.New(fsys, []string{"en", "de"})
	require.NoError(t, err)
	require.Equal(t, []string{"admin.title", "site.name"}, b.MessageIDs("en"))
	require.Equal(t, "Verwaltung", b.T("de", "admin.title", nil))

	fsys["accounts.en.json"] = &fstest.MapFile{Data: []byte(`{"admin.title": "Again"}`)}
	_, err = i18n.New(fsys, []string{"en", "de"})
	require.ErrorContains(t, err, "admin.title defined in both")
}
