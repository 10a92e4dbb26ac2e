package live

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// countRenderer renders "events" as its render count.
type countRenderer struct{ n atomic.Int64 }

func (r *countRenderer) RenderTopic(context.Context, string, Viewer) ([]byte, error) {
	return fmt.Appendf(nil, `<div id="live-events" hx-swap-oob="true">render %d</div>`, r.n.Add(1)), nil
}

// An idle socket has no writer goroutine: it ends once the queue is empty,
// and the next frame or ping starts it again.
func TestWriterEndsWhenIdleAndRestarts(t *testing.T) {
	t.Parallel()
	h, err := NewHub(&countRenderer{}, Options{Coalesce: time.Millisecond}, nil, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go h.Run(ctx)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeWS(w, r, "192.0.2.1", Viewer{Lang: "en", Zone: "UTC"})
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"?topic=events", nil)
	require.NoError(t, err)
	t.Cleanup(func() { ws.Close() })

	var c *conn
	require.Eventually(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, slot := range h.conns {
			for k := range slot {
				c = k
			}
		}
		return c != nil
	}, 5*time.Second, time.Millisecond)
	idle := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return !c.writing && c.queue == nil
	}
	read := func() string {
		t.Helper()
		require.NoError(t, ws.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, msg, err := ws.ReadMessage()
		require.NoError(t, err)
		return string(msg)
	}
	require.Contains(t, read(), "render 1")
	for i := 2; i <= 4; i++ {
		require.Eventually(t, idle, 5*time.Second, time.Millisecond, "the writer ends after frame %d", i-1)
		h.Changed(Change{Topic: TopicEvents})
		require.Contains(t, read(), fmt.Sprintf("render %d", i), "a new writer sends the next frame")
	}
	require.Eventually(t, idle, 5*time.Second, time.Millisecond)
	pinged := make(chan struct{}, 1)
	ws.SetPingHandler(func(string) error { pinged <- struct{}{}; return nil })
	go func() { _, _, _ = ws.ReadMessage() }()
	c.ping()
	select {
	case <-pinged:
	case <-time.After(5 * time.Second):
		t.Fatal("no ping from an idle socket's restarted writer")
	}
}
