package events

import (
	"context"
	"fmt"
	"time"
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

// HappeningNowSQL and NextSQL are HappeningNow and Next at the instant now,
// answered from the database: the index's reference.
func (s *Service) HappeningNowSQL(ctx context.Context, lang string, limit int, now time.Time) ([]Summary, error) {
	return s.happeningNow(ctx, lang, limit, now, s.windowSQL)
}

func (s *Service) NextSQL(ctx context.Context, lang string, limit int, now time.Time) ([]Summary, error) {
	return s.next(ctx, lang, limit, now, s.windowSQL)
}

// HappeningNowIndex and NextIndex are HappeningNow and Next at the instant
// now, answered from the index alone (which the service's own clock keeps
// from aging); they fail where the index would leave them to the database.
func (s *Service) HappeningNowIndex(ctx context.Context, lang string, limit int, now time.Time) ([]Summary, error) {
	return s.happeningNow(ctx, lang, limit, now, s.windowIndex)
}

func (s *Service) NextIndex(ctx context.Context, lang string, limit int, now time.Time) ([]Summary, error) {
	return s.next(ctx, lang, limit, now, s.windowIndex)
}

func (s *Service) windowIndex(ctx context.Context, lang string, w window) ([]Summary, error) {
	x, err := s.programme(ctx)
	if err != nil {
		return nil, err
	}
	if w.limit <= 0 || !x.answers(lang, Filter{From: w.from, To: w.to}) {
		return nil, fmt.Errorf("the index does not answer %s %+v", lang, w)
	}
	return x.window(lang, w), nil
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
