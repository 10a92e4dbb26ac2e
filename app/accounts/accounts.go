// Package accounts owns the club's users: sign-up with email verification,
// sign-in with argon2id passwords, password resets by mailed single-use
// tokens, sessions and rate limits in Redis, roles, profiles and follows.
// It knows nothing of HTTP: the web layer hands it what a visitor typed and
// the raw session id from a cookie.
package accounts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/ratelimit"
)

// Errors the web layer turns into messages. None of them says whether an
// email address is registered.
var (
	// ErrBadCredentials is a sign-in with an unknown email or a wrong
	// password: the same error, after the same work, for both.
	ErrBadCredentials = errors.New("accounts: wrong email or password")
	// ErrDisabled is a sign-in with the right password to a disabled account.
	ErrDisabled = errors.New("accounts: account disabled")
	// ErrNoSession is a session id that is unknown, expired, or whose user
	// is gone or disabled: the visitor is not signed in.
	ErrNoSession = errors.New("accounts: no session")
	// ErrTokenInvalid is a mailed link that is unknown, used or expired.
	ErrTokenInvalid = errors.New("accounts: token invalid, used or expired")
)

// RateLimited is returned when an action was tried too often; RetryAfter
// says when it may be tried again.
type RateLimited struct{ RetryAfter time.Duration }

func (e *RateLimited) Error() string {
	return fmt.Sprintf("accounts: rate limited, retry after %s", e.RetryAfter.Round(time.Second))
}

// User is an account as the rest of the app sees it.
type User struct {
	ID            int64
	Email         string
	DisplayName   string
	Role          actor.Role
	ArtistID      int64 // the artist profile an artist-role user owns, or 0
	Language      string
	TimeZone      string // canonical IANA name; "" is the club's zone
	EmailVerified bool
	Disabled      bool
	CreatedAt     time.Time
	LastLoginAt   time.Time // zero when never signed in
	// Supporter: a paying Patreon member is linked to the user. Only
	// Session fills it, read with the user on every request.
	Supporter bool
}

// Actor is the user as the performer of an action; IP and RequestID are
// for the caller to add.
func (u User) Actor() actor.Actor {
	return actor.Actor{UserID: u.ID, Role: u.Role, ArtistID: u.ArtistID}
}

// Name is what to call the user: the display name, or the email address
// when they gave none.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Email
}

func toUser(r db.User) User {
	return User{
		ID: r.ID, Email: r.Email, DisplayName: r.DisplayName, Role: actor.Role(r.Role), ArtistID: r.ArtistID.Int64,
		Language: r.Language, TimeZone: r.TimeZone, EmailVerified: r.EmailVerifiedAt.Valid, Disabled: r.DisabledAt.Valid,
		CreatedAt: r.CreatedAt, LastLoginAt: r.LastLoginAt.Time,
	}
}

// Options configure the service; main fills them from config.
type Options struct {
	// BaseURL is the site's public URL, for links in mail.
	BaseURL string
	// Languages are the offered languages, the default first.
	Languages []string
	// RedisPrefix starts every Redis key the service writes.
	RedisPrefix string
	// SessionIdle ends a session unused for that long; SessionMaxAge ends
	// any session that old.
	SessionIdle, SessionMaxAge time.Duration
	// Mail sends the verification and reset mail.
	Mail mail.Sender
	// Emails holds the email templates (views/emails.FS) and Locales the
	// UI strings (locales.FS) they are translated with.
	Emails, Locales fs.FS
	// Now is the clock (time.Now in production).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the accounts capability.
type Service struct {
	sqlDB    *sql.DB
	q        *db.Queries
	rdb      redis.UniversalClient
	prefix   string
	limiter  *redis_rate.Limiter
	sender   mail.Sender
	emails   *mail.Templates
	setupErr error
	baseURL  string
	langs    []string
	idle     time.Duration
	maxAge   time.Duration
	now      func() time.Time
	log      *slog.Logger
	// dummyHash is checked against for unknown emails, so a sign-in takes
	// as long whether or not the address is registered.
	dummyHash string
	sending   sync.WaitGroup
	verified  []VerifiedHook // see OnVerified
}

// New returns the service. It does not fail: a problem with the email
// templates or messages is kept and reported by Ready, which `tdc serve`
// checks before it listens.
func New(sqlDB *sql.DB, rdb redis.UniversalClient, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), rdb: rdb, prefix: o.RedisPrefix,
		limiter: ratelimit.New(rdb, o.RedisPrefix),
		sender:  o.Mail, baseURL: o.BaseURL, langs: o.Languages,
		idle: o.SessionIdle, maxAge: o.SessionMaxAge, now: o.Now, log: o.Log,
	}
	if s.idle <= 0 {
		s.idle = 7 * 24 * time.Hour
	}
	if s.maxAge <= 0 {
		s.maxAge = 30 * 24 * time.Hour
	}
	var errs []error
	if len(o.Languages) == 0 {
		errs = append(errs, errors.New("accounts: no languages"))
	} else if o.Emails == nil || o.Locales == nil {
		errs = append(errs, errors.New("accounts: no email templates or locales"))
	} else if b, err := i18n.New(o.Locales, o.Languages); err != nil {
		errs = append(errs, err)
	} else if s.emails, err = mail.NewTemplates(o.Emails, b); err != nil {
		errs = append(errs, err)
	}
	if s.sender == nil {
		errs = append(errs, errors.New("accounts: no mail sender"))
	}
	if h, err := hashPassword(randomString()); err != nil {
		errs = append(errs, err)
	} else {
		s.dummyHash = h
	}
	s.setupErr = errors.Join(errs...)
	return s
}

// Ready reports a problem New met (templates, messages, mail sender); nil
// means the service can do all it offers.
func (s *Service) Ready() error { return s.setupErr }

// Wait blocks until the mail being sent in the background has gone out or
// failed: for shutdown, and for tests that read the mail.
func (s *Service) Wait() { s.sending.Wait() }

func (s *Service) defaultLang() string {
	if len(s.langs) == 0 {
		return "en"
	}
	return s.langs[0]
}

// digest names an email address in a Redis key without writing it there.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// emailData is what every email template gets.
type emailData struct {
	Name      string
	Link      string
	ResetLink string
	Hours     int
	Minutes   int
}

// sendLater renders email name for u and sends it in the background. The
// request does not wait for the mail server: its answer then takes as long
// whether or not a mail goes out (which would tell whether an address is
// registered), and a slow server cannot hold it past its deadline. A failed
// send is logged; the user can ask again.
func (s *Service) sendLater(to, lang, name string, data emailData) {
	if s.emails == nil {
		s.log.Error("accounts: mail not sent", slog.String("email", name), slog.Any("error", s.setupErr))
		return
	}
	m, err := s.emails.Compose(lang, name, data)
	if err != nil {
		s.log.Error("accounts: compose mail", slog.String("email", name), slog.Any("error", err))
		return
	}
	m.To = to
	s.sending.Add(1)
	go func() {
		defer s.sending.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := s.sender.Send(ctx, m); err != nil {
			s.log.Error("accounts: send mail", slog.String("email", name), slog.Any("error", err))
		}
	}()
}
