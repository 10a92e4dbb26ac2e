package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
)

// Prefs are which notifications a user wants.
type Prefs struct {
	Reminders     bool // before events of followed artists and venues
	LeadMinutes   int  // how long before
	Announcements bool // new events of followed artists and venues
	Posts         bool // new blog posts (the newsletter column)
}

// The bounds of LeadMinutes (the table's check).
const (
	MinLead = 5
	MaxLead = 10080
)

// MsgLeadRange is the field error for a lead time out of bounds.
const MsgLeadRange = "notify.prefs.lead.range"

// Prefs returns the user's preferences, the defaults when never saved.
func (s *Service) Prefs(ctx context.Context, userID int64) (Prefs, error) {
	r, err := s.q.NotifyPrefsGet(ctx, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Prefs{}, fmt.Errorf("notify: preferences of user %d: %w", userID, apperr.ErrNotFound)
	}
	if err != nil {
		return Prefs{}, fmt.Errorf("notify: preferences of user %d: %w", userID, err)
	}
	return Prefs{Reminders: r.EventReminders, LeadMinutes: int(r.ReminderLeadMinutes),
		Announcements: r.FollowedAnnouncements, Posts: r.Newsletter}, nil
}

// SavePrefs stores p for the user; a lead time out of bounds is a field
// error on "lead_minutes". Turning a kind off cancels its mail not yet sent.
func (s *Service) SavePrefs(ctx context.Context, userID int64, p Prefs) error {
	if p.LeadMinutes < MinLead || p.LeadMinutes > MaxLead {
		v := apperr.NewInvalid()
		v.Add("lead_minutes", MsgLeadRange, map[string]any{"Min": MinLead, "Max": MaxLead})
		return v.Err()
	}
	return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		err := q.NotifyPrefsSave(ctx, db.NotifyPrefsSaveParams{
			UserID: userID, EventReminders: p.Reminders, ReminderLeadMinutes: int32(p.LeadMinutes),
			FollowedAnnouncements: p.Announcements, Newsletter: p.Posts,
		})
		if err != nil {
			return fmt.Errorf("notify: save preferences of user %d: %w", userID, err)
		}
		for kind, on := range map[Kind]bool{KindReminder: p.Reminders, KindAnnounce: p.Announcements, KindPost: p.Posts} {
			if !on {
				if err := cancelUserKind(ctx, q, userID, kind); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Unsubscribe turns off kind for the user a verified token names, and
// cancels that kind's mail not yet sent. Doing it twice is fine.
func (s *Service) Unsubscribe(ctx context.Context, userID int64, kind Kind) error {
	return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		if err := q.NotifyPrefsEnsure(ctx, userID); err != nil {
			if isNoParent(err) {
				return fmt.Errorf("notify: unsubscribe user %d: %w", userID, apperr.ErrNotFound)
			}
			return fmt.Errorf("notify: unsubscribe user %d: %w", userID, err)
		}
		var err error
		switch kind {
		case KindReminder:
			_, err = q.NotifyPrefsOffReminders(ctx, userID)
		case KindAnnounce:
			_, err = q.NotifyPrefsOffAnnouncements(ctx, userID)
		case KindPost:
			_, err = q.NotifyPrefsOffPosts(ctx, userID)
		default:
			return fmt.Errorf("notify: unsubscribe from %q: %w", kind, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("notify: unsubscribe user %d from %s: %w", userID, kind, err)
		}
		return cancelUserKind(ctx, q, userID, kind)
	})
}

func cancelUserKind(ctx context.Context, q *db.Queries, userID int64, kind Kind) error {
	if _, err := q.NotifyCancelUserKind(ctx, db.NotifyCancelUserKindParams{
		UserID: sql.NullInt64{Int64: userID, Valid: true}, Kind: string(kind),
	}); err != nil {
		return fmt.Errorf("notify: cancel %s mail of user %d: %w", kind, userID, err)
	}
	return nil
}

// Failed is a notification that ran out of attempts.
type Failed struct {
	ID            int64
	Kind          string
	To            string
	Attempts, Max int
	LastError     string
	CreatedAt     time.Time
}

// Overview is the admin's view of the queue.
type Overview struct {
	Counts map[string]int64 // by status
	Failed []Failed         // the latest 100
}

// Overview counts the queue by status and lists the latest failures.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	counts, err := s.q.NotifyCountByStatus(ctx)
	if err != nil {
		return Overview{}, fmt.Errorf("notify: count queue: %w", err)
	}
	o := Overview{Counts: map[string]int64{}}
	for _, st := range db.AllNotificationQueueStatusValues() {
		o.Counts[string(st)] = 0
	}
	for _, c := range counts {
		o.Counts[string(c.Status)] = c.N
	}
	rows, err := s.q.NotifyListFailed(ctx, 100)
	if err != nil {
		return Overview{}, fmt.Errorf("notify: list failed: %w", err)
	}
	for _, r := range rows {
		o.Failed = append(o.Failed, Failed{ID: r.ID, Kind: r.Kind, To: r.ToAddress, Attempts: int(r.Attempts),
			Max: int(r.MaxAttempts), LastError: r.LastError.String, CreatedAt: r.CreatedAt})
	}
	return o, nil
}

// ActionRetry is the audit log's name of an admin's retry.
const ActionRetry = "retry"

// Retry puts a failed notification back in the queue with fresh attempts,
// for a, and records it in the audit log; apperr.ErrNotFound when there is
// no failed row id.
func (s *Service) Retry(ctx context.Context, a actor.Actor, id int64) error {
	return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		now := s.now().UTC()
		n, err := q.NotifyRetry(ctx, db.NotifyRetryParams{Now: now, ID: id})
		if err != nil {
			return fmt.Errorf("notify: retry %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("notify: retry %d: no failed notification: %w", id, apperr.ErrNotFound)
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: ActionRetry, Kind: audit.KindNotification, EntityID: id,
			Changes: []audit.Change{{Field: "status", Old: "failed", New: "pending"}},
		})
	})
}

// isNoParent reports MySQL's "cannot add a child row" (the user is gone).
func isNoParent(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1452
}
