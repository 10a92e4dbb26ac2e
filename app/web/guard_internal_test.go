package web

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hub writes to a websocket's descriptor without waiting; it finds the
// descriptor under the guard through NetConn.
func TestGuardConnShowsTheConnectionItWraps(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	gl := (&Server{}).Listener(ln)
	t.Cleanup(func() { gl.Close() })
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	c, err := gl.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	u, ok := c.(interface{ NetConn() net.Conn })
	require.True(t, ok, "%T has no NetConn", c)
	_, ok = u.NetConn().(syscall.Conn)
	require.True(t, ok, "%T has no descriptor", u.NetConn())
}
