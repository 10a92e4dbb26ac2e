package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/maypok86/otter/v2"
	"golang.org/x/sync/singleflight"

	"github.com/dreamerscave/tdc/app/live"
)

// pageCache keeps rendered public pages and feeds in memory: rendering
// costs far more than sending bytes, and the programme changes rarely. It
// holds at most TDC_PAGE_CACHE_MB of bodies; an entry lives until its TTL
// passes (so "happening now" moves on, and expired entries are freed),
// until a topic it shows changes (Invalidate), or until the cache's
// eviction policy picks it to make room.
type pageCache struct {
	ttl     time.Duration
	now     func() time.Time
	entries *otter.Cache[string, *cacheEntry]
	flight  singleflight.Group
	gzips   sync.Pool

	// seq counts invalidations; a render remembers the seq it began at.
	seq atomic.Uint64
	// mu orders invalidations against stores: a render is stored only if
	// none of its topics was invalidated since it began, and the check and
	// the store happen under mu, so no invalidation slips between them.
	mu sync.Mutex
	// changed holds, per topic, the seq of its last invalidation; floor is
	// the seq of the last "*" (or of the last time changed was emptied to
	// keep it small): a render that began before floor is never stored.
	changed map[string]uint64
	floor   uint64

	// idxMu guards index, which lists the entries showing each topic. It
	// is separate from mu because otter's deletion hook takes it while
	// otter holds a bucket lock, which a holder of mu may be waiting for.
	idxMu sync.Mutex
	index map[string]map[string]*cacheEntry
}

// cacheEntry is one rendered answer.
type cacheEntry struct {
	body        []byte
	contentType string
	etag        string // of body; the gzip body has its own (etagGzip)
	// modified is the Last-Modified of the answer, zero for none: for a
	// feed, its latest revision.
	modified time.Time
	expires  time.Time
	topics   []string // what it shows, see shows
	// gz is compressed on the first request that accepts gzip, so a page
	// nobody fetches compressed costs no compression.
	gzOnce sync.Once
	gz     []byte
	pool   *sync.Pool
}

// entryOverhead is what an entry costs besides its bytes (struct, key,
// the cache's node), so a flood of tiny entries is bounded too;
// topicOverhead is its cost in the topic index, per topic.
const (
	entryOverhead = 512
	topicOverhead = 96
)

// maxChangedTopics bounds the per-topic invalidation record; past it, the
// record is emptied and renders in flight are treated as stale.
const maxChangedTopics = 4096

func newPageCache(ttl time.Duration, maxBytes int64, now func() time.Time) *pageCache {
	p := &pageCache{ttl: ttl, now: now, changed: map[string]uint64{}, index: map[string]map[string]*cacheEntry{}}
	p.gzips.New = func() any { return gzip.NewWriter(nil) }
	p.entries = otter.Must(&otter.Options[string, *cacheEntry]{
		MaximumWeight: uint64(max(maxBytes, 1)),
		// A compressed copy may join the body later; count it up front
		// at a typical ratio for HTML, so the bound holds either way.
		Weigher: func(key string, e *cacheEntry) uint32 {
			n := len(key) + len(e.body) + len(e.body)/4 + entryOverhead + len(e.topics)*(topicOverhead+len(key))
			return uint32(min(n, 1<<31))
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *cacheEntry]) time.Duration {
			return max(e.Value.expires.Sub(now()), time.Nanosecond)
		}),
		Clock: cacheClock{now: now},
		// Whatever removes an entry (eviction, expiry, replacement, an
		// invalidation) removes it from the index, so the index never
		// outgrows the cache. Atomic, so it is done when the call that
		// removed the entry returns.
		OnAtomicDeletion: func(ev otter.DeletionEvent[string, *cacheEntry]) { p.unindex(ev.Key, ev.Value) },
	})
	return p
}

// cacheClock is the server's clock for the cache's expiry, so tests with a
// fixed clock keep their pages; clean-ups tick in real time.
type cacheClock struct{ now func() time.Time }

func (c cacheClock) NowNano() int64 { return c.now().UnixNano() }

