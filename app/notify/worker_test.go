package notify_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/testenv"
)

// A server answering 4xx, then 5xx, makes each row wait and try again, then
// fail after its last attempt; the admin's Retry queues it again, and once
// the server accepts, every row arrives: nothing is lost.
func TestWorkerRetriesThenFails(t *testing.T) {
	t.Parallel()
	sqlDB, srv, c, svc := workerSetup(t, testOptions())
	enqueue(t, sqlDB, 5, c.Now())
	_, err := sqlDB.ExecContext(t.Context(), "UPDATE notification_queue SET max_attempts = 3")
	require.NoError(t, err)

	srv.mode.Store(451)
	st, err := svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Retried: 5}, st)
	require.Equal(t, map[string]int{"pending": 5}, statusCounts(t, sqlDB))

	// Not due yet: the backoff holds them back.
	st, err = svc.Run(t.Context())
	require.NoError(t, err)
	require.Zero(t, st)

	srv.mode.Store(554)
	c.Add(time.Hour)
	st, err = svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Retried: 5}, st)
	c.Add(time.Hour)
	st, err = svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Failed: 5}, st)
	require.Equal(t, map[string]int{"failed": 5}, statusCounts(t, sqlDB))

	o, err := svc.Overview(t.Context())
	require.NoError(t, err)
	require.EqualValues(t, 5, o.Counts["failed"])
	require.Len(t, o.Failed, 5)
	require.Contains(t, o.Failed[0].LastError, "554")
	require.Equal(t, 3, o.Failed[0].Attempts)

	srv.mode.Store(0)
	for _, f := range o.Failed {
		require.NoError(t, svc.Retry(t.Context(), actor.System(), f.ID))
	}
	require.ErrorContains(t, svc.Retry(t.Context(), actor.System(), o.Failed[0].ID), "no failed notification")
	st, err = svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Sent: 5}, st)
	total, distinct, _ := srv.counts()
	require.Equal(t, 5, total)
	require.Equal(t, 5, distinct)
}

// With the server down, rows wait; when it is back, they all arrive.
func TestWorkerSMTPDownThenUp(t *testing.T) {
	t.Parallel()
	sqlDB, srv, c, svc := workerSetup(t, testOptions())
	enqueue(t, sqlDB, 20, c.Now())

	srv.stop()
	st, err := svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Retried: 20}, st)

	srv.start(t)
	c.Add(time.Hour)
	st, err = svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Sent: 20}, st)
	require.Equal(t, map[string]int{"sent": 20}, statusCounts(t, sqlDB))
	total, distinct, _ := srv.counts()
	require.Equal(t, 20, total)
	require.Equal(t, 20, distinct)
}

// Two workers (as two instances) draining one queue at once never send a
// row twice: SKIP LOCKED hands each row to one of them.
func TestWorkersConcurrentNoDoubleSend(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Batch = 20
	sqlDB, srv, c, a := workerSetup(t, o)
	b := newService(t, sqlDB, srv.URL(), c, o)
	require.NotEqual(t, a.Owner(), b.Owner())
	const n = 400
	enqueue(t, sqlDB, n, c.Now())

	var wg sync.WaitGroup
	stats := make([]notify.Stats, 2)
	for i, w := range []*notify.Service{a, b} {
		wg.Go(func() {
			st, err := w.Run(t.Context())
			require.NoError(t, err)
			stats[i] = st
		})
	}
	wg.Wait()
	require.Equal(t, n, stats[0].Sent+stats[1].Sent)
	require.Equal(t, map[string]int{"sent": n}, statusCounts(t, sqlDB))
	total, distinct, maxCopies := srv.counts()
	require.Equal(t, n, total)
	require.Equal(t, n, distinct)
	require.Equal(t, 1, maxCopies)
}

