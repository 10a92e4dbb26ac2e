// Package syncstate keeps the sync_state rows the Google Calendar and
// Facebook integrations share: which events wait to be pushed, which were,
// which failed and why, and when to try again.
package syncstate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
)

// The statuses a row may have.
const (
	StatusPending = db.SyncStateStatusPending
	StatusSynced  = db.SyncStateStatusSynced
	StatusFailed  = db.SyncStateStatusFailed
	StatusDeleted = db.SyncStateStatusDeleted
)

const (
	backoffBase = 30 * time.Second
	backoffMax  = 6 * time.Hour
	maxErrorLen = 2000
	problemRows = 20
)

// Store reads and writes one integration's rows.
type Store struct {
	sqlDB   *sql.DB
	q       *db.Queries
	kind    db.SyncStateIntegration
	defLang string
	now     func() time.Time
}

// New returns the store of integration kind.
func New(sqlDB *sql.DB, kind db.SyncStateIntegration, defLang string, now func() time.Time) Store {
	return Store{sqlDB: sqlDB, q: db.New(sqlDB), kind: kind, defLang: defLang, now: now}
}

// Now is the store's clock.
func (s Store) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Mark queues event id through q (an event write's transaction) now, or
// again if it was queued or synced before.
func (s Store) Mark(ctx context.Context, q *db.Queries, id int64) error {
	if err := q.SyncMark(ctx, db.SyncMarkParams{Integration: s.kind, EntityID: id, Now: s.Now()}); err != nil {
		return fmt.Errorf("syncstate: mark %s %d: %w", s.kind, id, err)
	}
	return nil
}

// AddOnce queues event id through q unless it ever was.
func (s Store) AddOnce(ctx context.Context, q *db.Queries, id int64) error {
	if err := q.SyncAddOnce(ctx, db.SyncAddOnceParams{Integration: s.kind, EntityID: id, Now: s.Now()}); err != nil {
		return fmt.Errorf("syncstate: add %s %d: %w", s.kind, id, err)
	}
	return nil
}

// Due returns up to limit pending rows whose time has come.
func (s Store) Due(ctx context.Context, limit int) ([]db.SyncDueRow, error) {
	rows, err := s.q.SyncDue(ctx, db.SyncDueParams{Integration: s.kind, Now: s.Now(), Limit: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("syncstate: due %s: %w", s.kind, err)
	}
	return rows, nil
}

// Result is what one push came to, as far as a run is concerned.
type Result int

// The results of a push.
const (
	Done   Result = iota // pushed, or nothing to push
	Retry                // a temporary error, recorded with a backoff
	Failed               // refused, recorded as failed
)

// Each claims the due rows in turn, each for lease, and pushes each with
// push. It stops at the first Retry (the service is busy or away: the rest
// waits for the next run) and at the first error (the database's, or one
// that stops the integration), and returns how many rows did not go
// through out of how many were due.
func (s Store) Each(ctx context.Context, limit int, lease time.Duration, push func(db.SyncDueRow) (Result, error)) (bad, due int, err error) {
	rows, err := s.Due(ctx, limit)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rows {
		ok, err := s.Claim(ctx, r.EntityID, lease)
		if err != nil {
			return bad, len(rows), err
		}
		if !ok {
			continue // another instance has it
		}
		res, err := push(r)
		if err != nil {
			return bad, len(rows), err
		}
		if res != Done {
			bad++
		}
		if res == Retry {
			break
		}
	}
	return bad, len(rows), nil
}

// Claim takes due event id for one push lasting at most lease. It
// reports false when another run took it first.
func (s Store) Claim(ctx context.Context, id int64, lease time.Duration) (bool, error) {
	// DATETIME keeps whole seconds, and MySQL counts only rows an UPDATE
	// changes: the lease must move the time by a second at least.
	now := s.Now()
	until := now.Add(max(lease, time.Second)).Truncate(time.Second)
	n, err := s.q.SyncClaim(ctx, db.SyncClaimParams{LeaseUntil: until, Integration: s.kind, EntityID: id, Now: now})
	if err != nil {
		return false, fmt.Errorf("syncstate: claim %s %d: %w", s.kind, id, err)
	}
	return n > 0, nil
}

// Get returns event id's row, or apperr.ErrNotFound.
func (s Store) Get(ctx context.Context, id int64) (db.SyncGetRow, error) {
	r, err := s.q.SyncGet(ctx, db.SyncGetParams{Integration: s.kind, EntityID: id})
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("syncstate: %s %d: %w", s.kind, id, apperr.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("syncstate: get %s %d: %w", s.kind, id, err)
	}
	return r, nil
}

// Done records that revision of event id is pushed, as status with the
// external id and the event version pushed. It reports false when a newer
// write queued the event meanwhile: the row stays pending for it.
func (s Store) Done(ctx context.Context, id int64, revision int32, status db.SyncStateStatus, external string, version int32) (bool, error) {
	n, err := s.q.SyncDone(ctx, db.SyncDoneParams{
		Status: status, ExternalID: sql.NullString{String: external, Valid: external != ""}, SyncedVersion: version,
		Now: sql.NullTime{Time: s.Now(), Valid: true}, Integration: s.kind, EntityID: id, Revision: revision,
	})
	if err != nil {
		return false, fmt.Errorf("syncstate: done %s %d: %w", s.kind, id, err)
	}
	return n > 0, nil
}

// SetExternal stores the external id of event id, whatever its revision.
func (s Store) SetExternal(ctx context.Context, id int64, external string) error {
	err := s.q.SyncSetExternal(ctx, db.SyncSetExternalParams{
		ExternalID: sql.NullString{String: external, Valid: external != ""}, Integration: s.kind, EntityID: id,
	})
	if err != nil {
		return fmt.Errorf("syncstate: external id of %s %d: %w", s.kind, id, err)
	}
	return nil
}

// RetryLater keeps event id pending and puts its next attempt off by the
// backoff for one more attempt than attempts (at least after, if given).
// It returns when that is.
func (s Store) RetryLater(ctx context.Context, id int64, attempts int32, after time.Duration, cause error) (time.Time, error) {
	wait := max(Backoff(int(attempts)+1, rand.Int64N), after)
	next := s.Now().Add(wait)
	err := s.q.SyncRetryLater(ctx, db.SyncRetryLaterParams{
		LastError: errText(cause), NextAttemptAt: next, Integration: s.kind, EntityID: id,
	})
	if err != nil {
		return next, fmt.Errorf("syncstate: retry %s %d later: %w", s.kind, id, err)
	}
	return next, nil
}

// Fail marks revision of event id failed for good, until an admin retries
// it or the event changes.
func (s Store) Fail(ctx context.Context, id int64, revision int32, cause error) error {
	err := s.q.SyncFail(ctx, db.SyncFailParams{LastError: errText(cause), Integration: s.kind, EntityID: id, Revision: revision})
	if err != nil {
		return fmt.Errorf("syncstate: fail %s %d: %w", s.kind, id, err)
	}
	return nil
}

// ActionRetry and ActionResync are the audit log's names of an admin's
// retry of one row and resync of every event.
const (
	ActionRetry  = "retry"
	ActionResync = "resync"
)

// Retry queues a failed row again now, for a, and records it in the
// audit log under the event; apperr.ErrNotFound if event id has no failed
// row.
func (s Store) Retry(ctx context.Context, a actor.Actor, id int64) error {
	return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		now := s.Now()
		n, err := q.SyncRequeue(ctx, db.SyncRequeueParams{Now: now, Integration: s.kind, EntityID: id})
		if err != nil {
			return fmt.Errorf("syncstate: retry %s %d: %w", s.kind, id, err)
		}
		if n == 0 {
			return fmt.Errorf("syncstate: retry %s %d: no failed row: %w", s.kind, id, apperr.ErrNotFound)
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: ActionRetry, Kind: audit.KindEvent, EntityID: id, Summary: string(s.kind),
			Changes: []audit.Change{{Field: string(s.kind), Old: string(StatusFailed), New: string(StatusPending)}},
		})
	})
}

