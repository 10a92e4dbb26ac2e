package events

import (
	"context"
	"fmt"
)

// ListSQL is List answered from the database, the index's reference.
func (s *Service) ListSQL(ctx context.Context, lang string, f Filter) (Page, error) {
	return s.listSQL(ctx, lang, f)
}

// ListIndex is List answered from the index alone; it fails for a filter
// that List would leave to the database.
func (s *Service) ListIndex(ctx context.Context, lang string, f Filter) (Page, error) {
	p, ok, err := s.listIndex(ctx, lang, f)
	if !ok {
		return Page{}, fmt.Errorf("the index does not answer %s %+v", lang, f)
	}
	return p, err
}

// IndexLen is the number of events in the current index, 0 for none.
func (s *Service) IndexLen() int {
	if x := s.idx.cur.Load(); x != nil {
		return len(x.entries)
	}
	return 0
}

// Index is the index List answers from now: the current one, or a patch
// or build made for this call. FreshIndex is one built whole from the
// database now, which Index must equal whenever it is up to date. Both
// are the unexported *index, which tests compare whole.
func (s *Service) Index(ctx context.Context) (any, error) { return s.programme(ctx) }

func (s *Service) FreshIndex(ctx context.Context) (any, error) { return s.loadIndex(ctx) }

// IndexRefreshes counts the indexes built whole and patched so far.
func (s *Service) IndexRefreshes() (builds, patches int64) {
	return s.idx.builds.Load(), s.idx.patches.Load()
}

// IndexMaxAge is how long an index serves without a change.
const IndexMaxAge = indexMaxAge

// MaxStale is how many events may wait for a patch before the index drops.
const MaxStale = maxStale
