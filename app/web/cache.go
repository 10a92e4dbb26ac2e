package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"
	"golang.org/x/sync/singleflight"
)

// pageCache keeps rendered public pages in memory: rendering a page costs
// far more than sending its bytes, and the programme changes rarely. An
// entry lives until its TTL passes (so "happening now" moves on) or until
// Invalidate, which the live layer calls when content changes.
type pageCache struct {
	ttl     time.Duration
	max     int
	now     func() time.Time
	mu      sync.RWMutex
	entries map[string]*cacheEntry
	gen     uint64
	flight  singleflight.Group
	gzips   sync.Pool
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
	p := &pageCache{ttl: ttl, max: max, now: now, entries: map[string]*cacheEntry{}}
	p.gzips.New = func() any { return gzip.NewWriter(nil) }
	return p
}

// Invalidate drops every entry.
func (p *pageCache) Invalidate() {
	p.mu.Lock()
	p.gen++
	clear(p.entries)
	p.mu.Unlock()
}

// get returns the entry for key, calling render once for concurrent misses.
// Errors are never cached.
func (p *pageCache) get(c fiber.Ctx, key string, render func() ([]byte, error)) (*cacheEntry, error) {
	now := p.now()
	p.mu.RLock()
	e, ok := p.entries[key]
	gen := p.gen
	p.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e, nil
	}
	v, err, _ := p.flight.Do(key, func() (any, error) {
		body, err := render()
		if err != nil {
			return nil, err
		}
		e := p.newEntry(body, now.Add(p.ttl), gen)
		if p.ttl > 0 {
			p.store(key, e)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cacheEntry), nil
}

func (p *pageCache) store(key string, e *cacheEntry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.gen != p.gen {
		return // rendered from data that changed meanwhile
	}
	if len(p.entries) >= p.max {
		now := p.now()
		for k, old := range p.entries {
			if !now.Before(old.expires) {
				delete(p.entries, k)
			}
		}
		if len(p.entries) >= p.max {
			clear(p.entries) // crude, but bounded; keys are canonical, so this is rare
		}
	}
	p.entries[key] = e
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

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
