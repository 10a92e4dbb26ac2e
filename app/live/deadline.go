package live

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"time"
)

// deadlineConn passes a write deadline on to the socket only when it
// differs from the one set last. gorilla sets the connection's write
// deadline before every write, to the value its Conn holds; the flush
// refreshes that value only when it has gone stale, so most writes of a
// fan-out skip the runtime's timer update (a lock and a timer-heap change
// per client and change). Reads and writes are gorilla's own, and its
// writes, which alone set write deadlines after the handshake, are
// serialised by its Conn.
type deadlineConn struct {
	net.Conn
	wd    time.Time // the write deadline in force, when known
	known bool
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	if c.known && t.Equal(c.wd) {
		return nil
	}
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		c.known = false
		return err
	}
	c.wd, c.known = t, true
	return nil
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetDeadline(t); err != nil {
		c.known = false
		return err
	}
	c.wd, c.known = t, true
	return nil
}

// deadlineWriter hands gorilla's upgrade the hijacked connection wrapped
// in a deadlineConn.
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
	return &deadlineConn{Conn: nc}, brw, nil
}
