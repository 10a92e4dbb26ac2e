package web

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func counting(body string, calls *int) func() ([]byte, error) {
	return func() ([]byte, error) {
		*calls++
		return []byte(body), nil
	}
}

func TestCacheExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPageCache(30*time.Second, 10, clock.now)
	calls := 0
	for range 3 {
		_, err := p.get("k", counting("a", &calls))
		require.NoError(t, err)
	}
	require.Equal(t, 1, calls)
	clock.advance(31 * time.Second)
	e, err := p.get("k", counting("b", &calls))
	require.NoError(t, err)
	require.Equal(t, 2, calls)
	require.Equal(t, "b", string(e.body))
}

func TestCacheNeverStoresErrors(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 10, time.Now)
	calls := 0
	fail := func() ([]byte, error) { calls++; return nil, errors.New("db down") }
	_, err := p.get("k", fail)
	require.Error(t, err)
	_, err = p.get("k", fail)
	require.Error(t, err)
	require.Equal(t, 2, calls)
}

// A render that began before Invalidate is neither stored nor shared with a
// request that arrives after it.
func TestCacheInvalidateDuringRender(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 10, time.Now)
	started, release := make(chan struct{}), make(chan struct{})
	oldDone := make(chan *cacheEntry)
	go func() {
		e, _ := p.get("k", func() ([]byte, error) {
			close(started)
			<-release
			return []byte("old"), nil
		})
		oldDone <- e
	}()
	<-started
	p.Invalidate()
	newer, err := p.get("k", func() ([]byte, error) { return []byte("new"), nil })
	require.NoError(t, err)
	require.Equal(t, "new", string(newer.body), "a request after Invalidate gets a fresh render")
	close(release)
	require.Equal(t, "old", string((<-oldDone).body))
	again, err := p.get("k", func() ([]byte, error) { return []byte("third"), nil })
	require.NoError(t, err)
	require.Equal(t, "new", string(again.body), "the stale render was not stored")
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 3, time.Now)
	calls := 0
	hot := counting("hot", &calls)
	_, _ = p.get("hot", hot)
	for i := range 100 {
		_, _ = p.get(fmt.Sprint("junk", i), counting("x", new(int)))
		_, _ = p.get("hot", hot) // the page people actually use stays in
	}
	require.Equal(t, 3, p.entries.Len())
	require.Equal(t, 1, calls, "recently used pages survive a flood of other keys")
}

func TestCacheGzipsOnce(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 3, time.Now)
	big := make([]byte, 4096)
	for i := range big {
		big[i] = 'a' + byte(i%7)
	}
	e, err := p.get("k", func() ([]byte, error) { return big, nil })
	require.NoError(t, err)
	gz := e.gzipped()
	require.NotEmpty(t, gz)
	require.Less(t, len(gz), len(big))
	require.Equal(t, &gz[0], &e.gzipped()[0], "compressed once, then reused")
	small, err := p.get("s", func() ([]byte, error) { return []byte("tiny"), nil })
	require.NoError(t, err)
	require.Nil(t, small.gzipped(), "too small to gain from gzip")
}
