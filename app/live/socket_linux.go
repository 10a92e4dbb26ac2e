//go:build linux

package live

import (
	"errors"
	"syscall"
	"unsafe"
)

// rawWriter makes one non-blocking write of b to a descriptor, through
// syscall.RawConn.Write. Its fields carry the write's bytes and result, so
// that the function RawConn takes is made once per socket, not per write
// (the fan-out makes one per client and change; closures would be
// garbage of that size). The socket's mu guards it.
type rawWriter struct {
	raw syscall.RawConn
	fn  func(fd uintptr) bool
	b   []byte
	n   int
	err error
}

func newRawWriter(raw syscall.RawConn) *rawWriter {
	w := &rawWriter{raw: raw}
	w.fn = w.write
	return w
}

// write sends w.b with send(2), which skips write(2)'s file layer, as a
// raw system call: it never blocks (MSG_DONTWAIT), so it need not tell the
// scheduler, whose bookkeeping around a system call cost more than a
// tenth of the Go side of a fan-out.
func (w *rawWriter) write(fd uintptr) bool {
	for {
		r, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(unsafe.SliceData(w.b))),
			uintptr(len(w.b)), syscall.MSG_DONTWAIT|syscall.MSG_NOSIGNAL, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		w.n, w.err = int(r), nil
		if errno != 0 {
			w.n, w.err = 0, errno
		}
		return true // one attempt: never wait for the socket
	}
}

// writeNow writes b without waiting and returns how much of b the kernel
// took: 0 when its buffer is full. The fan-out writes this way to
// thousands of sockets in a row, so it neither parks on Go's netpoller nor
// needs a goroutine per socket.
func (w *rawWriter) writeNow(b []byte) (int, error) {
	w.b = b
	err := w.raw.Write(w.fn)
	n, werr := w.n, w.err
	w.b, w.err = nil, nil
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
