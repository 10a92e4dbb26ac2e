package web

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
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

func counting(body string, calls *int) func() (rendered, error) {
	return func() (rendered, error) {
		*calls++
		return answer(body), nil
	}
}

// answer is a rendered body that shows the topic "t".
func answer(body string) rendered { return rendered{body: []byte(body), shows: showing("t")} }

const html = "text/html; charset=utf-8"

func TestCacheExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPageCache(30*time.Second, 1<<20, clock.now)
	calls := 0
	for range 3 {
		_, err := p.get("k", html, counting("a", &calls))
		require.NoError(t, err)
	}
	require.Equal(t, 1, calls)
	clock.advance(31 * time.Second)
	e, err := p.get("k", html, counting("b", &calls))
	require.NoError(t, err)
	require.Equal(t, 2, calls)
	require.Equal(t, "b", string(e.body))
}

// Expired entries are freed, not only skipped: a flood of pages nobody asks
// for again leaves nothing behind once their TTL has passed.
func TestCacheFreesExpiredEntries(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPageCache(30*time.Second, 1<<20, clock.now)
	for i := range 50 {
		_, err := p.get(fmt.Sprint("k", i), html, counting("x", new(int)))
		require.NoError(t, err)
	}
	p.entries.CleanUp()
	require.NotZero(t, p.entries.WeightedSize())
	clock.advance(time.Minute)
	p.entries.CleanUp()
	require.Zero(t, p.entries.EstimatedSize())
	require.Zero(t, p.entries.WeightedSize())
}

func TestCacheNeverStoresErrors(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	calls := 0
	fail := func() (rendered, error) { calls++; return rendered{}, errors.New("db down") }
	_, err := p.get("k", html, fail)
	require.Error(t, err)
	_, err = p.get("k", html, fail)
	require.Error(t, err)
	require.Equal(t, 2, calls)
}

// A render that began before Invalidate is neither stored nor shared with a
// request that arrives after it.
func TestCacheInvalidateDuringRender(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	started, release := make(chan struct{}), make(chan struct{})
	oldDone := make(chan *cacheEntry)
	go func() {
		e, _ := p.get("k", html, func() (rendered, error) {
			close(started)
			<-release
			return answer("old"), nil
		})
		oldDone <- e
	}()
	<-started
	p.Invalidate(live.TopicAll)
	newer, err := p.get("k", html, func() (rendered, error) { return answer("new"), nil })
	require.NoError(t, err)
	require.Equal(t, "new", string(newer.body), "a request after Invalidate gets a fresh render")
	close(release)
	require.Equal(t, "old", string((<-oldDone).body))
	again, err := p.get("k", html, func() (rendered, error) { return answer("third"), nil })
	require.NoError(t, err)
	require.Equal(t, "new", string(again.body), "the stale render was not stored")
}

// showingTopics is a render of body that shows topics.
func showingTopics(body string, topics ...string) func() (rendered, error) {
	return func() (rendered, error) { return rendered{body: []byte(body), shows: showing(topics...)}, nil }
}

// Invalidate drops the entries that show the topic and keeps the others.
func TestCacheInvalidatesByTopic(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	for key, topics := range map[string][]string{
		"programme": {live.TopicEvents},
		"venue":     {live.TopicEvents, live.LocationTopic("main-cave", "now-playing")},
		"other":     {live.LocationTopic("other-cave", "now-playing")},
	} {
		_, err := p.get(key, html, showingTopics("v1", topics...))
		require.NoError(t, err)
	}
	p.Invalidate(live.LocationTopic("main-cave", "now-playing"))
	cached := func(key string) bool { _, ok := p.entries.GetIfPresent(key); return ok }
	require.True(t, cached("programme"))
	require.False(t, cached("venue"))
	require.True(t, cached("other"))
	p.Invalidate("no-page-shows-this")
	require.True(t, cached("programme"))
	p.Invalidate(live.TopicSettings)
	require.False(t, cached("programme"), "every entry shows the settings")
	require.False(t, cached("other"))
	_, pairs := p.indexSize()
	require.Zero(t, pairs, "the index empties with the cache")
}

// A render that began before an invalidation of a topic it shows is not
// stored; one that shows other topics is.
func TestCacheInvalidateDuringRenderIsPerTopic(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	render := func(key, topic string) (started chan struct{}, release chan struct{}, done chan *cacheEntry) {
		started, release, done = make(chan struct{}), make(chan struct{}), make(chan *cacheEntry)
		go func() {
			e, _ := p.get(key, html, func() (rendered, error) {
				close(started)
				<-release
				return rendered{body: []byte("old " + key), shows: showing(topic)}, nil
			})
			done <- e
		}()
		return started, release, done
	}
	s1, r1, d1 := render("event-page", live.EventTopic(7))
	s2, r2, d2 := render("artists", live.TopicArtists)
	<-s1
	<-s2
	p.Invalidate(live.EventTopic(7))
	close(r1)
	close(r2)
	require.Equal(t, "old event-page", string((<-d1).body), "the request that asked before gets its render")
	require.Equal(t, "old artists", string((<-d2).body))
	_, ok := p.entries.GetIfPresent("event-page")
	require.False(t, ok, "a render overtaken by its topic's change is not stored")
	_, ok = p.entries.GetIfPresent("artists")
	require.True(t, ok, "another topic's change does not keep a render out")
}

