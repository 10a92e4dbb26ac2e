// Command smtpsink is an SMTP server that accepts every message and counts
// them, for the mail benchmark (BenchmarkMail): a process of its own, so
// that its CPU is not billed to the instances it measures.
//
//	smtpsink -addr 127.0.0.1:0 -n 10000 [-latency 5ms]
//
// -latency makes each of a mail's two round trips (MAIL, RCPT and DATA,
// pipelined; then the data) take that long at the server, as a relay
// across a network does: then a sender is bound by waiting, not by CPU.
//
// It prints {"addr":"127.0.0.1:PORT"} on stdout once it listens. When the
// -n-th message has been accepted it prints {"messages":N,"at_unix_nano":T},
// T being the instant of that message's 250 (the caller reads the same
// clock: one machine). It goes on accepting until stdin ends, then prints a
// Result (every message and the distinct Message-IDs, so a mail sent twice
// shows) and exits.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/textproto"
	"os"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Result is what smtpsink prints last.
type Result struct {
	Messages int `json:"messages"` // accepted, copies included
	Distinct int `json:"distinct"` // distinct Message-IDs among them
	NoID     int `json:"no_id"`    // messages without a Message-ID
}

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "smtpsink:", err)
		os.Exit(1)
	}
}

// counter is what every session reports to.
type counter struct {
	mu     sync.Mutex
	n      int // report when total reaches it
	total  int
	noID   int
	ids    map[string]struct{}
	out    *json.Encoder
	outErr error
}

func (c *counter) add(id string) {
	at := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	if id == "" {
		c.noID++
	} else {
		c.ids[id] = struct{}{}
	}
	if c.total == c.n {
		if err := c.out.Encode(map[string]int64{"messages": int64(c.total), "at_unix_nano": at}); err != nil {
			c.outErr = err
		}
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("smtpsink", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback)")
	n := fs.Int("n", 0, "report when this many messages have arrived")
	latency := fs.Duration("latency", 0, "time each of a mail's two round trips takes at the server (0 to 10s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return errors.New("-n must be at least 1")
	}
	if *latency < 0 || *latency > 10*time.Second {
		return fmt.Errorf("-latency %s: want 0 to 10s", *latency)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: only a loopback address", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	c := &counter{n: *n, ids: map[string]struct{}{}, out: json.NewEncoder(stdout)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{c: c, latency: *latency}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.MaxMessageBytes = 1 << 20
	// Clients that go away mid-conversation are no news here.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go srv.Serve(ln) //nolint:errcheck // ends with Close below
	c.mu.Lock()
	err = c.out.Encode(map[string]string{"addr": ln.Addr().String()})
	c.mu.Unlock()
	if err != nil {
		srv.Close()
		return err
	}
	_, _ = io.Copy(io.Discard, stdin)
	srv.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outErr != nil {
		return c.outErr
	}
	return c.out.Encode(Result{Messages: c.total, Distinct: len(c.ids), NoID: c.noID})
}

// session accepts one connection's messages.
type session struct {
	c       *counter
	latency time.Duration
}

func (s *session) Mail(string, *smtp.MailOptions) error {
	time.Sleep(s.latency) // the first round trip; pipelined RCPT and DATA wait with it
	return nil
}

func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }

// Data reads the header for the Message-ID and discards the rest: parsing
// the bodies would make the sink, not the sender, the bottleneck.
func (s *session) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "bad header: " + err.Error()}
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	time.Sleep(s.latency) // the second round trip: the relay takes the mail
	s.c.add(h.Get("Message-Id"))
	return nil
}
