// Package notify is the club's outgoing notification mail: a queue in
// MariaDB (notification_queue) that producers fill inside the transaction
// of the change that causes a mail, and a worker that sends it over SMTP.
//
// Producers: event reminders (a job, set-based INSERT … SELECT), new-event
// announcements to followers (an events write hook; supporters first) and
// new blog posts (a blog write hook). Each row has a dedupe key, so a mail
// is enqueued once however often its producer runs.
//
// Worker: claims due rows with SELECT … FOR UPDATE SKIP LOCKED and leases
// them (lease_owner, lease_until); a worker that dies leaves its lease to
// run out, and the rows become due again. Each row is marked sent right
// after the server's 250 to its data, so a crash can resend at most the
// mail in flight at that instant (one per sender): exactly once is not
// possible across a crash between the server's answer and our write.
// Failures retry with exponential backoff and jitter until max_attempts,
// then the row is failed and shown in the admin with a retry button.
package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/mail"
)

// Kind is what a notification is about; it names its email template in
// views/emails and the preference that turns it off.
type Kind string

// The kinds of notification.
const (
	KindReminder Kind = "reminder" // an event of a followed artist or venue starts soon
	KindAnnounce Kind = "announce" // a followed artist or venue has a new event
	KindPost     Kind = "post"     // a new blog post
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindReminder || k == KindAnnounce || k == KindPost }

// Options configure the service; zero fields take the defaults noted.
type Options struct {
	// BaseURL is the site's public URL, for links in the mail.
	BaseURL *url.URL
	// SecretKey (TDC_SECRET_KEY) keys the unsubscribe tokens; empty picks
	// a random key, so tokens die with the process (development only).
	SecretKey string
	// AnnounceDelay holds back new-event mail for everybody but supporters.
	AnnounceDelay time.Duration
	// ClubZone shows times to users without a zone of their own, labelled
	// ClubZoneLabel ("SLT").
	ClubZone      *time.Location
	ClubZoneLabel string
	// Senders is how many SMTP connections send at once (8).
	Senders int
	// Batch is how many rows one claim takes (100).
	Batch int
	// Lease is how long claimed rows stay this worker's (2m): longer
	// than it takes to send a batch, short enough that a dead worker's
	// rows go out soon.
	Lease time.Duration
	// RetryBase and RetryMax bound the backoff between attempts (30s, 6h).
	RetryBase, RetryMax time.Duration
	// Owner names this worker in lease_owner; empty: host, pid and a
	// random suffix.
	Owner string
}

// Service enqueues and sends notifications.
type Service struct {
	sqlDB  *sql.DB
	q      *db.Queries
	dial   mail.Dialer
	tpl    *mail.Templates
	bundle *i18n.Bundle
	o      Options
	key    []byte
	now    func() time.Time
	log    *slog.Logger
	zones  sync.Map // IANA name → *time.Location
	// defLang is the language of texts a translation lacks.
	defLang  string
	setupErr error
}

// New returns the service. dial opens SMTP connections (nil: mail cannot
// be sent, and the worker says so); emails (views/emails.FS) and locales
// (locales.FS) give the mail's templates and texts in langs, the default
// first. A problem with them makes every Run fail with it.
func New(sqlDB *sql.DB, dial mail.Dialer, emails, locales fs.FS, langs []string, o Options, now func() time.Time, log *slog.Logger) *Service {
	if o.Senders <= 0 {
		o.Senders = 8
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 30 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 6 * time.Hour
	}
	if o.ClubZone == nil {
		o.ClubZone = time.UTC
	}
	if o.BaseURL == nil {
		o.BaseURL = &url.URL{Scheme: "http", Host: "localhost:8080"}
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		o.Owner = host + ":" + strconv.Itoa(os.Getpid()) + ":" + rand.Text()[:8]
		if len(o.Owner) > 64 {
			o.Owner = o.Owner[len(o.Owner)-64:]
		}
	}
	secret := []byte(o.SecretKey)
	if len(secret) == 0 {
		secret = []byte(rand.Text())
	}
	// A key of its own, so an unsubscribe token can never pass for a
	// CSRF token or anything else signed with the same secret.
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("tdc notify unsubscribe v1"))
	s := &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), dial: dial, o: o,
		key: mac.Sum(nil), now: now, log: log,
	}
	var err error
	if s.bundle, err = i18n.New(locales, langs); err != nil {
		s.setupErr = fmt.Errorf("notify: texts: %w", err)
	} else if s.tpl, err = mail.NewTemplates(emails, s.bundle); err != nil {
		s.setupErr = fmt.Errorf("notify: templates: %w", err)
	} else {
		s.defLang = s.bundle.Default()
	}
	if dial == nil && s.setupErr == nil {
		s.setupErr = errors.New("notify: no mail sender (is TDC_SMTP_URL valid?)")
	}
	return s
}

// Owner is the name this worker leases rows under.
func (s *Service) Owner() string { return s.o.Owner }
