package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/mail"
)

// Stats is what one Run did.
type Stats struct {
	Sent, Retried, Failed int
}

// Run sends due notifications until none is due or ctx ends (the job's
// interval): one goroutine claims batches, Senders goroutines each send
// over their own SMTP connection, kept open across messages. Rows it
// claimed but did not get to are handed back when ctx ends.
func (s *Service) Run(ctx context.Context) (Stats, error) {
	if s.setupErr != nil {
		return Stats{}, s.setupErr
	}
	rows := make(chan db.NotifyClaimRow, s.o.Batch)
	var (
		mu    sync.Mutex
		st    Stats
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	fail := func(err error) {
		errMu.Lock()
		if first == nil {
			first = err
		}
		errMu.Unlock()
	}
	for range s.o.Senders {
		wg.Go(func() {
			sd := sender{s: s}
			defer sd.close()
			for r := range rows {
				if ctx.Err() != nil {
					s.release(r.ID)
					continue
				}
				res, err := sd.deliver(ctx, r)
				if err != nil {
					fail(err)
				}
				mu.Lock()
				switch res {
				case resultSent:
					st.Sent++
				case resultRetry:
					st.Retried++
				case resultFailed:
					st.Failed++
				}
				mu.Unlock()
			}
		})
	}
	var claimErr error
	// With a deadline (the job's interval), claiming stops while there is
	// time left to send what was claimed: a run that outlasts its interval
	// makes the scheduler skip the next tick, and under a backlog the
	// worker would sit idle every other interval. Once the channel is
	// full, the time between two claims is the time a batch takes to go
	// out, and a claim leaves two batches to send (the one waiting in the
	// channel and its own): the margin is three times the last such time
	// (not the longest: one slow batch would cut every later run short).
	deadline, hasDeadline := ctx.Deadline()
	var lastClaim time.Time
	var perBatch time.Duration
	for ctx.Err() == nil {
		if hasDeadline && time.Until(deadline) < max(3*perBatch, minDrain) {
			break
		}
		started := time.Now()
		if !lastClaim.IsZero() {
			perBatch = started.Sub(lastClaim)
		}
		lastClaim = started
		batch, err := s.claim(ctx)
		if err != nil {
			claimErr = err
			break
		}
		for _, r := range batch {
			rows <- r
		}
		if len(batch) < s.o.Batch {
			break
		}
	}
	close(rows)
	wg.Wait()
	if claimErr != nil && ctx.Err() == nil {
		return st, claimErr
	}
	return st, first
}

// minDrain is the least time a run keeps, after its last claim, to send
// what it claimed before its deadline.
const minDrain = 100 * time.Millisecond

// claim takes up to Batch due rows and leases them to this worker. It
// reads at READ COMMITTED: under REPEATABLE READ the locking read would
// also lock the gaps of the index range it scans, and the other
// instances' "sent" updates, which move rows within that index, would
// queue behind it.
func (s *Service) claim(ctx context.Context) ([]db.NotifyClaimRow, error) {
	tx, err := s.sqlDB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("notify: claim: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	q := s.q.WithTx(tx)
	now := s.now().UTC()
	rows, err := q.NotifyClaim(ctx, db.NotifyClaimParams{Now: now, Limit: int32(s.o.Batch)})
	if err != nil {
		return nil, fmt.Errorf("notify: claim: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if err := q.NotifyLease(ctx, db.NotifyLeaseParams{
		Owner: sql.NullString{String: s.o.Owner, Valid: true}, LeaseUntil: now.Add(s.o.Lease), Ids: ids,
	}); err != nil {
		return nil, fmt.Errorf("notify: lease %d rows: %w", len(ids), err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("notify: claim: commit: %w", err)
	}
	return rows, nil
}

// release hands an unsent row back, due now, its attempt not counted.
func (s *Service) release(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.q.NotifyRelease(ctx, db.NotifyReleaseParams{Now: s.now().UTC(), Owner: sql.NullString{String: s.o.Owner, Valid: true}, Ids: []int64{id}})
	if err != nil {
		// Its lease runs out and another run takes it.
		s.log.Warn("notify: release row", slog.Int64("id", id), slog.Any("error", err))
	}
}

type result int

const (
	resultNone result = iota
	resultSent
	resultRetry
	resultFailed
)

// sender is one SMTP connection, opened on first use and again after an
// error (the server may have dropped it).
type sender struct {
	s    *Service
	conn mail.Conn
}

func (sd *sender) close() {
	if sd.conn != nil {
		sd.conn.Close()
		sd.conn = nil
	}
}

// deliver sends r and records the outcome. The error is only for a failed
// database write: a mail the server refused is the row's retry, not the run's.
func (sd *sender) deliver(ctx context.Context, r db.NotifyClaimRow) (result, error) {
	s := sd.s
	msg, err := s.compose(r)
	if err != nil {
		// A row we cannot render will not render next time either.
		return resultFailed, s.markFailed(ctx, r, err)
	}
	if sd.conn == nil {
		if sd.conn, err = s.dial.Dial(ctx); err != nil {
			sd.conn = nil
			return sd.s.retryOrFail(ctx, r, err)
		}
	}
	if err := sd.conn.Send(ctx, msg); err != nil {
		sd.close()
		return s.retryOrFail(ctx, r, err)
	}
	// The server has the mail: mark it at once, so that a crash from here
	// on resends as little as possible. Not the run's ctx: the mail is out
	// whether or not the job's time is up.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := s.q.NotifyMarkSent(mctx, db.NotifyMarkSentParams{
		Now: sql.NullTime{Time: s.now().UTC(), Valid: true}, ID: r.ID, Owner: sql.NullString{String: s.o.Owner, Valid: true},
	}); err != nil {
		return resultSent, fmt.Errorf("notify: mark %d sent: %w", r.ID, err)
	}
	return resultSent, nil
}

// retryOrFail schedules the next attempt with exponential backoff and
// jitter, or fails the row after its last attempt.
func (s *Service) retryOrFail(ctx context.Context, r db.NotifyClaimRow, cause error) (result, error) {
	if r.Attempts+1 >= r.MaxAttempts {
		return resultFailed, s.markFailed(ctx, r, cause)
	}
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := s.q.NotifyMarkRetry(mctx, db.NotifyMarkRetryParams{
		NextAttemptAt: s.now().UTC().Add(s.backoff(int(r.Attempts) + 1)), LastError: errText(cause),
		ID: r.ID, Owner: sql.NullString{String: s.o.Owner, Valid: true},
	})
	if err != nil {
		return resultRetry, fmt.Errorf("notify: schedule retry of %d: %w", r.ID, err)
	}
	return resultRetry, nil
}

func (s *Service) markFailed(ctx context.Context, r db.NotifyClaimRow, cause error) error {
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.log.Warn("notify: mail failed for good", slog.Int64("id", r.ID), slog.String("kind", r.Kind), slog.Any("error", cause))
	_, err := s.q.NotifyMarkFailed(mctx, db.NotifyMarkFailedParams{
		LastError: errText(cause), ID: r.ID, Owner: sql.NullString{String: s.o.Owner, Valid: true},
	})
	if err != nil {
		return fmt.Errorf("notify: mark %d failed: %w", r.ID, err)
	}
	return nil
}

// backoff is the wait before attempt n+1: RetryBase doubled per attempt,
// at most RetryMax, less up to half at random, so rows that failed
// together (the server was down) do not all come back in the same second.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.o.RetryBase
	for i := 1; i < attempt && d < s.o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.o.RetryMax)
	return d - time.Duration(rand.Int64N(int64(d)/2+1))
}

