package web

import (
	"sync"
	"time"
)

// memo keeps data that many pages share and that changes only with its
// topics, per key (a language): the venues and artists of the programme's
// filter form, say. A programme page that misses the page cache then
// renders without loading them again. Invalidations reach it through the
// page cache's record of changes, so it is never staler than a page.
type memo[T any] struct {
	p      *pageCache
	topics []string
	mu     sync.Mutex
	vals   map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	v       T
	start   uint64 // the page cache's seq when the load began
	expires time.Time
}

func newMemo[T any](p *pageCache, topics ...string) *memo[T] {
	return &memo[T]{p: p, topics: showing(topics...).topics, vals: map[string]memoEntry[T]{}}
}

// get returns the value for key, loading it when there is none, or when
// one of the topics changed since it was loaded. Callers share the value
// and must not change it. Keys must come from a closed set.
func (m *memo[T]) get(key string, load func() (T, error)) (T, error) {
	now := m.p.now()
	m.mu.Lock()
	e, ok := m.vals[key]
	m.mu.Unlock()
	if ok && now.Before(e.expires) && !m.p.overtaken(e.start, m.topics) {
		return e.v, nil
	}
	start := m.p.seq.Load()
	v, err := load()
	if err != nil || m.p.ttl <= 0 {
		return v, err
	}
	m.mu.Lock()
	m.vals[key] = memoEntry[T]{v: v, start: start, expires: now.Add(m.p.ttl)}
	m.mu.Unlock()
	return v, nil
}
