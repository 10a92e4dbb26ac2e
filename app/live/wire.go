package live

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// The hub writes its text frames as bytes encoded once per render and
// shared by every client (RFC 6455 5.2): a server's frames are unmasked,
// and each message here is one final frame. gorilla's PreparedMessage does
// the same but hides the bytes, which the fan-out's non-blocking writes
// need (socket.tryWrite).

// textFrame returns payload as one final text frame, marked as
// compressed (RSV1, RFC 7692 6) when deflated is true.
func textFrame(payload []byte, deflated bool) []byte {
	b0 := byte(0x80 | 0x1) // FIN, text
	if deflated {
		b0 |= 0x40
	}
	n := len(payload)
	var head []byte
	switch {
	case n <= 125:
		head = []byte{b0, byte(n)}
	case n <= 0xffff:
		head = []byte{b0, 126, 0, 0}
		binary.BigEndian.PutUint16(head[2:], uint16(n))
	default:
		head = []byte{b0, 127, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint64(head[2:], uint64(n))
	}
	return append(append(make([]byte, 0, len(head)+n), head...), payload...)
}

// deflateTail is the empty stored block that ends a flushed deflate
// stream; RFC 7692 7.2.1 has the sender drop it and the receiver add it.
var deflateTail = []byte{0, 0, 0xff, 0xff}

var errDeflateTail = errors.New("live: deflate stream does not end in an empty block")

// deflater compresses messages without context takeover (each message on
// its own, as gorilla agrees with clients) at one level, reusing its
// compressors, which weigh hundreds of KB each.
type deflater struct {
	level int
	pool  sync.Pool
}

func (d *deflater) deflate(msg []byte) ([]byte, error) {
	var buf bytes.Buffer
	fw, _ := d.pool.Get().(*flate.Writer)
	if fw == nil {
		var err error
		if fw, err = flate.NewWriter(&buf, d.level); err != nil {
			return nil, fmt.Errorf("live: deflate: %w", err)
		}
	} else {
		fw.Reset(&buf)
	}
	defer d.pool.Put(fw)
	if _, err := fw.Write(msg); err != nil {
		return nil, fmt.Errorf("live: deflate: %w", err)
	}
	if err := fw.Flush(); err != nil {
		return nil, fmt.Errorf("live: deflate: %w", err)
	}
	out, ok := bytes.CutSuffix(buf.Bytes(), deflateTail)
	if !ok {
		return nil, errDeflateTail
	}
	return out, nil
}