func errText(err error) sql.NullString {
	t := err.Error()
	if len(t) > 2000 {
		t = t[:2000]
	}
	return sql.NullString{String: t, Valid: true}
}

// payload is what a producer stored for the mail.
type payload struct {
	EventID  int64  `json:"event_id"`
	PostID   int64  `json:"post_id"`
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	StartsAt string `json:"starts_at"`
	Zone     string `json:"zone"`
	Name     string `json:"name"`
}

// emailData is what the templates in views/emails see.
type emailData struct {
	Name, Title, Summary, When, Link, Unsubscribe string
}

// compose renders r in its recipient's language and time zone.
func (s *Service) compose(r db.NotifyClaimRow) (mail.Message, error) {
	kind := Kind(r.Kind)
	if !kind.Valid() {
		return mail.Message{}, fmt.Errorf("notify: unknown kind %q", r.Kind)
	}
	var p payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return mail.Message{}, fmt.Errorf("notify: payload of %d: %w", r.ID, err)
	}
	d := emailData{Name: p.Name, Title: p.Title, Summary: p.Summary}
	if d.Name == "" {
		d.Name = r.ToAddress
	}
	switch kind {
	case KindReminder, KindAnnounce:
		at, err := time.Parse(time.RFC3339, p.StartsAt)
		if err != nil {
			return mail.Message{}, fmt.Errorf("notify: start of %d: %w", r.ID, err)
		}
		d.When = s.bundle.When(r.Lang, at, s.zone(p.Zone))
		d.Link = s.o.BaseURL.JoinPath("events", p.Slug).String()
	case KindPost:
		d.Link = s.o.BaseURL.JoinPath("blog", p.Slug).String()
	}
	if r.UserID.Valid {
		d.Unsubscribe = s.UnsubscribeURL(r.UserID.Int64, kind)
	}
	m, err := s.tpl.Compose(r.Lang, "notify-"+string(kind), d)
	if err != nil {
		return mail.Message{}, err
	}
	m.To, m.Unsubscribe = r.ToAddress, d.Unsubscribe
	m.ID = "notify-" + strconv.FormatInt(r.ID, 10) + "@" + s.o.BaseURL.Hostname()
	return m, nil
}

// zone is the user's zone, or the club's when they chose none (or one
// this machine does not know).
func (s *Service) zone(name string) i18n.Zone {
	if name != "" {
		if loc, ok := s.zones.Load(name); ok {
			return i18n.Zone{Loc: loc.(*time.Location)}
		}
		// LoadLocation reads the zone database each time: keep what it read.
		if loc, err := time.LoadLocation(name); err == nil {
			s.zones.Store(name, loc)
			return i18n.Zone{Loc: loc}
		}
	}
	return i18n.Zone{Loc: s.o.ClubZone, Label: s.o.ClubZoneLabel}
}