// The invalidation record stays small: past maxChangedTopics it is emptied,
// and a render in flight then is treated as overtaken.
func TestCacheChangedTopicsStayBounded(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		p.get("k", html, func() (rendered, error) {
			close(started)
			<-release
			return answer("x"), nil
		})
		close(done)
	}()
	<-started
	for i := range maxChangedTopics + 10 {
		p.Invalidate(live.EventTopic(int64(i)))
	}
	p.mu.Lock()
	n := len(p.changed)
	p.mu.Unlock()
	require.LessOrEqual(t, n, maxChangedTopics)
	close(release)
	<-done
	_, ok := p.entries.GetIfPresent("k")
	require.False(t, ok)
}

// Under a flood of distinct keys the index holds no more than the cache:
// evicted entries leave it, and a replaced entry is indexed once.
func TestCacheIndexIsBoundedByTheCache(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 64<<10, time.Now)
	page := strings.Repeat("x", 2<<10)
	for i := range 5000 {
		key := fmt.Sprint("/events?from=", i)
		_, err := p.get(key, html, showingTopics(page, live.TopicEvents, live.EventTopic(int64(i))))
		require.NoError(t, err)
	}
	p.entries.CleanUp()
	entries := p.entries.EstimatedSize()
	require.Less(t, entries, 100)
	topics, pairs := p.indexSize()
	require.LessOrEqual(t, pairs, 3*entries, "three topics an entry, and no more")
	require.LessOrEqual(t, topics, entries+2)

	q := newPageCache(time.Minute, 1<<20, time.Now)
	for range 3 {
		_, err := q.get("k", html, showingTopics("v", live.TopicEvents))
		require.NoError(t, err)
		q.Invalidate(live.EventTopic(1)) // not shown: the entry stays
		q.entries.Set("k", q.newEntry([]byte("v2"), html, time.Now().Add(time.Minute), showing(live.TopicArtists).topics))
	}
	_, pairs = q.indexSize()
	require.Zero(t, pairs, "a replaced entry leaves the index")
}

// The cache holds at most its budget of bytes, however many distinct keys
// arrive, and a page in steady use survives a flood of one-off pages.
func TestCacheIsBoundedByBytes(t *testing.T) {
	t.Parallel()
	const budget = 256 << 10
	p := newPageCache(time.Minute, budget, time.Now)
	page := strings.Repeat("x", 8<<10)
	calls := 0
	hot := counting(page, &calls)
	for i := range 2000 {
		_, err := p.get(fmt.Sprint("junk", i), html, counting(page, new(int)))
		require.NoError(t, err)
		if i%10 == 0 {
			_, err = p.get("hot", html, hot)
			require.NoError(t, err)
		}
	}
	p.entries.CleanUp()
	require.LessOrEqual(t, p.entries.WeightedSize(), uint64(budget))
	require.Less(t, p.entries.EstimatedSize(), 2000/10)
	require.LessOrEqual(t, calls, 3, "the page in use stays in")
}

func TestCacheGzipsOnce(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	big := make([]byte, 4096)
	for i := range big {
		big[i] = 'a' + byte(i%7)
	}
	e, err := p.get("k", html, func() (rendered, error) { return rendered{body: big, shows: showing("t")}, nil })
	require.NoError(t, err)
	gz := e.gzipped()
	require.NotEmpty(t, gz)
	require.Less(t, len(gz), len(big))
	require.Equal(t, &gz[0], &e.gzipped()[0], "compressed once, then reused")
	require.NotEqual(t, e.etag, e.etagGzip(), "two byte sequences, two strong tags")
	small, err := p.get("s", html, func() (rendered, error) { return answer("tiny"), nil })
	require.NoError(t, err)
	require.Nil(t, small.gzipped(), "too small to gain from gzip")
}

func TestETagMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header string
		want   bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{`*`, true},
		{`"abc-gz"`, false},
		{`"ab"`, false},
		{``, false},
	}
	for _, tc := range cases {
		t.Run(tc.header, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, etagMatches(tc.header, `"abc"`))
		})
	}
}

// A memo loads once per key until one of its topics changes; other
// topics leave it, and a load overtaken by a change is not kept.
func TestMemoFollowsItsTopics(t *testing.T) {
	t.Parallel()
	p := newPageCache(time.Minute, 1<<20, time.Now)
	m := newMemo[int](p, live.TopicLocations)
	loads := 0
	load := func() (int, error) { loads++; return loads, nil }
	for range 3 {
		v, err := m.get("en", load)
		require.NoError(t, err)
		require.Equal(t, 1, v)
	}
	p.Invalidate(live.TopicEvents)
	v, _ := m.get("en", load)
	require.Equal(t, 1, v, "another topic leaves it")
	p.Invalidate(live.TopicLocations)
	v, _ = m.get("en", load)
	require.Equal(t, 2, v)
	v, _ = m.get("de", load)
	require.Equal(t, 3, v, "one value per key")

	_, err := m.get("fr", func() (int, error) {
		p.Invalidate(live.TopicSettings) // while it loads
		return 99, nil
	})
	require.NoError(t, err)
	v, _ = m.get("fr", load)
	require.Equal(t, 4, v, "a load overtaken by a change is loaded again")
}
