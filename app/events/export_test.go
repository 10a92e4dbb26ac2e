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

// IndexMaxAge is how long an index serves without a change.
const IndexMaxAge = indexMaxAge
