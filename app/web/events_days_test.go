package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

func TestGroupByDay(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	zone := i18n.Zone{Loc: la, Label: "SLT"}
	// 2026-12-05 00:00 in Los Angeles.
	from := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	at := func(id int64, d time.Duration) events.Summary {
		return events.Summary{ID: id, StartsAt: from.Add(d), EndsAt: from.Add(d + 2*time.Hour)}
	}
	ids := func(gs []dayGroup) map[string][]int64 {
		out := map[string][]int64{}
		for _, g := range gs {
			for _, e := range g.Grid.Events {
				out[g.Key] = append(out[g.Key], e.ID)
			}
		}
		return out
	}
	tests := []struct {
		name string
		evs  []events.Summary
		want map[string][]int64
		keys []string
	}{
		{name: "none", want: map[string][]int64{}},
		{name: "one day", evs: []events.Summary{at(1, time.Hour), at(2, 20*time.Hour)},
			want: map[string][]int64{"2026-12-05": {1, 2}}, keys: []string{"2026-12-05"}},
		{name: "started before from, listed under from's day", evs: []events.Summary{at(1, -3*time.Hour), at(2, 30*time.Hour)},
			want: map[string][]int64{"2026-12-05": {1}, "2026-12-06": {2}}, keys: []string{"2026-12-05", "2026-12-06"}},
		{name: "the zone's midnight splits days", evs: []events.Summary{at(1, 23*time.Hour+30*time.Minute), at(2, 24*time.Hour+30*time.Minute), at(3, 24*time.Hour+45*time.Minute), at(4, 72*time.Hour)},
			want: map[string][]int64{"2026-12-05": {1}, "2026-12-06": {2, 3}, "2026-12-08": {4}}, keys: []string{"2026-12-05", "2026-12-06", "2026-12-08"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := groupByDay(tc.evs, zone, from, from)
			require.Equal(t, tc.want, ids(got))
			require.Len(t, got, len(tc.keys))
			for i, g := range got {
				require.Equal(t, tc.keys[i], g.Key)
				require.Equal(t, zone, g.Grid.Zone)
			}
		})
	}

	// A day's grid is a part of the list, capped: appending to it leaves
	// the next day's events alone.
	evs := []events.Summary{at(1, time.Hour), at(2, 30*time.Hour)}
	got := groupByDay(evs, zone, from, from)
	require.Len(t, got, 2)
	got[0].Grid.Events = append(got[0].Grid.Events, at(9, 2*time.Hour))
	require.Equal(t, int64(2), got[1].Grid.Events[0].ID)
	require.Equal(t, int64(2), evs[1].ID)
}
