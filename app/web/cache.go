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
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// pageCache keeps rendered public pages in memory: rendering a page costs
// far more than sending its bytes, and the programme changes rarely. An
// entry lives until its TTL passes (so "happening now" moves on), until
// Invalidate (called when content changes), or until it is the least
// recently used of max entries.
type pageCache struct {
	ttl     time.Duration
	now     func() time.Time
	entries *lru.Cache[string, *cacheEntry]
	// gen counts invalidations. An entry from an older generation is never
	// served, even if a render that began before Invalidate stored it.
	gen    atomic.Uint64
	flight singleflight.Group
	gzips  sync.Pool
}

type cacheEntry struct {
	body    []byte
	etag    string
	expires time.Time
	gen     uint64
	// gz is compressed on the first request that accepts gzip, so a page
	// nobody fetches compressed costs no compression.
	gzOnce sync.Once
	gz     []byte
	pool   *sync.Pool
}

func newPageCache(ttl time.Duration, max int, now func() time.Time) *pageCache {
	entries, err := lru.New[string, *cacheEntry](max)
	if err != nil {
		panic(err) // only for max <= 0, a programming error
	}
	p := &pageCache{ttl: ttl, now: now, entries: entries}
	p.gzips.New = func() any { return gzip.NewWriter(nil) }
	return p
}

// Invalidate drops every entry.
func (p *pageCache) Invalidate() {
	p.gen.Add(1)
	p.entries.Purge()
}

// get returns the entry for key, calling render once for concurrent misses
// of the same generation. Errors are never cached.
func (p *pageCache) get(key string, render func() ([]byte, error)) (*cacheEntry, error) {
	now := p.now()
	gen := p.gen.Load()
	if e, ok := p.entries.Get(key); ok && e.gen == gen && now.Before(e.expires) {
		return e, nil
	}
	// A request arriving after Invalidate must not share a render that
	// started before it, so the generation is part of the flight key.
	v, err, _ := p.flight.Do(key+"#"+strconv.FormatUint(gen, 10), func() (any, error) {
		body, err := render()
		if err != nil {
			return nil, err
		}
		e := p.newEntry(body, now.Add(p.ttl), gen)
		if p.ttl > 0 && gen == p.gen.Load() {
			p.entries.Add(key, e)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cacheEntry), nil
}

func (p *pageCache) newEntry(body []byte, expires time.Time, gen uint64) *cacheEntry {
	sum := sha256.Sum256(body)
	return &cacheEntry{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, expires: expires, gen: gen, pool: &p.gzips}
}

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
	c.Set(fiber.HeaderETag, e.etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, e.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
		if gz := e.gzipped(); gz != nil {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			return c.Status(fiber.StatusOK).Send(gz)
		}
	}
	return c.Status(fiber.StatusOK).Send(e.body)
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
