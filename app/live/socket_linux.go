//go:build linux

package live

import (
	"net"
	"sync"
	"syscall"
	"unsafe"
)

// rawWriter makes non-blocking writes to a socket's descriptor with
// send(2), as a raw system call, bypassing Go's poller: the fan-out writes
// this way to thousands of sockets in a row, so it neither parks on the
// netpoller nor needs a goroutine per socket. Going through
// syscall.RawConn.Write instead cost the poller's lock and reset of every
// socket's descriptor state, a tenth of the server's CPU in a fan-out.
//
// The descriptor's number is safe to use only while the connection is
// open: once closed, the number may be handed to a new connection. So the
// connection is closed only through socket.Close, which calls close first;
// nothing else holds it (fasthttp lets go of hijacked connections, gorilla
// closes through the socket), and mu keeps a close from overtaking a send
// under way.
type rawWriter struct {
	mu     sync.Mutex
	fd     uintptr
	closed bool
}

func newRawWriter(raw syscall.RawConn) *rawWriter {
	w := &rawWriter{}
	if err := raw.Control(func(fd uintptr) { w.fd = fd }); err != nil {
		return nil // closed already: the writer goroutine will find out
	}
	return w
}

// writeNow writes b without waiting and returns how much of b the kernel
// took: 0 when its buffer is full. It never blocks (MSG_DONTWAIT), so it
// need not tell the scheduler, whose bookkeeping around a system call cost
// more than a tenth of the Go side of a fan-out.
func (w *rawWriter) writeNow(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, net.ErrClosed
	}
	for {
		n, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, w.fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))),
			uintptr(len(b)), syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, nil
		default:
			return 0, errno
		}
	}
}

// close stops the writes for good; the caller closes the connection next.
func (w *rawWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}