// MarkAll queues events ids through one transaction for a, and records
// the resync, with the ids, in the audit log.
func (s Store) MarkAll(ctx context.Context, a actor.Actor, ids []int64) error {
	return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		list := make([]string, len(ids))
		for i, id := range ids {
			if err := s.Mark(ctx, q, id); err != nil {
				return err
			}
			list[i] = strconv.FormatInt(id, 10)
		}
		// The log clips a long list; the count stays in the summary.
		return audit.Record(ctx, q, a, s.Now(), audit.Entry{
			Action: ActionResync, Kind: audit.KindIntegration,
			Summary: fmt.Sprintf("%s: %d events", s.kind, len(ids)),
			Changes: []audit.Change{{Field: "events", New: strings.Join(list, ",")}},
		})
	})
}

// Problem is a row whose last attempt went wrong.
type Problem struct {
	EventID     int64
	Slug, Title string // empty when the event is gone
	Status      db.SyncStateStatus
	Attempts    int32
	Error       string
	NextAttempt time.Time
}

// Overview is what the admin shows of one integration.
type Overview struct {
	Pending, Synced, Failed, Deleted int64
	Problems                         []Problem
}

// Overview counts the rows by status and lists the latest problems.
func (s Store) Overview(ctx context.Context) (Overview, error) {
	var o Overview
	counts, err := s.q.SyncCounts(ctx, s.kind)
	if err != nil {
		return o, fmt.Errorf("syncstate: count %s: %w", s.kind, err)
	}
	for _, c := range counts {
		switch c.Status {
		case StatusPending:
			o.Pending = c.N
		case StatusSynced:
			o.Synced = c.N
		case StatusFailed:
			o.Failed = c.N
		case StatusDeleted:
			o.Deleted = c.N
		}
	}
	rows, err := s.q.SyncProblems(ctx, db.SyncProblemsParams{DefaultLang: s.defLang, Integration: s.kind, Limit: problemRows})
	if err != nil {
		return o, fmt.Errorf("syncstate: problems of %s: %w", s.kind, err)
	}
	for _, r := range rows {
		o.Problems = append(o.Problems, Problem{
			EventID: r.EntityID, Slug: r.Slug, Title: r.Title, Status: r.Status, Attempts: r.Attempts,
			Error: r.LastError.String, NextAttempt: r.NextAttemptAt.UTC(),
		})
	}
	return o, nil
}

// Backoff is how long to wait before attempt n (1 for the first retry):
// doubling from 30 s up to 6 h, with "equal jitter" (half fixed, half
// random) so that rows failing together do not retry together. rnd returns
// a number in [0, n).
func Backoff(n int, rnd func(int64) int64) time.Duration {
	d := backoffMax
	if n < 20 {
		d = min(backoffBase<<max(n-1, 0), backoffMax)
	}
	half := int64(d / 2)
	return time.Duration(half + rnd(half+1))
}

func errText(err error) sql.NullString {
	if err == nil {
		return sql.NullString{}
	}
	msg := err.Error()
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "")
	}
	return sql.NullString{String: msg, Valid: true}
}
