package blog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
)

// Hook is told of every change to an existing post inside the write's
// transaction, after the rows are written: old is the post before, next
// after (zero but for ID when deleted), now the write's time. Work that
// must commit with the change (mail to enqueue) goes here; an error rolls
// the write back.
type Hook func(ctx context.Context, q *db.Queries, old, next PostDraft, now time.Time) error

// OnWrite adds h to the hooks every write runs. Call it while building the
// services, before anything writes.
func (s *Service) OnWrite(h Hook) { s.hooks = append(s.hooks, h) }

func (s *Service) runHooks(ctx context.Context, q *db.Queries, old, next PostDraft, now time.Time) error {
	for _, h := range s.hooks {
		if err := h(ctx, q, old, next, now); err != nil {
			return fmt.Errorf("blog: hook for post %d: %w", max(old.ID, next.ID), err)
		}
	}
	return nil
}

// PublishDue flips every scheduled post whose time has come to published,
// as an admin's Publish would: audited, its topics published so caches
// drop, and its hooks run (the new-post mail). The blog-publish job calls
// it every minute; a post someone edits meanwhile is left for the next run.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	due, err := s.q.BlogPostListDue(ctx, sql.NullTime{Time: s.stamp(), Valid: true})
	if err != nil {
		return 0, fmt.Errorf("blog: list due posts: %w", err)
	}
	n := 0
	for _, p := range due {
		_, err := s.Publish(ctx, actor.System(), p.ID, int(p.Version))
		if errors.Is(err, apperr.ErrConflict) || errors.Is(err, apperr.ErrNotFound) {
			continue // edited or deleted since the list was read
		}
		if err != nil {
			return n, fmt.Errorf("blog: publish due post %d: %w", p.ID, err)
		}
		n++
	}
	return n, nil
}