// A worker whose time is up stops claiming and hands back what it holds,
// due at once and without counting an attempt.
func TestWorkerStopsWhenTimeIsUp(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Senders, o.Batch = 1, 50
	sqlDB, srv, c, svc := workerSetup(t, o)
	srv.delay.Store(int64(20 * time.Millisecond))
	enqueue(t, sqlDB, 50, c.Now())

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for {
			if total, _, _ := srv.counts(); total >= 3 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	st, err := svc.Run(ctx)
	require.NoError(t, err)
	require.Less(t, st.Sent, 50)
	counts := statusCounts(t, sqlDB)
	require.Equal(t, 50, counts["sent"]+counts["pending"], "nothing left leased: %v", counts)
	var attempts int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT MAX(attempts) FROM notification_queue WHERE status = 'pending'").Scan(&attempts))
	require.Zero(t, attempts)

	sendRest(t, svc, srv, st.Sent, 50)
}

// sendRest lets the sink answer at once, runs svc again, and checks that
// the two runs sent all n mails, each once.
func sendRest(t *testing.T, svc *notify.Service, srv *sink, sent, n int) {
	t.Helper()
	srv.delay.Store(0)
	st, err := svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, n, sent+st.Sent)
	total, distinct, _ := srv.counts()
	require.Equal(t, n, distinct)
	require.Equal(t, n, total)
}

// A run with a deadline (the job's interval) stops claiming in time to
// send what it holds and returns before the deadline, so that the next
// tick is not skipped; nothing is left leased, and the next run goes on.
func TestWorkerStopsClaimingBeforeDeadline(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Senders, o.Batch = 1, 10
	sqlDB, srv, c, svc := workerSetup(t, o)
	// A batch takes 200 ms or more to send.
	srv.delay.Store(int64(20 * time.Millisecond))
	enqueue(t, sqlDB, 200, c.Now())

	const budget = 2 * time.Second
	ctx, cancel := context.WithTimeout(t.Context(), budget)
	defer cancel()
	start := time.Now()
	st, err := svc.Run(ctx)
	require.NoError(t, err)
	require.Less(t, time.Since(start), budget, "the run outlasted its interval")
	require.NoError(t, ctx.Err())
	require.Positive(t, st.Sent)
	require.Less(t, st.Sent, 200)
	counts := statusCounts(t, sqlDB)
	require.Equal(t, map[string]int{"sent": st.Sent, "pending": 200 - st.Sent}, counts, "nothing left leased")

	sendRest(t, svc, srv, st.Sent, 200)
}

// A row that cannot be rendered (an unknown kind, a payload that is not
// what its producer writes) fails at once and is not sent; the others in
// its batch go out.
func TestWorkerBadRows(t *testing.T) {
	t.Parallel()
	sqlDB, srv, c, svc := workerSetup(t, testOptions())
	enqueue(t, sqlDB, 2, c.Now())
	_, err := sqlDB.ExecContext(t.Context(), `INSERT INTO notification_queue (kind, dedupe_key, to_address, payload, next_attempt_at) VALUES
		('bogus', 'bad-1', 'a@example.org', '{}', ?),
		('reminder', 'bad-2', 'b@example.org', '{"starts_at": "tomorrow", "slug": "x"}', ?),
		('post', 'bad-3', 'c@example.org', '[1, 2]', ?)`, c.Now(), c.Now(), c.Now())
	require.NoError(t, err)

	st, err := svc.Run(t.Context())
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Sent: 2, Failed: 3}, st)
	require.Equal(t, map[string]int{"sent": 2, "failed": 3}, statusCounts(t, sqlDB))
	total, _, _ := srv.counts()
	require.Equal(t, 2, total)
}

// workerSetup is a scratch database with a sink, a clock and a worker.
func workerSetup(t *testing.T, o notify.Options) (*sql.DB, *sink, *testenv.Clock, *notify.Service) {
	t.Helper()
	_, sqlDB := testenv.ScratchDB(t, "notify")
	srv := newSink(t)
	c := newClock(time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC))
	return sqlDB, srv, c, newService(t, sqlDB, srv.URL(), c, o)
}
