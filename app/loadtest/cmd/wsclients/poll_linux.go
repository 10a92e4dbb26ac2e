//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// detach takes the socket of ws away from Go's netpoller: it returns a
// duplicate of its descriptor (non-blocking, as the original) and closes
// the original, which leaves the socket open through the duplicate. The
// server has sent nothing since the first frame, which ws has read, but
// perhaps a ping that ws's buffer now holds: that one goes unanswered and
// the next is answered (the server waits two ping periods).
func detach(ws *websocket.Conn) (int, error) {
	sc, ok := ws.NetConn().(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("detach: %T has no descriptor", ws.NetConn())
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("detach: %w", err)
	}
	fd := -1
	var derr error
	if err := raw.Control(func(s uintptr) { fd, derr = syscall.Dup(int(s)) }); err != nil {
		return -1, fmt.Errorf("detach: %w", err)
	}
	if derr != nil {
		return -1, fmt.Errorf("detach: dup: %w", derr)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return -1, fmt.Errorf("detach: %w", err)
	}
	if err := ws.NetConn().Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		_ = syscall.Close(fd)
		return -1, fmt.Errorf("detach: close the original: %w", err)
	}
	return fd, nil
}

// poller reads its share of the clients' sockets from one epoll set: one
// read per frame that arrives (Go's netpoller makes two, the second
// failing with EAGAIN, and wakes a goroutine per frame), so that this
// process, on the cores of the servers it measures, weighs on them as
// little as receiving every byte allows.
type poller struct {
	ep      int
	clients map[int32]*client
	changes int
	inflate bool
	gather  time.Duration
	err     error // the first stream error, which fails the run
}

func newPoller(changes int, inflate bool) (*poller, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	return &poller{ep: ep, clients: map[int32]*client{}, changes: changes, inflate: inflate}, nil
}

func (p *poller) add(c *client) error {
	c.fr.inflate = p.inflate
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(c.fd)}
	if err := syscall.EpollCtl(p.ep, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		return fmt.Errorf("epoll add: %w", err)
	}
	p.clients[int32(c.fd)] = c
	return nil
}

// drop stops following c: it has every frame, or its socket ended.
func (p *poller) drop(c *client) {
	_ = syscall.EpollCtl(p.ep, syscall.EPOLL_CTL_DEL, c.fd, nil)
	delete(p.clients, int32(c.fd))
}

// fewReady is what a poll that finds fewer sockets ready waits for more
// (-gather): woken for each frame as it lands, the clients would take a
// core's share per frame from the servers they measure, on the same
// cores, where a browser takes none.
const fewReady = 64

// run reads until every client has its frames or stop is set.
func (p *poller) run(stop *atomic.Bool) {
	defer syscall.Close(p.ep)
	events := make([]syscall.EpollEvent, 512)
	// A read takes whatever has arrived, usually one frame of a few KB;
	// a larger one takes several (level-triggered) rounds.
	buf := make([]byte, 64<<10)
	var fl inflater
	for len(p.clients) > 0 && !stop.Load() {
		n, err := syscall.EpollWait(p.ep, events, 100)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			p.err = fmt.Errorf("epoll wait: %w", err)
			return
		}
		if n > 0 && n < fewReady && p.gather > 0 {
			// Let more gather before reading, so that one wakeup reads
			// many. What was ready stays ready (level-triggered) and is
			// returned again.
			time.Sleep(p.gather)
			if m, err := syscall.EpollWait(p.ep, events, 0); err == nil {
				n = m
			}
		}
		for _, ev := range events[:n] {
			c := p.clients[ev.Fd]
			if c == nil {
				continue
			}
			m, err := syscall.Read(c.fd, buf)
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
				continue
			}
			if m <= 0 || err != nil {
				c.closed = true
				p.drop(c)
				continue
			}
			now := time.Now().UnixNano()
			err = c.fr.feed(buf[:m], func() {
				if len(c.got) < p.changes {
					c.got = append(c.got, now)
				}
			}, func(payload []byte) {
				// A pong that does not fit the socket's buffer now is
				// lost; the server pings again before it gives up.
				_, _ = syscall.Write(c.fd, pongFrame(payload))
			}, &fl)
			switch {
			case errors.Is(err, errServerClosed):
				c.closed = true
				p.drop(c)
			case err != nil:
				if p.err == nil {
					p.err = fmt.Errorf("client on fd %d: %w", c.fd, err)
				}
				p.drop(c)
			case len(c.got) == p.changes:
				p.drop(c)
			}
		}
	}
}
