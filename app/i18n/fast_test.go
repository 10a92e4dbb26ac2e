package i18n

import (
	"testing"
	"testing/fstest"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/locales"
)

// slow is the bundle as it was before fast.go: every string and format
// through go-i18n.
func slow(t *testing.T) *Bundle {
	t.Helper()
	b, err := New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	b.plain = map[string]map[string]string{}
	for _, c := range b.calendars {
		c.formats = map[string]pattern{}
	}
	return b
}

// The strings resolved at start-up are exactly what go-i18n says, for
// every ID in every language (fallbacks included), and for unknown ones.
func TestPlainStringsMatchGoI18n(t *testing.T) {
	t.Parallel()
	fast, err := New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	ref := slow(t)
	require.Greater(t, len(fast.plain["de"]), 100, "most strings are plain")
	for _, lang := range []string{"en", "de", "xx"} {
		for _, id := range append(fast.MessageIDs("en"), "no.such.id") {
			require.Equal(t, ref.T(lang, id, nil), fast.T(lang, id, nil), "%s %s", lang, id)
		}
	}
}

// A language that turns the default's plain message into a plural one, or
// one with placeholders, is not served the default's text.
func TestPlainRespectsTheLanguagesOwnForm(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"en.json": {Data: []byte(`{"a": "Plain", "b": "Also plain", "c": "{{.X}} thing"}`)},
		"de.json": {Data: []byte(`{"a": {"one": "Eins", "other": "Viele"}, "b": "Hallo {{.Name}}"}`)},
	}
	b, err := New(fsys, []string{"en", "de"})
	require.NoError(t, err)
	require.Equal(t, "Plain", b.T("en", "a", nil))
	require.NotContains(t, b.plain["de"], "a")
	require.NotContains(t, b.plain["de"], "b")
	require.NotContains(t, b.plain["en"], "c")
	require.Equal(t, "Hallo Eve", b.T("de", "b", map[string]any{"Name": "Eve"}))
	require.Equal(t, "Also plain", b.T("xx", "b", nil))
}

// The compiled formats write what the go-i18n templates would, in every
// language, over a year of times in zones with and without DST and labels.
func TestCompiledFormatsMatchGoI18n(t *testing.T) {
	t.Parallel()
	fast, err := New(locales.FS, []string{"en", "de"})
	require.NoError(t, err)
	ref := slow(t)
	var zones []Zone
	for _, name := range []string{"America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"} {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		zones = append(zones, Zone{Loc: loc})
	}
	zones = append(zones, Zone{Loc: zones[0].Loc, Label: "SLT"}, Zone{})
	start := time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)
	lengths := []time.Duration{30 * time.Minute, 3 * time.Hour, 9 * time.Hour, 13 * time.Hour, 30 * time.Hour}
	for i := 0; i < 365*4; i++ {
		s := start.Add(time.Duration(i) * 6 * time.Hour)
		for _, z := range zones {
			for _, lang := range []string{"en", "de", "xx"} {
				require.Equal(t, ref.Date(lang, s, z), fast.Date(lang, s, z))
				require.Equal(t, ref.DateLong(lang, s, z), fast.DateLong(lang, s, z))
				require.Equal(t, ref.When(lang, s, z), fast.When(lang, s, z))
				for _, d := range lengths {
					require.Equal(t, ref.Span(lang, s, s.Add(d), z), fast.Span(lang, s, s.Add(d), z))
				}
			}
		}
	}
}

// A format using more than {{.Name}} is left to go-i18n.
func TestCompilePattern(t *testing.T) {
	t.Parallel()
	p, ok := compilePattern("{{.Date}}, {{ .Start }}–{{.End}} {{.Zone}}")
	require.True(t, ok)
	require.Equal(t, []string{"", "Date", ", ", "Start", "–", "End", " ", "Zone", ""}, p.pieces)
	_, ok = compilePattern("{{if .Zone}}{{.Zone}}{{end}}")
	require.False(t, ok)
	require.Empty(t, plainText(&goi18n.Message{Other: "{{.Count}} events"}))
	require.Empty(t, plainText(&goi18n.Message{One: "one", Other: "many"}))
	require.Equal(t, "Hi", plainText(&goi18n.Message{Other: "Hi"}))
}
