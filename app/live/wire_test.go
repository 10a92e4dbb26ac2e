package live

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

func TestTextFrameHeads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		head []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{0xffff, []byte{0x81, 126, 0xff, 0xff}},
		{0x10000, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	} {
		f := textFrame(make([]byte, tc.n), false)
		require.Equal(t, tc.head, f[:len(tc.head)], "length %d", tc.n)
		require.Len(t, f, len(tc.head)+tc.n)
	}
	require.Equal(t, byte(0xc1), textFrame(nil, true)[0], "compressed: RSV1 set")
}

// rawServer answers a websocket handshake by hand and writes frames, as
// bytes, for a gorilla client to decode: the check that the hub's
// encoding is what clients read, independent of the hub's own tests.
func rawServer(t *testing.T, deflate bool, frames ...[]byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			base64.StdEncoding.EncodeToString(sum[:]) + "\r\n"
		if deflate {
			head += "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
		}
		_, _ = brw.WriteString(head + "\r\n")
		for _, f := range frames {
			_, _ = brw.Write(f)
		}
		_ = brw.Flush()
		// Wait for the client to hang up.
		_, _ = bufio.NewReader(nc).ReadByte()
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestFramesDecodeInAClient(t *testing.T) {
	t.Parallel()
	z := &deflater{level: 6}
	var msgs [][]byte
	for _, n := range []int{0, 1, 125, 126, 0xffff, 0x10000, 300000} {
		m := []byte(strings.Repeat("<p>ö</p>", n/9+1)[:n])
		msgs = append(msgs, m)
	}
	for _, deflate := range []bool{false, true} {
		var frames [][]byte
		for _, m := range msgs {
			if deflate {
				b, err := z.deflate(m)
				require.NoError(t, err)
				frames = append(frames, textFrame(b, true))
			} else {
				frames = append(frames, textFrame(m, false))
			}
		}
		d := websocket.Dialer{EnableCompression: deflate}
		ws, _, err := d.Dial(rawServer(t, deflate, frames...), nil)
		require.NoError(t, err)
		for i, m := range msgs {
			kind, got, err := ws.ReadMessage()
			require.NoError(t, err, "deflate %v, message %d", deflate, i)
			require.Equal(t, websocket.TextMessage, kind)
			require.Equal(t, string(m), string(got), "deflate %v, message %d", deflate, i)
		}
		ws.Close()
	}
}
