package testenv

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/gofiber/fiber/v3"
	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/web"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

// DefaultPassword is the password of users made by User without one.
const DefaultPassword = "correct horse battery staple"

// UserOpts describe a user for User. Zero values give a unique address, the
// member role, DefaultPassword and a verified address (set Unverified for
// one that is not; Verified is accepted for clarity and changes nothing).
type UserOpts struct {
	Email       string
	Password    string
	DisplayName string
	Role        actor.Role
	ArtistID    int64
	Verified    bool
	Unverified  bool
}

var userSeq atomic.Int64

// usersServices keeps one accounts service per database, for User: each
// costs a template parse and an argon2 hash to build.
var usersServices sync.Map // *sql.DB → *accounts.Service

// User creates a user row in sqlDB through the accounts service (as
// `tdc user create` does) and returns it. Sign in as it with SignIn, or in a
// browser by filling in /login.
func User(t testing.TB, sqlDB *sql.DB, o UserOpts) accounts.User {
	t.Helper()
	if o.Email == "" {
		o.Email = fmt.Sprintf("user%d-%d@example.org", time.Now().UnixNano(), userSeq.Add(1))
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	svc, ok := usersServices.Load(sqlDB)
	if !ok {
		// Creating a user touches only the database; the Redis client is
		// the service's to have, never used here, and outlives this test.
		opts, err := redis.ParseURL(RedisURL())
		if err != nil {
			t.Fatalf("testenv: redis url: %v", err)
		}
		svc, _ = usersServices.LoadOrStore(sqlDB, accounts.New(sqlDB, redis.NewClient(opts), accounts.Options{
			BaseURL: "http://localhost:8080", Languages: []string{"en", "de"}, RedisPrefix: "tdc_test_users:",
			Mail: mail.NewLog(Logger(t)), Emails: emails.FS, Locales: locales.FS,
		}))
	}
	u, err := svc.(*accounts.Service).Create(t.Context(), actor.System(), accounts.NewUser{
		Email: o.Email, Password: o.Password, DisplayName: o.DisplayName, Role: o.Role, ArtistID: o.ArtistID, Verified: !o.Unverified,
	})
	if err != nil {
		t.Fatalf("testenv: create user %s: %v", o.Email, err)
	}
	return u
}

// Session is a signed-in browser for app.Test-style tests: its cookies and
// the CSRF token its forms carry.
type Session struct {
	Cookies []*http.Cookie
	CSRF    string
}

// Request builds a request as the signed-in browser sends it: with its
// cookies and the X-CSRF-Token header, and for a body the form content
// type. Send it with srv.App.Test(req).
func (s Session) Request(method, target string, body io.Reader) *http.Request {
	req := httptest.NewRequest(method, target, body)
	for _, c := range s.Cookies {
		req.AddCookie(c)
	}
	if s.CSRF != "" {
		req.Header.Set("X-CSRF-Token", s.CSRF)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// Keep adds the cookies res sets (a new session id, a cleared one) to s.
func (s *Session) Keep(res *http.Response) {
	for _, c := range res.Cookies() {
		s.Cookies = setCookie(s.Cookies, c)
	}
}

func setCookie(jar []*http.Cookie, c *http.Cookie) []*http.Cookie {
	out := jar[:0:0]
	for _, old := range jar {
		if old.Name != c.Name {
			out = append(out, old)
		}
	}
	if c.MaxAge >= 0 && c.Value != "" {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Visit is a visitor's browser with the CSRF cookie and the token of the
// sign-in form: what a test needs to post a visitor's form.
func Visit(t testing.TB, srv *web.Server) Session {
	t.Helper()
	var s Session
	res := s.Do(t, srv, s.Request(http.MethodGet, "/login", nil))
	m := csrfInput.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("testenv: GET /login: %d, no CSRF token:\n%s", res.StatusCode, res.Body)
	}
	s.CSRF = m[1]
	return s
}

// SignIn signs in through the sign-in form, as a browser would, and
// returns the session.
func SignIn(t testing.TB, srv *web.Server, email, password string) Session {
	t.Helper()
	s := Visit(t, srv)
	form := url.Values{"email": {email}, "password": {password}}
	res := s.Do(t, srv, s.Request(http.MethodPost, "/login", strings.NewReader(form.Encode())))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("testenv: sign in as %s: %d\n%s", email, res.StatusCode, res.Body)
	}
	// A signed-in user's token comes with the session: read it from a page.
	res = s.Do(t, srv, s.Request(http.MethodGet, "/account/menu", nil))
	m := csrfInput.FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("testenv: no CSRF token after signing in as %s:\n%s", email, res.Body)
	}
	s.CSRF = m[1]
	return s
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do sends req to srv, keeps the cookies the answer sets, and returns it.
func (s *Session) Do(t testing.TB, srv *web.Server, req *http.Request) Response {
	t.Helper()
	res, err := srv.App.Test(req, fiber.TestConfig{Timeout: 0})
	if err != nil {
		t.Fatalf("testenv: %s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("testenv: read %s %s: %v", req.Method, req.URL, err)
	}
	s.Keep(res)
	return Response{Response: res, Body: string(body)}
}

// MailServer is an SMTP server in the test process that keeps what it is
// sent: the app's mail goes through a real SMTP conversation to it.
type MailServer struct {
	// URL is the TDC_SMTP_URL that reaches it (without TLS).
	URL string

	mu       sync.Mutex
	messages []Mail
	arrived  chan struct{}
	user, pw string
}

// Mail is a message the MailServer received, with its text part decoded.
type Mail struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	Raw     []byte
}

// SMTP starts a MailServer for the test. With user and password given, it
// asks for AUTH PLAIN with them (allowed without TLS, on loopback).
func SMTP(t testing.TB, userAndPassword ...string) *MailServer {
	t.Helper()
	m := &MailServer{arrived: make(chan struct{}, 1)}
	if len(userAndPassword) == 2 {
		m.user, m.pw = userAndPassword[0], userAndPassword[1]
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: smtp listen: %v", err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	u := url.URL{Scheme: "smtp", Host: ln.Addr().String(), RawQuery: "tls=none"}
	if m.user != "" {
		u.User = url.UserPassword(m.user, m.pw)
	}
	m.URL = u.String()
	return m
}

// Messages returns what arrived so far.
func (m *MailServer) Messages() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.messages...)
}

// WaitFor returns the first message to address after skip earlier ones to
// it, waiting up to 15 seconds (the app sends in the background).
func (m *MailServer) WaitFor(t testing.TB, address string, skip int) Mail {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		n := 0
		for _, msg := range m.Messages() {
			for _, to := range msg.To {
				if strings.EqualFold(to, address) {
					if n == skip {
						return msg
					}
					n++
				}
			}
		}
		select {
		case <-m.arrived:
		case <-deadline:
			t.Fatalf("testenv: no mail #%d to %s arrived; got %d messages", skip+1, address, len(m.Messages()))
		}
	}
}

// Link returns the first URL in the mail's text that starts with prefix.
func (msg Mail) Link(t testing.TB, prefix string) string {
	t.Helper()
	for _, f := range strings.Fields(msg.Text) {
		if strings.HasPrefix(f, prefix) {
			return f
		}
	}
	t.Fatalf("testenv: no link starting %s in:\n%s", prefix, msg.Text)
	return ""
}

type mailSession struct {
	m    *MailServer
	from string
	to   []string
	auth bool
}

func (s *mailSession) AuthMechanisms() []string {
	if s.m.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.m.user || password != s.m.pw {
			return errors.New("invalid credentials")
		}
		s.auth = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.m.user != "" && !s.auth {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg := Mail{From: s.from, To: s.to, Raw: raw}
	if err := parseMail(&msg); err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.messages = append(s.m.messages, msg)
	s.m.mu.Unlock()
	select {
	case s.m.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

// parseMail decodes the subject and the text and HTML parts.
func parseMail(msg *Mail) error {
	parsed, err := netmail.ReadMessage(bytes.NewReader(msg.Raw))
	if err != nil {
		return fmt.Errorf("testenv: parse mail: %w", err)
	}
	var dec mime.WordDecoder
	if msg.Subject, err = dec.DecodeHeader(parsed.Header.Get("Subject")); err != nil {
		return fmt.Errorf("testenv: subject: %w", err)
	}
	return readPart(msg, parsed.Header.Get("Content-Type"), parsed.Header.Get("Content-Transfer-Encoding"), parsed.Body)
}

func readPart(msg *Mail, contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("testenv: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("testenv: mail part: %w", err)
			}
			if err := readPart(msg, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("testenv: read %s part: %w", mt, err)
	}
	switch mt {
	case "text/plain":
		msg.Text = string(b)
	case "text/html":
		msg.HTML = string(b)
	}
	return nil
}
