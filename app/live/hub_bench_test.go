package live_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
)

// BenchmarkHubFanOut is one change sent to 2,000 clients of one viewer,
// over loopback, clients in this process: the hub's cost per change, with
// the clients' reads. BenchmarkFanout (app/loadtest) is the end-to-end run.
func BenchmarkHubFanOut(b *testing.B) {
	const n = 2000
	f := setup(b, live.Options{MaxPerIP: n, Coalesce: time.Microsecond}, nil)
	f.r.pad = 2000
	got := make(chan struct{}, n)
	for range n {
		ws, _, err := websocket.DefaultDialer.Dial(f.url+"?topic=events", nil)
		require.NoError(b, err)
		b.Cleanup(func() { ws.Close() })
		_, _, err = ws.ReadMessage()
		require.NoError(b, err)
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				got <- struct{}{}
			}
		}()
	}
	cpu0 := cpuTime(b)
	for b.Loop() {
		f.hub.Changed(live.Change{Topic: live.TopicEvents})
		for range n {
			<-got
		}
	}
	// The process's CPU (hub and clients) per client and change: what the
	// latency of a fan-out on busy cores follows, and far less noisy than it.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N*n)/1e3, "cpu-us/client-change")
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
