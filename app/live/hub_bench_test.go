package live_test

import (
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
	for b.Loop() {
		f.hub.Changed(live.Change{Topic: live.TopicEvents})
		for range n {
			<-got
		}
	}
}