func (c cacheClock) Tick(d time.Duration) <-chan time.Time { return time.Tick(d) }

// Invalidate drops the entries that show topic; live.TopicAll drops every
// entry. A render of such a page that is under way is not stored.
func (p *pageCache) Invalidate(topic string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	seq := p.seq.Add(1)
	if topic == live.TopicAll || len(p.changed) >= maxChangedTopics {
		p.floor = seq
		clear(p.changed)
	}
	if topic == live.TopicAll {
		p.entries.InvalidateAll()
		return
	}
	p.changed[topic] = seq
	p.idxMu.Lock()
	keys := p.index[topic]
	delete(p.index, topic)
	p.idxMu.Unlock()
	for key, e := range keys {
		// Only the entry that was indexed: a newer one under the same
		// key was stored after this invalidation began, so it is fresh.
		p.entries.ComputeIfPresent(key, func(old *cacheEntry) (*cacheEntry, otter.ComputeOp) {
			if old == e {
				return nil, otter.InvalidateOp
			}
			return old, otter.CancelOp
		})
	}
}

// staleSince reports whether a render that began at seq start and shows
// topics has been overtaken by an invalidation. Call it under mu.
func (p *pageCache) staleSince(start uint64, topics []string) bool {
	if start < p.floor {
		return true
	}
	for _, t := range topics {
		if p.changed[t] > start {
			return true
		}
	}
	return false
}

// overtaken is staleSince for callers that do not hold mu.
func (p *pageCache) overtaken(start uint64, topics []string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.staleSince(start, topics)
}

func (p *pageCache) store(key string, e *cacheEntry, start uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.staleSince(start, e.topics) {
		return
	}
	// Index first: the cache may evict the entry as soon as it is in (its
	// deletion then unindexes it), and unindexing the entry it replaces
	// leaves the new one, which is another pointer, in place.
	p.idxMu.Lock()
	for _, t := range e.topics {
		keys := p.index[t]
		if keys == nil {
			keys = map[string]*cacheEntry{}
			p.index[t] = keys
		}
		keys[key] = e
	}
	p.idxMu.Unlock()
	p.entries.Set(key, e)
	if cur, ok := p.entries.GetEntryQuietly(key); !ok || cur.Value != e {
		// Refused or already gone; unindexing twice is harmless.
		p.unindex(key, e)
	}
}

// unindex removes e from the index. otter calls it as e leaves the cache.
func (p *pageCache) unindex(key string, e *cacheEntry) {
	p.idxMu.Lock()
	defer p.idxMu.Unlock()
	for _, t := range e.topics {
		keys := p.index[t]
		if keys[key] != e {
			continue
		}
		delete(keys, key)
		if len(keys) == 0 {
			delete(p.index, t)
		}
	}
}

// indexSize counts the index's topics and its (topic, key) pairs.
func (p *pageCache) indexSize() (topics, pairs int) {
	p.idxMu.Lock()
	defer p.idxMu.Unlock()
	for _, keys := range p.index {
		pairs += len(keys)
	}
	return len(p.index), pairs
}

// rendered is what a render produces: the body, what it shows, and when
// what it shows last changed (zero when unknown).
type rendered struct {
	body     []byte
	shows    shows
	modified time.Time
	// ttl, when longer than the cache's, keeps this answer longer (a
	// feed, which changes only with the topics it shows); never when the
	// cache is off.
	ttl time.Duration
}

