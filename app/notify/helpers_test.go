package notify_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/notify"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const testSecret = "test-secret-key-0123456789abcdefghijklmnop"

// newClock is a settable clock for the services under test, on a whole
// second as the database stores times.
func newClock(t time.Time) *testenv.Clock { return testenv.NewClock(t.UTC().Truncate(time.Second)) }

func testOptions() notify.Options {
	la, _ := time.LoadLocation("America/Los_Angeles")
	return notify.Options{
		BaseURL: &url.URL{Scheme: "https", Host: "club.example"}, SecretKey: testSecret,
		AnnounceDelay: 24 * time.Hour, ClubZone: la, ClubZoneLabel: "SLT",
		RetryBase: time.Minute, RetryMax: time.Hour,
	}
}

// newService builds a notify service over sqlDB that sends to smtpURL,
// on clock c (nil: the real one).
func newService(t testing.TB, sqlDB *sql.DB, smtpURL string, c *testenv.Clock, o notify.Options) *notify.Service {
	t.Helper()
	var dial mail.Dialer
	if smtpURL != "" {
		s, err := mail.NewSMTP(smtpURL, "The Dreamer's Cave <club@example.org>")
		require.NoError(t, err)
		dial = s
	}
	now := time.Now
	if c != nil {
		now = c.Now
	}
	return notify.New(sqlDB, dial, emails.FS, locales.FS, []string{"en", "de"}, o, now, testenv.Logger(t))
}

// enqueue puts n ready notifications straight into the queue, for the
// worker tests, each to its own address, and returns their dedupe keys.
func enqueue(t testing.TB, sqlDB *sql.DB, n int, at time.Time) []string {
	t.Helper()
	keys := make([]string, 0, n)
	var b strings.Builder
	b.WriteString("INSERT INTO notification_queue (kind, dedupe_key, to_address, lang, payload, next_attempt_at, created_at) VALUES ")
	args := []any{}
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		key := testenv.Unique("post") + fmt.Sprintf("-%d", i)
		keys = append(keys, key)
		b.WriteString("('post', ?, ?, 'en', ?, ?, ?)")
		args = append(args, key, fmt.Sprintf("r%d@example.org", i),
			fmt.Sprintf(`{"post_id": %d, "slug": "p-%d", "title": "Post %d", "summary": "", "name": "Reader %d"}`, i, i, i, i), at, at)
	}
	_, err := sqlDB.ExecContext(t.Context(), b.String(), args...)
	require.NoError(t, err)
	return keys
}

// statusCounts counts the queue by status.
func statusCounts(t testing.TB, sqlDB *sql.DB) map[string]int {
	t.Helper()
	rows, err := sqlDB.QueryContext(t.Context(), "SELECT status, COUNT(*) FROM notification_queue GROUP BY status")
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		require.NoError(t, rows.Scan(&s, &n))
		out[s] = n
	}
	require.NoError(t, rows.Err())
	return out
}

// sink is an SMTP server that counts what it accepts by Message-ID, and
// can be told to refuse (4xx or 5xx), to be slow, or to go down and up.
type sink struct {
	mu    sync.Mutex
	byID  map[string]int
	total int
	to    map[string]int

	// mode: 0 accept, 451 or 554 refuse the data with that code.
	mode  atomic.Int32
	delay atomic.Int64 // per message, before the answer to RCPT

	addr string
	srv  *smtp.Server
}

func newSink(t testing.TB) *sink {
	t.Helper()
	s := &sink{byID: map[string]int{}, to: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.stop)
	return s
}

func (s *sink) URL() string { return "smtp://" + s.addr + "?tls=none" }

func (s *sink) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "localhost"
	// A killed worker's connections end abruptly; that is the test.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

// stop closes the listener and every connection: the server is down.
func (s *sink) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// start brings the server up again on the same address.
func (s *sink) start(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	require.NoError(t, err)
	s.serve(ln)
}

func (s *sink) counts() (total int, distinct int, maxCopies int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.byID {
		maxCopies = max(maxCopies, n)
	}
	return s.total, len(s.byID), maxCopies
}

type sinkSession struct {
	s  *sink
	to []string
}

func (ss *sinkSession) AuthMechanisms() []string             { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Reset()                               { ss.to = nil }
func (ss *sinkSession) Logout() error                        { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if d := ss.s.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch code := ss.s.mode.Load(); code {
	case 451:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	case 554:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "rejected"}
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	id := msg.Header.Get("Message-Id")
	if id == "" {
		return errors.New("no Message-ID")
	}
	ss.s.mu.Lock()
	ss.s.byID[id]++
	ss.s.total++
	for _, to := range ss.to {
		ss.s.to[to]++
	}
	ss.s.mu.Unlock()
	return nil
}
