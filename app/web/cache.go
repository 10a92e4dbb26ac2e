package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/maypok86/otter/v2"
	"golang.org/x/sync/singleflight"
)

// pageCache keeps rendered public pages and feeds in memory: rendering
// costs far more than sending bytes, and the programme changes rarely. It
// holds at most TDC_PAGE_CACHE_MB of bodies; an entry lives until its TTL
// passes (so "happening now" moves on, and expired entries are freed),
// until Invalidate (called when content changes), or until the cache's
// eviction policy picks it to make room.
type pageCache struct {
	ttl     time.Duration
	now     func() time.Time
	entries *otter.Cache[string, *cacheEntry]
	// gen counts invalidations. An entry from an older generation is never
	// served, even if a render that began before Invalidate stored it.
	gen    atomic.Uint64
	flight singleflight.Group
	gzips  sync.Pool
}

// cacheEntry is one rendered answer.
type cacheEntry struct {
	body        []byte
	contentType string
	etag        string // of body; the gzip body has its own (etagGzip)
	expires     time.Time
	gen         uint64
	// gz is compressed on the first request that accepts gzip, so a page
	// nobody fetches compressed costs no compression.
	gzOnce sync.Once
	gz     []byte
	pool   *sync.Pool
}

// entryOverhead is what an entry costs besides its bytes (struct, key,
// the cache's node), so a flood of tiny entries is bounded too.
const entryOverhead = 512

func newPageCache(ttl time.Duration, maxBytes int64, now func() time.Time) *pageCache {
	p := &pageCache{ttl: ttl, now: now}
	p.gzips.New = func() any { return gzip.NewWriter(nil) }
	p.entries = otter.Must(&otter.Options[string, *cacheEntry]{
		MaximumWeight: uint64(max(maxBytes, 1)),
		// A compressed copy may join the body later; count it up front
		// at a typical ratio for HTML, so the bound holds either way.
		Weigher: func(key string, e *cacheEntry) uint32 {
			return uint32(min(len(key)+len(e.body)+len(e.body)/4+entryOverhead, 1<<31))
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *cacheEntry]) time.Duration {
			return max(e.Value.expires.Sub(now()), time.Nanosecond)
		}),
		Clock: cacheClock{now: now},
	})
	return p
}

// cacheClock is the server's clock for the cache's expiry, so tests with a
// fixed clock keep their pages; clean-ups tick in real time.
type cacheClock struct{ now func() time.Time }

func (c cacheClock) NowNano() int64 { return c.now().UnixNano() }

func (c cacheClock) Tick(d time.Duration) <-chan time.Time { return time.Tick(d) }

// Invalidate drops every entry.
func (p *pageCache) Invalidate() {
	p.gen.Add(1)
	p.entries.InvalidateAll()
}

// get returns the entry for key, calling render once for concurrent misses
// of the same generation. Errors are never cached.
func (p *pageCache) get(key, contentType string, render func() ([]byte, error)) (*cacheEntry, error) {
	now := p.now()
	gen := p.gen.Load()
	if e, ok := p.entries.GetIfPresent(key); ok && e.gen == gen && now.Before(e.expires) {
		return e, nil
	}
	// A request arriving after Invalidate must not share a render that
	// started before it, so the generation is part of the flight key.
	v, err, _ := p.flight.Do(key+"#"+strconv.FormatUint(gen, 10), func() (any, error) {
		body, err := render()
		if err != nil {
			return nil, err
		}
		e := p.newEntry(body, contentType, now.Add(p.ttl), gen)
		if p.ttl > 0 && gen == p.gen.Load() {
			p.entries.Set(key, e)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cacheEntry), nil
}

func (p *pageCache) newEntry(body []byte, contentType string, expires time.Time, gen uint64) *cacheEntry {
	sum := sha256.Sum256(body)
	return &cacheEntry{
		body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		expires: expires, gen: gen, pool: &p.gzips,
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
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		c.Response().Header.Del(fiber.HeaderContentEncoding)
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Status(fiber.StatusOK).Send(body)
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
