package events

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/dreamerscave/tdc/app/live"
)

// When the index changes. A change to the programme names the event it
// changed (live.TopicEvents with the event's id, see Changed): that event
// is marked stale, and the next List re-reads it alone and patches it into
// a new index. Anything else that may change what List shows (live.TopicEvents
// with id 0, a venue's or artist's change, live.TopicAll, too many stale
// events at once) drops the index, and the next List builds it whole.
//
// Three guarantees, and what gives each:
//
//   - A List that starts after Changed(live.TopicEvents, X) returned sees X
//     as read after that call. Every mark takes a sequence number (seq). An
//     index is kept with the seq its reads started after (baseSeq), and
//     is served lock-free (cur) only while no mark is newer than that; a
//     List that misses joins the flight for the seq it found (the
//     singleflight key), whose reads start after that seq was taken.
//   - No mark is lost to a patch or build running beside it. stale holds
//     each marked event with the seq of its last mark, and keeping an
//     index forgets only the marks up to its own seq: an event marked
//     while a patch was reading stays stale, and the next List re-reads it.
//   - A drop overtakes every patch and build begun before it. It bumps gen,
//     and an index read under an older gen is handed to the Lists that
//     waited for it (it is as old as they are) but never kept.
//
// Kept indexes only move forward: one read under an older seq than the
// kept one is not kept either.
type indexCache struct {
	// cur is read on every List without a lock. It is base when no event
	// is stale, nil otherwise; set and cleared under mu.
	cur   atomic.Pointer[index]
	loads singleflight.Group

	mu      sync.Mutex
	gen     uint64           // bumped by each drop
	seq     uint64           // bumped by each mark
	base    *index           // the last index kept under gen, nil after a drop
	baseSeq uint64           // base shows every mark up to this one
	stale   map[int64]uint64 // event id → the seq of its last mark not in base

	builds, patches atomic.Int64 // how many of each were made, for tests
}

// indexTimeout bounds one build or patch that no caller's deadline bounds
// sooner.
const indexTimeout = 10 * time.Second

// indexMaxAge is how long an index serves before it is built again even
// though no change dropped it; a patch keeps the age of the index it
// patched. The topics keep it fresh; this bounds what a lost change costs:
// a publish that Redis refused reaches only its own process, and a fix made
// in the database by hand is published by no one. A rebuild a minute is a
// handful of queries.
const indexMaxAge = time.Minute

// maxStale is how many events may wait for a patch; one more drops the
// index. A patch reads each stale event by id (a few queries, whatever
// their number), a build reads everything (about ten): past a few dozen
// events, as a bulk import or a seed publishes, the build is the cheaper.
const maxStale = 32

// programme returns the current index: cur when it is fresh, else a patch
// of the last index kept, or a new build. Lists that miss together share
// one patch or build; a List arriving after a change starts its own, since
// the shared one may predate the change (as the settings service does).
// Each caller waits only until its own context ends, so a locked table
// costs a request its deadline, not more.
func (s *Service) programme(ctx context.Context) (*index, error) {
	if x := s.idx.cur.Load(); x != nil && s.fresh(x) {
		return x, nil
	}
	s.idx.mu.Lock()
	gen, seq, base := s.idx.gen, s.idx.seq, s.idx.base
	if base != nil && !s.fresh(base) {
		base = nil
	}
	if base != nil && len(s.idx.stale) == 0 {
		s.idx.mu.Unlock()
		return base, nil // kept since cur was read
	}
	ids := slices.Sorted(maps.Keys(s.idx.stale))
	s.idx.mu.Unlock()

	ch := s.idx.loads.DoChan(fmt.Sprintf("%d.%d", gen, seq), func() (any, error) {
		// Not cut short when the caller that started it goes away: the
		// others wait for it too. It ends by the starter's deadline,
		// though, so a database that does not answer holds no
		// connection for longer than a request would.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexTimeout)
		defer cancel()
		if d, ok := ctx.Deadline(); ok {
			var cancelAt context.CancelFunc
			bctx, cancelAt = context.WithDeadline(bctx, d)
			defer cancelAt()
		}
		x, err := s.refresh(bctx, base, ids)
		if err != nil {
			return nil, err
		}
		s.idx.keep(x, gen, seq)
		return x, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*index), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("events: wait for the index: %w", ctx.Err())
	}
}

// fresh reports whether x may still serve (see indexMaxAge).
func (s *Service) fresh(x *index) bool { return s.now().Sub(x.built) < indexMaxAge }

// refresh patches the stale events ids into base, or builds the index
// whole when there is no base or it lacks a venue or artist they show.
func (s *Service) refresh(ctx context.Context, base *index, ids []int64) (*index, error) {
	if base != nil {
		x, err := s.patchIndex(ctx, base, ids)
		if err == nil {
			s.idx.patches.Add(1)
		}
		if !errors.Is(err, errNotIndexed) {
			return x, err
		}
	}
	x, err := s.loadIndex(ctx)
	if err == nil {
		s.idx.builds.Add(1)
	}
	return x, err
}

// keep makes x, read after mark seq under gen, the index Lists start from,
// unless a drop or a newer index overtook it. It serves lock-free once no
// event marked after seq waits.
func (c *indexCache) keep(x *index, gen, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// An equal seq is a rebuild of an aged index: the later read wins.
	if c.gen != gen || (c.base != nil && c.baseSeq > seq) {
		return
	}
	c.base, c.baseSeq = x, seq
	maps.DeleteFunc(c.stale, func(_ int64, mark uint64) bool { return mark <= seq })
	if len(c.stale) == 0 {
		c.cur.Store(x)
	}
}

// markStale says that event id changed: the next List re-reads it.
func (s *Service) markStale(id int64) {
	c := &s.idx
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.stale[id]; !ok && len(c.stale) >= maxStale {
		c.dropLocked()
		return
	}
	if c.stale == nil {
		c.stale = map[int64]uint64{}
	}
	c.seq++
	c.stale[id] = c.seq
	c.cur.Store(nil)
}

// dropIndex forgets the index; the next List builds a new one.
func (s *Service) dropIndex() {
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	s.idx.dropLocked()
}

// dropLocked drops the index; c.mu is held. The stale marks go too: any
// index kept from now on is read after them.
func (c *indexCache) dropLocked() {
	c.gen++
	c.base = nil
	clear(c.stale)
	c.cur.Store(nil)
}

// Changed tells the programme index that topic changed; id is the id the
// change was published with. What it means for each topic:
//
//   - live.TopicEvents names the programme, and its id the one event that
//     changed, or 0 when the change may touch any of them. Each write of
//     an event publishes it with the event's id whenever the event is or
//     was public: that event alone is re-read. Writes of venues, artists
//     and pictures, which events show, publish it with 0: the index is
//     built again (those writes publish live.TopicLocations or
//     live.TopicArtists too, or touch a picture that several events may
//     share).
//   - live.TopicLocations and live.TopicArtists: a rename, a genre, a new or
//     deleted slug, which the filter's errors depend on; and live.TopicAll,
//     anything may have changed. Each drops the index.
//
// Every instance's change listener calls it (web.Server.Changed); this
// service's own writes, and through services.New the other services'
// writes, call it before they publish (live.WithLocal), so a process sees its
// own write at once.
func (s *Service) Changed(topic string, id int64) {
	switch topic {
	case live.TopicEvents:
		if id > 0 {
			s.markStale(id)
			return
		}
		s.dropIndex()
	case live.TopicAll, live.TopicLocations, live.TopicArtists:
		s.dropIndex()
	}
}
