// Package mail sends the club's email: a Sender interface with an SMTP
// implementation and a log-only one for development, and the templates
// (views/emails) that turn a message ID and data into subject, text and HTML
// in the recipient's language. The notification queue, when it comes, sends
// through the same Sender.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Message is one email to one recipient. Text is required; HTML, when set,
// is sent as the alternative part mail clients prefer.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	// Unsubscribe, when set, is the https URL that unsubscribes the
	// recipient with one POST (RFC 8058): it goes out as List-Unsubscribe
	// with List-Unsubscribe-Post, so mail clients offer the button.
	Unsubscribe string
	// ID, when set, is the Message-ID (without angle brackets): the same
	// for every attempt at one notification, so a copy sent twice (a
	// crash between the server's 250 and our note of it) is recognisably
	// the same mail to the receiving side.
	ID string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Conn is one open connection to the mail server, for many messages in a
// row (the notification queue). It is not safe for concurrent use.
type Conn interface {
	Send(ctx context.Context, m Message) error
	Close() error
}

// Dialer opens connections; SMTP and Log are both.
type Dialer interface {
	Dial(ctx context.Context) (Conn, error)
}

// New returns the sender the configuration asks for: SMTP through smtpURL,
// or, when it is empty, a sender that only logs (for development, where the
// links in the log are how one signs up).
func New(smtpURL, from string, log *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return NewLog(log), nil
	}
	s, err := NewSMTP(smtpURL, from)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// SMTP sends each message over a new connection to one server.
type SMTP struct {
	from string
	host string
	opts []gomail.Option
}

// NewSMTP parses smtpURL:
//
//	smtp://[user:password@]host[:port][?tls=starttls|opportunistic|none]
//	smtps://[user:password@]host[:port]
//
// smtp:// uses port 587 and requires STARTTLS unless tls says otherwise;
// smtps:// speaks TLS from the start, on port 465. from is the sender
// address, e.g. `The Dreamer's Cave <club@example.org>`.
func NewSMTP(smtpURL, from string) (*SMTP, error) {
	u, err := url.Parse(smtpURL)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		// The parser's error may quote the password.
		return nil, errors.New("mail: TDC_SMTP_URL is not smtp://host:port or smtps://host:port")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	s := &SMTP{from: from, host: u.Hostname()}
	s.opts = append(s.opts, gomail.WithTimeout(20*time.Second))
	port := 587
	mode := u.Query().Get("tls")
	switch u.Scheme {
	case "smtp":
		switch mode {
		case "", "starttls":
			s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "opportunistic":
			s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		case "none":
			s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.NoTLS))
		default:
			return nil, fmt.Errorf("mail: TDC_SMTP_URL tls=%q: want starttls, opportunistic or none", mode)
		}
	case "smtps":
		if mode != "" {
			return nil, errors.New("mail: TDC_SMTP_URL: smtps:// always uses TLS; drop the tls parameter")
		}
		port = 465
		s.opts = append(s.opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("mail: TDC_SMTP_URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errors.New("mail: TDC_SMTP_URL port must be a number from 1 to 65535")
		}
		port = n
	}
	s.opts = append(s.opts, gomail.WithPort(port), gomail.WithTLSConfig(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}))
	if u.User != nil {
		pw, _ := u.User.Password()
		auth := gomail.SMTPAuthAutoDiscover
		if mode == "none" {
			// Credentials in the clear: the operator asked for no TLS,
			// e.g. a relay on the same host or behind a tunnel.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		s.opts = append(s.opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	return s, nil
}

// Send delivers m, or returns why the server refused it.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: client for %s: %w", s.host, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s via %s: %w", m.To, s.host, err)
	}
	return nil
}

// Dial opens a connection for many messages; Send dials per message.
func (s *SMTP) Dial(ctx context.Context) (Conn, error) {
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: client for %s: %w", s.host, err)
	}
	// go-mail's own Send costs two extra round trips per message (a NOOP
	// before, a RSET after): the connection speaks plain SMTP instead, with
	// go-mail's dialing, STARTTLS, authentication and message writing.
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("mail: connect to %s: %w", s.host, err)
	}
	c := &smtpConn{s: s, sc: sc}
	c.pipelining, _ = sc.Extension("PIPELINING")
	if ok, _ := sc.Extension("8BITMIME"); ok {
		c.mailParams += " BODY=8BITMIME"
	}
	if ok, _ := sc.Extension("SMTPUTF8"); ok {
		c.mailParams += " SMTPUTF8"
	}
	return c, nil
}

// smtpTimeout bounds each message's exchange, as it bounds dialing.
const smtpTimeout = 20 * time.Second

type smtpConn struct {
	s  *SMTP
	sc *gosmtp.Client
	// pipelining: the server takes MAIL, RCPT and DATA in one write
	// (RFC 2920), so a message costs two round trips instead of four.
	pipelining bool
	mailParams string // what go-mail's MAIL adds for the server's extensions
	// broken: an exchange failed part way, and the server may be reading
	// data: a QUIT would be taken for a line of it.
	broken bool
}

