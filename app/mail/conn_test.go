package mail_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/mail"
)

// scripted is an SMTP server that records every command of one
// connection and answers as told: pipelining on or off, and codes for MAIL,
// RCPT and the end of the data.
type scripted struct {
	pipelining        bool
	mail, rcpt, dataE string // refusals; "" accepts
	// dataAnyway: DATA gets its 354 even after a refused MAIL or RCPT, as
	// it may when some of several recipients were refused.
	dataAnyway bool

	mu       sync.Mutex
	cmds     []string
	batched  []bool // per MAIL: RCPT and DATA had arrived with it
	messages int
	addr     string
}

func newScripted(t *testing.T, s *scripted) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	s.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *scripted) url() string { return "smtp://" + s.addr + "?tls=none" }

func (s *scripted) serve(c net.Conn) {
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	say("220 scripted")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		s.mu.Lock()
		s.cmds = append(s.cmds, cmd)
		s.mu.Unlock()
		verb := strings.ToUpper(strings.SplitN(cmd, " ", 2)[0])
		switch {
		case verb == "EHLO":
			if s.pipelining {
				say("250-scripted")
				say("250 PIPELINING")
			} else {
				say("250 scripted")
			}
		case strings.HasPrefix(strings.ToUpper(cmd), "MAIL FROM:"):
			s.mu.Lock()
			s.batched = append(s.batched, r.Buffered() > 0)
			s.mu.Unlock()
			say(or(s.mail, "250 ok"))
		case strings.HasPrefix(strings.ToUpper(cmd), "RCPT TO:"):
			say(or(s.rcpt, "250 ok"))
		case verb == "DATA":
			if (s.mail != "" || s.rcpt != "") && !s.dataAnyway {
				say("503 no valid recipients")
				continue
			}
			say("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			if s.mail != "" || s.rcpt != "" {
				say("554 5.5.1 no valid recipients")
				continue
			}
			if s.dataE != "" {
				say(s.dataE)
				continue
			}
			s.mu.Lock()
			s.messages++ // accepted
			s.mu.Unlock()
			say("250 queued")
		case verb == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *scripted) record() (cmds []string, batched []bool, messages int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...), append([]bool(nil), s.batched...), s.messages
}

func verbs(cmds []string) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, strings.ToUpper(strings.SplitN(strings.SplitN(c, ":", 2)[0], " ", 2)[0]))
	}
	return out
}

// One connection sends message after message with MAIL, RCPT and DATA
// only: no NOOP before each, no RSET after (the 250 to the data ends the
// transaction). With PIPELINING the three go in one write.
func TestConnSendsWithoutExtraRoundTrips(t *testing.T) {
	t.Parallel()
	for _, pipelining := range []bool{true, false} {
		srv := newScripted(t, &scripted{pipelining: pipelining})
		s, err := mail.NewSMTP(srv.url(), "club@example.org")
		require.NoError(t, err)
		c, err := s.Dial(t.Context())
		require.NoError(t, err)
		for _, to := range []string{"ada@example.org", "bo@example.org"} {
			require.NoError(t, c.Send(t.Context(), mail.Message{To: to, Subject: "Hi", Text: "x\n.\nend", HTML: "<p>x</p>"}))
		}
		require.NoError(t, c.Close())
		cmds, batched, n := srv.record()
		require.Equal(t, 2, n)
		require.Equal(t, []string{"EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT"}, verbs(cmds), "pipelining=%t", pipelining)
		require.Contains(t, cmds, "RCPT TO:<bo@example.org>")
		require.Equal(t, []bool{pipelining, pipelining}, batched, "pipelining=%t: RCPT and DATA sent with MAIL", pipelining)
	}
}

// A refusal at any step is the send's error, naming what was refused,
// and nothing counts as sent; in a pipelined exchange every answer is
// read, so the refusal is not mistaken for a later command's answer.
func TestConnRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, mail, rcpt, dataE string
		want                    string
	}{
		{name: "mail", mail: "451 4.3.0 busy", want: "busy"},
		{name: "rcpt", rcpt: "550 5.1.1 no such user", want: "no such user"},
		{name: "data", dataE: "554 5.7.1 spam", want: "spam"},
	} {
		for _, pipelining := range []bool{true, false} {
			srv := newScripted(t, &scripted{pipelining: pipelining, mail: tc.mail, rcpt: tc.rcpt, dataE: tc.dataE})
			s, err := mail.NewSMTP(srv.url(), "club@example.org")
			require.NoError(t, err)
			c, err := s.Dial(t.Context())
			require.NoError(t, err)
			err = c.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "Hi", Text: "x"})
			require.ErrorContains(t, err, tc.want, "%s pipelining=%t", tc.name, pipelining)
			require.ErrorContains(t, err, "ada@example.org")
			_ = c.Close()
			_, _, n := srv.record()
			require.Zero(t, n, tc.name)
		}
	}
}

// A server that says 354 to DATA after refusing the recipient leaves
// the connection in its data phase: closing it must not wait for an
// answer to a QUIT the server reads as data.
func TestConnClosesAfterRefusalMidData(t *testing.T) {
	t.Parallel()
	srv := newScripted(t, &scripted{pipelining: true, rcpt: "550 5.1.1 no such user", dataAnyway: true})
	s, err := mail.NewSMTP(srv.url(), "club@example.org")
	require.NoError(t, err)
	c, err := s.Dial(t.Context())
	require.NoError(t, err)
	require.ErrorContains(t, c.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "Hi", Text: "x"}), "no such user")
	start := time.Now()
	_ = c.Close()
	require.Less(t, time.Since(start), 5*time.Second)
	_, _, n := srv.record()
	require.Zero(t, n)
}

// Bad input never reaches the server: a recipient that is no address, a
// header injection, and a server that hangs up.
func TestConnBadInput(t *testing.T) {
	t.Parallel()
	srv := newScripted(t, &scripted{pipelining: true})
	s, err := mail.NewSMTP(srv.url(), "club@example.org")
	require.NoError(t, err)
	c, err := s.Dial(t.Context())
	require.NoError(t, err)
	require.Error(t, c.Send(t.Context(), mail.Message{To: "not an address", Subject: "x", Text: "x"}))
	require.Error(t, c.Send(t.Context(), mail.Message{To: "ada@example.org\r\nRCPT TO:<eve@example.org>", Subject: "x", Text: "x"}))
	require.Error(t, c.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "x\r\nBcc: eve@example.org", Text: "x"}))
	require.NoError(t, c.Close())
	cmds, _, n := srv.record()
	require.Zero(t, n)
	require.Equal(t, []string{"EHLO", "QUIT"}, verbs(cmds))

	// The server goes away between messages: the send fails, it does not hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		conn.Write([]byte("220 x\r\n"))
		r := bufio.NewReader(conn)
		r.ReadString('\n')
		conn.Write([]byte("250-x\r\n250 PIPELINING\r\n"))
		conn.Close()
	}()
	gone, err := mail.NewSMTP("smtp://"+ln.Addr().String()+"?tls=none", "club@example.org")
	require.NoError(t, err)
	gc, err := gone.Dial(t.Context())
	require.NoError(t, err)
	require.Error(t, gc.Send(t.Context(), mail.Message{To: "ada@example.org", Subject: "x", Text: "x"}))
	_ = gc.Close()
}
