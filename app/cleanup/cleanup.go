// Package cleanup removes what the club no longer needs: expired mailed
// tokens, stale session lists, old now-playing history and old mail.
// Everything goes in bounded batches, so a large backlog never holds a
// table's locks for long.
package cleanup

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// How long things are kept.
const (
	// TokenGrace keeps an expired token a week, so its link still says
	// "expired" rather than "invalid".
	TokenGrace = 7 * 24 * time.Hour
	// SentMailDays keeps sent and cancelled mail, for questions like "did
	// the reminder go out?".
	SentMailDays = 30
	// FailedMailDays keeps failed mail longer: an admin may retry it.
	FailedMailDays = 90
)

// batch bounds one DELETE.
const batch = 1000

// Pruner is another service's clean-up step (sessions, history), which
// returns how many items it removed.
type Pruner func(ctx context.Context) (int64, error)

// Service runs the clean-up.
type Service struct {
	q        *db.Queries
	sessions Pruner
	history  Pruner
	now      func() time.Time
	log      *slog.Logger
}

// New returns the clean-up over sqlDB; sessions and history are the
// accounts' and now-playing services' own pruning (nil skips one).
func New(sqlDB *sql.DB, sessions, history Pruner, now func() time.Time, log *slog.Logger) *Service {
	return &Service{q: db.New(sqlDB), sessions: sessions, history: history, now: now, log: log}
}

// Report counts what one run removed.
type Report struct {
	Tokens, Sessions, History, Mail int64
}

// Run removes everything that is due. It is idempotent; a step that fails
// stops the run, and the next run picks up where it stopped.
func (s *Service) Run(ctx context.Context) (Report, error) {
	var r Report
	now := s.now().UTC()
	var err error
	if r.Tokens, err = s.drain(ctx, "tokens", func() (int64, error) {
		return s.q.CleanupTokens(ctx, db.CleanupTokensParams{Cutoff: now.Add(-TokenGrace), Limit: batch})
	}); err != nil {
		return r, err
	}
	for _, m := range []struct {
		status db.NotificationQueueStatus
		days   int
	}{
		{db.NotificationQueueStatusSent, SentMailDays},
		{db.NotificationQueueStatusCancelled, SentMailDays},
		{db.NotificationQueueStatusFailed, FailedMailDays},
	} {
		n, err := s.drain(ctx, "mail "+string(m.status), func() (int64, error) {
			return s.q.CleanupNotifications(ctx, db.CleanupNotificationsParams{
				Status: m.status, Cutoff: now.AddDate(0, 0, -m.days), Limit: batch,
			})
		})
		r.Mail += n
		if err != nil {
			return r, err
		}
	}
	if s.sessions != nil {
		if r.Sessions, err = s.sessions(ctx); err != nil {
			return r, fmt.Errorf("cleanup: %w", err)
		}
	}
	if s.history != nil {
		if r.History, err = s.history(ctx); err != nil {
			return r, fmt.Errorf("cleanup: %w", err)
		}
	}
	if r != (Report{}) {
		s.log.Info("cleanup: removed", slog.Int64("tokens", r.Tokens), slog.Int64("sessions", r.Sessions),
			slog.Int64("history", r.History), slog.Int64("mail", r.Mail))
	}
	return r, nil
}

// drain runs del, one batch at a time, until a batch comes back short.
func (s *Service) drain(ctx context.Context, what string, del func() (int64, error)) (int64, error) {
	var total int64
	for {
		n, err := del()
		total += n
		if err != nil {
			return total, fmt.Errorf("cleanup: %s: %w", what, err)
		}
		if n < batch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("cleanup: %s: %w", what, err)
		}
	}
}