// Send returns once the server has accepted m (its 250 to the data) or
// refused it. After an error the connection is in an unknown state: close it.
func (c *smtpConn) Send(_ context.Context, m Message) error {
	msg, err := c.s.build(m)
	if err != nil {
		return err
	}
	if err := c.send(msg); err != nil {
		c.broken = true
		return fmt.Errorf("mail: send to %s via %s: %w", m.To, c.s.host, err)
	}
	return nil
}

func (c *smtpConn) send(msg *gomail.Msg) error {
	from, err := msg.GetSender(false)
	if err != nil {
		return err
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return err
	}
	for _, a := range append([]string{from}, rcpts...) {
		if strings.ContainsAny(a, "\r\n") {
			return errors.New("address has a line break")
		}
	}
	if err := c.sc.UpdateDeadline(smtpTimeout); err != nil {
		return err
	}
	var w io.WriteCloser
	if c.pipelining {
		w, err = c.envelopePipelined(from, rcpts)
	} else {
		w, err = c.envelope(from, rcpts)
	}
	if err != nil {
		return err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	// The end of the data, and the server's answer to it: its 250 is the
	// mail accepted, and ends the transaction (no RSET needed).
	return w.Close()
}

// envelope sends MAIL, RCPT and DATA one by one.
func (c *smtpConn) envelope(from string, rcpts []string) (io.WriteCloser, error) {
	if err := c.sc.Mail(from); err != nil {
		return nil, err
	}
	for _, r := range rcpts {
		if err := c.sc.Rcpt(r); err != nil {
			return nil, err
		}
	}
	return c.sc.Data()
}

// envelopePipelined writes MAIL, RCPT and DATA at once and then reads
// their answers in order, as RFC 2920 allows; the message follows the 354.
func (c *smtpConn) envelopePipelined(from string, rcpts []string) (io.WriteCloser, error) {
	t := c.sc.Text
	fmt.Fprintf(t.W, "MAIL FROM:%s%s\r\n", from, c.mailParams)
	for _, r := range rcpts {
		fmt.Fprintf(t.W, "RCPT TO:%s\r\n", r)
	}
	t.W.WriteString("DATA\r\n")
	if err := t.W.Flush(); err != nil {
		return nil, err
	}
	// Every answer is read, even after a refusal, so that none is taken
	// for the next command's; the first refusal is the error.
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		keep(fmt.Errorf("MAIL FROM: %w", err))
	}
	for _, r := range rcpts {
		if _, _, err := t.ReadResponse(25); err != nil {
			keep(fmt.Errorf("RCPT TO %s: %w", r, err))
		}
	}
	_, _, err := t.ReadResponse(354)
	if err != nil {
		keep(fmt.Errorf("DATA: %w", err))
	}
	if first != nil {
		return nil, first
	}
	return dataWriter{t.DotWriter(), t}, nil
}

// dataWriter ends the data with the dot line and reads the server's answer.
type dataWriter struct {
	io.WriteCloser
	t *textproto.Conn
}

func (d dataWriter) Close() error {
	if err := d.WriteCloser.Close(); err != nil {
		return err
	}
	_, _, err := d.t.ReadResponse(250)
	return err
}

// Close says QUIT, or just closes a connection whose state is unknown.
func (c *smtpConn) Close() error {
	if c.broken {
		return c.sc.Close()
	}
	if err := c.sc.Quit(); err != nil {
		return errors.Join(err, c.sc.Close())
	}
	return nil
}

func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("mail: subject has a line break")
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	if m.Unsubscribe != "" {
		if strings.ContainsAny(m.Unsubscribe, "\r\n<>") {
			return nil, errors.New("mail: unsubscribe URL has a line break or angle bracket")
		}
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetDate()
	if m.ID != "" {
		if strings.ContainsAny(m.ID, "\r\n<> ") {
			return nil, errors.New("mail: message ID has a space, line break or angle bracket")
		}
		msg.SetMessageIDWithValue(m.ID)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Log "sends" by writing the message to the log: for development, where no
// mail server runs. It logs the text body, links and tokens included, so it
// must never be used where the logs are shared.
type Log struct{ log *slog.Logger }

// NewLog returns a sender that writes to log.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// Dial returns l itself: logging needs no connection.
func (l *Log) Dial(context.Context) (Conn, error) { return l, nil }

// Close does nothing.
func (l *Log) Close() error { return nil }

// Send logs m.
func (l *Log) Send(ctx context.Context, m Message) error {
	l.log.LogAttrs(ctx, slog.LevelInfo, "mail not sent (no TDC_SMTP_URL); logged instead",
		slog.String("to", m.To), slog.String("subject", m.Subject), slog.String("text", m.Text))
	return nil
}
