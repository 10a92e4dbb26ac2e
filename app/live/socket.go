package live

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// socket is the hijacked connection under a client's gorilla Conn. The
// hub writes data frames itself, as bytes it encoded once for every
// client (see frame): straight from the fan-out with one non-blocking
// write when nothing else waits (tryWrite), else from the connection's
// writer goroutine (write). gorilla writes the handshake and control
// frames through Write. Every write holds mu and first finishes a frame
// that a non-blocking write left half-sent, so frames never interleave,
// and sets the write deadline it was given only when that differs from
// the one in force.
type socket struct {
	net.Conn
	raw *rawWriter // nil: no descriptor to write without waiting

	mu      sync.Mutex
	rest    []byte    // the unsent end of a frame begun by tryWrite
	wd      time.Time // the write deadline in force, when known
	known   bool
	want    time.Time // the deadline gorilla set for its next Write
	deflate bool      // the handshake agreed on permessage-deflate
	shaken  bool      // the handshake response has been written
}

// extensionDeflate is the line gorilla's Upgrader writes when it agrees on
// compression; the hub watches the handshake for it rather than repeat
// gorilla's negotiation.
var extensionDeflate = []byte("\r\nSec-WebSocket-Extensions: permessage-deflate")

func newSocket(nc net.Conn) *socket {
	s := &socket{Conn: nc}
	if raw := rawConn(nc); raw != nil {
		s.raw = newRawWriter(raw)
	}
	return s
}

// rawConn finds the descriptor under nc and its wrappers (those that
// expose the connection they wrap with NetConn, as tls.Conn does).
func rawConn(nc net.Conn) syscall.RawConn {
	for range 8 {
		if sc, ok := nc.(syscall.Conn); ok {
			raw, err := sc.SyscallConn()
			if err != nil {
				return nil
			}
			return raw
		}
		u, ok := nc.(interface{ NetConn() net.Conn })
		if !ok {
			return nil
		}
		nc = u.NetConn()
	}
	return nil
}

// SetWriteDeadline keeps gorilla's deadline for its next Write, which
// applies it under the lock with the write it bounds.
func (s *socket) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	s.want = t
	s.mu.Unlock()
	return nil
}

func (s *socket) SetDeadline(t time.Time) error {
	if err := s.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

// Close closes the connection, after stopping the non-blocking writes to
// its descriptor (see rawWriter). gorilla closes through here.
func (s *socket) Close() error {
	if s.raw != nil {
		s.raw.close()
	}
	return s.Conn.Close()
}

// Write is gorilla's: the handshake response and control frames.
func (s *socket) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.shaken {
		s.shaken = true
		s.deflate = bytes.Contains(p, extensionDeflate)
	}
	if err := s.prepareLocked(s.want); err != nil {
		return 0, err
	}
	return s.Conn.Write(p)
}

// write writes frame b, waiting for the socket until deadline.
func (s *socket) write(b []byte, deadline time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.prepareLocked(deadline); err != nil {
		return err
	}
	_, err := s.Conn.Write(b)
	return err
}

// finish writes the end of a frame that tryWrite began, if any.
func (s *socket) finish(deadline time.Time) error {
	return s.write(nil, deadline)
}

// prepareLocked sets the write deadline and sends what tryWrite left.
func (s *socket) prepareLocked(deadline time.Time) error {
	if !s.known || !deadline.Equal(s.wd) {
		if err := s.Conn.SetWriteDeadline(deadline); err != nil {
			s.known = false
			return err
		}
		s.wd, s.known = deadline, true
	}
	if len(s.rest) > 0 {
		_, err := s.Conn.Write(s.rest)
		s.rest = nil // sent, or the socket is broken for good
		return err
	}
	return nil
}

// tryWrite writes frame b if the socket takes at least its start at once.
// It reports whether it did; left reports that the frame's end waits for
// finish (the caller starts the writer). Nothing is written when the
// socket is busy or its buffer full, and the caller queues b instead.
func (s *socket) tryWrite(b []byte) (ok, left bool, err error) {
	if s.raw == nil || !s.mu.TryLock() {
		return false, false, nil
	}
	defer s.mu.Unlock()
	if len(s.rest) > 0 {
		return false, false, nil
	}
	// No deadline applies: the write goes past Go's poller and never waits.
	n, err := s.raw.writeNow(b)
	switch {
	case err != nil:
		return false, false, err
	case n == 0:
		return false, false, nil
	case n < len(b):
		s.rest = b[n:] // frames are never changed once encoded
		return true, true, nil
	}
	return true, false, nil
}

// deadlineWriter hands gorilla's upgrade the hijacked connection wrapped
// in a socket.
type deadlineWriter struct{ http.ResponseWriter }

var errNoHijack = errors.New("live: the response writer cannot hand over its connection")

func (w deadlineWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errNoHijack
	}
	nc, brw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return newSocket(nc), brw, nil
}
