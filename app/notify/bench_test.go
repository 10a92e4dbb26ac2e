package notify_test

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/testenv"
)

// BenchmarkSend measures mail throughput to a local SMTP sink: one worker
// (an instance), then two draining the same queue, as two instances do.
// Each iteration queues 2,000 mails and sends them all; msgs/s is the figure.
func BenchmarkSend(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("instances=%d", workers), func(b *testing.B) {
			_, sqlDB := testenv.ScratchDB(b, "notifybench")
			srv := newSink(b)
			const n = 2000
			svcs := make([]*notify.Service, workers)
			for i := range svcs {
				svcs[i] = newService(b, sqlDB, srv.URL(), nil, testOptions())
			}
			var sent int
			var took, cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				enqueue(b, sqlDB, n, time.Now().UTC().Add(-time.Second))
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime(b)
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, s := range svcs {
					wg.Go(func() {
						st, err := s.Run(b.Context())
						require.NoError(b, err)
						mu.Lock()
						sent += st.Sent
						mu.Unlock()
					})
				}
				wg.Wait()
				took += time.Since(start)
				cpu += cpuTime(b) - cpu0
			}
			b.ReportMetric(float64(sent)/took.Seconds(), "msgs/s")
			// The process's CPU, sink included: under shared load it
			// moves less than msgs/s does. MariaDB's share is not in it.
			b.ReportMetric(float64(cpu.Microseconds())/float64(sent), "cpu-µs/msg")
		})
	}
}

// cpuTime is the CPU time, user and system, this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEnqueueReminders measures one reminder run that queues a
// reminder for each of 10,000 followers of one artist.
func BenchmarkEnqueueReminders(b *testing.B) {
	_, sqlDB := testenv.ScratchDB(b, "notifybench")
	q := db.New(sqlDB)
	ctx := b.Context()
	artist := testenv.Artist(b, q, testenv.ArtistOpts{})
	const followers = 10000
	// Users in bulk: the accounts service hashes a password per user.
	for chunk := 0; chunk < followers; chunk += 1000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO users (email, display_name, language, email_verified_at) VALUES ")
		for i := range 1000 {
			if i > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "('f%d@example.org', 'Fan %d', 'en', NOW())", chunk+i, chunk+i)
		}
		_, err := sqlDB.ExecContext(ctx, sb.String())
		require.NoError(b, err)
	}
	_, err := sqlDB.ExecContext(ctx, "INSERT INTO artist_follows (user_id, artist_id) SELECT id, ? FROM users", artist.ID)
	require.NoError(b, err)
	start := time.Now().UTC().Truncate(time.Second).Add(30 * time.Minute)
	c := newClock(start.Add(-30 * time.Minute))
	svc := newService(b, sqlDB, "", c, testOptions())
	for b.Loop() {
		b.StopTimer()
		testenv.Event(b, q, testenv.EventOpts{Start: start, Published: true, Lineup: []testenv.ArtistRow{artist}})
		b.StartTimer()
		n, err := svc.EnqueueReminders(ctx)
		require.NoError(b, err)
		require.EqualValues(b, followers, n)
		b.StopTimer()
		_, err = sqlDB.ExecContext(ctx, "DELETE FROM notification_queue")
		require.NoError(b, err)
		_, err = sqlDB.ExecContext(ctx, "UPDATE events SET published = FALSE")
		require.NoError(b, err)
		b.StartTimer()
	}
}
