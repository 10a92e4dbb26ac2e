//go:build linux

// Command wsclients holds many websocket clients of /ws open on one or more
// of our servers, all following one topic, and measures how long the
// server's changes take to reach them. It runs as a process of its own so
// that its goroutines and buffers are not billed to the servers it
// measures; BenchmarkFanout runs it.
//
//	wsclients -url ws://127.0.0.1:8080/ws -url ws://127.0.0.1:8081/ws -n 10000 -topic events -changes 100
//
// Clients offer permessage-deflate, as browsers do (-compress=false not).
// Each client inflates the frame it gets on connecting, which proves the
// frames decode; later frames count on arrival and are read from the
// socket but not inflated (-inflate inflates them): 10,000 clients
// inflating on the server's own cores would measure this process, where
// browsers inflate on their own machines. After its first frame, each
// socket is read from an epoll set, one per CPU (see poller), not by a
// goroutine of its own. With -gather, a poll that finds few sockets ready
// waits that long for more before reading them: fewer wakeups, so the
// clients weigh less on the servers' cores, and each receipt is stamped
// up to that much late (the latencies err high).
// It dials -n clients, spread over the -url servers in turn, and waits for
// each client's first frame (the fresh fragment every socket gets). Then it
// prints {"ready":N,...} on stdout and records when each later frame
// arrives. The caller publishes -changes changes, far enough apart that
// they do not coalesce, and writes their publication times (a JSON array of
// Unix nanoseconds, one line) to stdin; the k-th frame a client gets after
// its first belongs to the k-th change. When every client has them all, or
// -wait has passed, it prints a Result as JSON and exits. Both processes
// read the same clock: they run on one machine.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// Result is what wsclients prints at the end.
type Result struct {
	Clients  int     `json:"clients"`   // clients connected
	Frames   int     `json:"frames"`    // frames matched to a change
	Missing  int     `json:"missing"`   // frames expected but not received by -wait
	Closed   int     `json:"closed"`    // clients the server closed before the end
	P50MS    float64 `json:"p50_ms"`    // publication to receipt
	P99MS    float64 `json:"p99_ms"`    //
	MaxMS    float64 `json:"max_ms"`    //
	DialSecs float64 `json:"dial_secs"` // time to connect every client
}

type urlList []string

func (u *urlList) String() string     { return strings.Join(*u, ",") }
func (u *urlList) Set(v string) error { *u = append(*u, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wsclients:", err)
		os.Exit(1)
	}
}

// client is one socket and the arrival times of its frames after the first.
type client struct {
	ws     *websocket.Conn // until detach
	fd     int
	fr     frames
	got    []int64
	closed bool
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("wsclients", flag.ContinueOnError)
	var urls urlList
	fs.Var(&urls, "url", "websocket URL of a server's /ws (repeat for several servers)")
	n := fs.Int("n", 1000, "clients to connect")
	topic := fs.String("topic", "events", "topic every client follows")
	changes := fs.Int("changes", 100, "changes the caller publishes")
	dialers := fs.Int("dialers", 64, "handshakes in flight at once")
	wait := fs.Duration("wait", time.Minute, "how long to wait for the last frames after the publication times arrive")
	compress := fs.Bool("compress", true, "offer permessage-deflate, as browsers do")
	inflate := fs.Bool("inflate", false, "inflate every compressed frame, not only each client's first")
	gather := fs.Duration("gather", 0, "after a poll that finds few sockets ready, wait this long for more before reading (0: read at once)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(urls) == 0 || *n < 1 || *changes < 1 {
		return errors.New("want -url, -n >= 1 and -changes >= 1")
	}
	// A read buffer that holds a whole frame of a few KB, as a browser
	// reads one: with 1 KB, skipping each frame took three reads, and the
	// clients' syscalls (on the same cores as the servers they measure)
	// weighed on every figure. A small write buffer: they send nothing.
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 256,
		WriteBufferPool: &sync.Pool{}, EnableCompression: *compress}

	clients := make([]*client, *n)
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, *dialers)
	for range *dialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				u := urls[i%len(urls)] + "?topic=" + *topic
				ws, _, err := dialer.Dial(u, nil)
				if err == nil {
					err = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				}
				if err == nil {
					_, _, err = ws.ReadMessage() // the fresh fragment on connect
				}
				if err != nil {
					errc <- fmt.Errorf("client %d: %w", i, err)
					return
				}
				_ = ws.SetReadDeadline(time.Time{})
				clients[i] = &client{ws: ws, got: make([]int64, 0, *changes)}
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	dial := time.Since(start)

	pollers := make([]*poller, runtime.GOMAXPROCS(0))
	for i := range pollers {
		p, err := newPoller(*changes, *inflate)
		if err != nil {
			return err
		}
		p.gather = *gather
		pollers[i] = p
	}
	for i, c := range clients {
		fd, err := detach(c.ws)
		if err == nil {
			c.fd, c.ws = fd, nil
			err = pollers[i%len(pollers)].add(c)
		}
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
	}
	defer func() {
		for _, c := range clients {
			_ = syscall.Close(c.fd)
		}
	}()
	var done sync.WaitGroup
	var gaveUp atomic.Bool // set when -wait has passed
	for _, p := range pollers {
		done.Add(1)
		go func() {
			defer done.Done()
			p.run(&gaveUp)
		}()
	}
	if err := json.NewEncoder(stdout).Encode(map[string]any{"ready": len(clients), "dial_secs": dial.Seconds()}); err != nil {
		return err
	}

	line, err := bufio.NewReader(stdin).ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read publication times: %w", err)
	}
	var pub []int64
	if err := json.Unmarshal(line, &pub); err != nil {
		return fmt.Errorf("publication times: %w", err)
	}
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(*wait):
		// The pollers stop within their wait's 100 ms: what they have is counted.
		gaveUp.Store(true)
		<-finished
	}
	for _, p := range pollers {
		if p.err != nil {
			return p.err
		}
	}

	res := Result{Clients: len(clients), DialSecs: dial.Seconds()}
	lat := make([]time.Duration, 0, len(clients)*len(pub))
	for _, c := range clients {
		if c.closed && len(c.got) < len(pub) {
			res.Closed++
		}
		for k, at := range c.got {
			if k < len(pub) {
				lat = append(lat, time.Duration(at-pub[k]))
			}
		}
		res.Missing += max(0, len(pub)-len(c.got))
	}
	res.Frames = len(lat)
	if len(lat) > 0 {
		slices.Sort(lat)
		q := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
		}
		res.P50MS, res.P99MS, res.MaxMS = q(0.50), q(0.99), float64(lat[len(lat)-1])/float64(time.Millisecond)
	}
	return json.NewEncoder(stdout).Encode(res)
}
