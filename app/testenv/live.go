package testenv

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/dreamerscave/tdc/app/live"
)

// RunHub runs hub as `tdc serve` does, fed by bus, until the test ends
// (then it closes every socket), and returns once the bus's subscription is
// up, so that what the test publishes next is heard.
func RunHub(t testing.TB, hub *live.Hub, bus *live.Bus) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	go hub.Run(ctx)
	listening := make(chan struct{})
	var once sync.Once
	go bus.Listen(ctx, func(c live.Change) {
		hub.Changed(c)
		if a, ok := live.AdminTwin(c); ok {
			hub.Changed(a)
		}
		once.Do(func() { close(listening) }) // the first is TopicAll, on subscribing
	})
	t.Cleanup(func() {
		if err := hub.Close(context.Background()); err != nil {
			t.Errorf("testenv: close hub: %v", err)
		}
		cancel()
	})
	<-listening
}

// NextFrame reads ws's next message, which must be text. The deadline only
// keeps a broken test from hanging.
func NextFrame(t testing.TB, ws *websocket.Conn) string {
	t.Helper()
	if err := ws.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatalf("testenv: websocket deadline: %v", err)
	}
	kind, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("testenv: websocket read: %v", err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("testenv: websocket message of type %d, want text", kind)
	}
	return string(b)
}
