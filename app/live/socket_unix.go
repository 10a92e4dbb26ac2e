//go:build unix

package live

import (
	"errors"
	"syscall"
)

// writeNow makes one non-blocking write of b to raw's descriptor and
// returns how much of b the kernel took: 0 when its buffer is full. The
// fan-out writes this way to thousands of sockets in a row, so it neither
// parks on Go's netpoller nor needs a goroutine per socket.
func writeNow(raw syscall.RawConn, b []byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if !errors.Is(werr, syscall.EINTR) {
				return true // one attempt: never wait for the socket
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errors.Is(werr, syscall.EAGAIN):
		return 0, nil
	case werr != nil:
		return 0, werr
	}
	return max(n, 0), nil
}
