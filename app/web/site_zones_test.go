package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
)

// The kept zone choices are what building them afresh gives, at any
// instant, across the offsets' changes: a zone's abbreviation changes with
// summer time and the kept list must follow it at once.
func TestZoneChoicesKeptUntilAnOffsetChanges(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	s := &Server{zones: newZoneSet(la, "SLT")}
	club := i18n.Zone{Loc: la, Label: "SLT"}
	berlin, ok := s.zones.lookup("Europe/Berlin")
	require.True(t, ok)
	// Europe switched to summer time at 01:00 UTC on 29 March 2026, the
	// USA on 8 March; stepping across both, by minutes near the switch.
	var instants []time.Time
	for at := time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 3, 8, 11, 0, 0, 0, time.UTC)); at = at.Add(13 * time.Minute) {
		instants = append(instants, at)
	}
	for at := time.Date(2026, 3, 29, 0, 50, 0, 0, time.UTC); at.Before(time.Date(2026, 3, 29, 1, 10, 0, 0, time.UTC)); at = at.Add(time.Minute) {
		instants = append(instants, at)
	}
	instants = append(instants, time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)) // back in time
	for _, current := range []i18n.Zone{club, berlin, {Loc: time.UTC}} {
		for _, at := range instants {
			require.Equal(t, s.zones.choices(club, current, at), s.zoneChoicesAt(club, current, at), "%s at %s", current.Name(), at)
		}
	}
	before := s.zoneChoicesAt(club, berlin, time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC))
	after := s.zoneChoicesAt(club, berlin, time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC))
	require.Contains(t, before, zoneChoice{Value: "Europe/Berlin", Label: "Europe/Berlin (CET)", Selected: true})
	require.Contains(t, after, zoneChoice{Value: "Europe/Berlin", Label: "Europe/Berlin (CEST)", Selected: true})

	// Within a window the list is kept, not rebuilt.
	a := s.zoneChoicesAt(club, club, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	b := s.zoneChoicesAt(club, club, time.Date(2026, 6, 2, 12, 0, 0, 0, time.UTC))
	require.Same(t, &a[0], &b[0])
	// A new label for the club's zone is a new list.
	relabelled := i18n.Zone{Loc: la, Label: "Grid"}
	c := s.zoneChoicesAt(relabelled, club, time.Date(2026, 6, 2, 12, 0, 0, 0, time.UTC))
	require.Equal(t, "Grid (America/Los_Angeles)", c[0].Label)
}

// The memo stays bounded whatever keys it is given.
func TestZoneChoiceMemoBounded(t *testing.T) {
	t.Parallel()
	var m zoneChoiceMemo
	for i := range 3 * maxZoneChoices {
		m.put(zoneChoiceKey{label: itoa(i)}, zoneChoiceEntry{})
	}
	require.LessOrEqual(t, len(m.m), maxZoneChoices)
	_, ok := m.get(zoneChoiceKey{label: itoa(3*maxZoneChoices - 1)}, time.Now())
	require.True(t, ok)
}
