package notify_test

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// The crash test runs this test binary again as the worker process: with
// NOTIFY_CRASH_DSN set, TestCrashWorkerProcess is that process, and it
// sends until the queue is empty.
func TestCrashWorkerProcess(t *testing.T) {
	dsn := os.Getenv("NOTIFY_CRASH_DSN")
	if dsn == "" {
		return // not the child: TestWorkerKilledMidBatch starts it
	}
	sqlDB, err := db.Open(context.Background(), dsn, 10)
	require.NoError(t, err)
	o := testOptions()
	// Short leases, so the restarted worker takes over the killed one's
	// rows quickly.
	o.Lease, o.Batch, o.Senders = 2*time.Second, 25, 4
	svc := newService(t, sqlDB, os.Getenv("NOTIFY_CRASH_SMTP"), nil, o)
	for {
		if _, err := svc.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		var left int
		require.NoError(t, sqlDB.QueryRow("SELECT COUNT(*) FROM notification_queue WHERE status IN ('pending', 'sending')").Scan(&left))
		if left == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A worker process killed with SIGKILL in the middle of a batch leaves its
// rows leased; restarted, it takes them once the lease runs out, and every
// notification arrives, each Message-ID once. A copy can only be doubled
// when the kill falls between the server's 250 and the row's mark (at most
// one per sender); the copies share their Message-ID, and the test logs
// how many there were.
func TestWorkerKilledMidBatch(t *testing.T) {
	t.Parallel()
	dsn, sqlDB := testenv.ScratchDB(t, "notify")
	srv := newSink(t)
	// Slow enough that the kill lands mid-batch.
	srv.delay.Store(int64(5 * time.Millisecond))
	const n = 300
	enqueue(t, sqlDB, n, time.Now().UTC().Add(-time.Minute))

	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWorkerProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "NOTIFY_CRASH_DSN="+dsn, "NOTIFY_CRASH_SMTP="+srv.URL())
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		require.NoError(t, cmd.Start())
		return cmd
	}
	first := child()
	deadline := time.Now().Add(60 * time.Second)
	for {
		total, _, _ := srv.counts()
		if total >= n/4 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the worker sent only %d", total)
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait()
	counts := statusCounts(t, sqlDB)
	require.Positive(t, counts["sending"], "the kill left leased rows behind: %v", counts)
	require.Less(t, counts["sent"], n)

	second := child()
	require.NoError(t, second.Wait())
	require.Equal(t, map[string]int{"sent": n}, statusCounts(t, sqlDB))
	total, distinct, maxCopies := srv.counts()
	require.Equal(t, n, distinct, "every notification arrived")
	require.LessOrEqual(t, total-distinct, 4, "at most one copy per sender in flight at the kill")
	require.LessOrEqual(t, maxCopies, 2)
	t.Logf("%d notifications, %d deliveries: %d in flight at the kill arrived twice", n, total, total-distinct)
}