// get returns the entry for key, calling render once for concurrent misses
// that arrive between the same two invalidations. Errors are never cached.
func (p *pageCache) get(key, contentType string, render func() (rendered, error)) (*cacheEntry, error) {
	now := p.now()
	if e, ok := p.entries.GetIfPresent(key); ok && now.Before(e.expires) {
		return e, nil
	}
	start := p.seq.Load()
	// A request arriving after an invalidation must not share a render
	// that began before it, so the seq is part of the flight key.
	v, err, _ := p.flight.Do(key+"#"+strconv.FormatUint(start, 10), func() (any, error) {
		r, err := render()
		if err != nil {
			return nil, err
		}
		if len(r.shows.topics) == 0 {
			return nil, fmt.Errorf("web: cached answer %q declares no topics", key)
		}
		ttl := p.ttl
		if ttl > 0 && r.ttl > ttl {
			ttl = r.ttl
		}
		e := p.newEntry(r.body, contentType, now.Add(ttl), r.shows.topics)
		e.modified = r.modified.UTC().Truncate(time.Second)
		if p.ttl > 0 {
			p.store(key, e, start)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cacheEntry), nil
}

// shows is what a cached answer shows: the live topics (see app/live)
// whose change must drop it. Every loader of a cached page returns one,
// so a page cannot be cached without saying what makes it stale.
type shows struct{ topics []string }

// showing declares topics. Every answer shows the settings too (the
// layout does), so those need not be named.
func showing(topics ...string) shows {
	out := make([]string, 0, len(topics)+1)
	out = append(out, live.TopicSettings)
	for _, t := range topics {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return shows{topics: out}
}

// and adds topics, e.g. those known only once the data is loaded.
func (s shows) and(topics ...string) shows {
	return showing(append(slices.Clone(s.topics), topics...)...)
}

func (p *pageCache) newEntry(body []byte, contentType string, expires time.Time, topics []string) *cacheEntry {
	sum := sha256.Sum256(body)
	return &cacheEntry{
		body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		expires: expires, topics: topics, pool: &p.gzips,
	}
}

// etagGzip is the compressed body's tag: a strong ETag names one exact
// sequence of bytes, and the gzip body is another sequence.
func (e *cacheEntry) etagGzip() string { return strings.TrimSuffix(e.etag, `"`) + `-gz"` }

// gzipped returns the compressed body, or nil for bodies too small to gain.
func (e *cacheEntry) gzipped() []byte {
	e.gzOnce.Do(func() {
		if len(e.body) < 1024 {
			return
		}
		// A gzip.Writer holds ~800 KB of state: reuse them.
		zw := e.pool.Get().(*gzip.Writer)
		defer e.pool.Put(zw)
		var buf bytes.Buffer
		zw.Reset(&buf)
		zw.Write(e.body)
		zw.Close()
		e.gz = buf.Bytes()
	})
	return e.gz
}

// write sends the entry: 304 when the client has it, gzip when accepted.
func (e *cacheEntry) write(c fiber.Ctx) error {
	c.Vary(fiber.HeaderAcceptEncoding)
	c.Set(fiber.HeaderContentType, e.contentType)
	body, etag := e.body, e.etag
	if acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
		if gz := e.gzipped(); gz != nil {
			body, etag = gz, e.etagGzip()
			c.Set(fiber.HeaderContentEncoding, "gzip")
		}
	}
	c.Set(fiber.HeaderETag, etag)
	if !e.modified.IsZero() {
		c.Set(fiber.HeaderLastModified, e.modified.Format(http.TimeFormat))
	}
	if e.notModified(c.Get(fiber.HeaderIfNoneMatch), c.Get(fiber.HeaderIfModifiedSince), etag) {
		c.Response().Header.Del(fiber.HeaderContentEncoding)
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Status(fiber.StatusOK).Send(body)
}

// notModified decides a conditional GET (RFC 9110 13.2.2): If-None-Match
// when sent, and only otherwise If-Modified-Since, against the entry's
// Last-Modified; a date that does not parse is ignored.
func (e *cacheEntry) notModified(ifNoneMatch, ifModifiedSince, etag string) bool {
	if ifNoneMatch != "" {
		return etagMatches(ifNoneMatch, etag)
	}
	if ifModifiedSince == "" || e.modified.IsZero() {
		return false
	}
	since, err := http.ParseTime(ifModifiedSince)
	return err == nil && !e.modified.After(since)
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 13.1.2): "*",
// or any listed tag equal to etag once a W/ prefix is dropped.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := 1.0
			if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				q, _ = strconv.ParseFloat(v, 64)
			}
			return q > 0
		}
	}
	return false
}
