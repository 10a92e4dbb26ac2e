package live

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// deadlineCounter is a connection that counts and records write deadlines.
type deadlineCounter struct {
	net.Conn
	sets int
	last time.Time
	fail error
}

func (c *deadlineCounter) SetWriteDeadline(t time.Time) error {
	c.sets++
	c.last = t
	return c.fail
}

func (c *deadlineCounter) SetDeadline(t time.Time) error { return c.SetWriteDeadline(t) }

func TestDeadlineConnPassesOnlyChanges(t *testing.T) {
	t.Parallel()
	inner := &deadlineCounter{}
	c := &deadlineConn{Conn: inner}
	t0 := time.Now().Add(10 * time.Second)
	require.NoError(t, c.SetWriteDeadline(t0))
	require.NoError(t, c.SetWriteDeadline(t0))
	require.NoError(t, c.SetWriteDeadline(t0))
	require.Equal(t, 1, inner.sets, "the same deadline again is not passed on")

	require.NoError(t, c.SetWriteDeadline(t0.Add(-time.Second))) // a ping's or a close's, sooner
	require.NoError(t, c.SetWriteDeadline(t0))                   // the frames' again
	require.Equal(t, 3, inner.sets)
	require.Equal(t, t0, inner.last)

	require.NoError(t, c.SetDeadline(time.Time{})) // the upgrade clears both
	require.NoError(t, c.SetWriteDeadline(t0))
	require.Equal(t, 5, inner.sets, "SetDeadline changes the write deadline too")

	// A failed set leaves the deadline unknown: the next one is passed on.
	inner.fail = errors.New("closed")
	require.Error(t, c.SetWriteDeadline(t0.Add(time.Second)))
	inner.fail = nil
	require.NoError(t, c.SetWriteDeadline(t0.Add(time.Second)))
	require.NoError(t, c.SetWriteDeadline(t0.Add(time.Second)))
	require.Equal(t, 7, inner.sets)
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
		if _, ok := nc.(*deadlineConn); !ok {
			_, _ = nc.Write([]byte("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"))
			return
		}
		_, _ = nc.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n"))
	}))
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNoContent, res.StatusCode, "the hijacked connection is wrapped")
}
