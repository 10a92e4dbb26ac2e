package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
)

// Every alias is a tzdata name pointing at one, and resolving a name never
// changes the time a visitor sees: the zone looked up keeps the named
// zone's offset and abbreviation, whatever this host's tzdata says (an
// alias that differs here is left alone).
func TestZoneAliasesKeepTheTime(t *testing.T) {
	t.Parallel()
	aliases := i18n.ZoneAliases()
	require.Contains(t, aliases, "US/Pacific")
	z := newZoneSet(time.UTC, "")
	instants := []time.Time{
		time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2031, 3, 30, 1, 30, 0, 0, time.UTC), time.Date(2031, 10, 26, 1, 30, 0, 0, time.UTC),
	}
	for alias, target := range aliases {
		for _, name := range []string{alias, target} {
			canon, ok := i18n.CanonicalZone(name)
			require.True(t, ok && canon == name, "%s is a tzdata name", name)
		}
		_, chained := aliases[target]
		require.False(t, chained, "%s -> %s points at another alias", alias, target)
		own, err := time.LoadLocation(alias)
		require.NoError(t, err)
		got, ok := z.lookup(alias)
		require.True(t, ok)
		for _, at := range instants {
			n1, o1 := at.In(own).Zone()
			n2, o2 := at.In(got.Loc).Zone()
			require.Equal(t, [2]any{n1, o1}, [2]any{n2, o2}, "%s resolved to %s at %s", alias, got.Name(), at)
		}
	}
	got, _ := z.lookup("US/Pacific")
	require.Equal(t, "America/Los_Angeles", got.Name())
}

// A visitor's zone resolves to one name whatever name they use, and the
// club's zone to the club's (with its label), by any of its names.
func TestZoneLookupResolvesAliases(t *testing.T) {
	t.Parallel()
	club, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	z := newZoneSet(club, "SLT")
	cases := []struct{ in, want, label string }{
		{"America/Los_Angeles", "America/Los_Angeles", "SLT"},
		{"america/los_angeles", "America/Los_Angeles", "SLT"},
		{"US/Pacific", "America/Los_Angeles", "SLT"},
		{"PST8PDT", "America/Los_Angeles", "SLT"},
		{"Asia/Calcutta", "Asia/Kolkata", ""},
		{"Etc/UTC", "UTC", ""},
		{"Zulu", "UTC", ""},
		{"Europe/Berlin", "Europe/Berlin", ""},
	}
	for _, tc := range cases {
		got, ok := z.lookup(tc.in)
		require.True(t, ok, tc.in)
		require.Equal(t, tc.want, got.Name(), tc.in)
		require.Equal(t, tc.label, got.Label, tc.in)
	}
	for _, bad := range []string{"", "Local", "./Europe/Berlin", "Europe//Berlin", "Mars/Olympus", "US/Pacific\x00"} {
		_, ok := z.lookup(bad)
		require.False(t, ok, "%q", bad)
	}

	// A club configured under an alias still takes visitors' other names.
	alias, err := time.LoadLocation("US/Pacific")
	require.NoError(t, err)
	z = newZoneSet(alias, "SLT")
	got, ok := z.lookup("America/Los_Angeles")
	require.True(t, ok)
	require.Equal(t, "SLT", got.Label)
}
