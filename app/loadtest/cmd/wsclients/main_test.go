//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// server is a websocket server that sends each client a first frame, then
// what the test broadcasts, pinging before each frame and counting pongs.
type server struct {
	srv   *httptest.Server
	mu    sync.Mutex
	conns []*websocket.Conn
	pongs atomic.Int64
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{}
	up := websocket.Upgrader{EnableCompression: true}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		ws.SetPongHandler(func(string) error { s.pongs.Add(1); return nil })
		// Listed as the first frame goes out, under the lock broadcast
		// takes: a client that has its first frame may be counted ready
		// and get the first change before this handler runs again.
		s.mu.Lock()
		err = ws.WriteMessage(websocket.TextMessage, []byte(`<div id="live-events">first</div>`))
		if err == nil {
			s.conns = append(s.conns, ws)
		}
		s.mu.Unlock()
		if err != nil {
			ws.Close()
			return
		}
		go func() { // pongs and close frames
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *server) url() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") }

// broadcast pings every client and sends it frame k, compressed as a
// browser's socket would get it (gorilla compresses when negotiated).
func (s *server) broadcast(t *testing.T, k int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := fmt.Appendf(nil, `<div id="live-events" hx-swap-oob="true">%s change %d</div>`, strings.Repeat("programme ", 200), k)
	for _, ws := range s.conns {
		require.NoError(t, ws.WriteControl(websocket.PingMessage, []byte(strconv.Itoa(k)), time.Now().Add(time.Second)))
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, msg))
	}
}

// closeAll closes every client's socket with a close frame.
func (s *server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ws := range s.conns {
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "too slow"), time.Now().Add(time.Second))
		_ = ws.Close()
	}
}

// measure runs wsclients with args against s; changes calls send after the
// clients are ready, and their publication times go to wsclients.
func measure(t *testing.T, s *server, changes int, send func(k int), args ...string) Result {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(append([]string{"-url", s.url(), "-changes", strconv.Itoa(changes), "-dialers", "4"}, args...), inR, outW)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	ready, err := out.ReadBytes('\n')
	require.NoError(t, err)
	require.Contains(t, string(ready), `"ready"`)
	var pub []int64
	for k := range changes {
		pub = append(pub, time.Now().UnixNano())
		send(k)
	}
	line, err := json.Marshal(pub)
	require.NoError(t, err)
	_, err = inW.Write(append(line, '\n'))
	require.NoError(t, err)
	last, err := out.ReadBytes('\n')
	require.NoError(t, err, "no result")
	require.NoError(t, <-errc)
	var res Result
	require.NoError(t, json.Unmarshal(last, &res))
	return res
}

func TestEveryFrameIsCountedAndEveryPingAnswered(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-inflate=false"}, {"-inflate=true"}, {"-gather=20ms"}} {
		s := newServer(t)
		const n, changes = 20, 5
		res := measure(t, s, changes, func(k int) { s.broadcast(t, k) }, append([]string{"-n", strconv.Itoa(n)}, args...)...)
		require.Equal(t, Result{Clients: n, Frames: n * changes}, Result{Clients: res.Clients, Frames: res.Frames, Missing: res.Missing, Closed: res.Closed},
			"%v", args)
		require.Positive(t, res.P50MS)
		require.LessOrEqual(t, res.P50MS, res.P99MS)
		require.LessOrEqual(t, res.P99MS, res.MaxMS)
		require.Eventually(t, func() bool { return s.pongs.Load() == n*changes }, 5*time.Second, 10*time.Millisecond,
			"%v: %d pongs for %d pings", args, s.pongs.Load(), n*changes)
		if args[0] == "-gather=20ms" {
			// 20 sockets are few: each poll waits before it reads.
			require.GreaterOrEqual(t, res.P50MS, 10.0, "frames are read after the wait")
		}
	}
}

// A server that closes its clients after the first change: they count as
// closed, and the changes they missed as missing, well before -wait.
func TestClientsClosedByTheServerAreCounted(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const n, changes = 10, 3
	start := time.Now()
	res := measure(t, s, changes, func(k int) {
		if k == 0 {
			s.broadcast(t, k)
			s.closeAll()
		}
	}, "-n", strconv.Itoa(n), "-wait", "20s")
	require.Less(t, time.Since(start), 15*time.Second, "no wait for clients the server has closed")
	require.Equal(t, n, res.Closed)
	require.Equal(t, n, res.Frames)
	require.Equal(t, n*(changes-1), res.Missing)
}

// Frames that never come are given up on after -wait.
func TestWaitEndsTheMeasurement(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	res := measure(t, s, 2, func(k int) {
		if k == 0 {
			s.broadcast(t, k)
		}
	}, "-n", "3", "-wait", "300ms")
	require.Equal(t, Result{Clients: 3, Frames: 3, Missing: 3}, Result{Clients: res.Clients, Frames: res.Frames, Missing: res.Missing, Closed: res.Closed})
}

func TestBadArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"-url", "ws://127.0.0.1:1/ws", "-n", "0"},
		{"-url", "ws://127.0.0.1:1/ws", "-changes", "0"},
		{"-url", "ws://127.0.0.1:1/ws", "-n", "x"},
		{"-url", "ws://127.0.0.1:1/ws", "-n", "1"}, // nothing listens there
	} {
		require.Error(t, run(args, strings.NewReader(""), io.Discard), "%q", args)
	}
	s := newServer(t)
	for _, stdin := range []string{"", "not json\n", `{"a":1}` + "\n"} {
		require.Error(t, run([]string{"-url", s.url(), "-n", "2", "-changes", "1"}, strings.NewReader(stdin), io.Discard), "stdin %q", stdin)
	}
}
