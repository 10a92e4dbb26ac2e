package syncstate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Backoff doubles from 30 s to a 6 h ceiling, and its jitter stays within
// the upper half of each step.
func TestBackoff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		n    int
		step time.Duration
	}{
		{"first retry", 1, 30 * time.Second},
		{"zero counts as first", 0, 30 * time.Second},
		{"second", 2, time.Minute},
		{"fifth", 5, 8 * time.Minute},
		{"capped", 12, 6 * time.Hour},
		{"far past the cap", 1000, 6 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			low := Backoff(tc.n, func(int64) int64 { return 0 })
			high := Backoff(tc.n, func(n int64) int64 { return n - 1 })
			require.Equal(t, tc.step/2, low)
			require.Equal(t, tc.step, high)
		})
	}
}
