package web

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The create guard runs a form's create once per key: a repeat gets the
// first one's row, a refusal frees the key, a key is forgotten after its
// time, and a second submission while the first runs waits for it.
func TestCreateGuard(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	g := newCreateGuard(clock)
	ctx := t.Context()
	var made atomic.Int64
	create := func() (int64, error) { return made.Add(1), nil }

	id, repeat, err := g.do(ctx, "k1", create)
	require.NoError(t, err)
	require.False(t, repeat)
	require.Equal(t, int64(1), id)
	id, repeat, err = g.do(ctx, "k1", create)
	require.NoError(t, err)
	require.True(t, repeat)
	require.Equal(t, int64(1), id, "the first submission's row")
	id, _, err = g.do(ctx, "k2", create)
	require.NoError(t, err)
	require.Equal(t, int64(2), id, "another form, another row")
	id, _, err = g.do(ctx, "", create)
	require.NoError(t, err)
	require.Equal(t, int64(3), id, "no key, no guard")

	refused := errors.New("refused")
	_, _, err = g.do(ctx, "k3", func() (int64, error) { return 99, refused })
	require.ErrorIs(t, err, refused)
	id, repeat, err = g.do(ctx, "k3", create)
	require.NoError(t, err)
	require.False(t, repeat, "a refusal frees the key for the corrected form")
	require.Equal(t, int64(4), id)

	mu.Lock()
	now = now.Add(createGuardTTL)
	mu.Unlock()
	id, repeat, err = g.do(ctx, "k1", create)
	require.NoError(t, err)
	require.False(t, repeat, "forgotten after its time")
	require.Equal(t, int64(5), id)

	// Two at once: the second waits for the first and gets its row.
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var first int64
	wg.Go(func() {
		first, _, _ = g.do(ctx, "k4", func() (int64, error) { close(started); <-release; return made.Add(1), nil })
	})
	<-started
	var second int64
	var secondRepeat bool
	wg.Go(func() { second, secondRepeat, _ = g.do(ctx, "k4", create) })
	close(release)
	wg.Wait()
	require.Equal(t, first, second)
	require.True(t, secondRepeat)

	// A waiter gives up with its request.
	started, release = make(chan struct{}), make(chan struct{})
	wg.Go(func() {
		_, _, _ = g.do(ctx, "k5", func() (int64, error) { close(started); <-release; return made.Add(1), nil })
	})
	<-started
	short, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = g.do(short, "k5", create)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	wg.Wait()

	// Full, it forgets finished runs rather than grow.
	for i := range createGuardMax + 10 {
		_, _, err := g.do(ctx, "fill"+time.Duration(i).String(), create)
		require.NoError(t, err)
	}
	g.mu.Lock()
	n := len(g.runs)
	g.mu.Unlock()
	require.LessOrEqual(t, n, createGuardMax)
}

func TestGuardKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key string
		want      string
	}{
		{"a form's key", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "post:7:ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{"empty", "", ""},
		{"too short", "ABC", ""},
		{"too long", string(make([]byte, 65)), ""},
		{"not ours", "ABCDEFGHIJKLMNOP:Q", ""},
		{"hostile", `<script>alert(1)</script>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, guardKey("post", 7, tc.key))
		})
	}
}
