package live

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// deadlineCounter is a connection that counts and records write deadlines
// and keeps what is written.
type deadlineCounter struct {
	net.Conn
	sets  int
	last  time.Time
	fail  error
	wrote bytes.Buffer
}

func (c *deadlineCounter) SetWriteDeadline(t time.Time) error {
	c.sets++
	c.last = t
	return c.fail
}

func (c *deadlineCounter) Write(p []byte) (int, error) { return c.wrote.Write(p) }

func TestSocketPassesOnlyChangedDeadlines(t *testing.T) {
	t.Parallel()
	inner := &deadlineCounter{}
	s := newSocket(inner)
	require.Nil(t, s.raw, "no descriptor under a test connection")
	t0 := time.Now().Add(10 * time.Second)
	for range 3 {
		require.NoError(t, s.write([]byte("f"), t0))
	}
	require.Equal(t, 1, inner.sets, "the same deadline again is not passed on")

	// gorilla's control frame, with a sooner deadline, then the writer's again.
	require.NoError(t, s.SetWriteDeadline(t0.Add(-time.Second)))
	_, err := s.Write([]byte("c"))
	require.NoError(t, err)
	require.NoError(t, s.write([]byte("f"), t0))
	require.Equal(t, 3, inner.sets)
	require.Equal(t, t0, inner.last)
	require.Equal(t, "fffcf", inner.wrote.String())

	// A failed set leaves the deadline unknown: the next one is passed on.
	inner.fail = errors.New("closed")
	require.Error(t, s.write([]byte("x"), t0.Add(time.Second)))
	inner.fail = nil
	require.NoError(t, s.write(nil, t0.Add(time.Second)))
	require.NoError(t, s.write(nil, t0.Add(time.Second)))
	require.Equal(t, 5, inner.sets)
	require.Equal(t, "fffcf", inner.wrote.String(), "nothing written under a failed deadline")
}

// The handshake response tells whether frames go out compressed.
func TestSocketLearnsCompressionFromTheHandshake(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		response string
		deflate  bool
	}{
		{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n\r\n", true},
		{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", false},
	} {
		s := newSocket(&deadlineCounter{})
		_, err := s.Write([]byte(tc.response))
		require.NoError(t, err)
		// A later frame mentioning the extension changes nothing.
		_, err = s.Write(extensionDeflate)
		require.NoError(t, err)
		require.Equal(t, tc.deflate, s.deflate, "%q", tc.response)
	}
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server = <-accepted
	require.NotNil(t, server)
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// A frame the socket took only part of is finished before anything else
// is written, whoever writes next; until then the fan-out writes nothing.
func TestSocketFinishesAHalfWrittenFrameFirst(t *testing.T) {
	t.Parallel()
	server, client := tcpPair(t)
	s := newSocket(server)
	require.NotNil(t, s.raw, "a TCP connection has a descriptor")

	big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MB: more than the socket buffers hold
	ok, left, err := s.tryWrite(big)
	require.NoError(t, err)
	require.True(t, ok, "the socket took the start of the frame")
	require.True(t, left, "and not the end, with nobody reading")
	ok, _, err = s.tryWrite([]byte("next"))
	require.NoError(t, err)
	require.False(t, ok, "nothing is written while a frame is unfinished")

	// gorilla's control frame waits for the frame's end.
	wrote := make(chan error, 1)
	go func() {
		require.NoError(t, s.SetWriteDeadline(time.Now().Add(10*time.Second)))
		_, err := s.Write([]byte("PING"))
		wrote <- err
	}()
	got, err := io.ReadAll(io.LimitReader(client, int64(len(big)+4)))
	require.NoError(t, err)
	require.NoError(t, <-wrote)
	require.True(t, bytes.Equal(append(big, "PING"...), got), "the frame whole, then the control frame")

	// With the socket drained, a frame goes out at once and whole.
	ok, left, err = s.tryWrite([]byte("small"))
	require.NoError(t, err)
	require.True(t, ok && !left)
	buf := make([]byte, 5)
	_, err = io.ReadFull(client, buf)
	require.NoError(t, err)
	require.Equal(t, "small", string(buf))

	// A deadline that a blocking write set, and that has passed since,
	// does not fail a write that never waits.
	require.NoError(t, s.write(nil, time.Now().Add(20*time.Millisecond)))
	time.Sleep(40 * time.Millisecond)
	ok, left, err = s.tryWrite([]byte("later"))
	require.NoError(t, err)
	require.True(t, ok && !left)
	_, err = io.ReadFull(client, buf)
	require.NoError(t, err)
	require.Equal(t, "later", string(buf))

	// A closed socket fails the write; nothing is pretended sent.
	require.NoError(t, s.Close())
	ok, _, err = s.tryWrite([]byte("late"))
	require.Error(t, err)
	require.False(t, ok)
}

// The fan-out writes to a socket's descriptor by number. Once the socket is
// closed, the number may belong to a new connection, which must never get
// a frame meant for the old one.
func TestClosedSocketWritesNowhere(t *testing.T) {
	// Not parallel: the closed descriptor's number must be the next one
	// handed out, to the connection dialled below.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	server, _ := tcpPair(t)
	s := newSocket(server)
	require.NotNil(t, s.raw)
	require.NoError(t, s.Close())

	// Connect until a new connection gets the closed descriptor's number
	// (lower free numbers go first), keeping each open; peer is its other
	// end.
	var peer net.Conn
	for range 16 {
		dialled, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer dialled.Close()
		accepted, err := ln.Accept()
		require.NoError(t, err)
		defer accepted.Close()
		if fdOf(t, dialled) == s.raw.fd {
			peer = accepted
		} else if fdOf(t, accepted) == s.raw.fd {
			peer = dialled
		}
		if peer != nil {
			break
		}
	}
	require.NotNil(t, peer, "no new connection got the closed descriptor's number: the test would prove nothing")

	ok, _, err := s.tryWrite([]byte("stale"))
	require.ErrorIs(t, err, net.ErrClosed)
	require.False(t, ok)
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	n, err := peer.Read(make([]byte, 8))
	require.Zero(t, n, "a new connection got the closed socket's frame")
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

func fdOf(t *testing.T, nc net.Conn) (fd uintptr) {
	t.Helper()
	require.NoError(t, rawConn(nc).Control(func(d uintptr) { fd = d }))
	return fd
}

func TestDeadlineWriterNeedsAHijacker(t *testing.T) {
	t.Parallel()
	_, _, err := deadlineWriter{httptest.NewRecorder()}.Hijack()
	require.ErrorIs(t, err, errNoHijack)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := deadlineWriter{w}.Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer nc.Close()
		if s, ok := nc.(*socket); !ok || s.raw == nil {
			_, _ = nc.Write([]byte("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"))
			return
		}
		_, _ = nc.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n"))
	}))
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNoContent, res.StatusCode, "the hijacked connection is a socket with its descriptor")
}

// wrapped hides a connection behind NetConn, as app/web's guard does.
type wrapped struct{ net.Conn }

func (w wrapped) NetConn() net.Conn { return w.Conn }

func TestSocketFindsTheDescriptorUnderWrappers(t *testing.T) {
	t.Parallel()
	server, _ := tcpPair(t)
	require.NotNil(t, rawConn(wrapped{wrapped{server}}))
	require.Nil(t, rawConn(&deadlineCounter{}))
}
