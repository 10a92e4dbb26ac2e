// Package facebook announces events on the club's Facebook Page: when an
// event is first published, one post with its text in the default
// language and a link to its page.
//
// A post is never made twice. Before the call, the row records the intent
// (the event's URL, which the post carries) and commits; a row with an
// intent but no post id may have been posted by a process that died before
// it stored Facebook's answer, so the Page's feed is searched for the URL
// before posting again, and a post found is adopted.
package facebook

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/syncstate"
)

const (
	batch = 10
	// cursorRejected holds the fingerprint of a token Facebook rejected
	// (code 190) and its message: nothing is tried with that token again.
	cursorRejected = "token_rejected"
	// lookBack widens the feed search before the intent was recorded, for
	// clocks that disagree.
	lookBack    = time.Hour
	maxBodySize = 1 << 20
)

// Options configure the service; with no PageID it is off.
type Options struct {
	PageID, Token     string
	GraphURL, Version string
	Timeout           time.Duration
	SiteURL           string
	DefaultLanguage   string
	Zone              *time.Location // the club's zone, for the time in the post
	ZoneLabel         string
	// Locales are the club's message files: the post is worded and its
	// date written in DefaultLanguage, as the mails are.
	Locales fs.FS
}

// Service posts to the Page.
type Service struct {
	sqlDB *sql.DB
	q     *db.Queries
	store syncstate.Store
	opts  Options
	tr    *i18n.Bundle // DefaultLanguage only
	setup error        // why a configured service cannot post, nil if it can
	hc    *http.Client
	log   *slog.Logger
	// afterPost runs between Facebook's answer and our write of it; tests
	// make it fail to play a process that dies there.
	afterPost func() error
}

// New returns the service. Message files that cannot be read are logged
// and shown in the admin (Problem); they do not stop the site.
func New(sqlDB *sql.DB, opts Options, log *slog.Logger, now func() time.Time) *Service {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	s := &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), opts: opts, log: log,
		store: syncstate.New(sqlDB, db.SyncStateIntegrationFacebook, opts.DefaultLanguage, now),
		hc:    &http.Client{}, // each call is bounded by its context (see call)
	}
	if !s.Configured() {
		return s
	}
	if opts.Locales == nil {
		s.setup = errors.New("facebook: no message files to word the posts")
	} else if s.tr, s.setup = i18n.New(opts.Locales, []string{opts.DefaultLanguage}); s.setup != nil {
		s.setup = fmt.Errorf("facebook: message files: %w", s.setup)
	}
	if s.setup != nil {
		log.Error("facebook: not usable", slog.Any("error", s.setup))
	}
	return s
}

// Configured reports whether a Page and its token are set.
func (s *Service) Configured() bool { return s.opts.PageID != "" }

// Hook queues an event's announcement when it is first published, in the
// write's transaction. An unconfigured service queues nothing, so turning
// it on later does not announce the past.
func (s *Service) Hook(ctx context.Context, q *db.Queries, cur, next events.Draft) error {
	if !s.Configured() || !cur.FirstPublishedAt.IsZero() || next.FirstPublishedAt.IsZero() {
		return nil
	}
	return s.store.AddOnce(ctx, q, next.ID)
}

// Problem says why posting is stopped: the message files are unusable, or
// the token was rejected. It is nil when posting may go on.
func (s *Service) Problem(ctx context.Context) error {
	if s.setup != nil {
		return s.setup
	}
	msg, err := s.rejected(ctx)
	if err != nil || msg == "" {
		return err
	}
	return fmt.Errorf("facebook: the Page token was rejected (%s); posting waits for a new TDC_FACEBOOK_PAGE_TOKEN", msg)
}

// rejected returns Facebook's message if it rejected the current token.
func (s *Service) rejected(ctx context.Context) (string, error) {
	if !s.Configured() {
		return "", nil
	}
	v, err := s.q.IntegrationCursorGet(ctx, db.IntegrationCursorGetParams{Integration: "facebook", Name: cursorRejected})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("facebook: read token state: %w", err)
	}
	fp, msg, _ := strings.Cut(v, " ")
	if fp != s.fingerprint() {
		return "", nil // a new token: try again
	}
	return msg, nil
}

func (s *Service) fingerprint() string {
	sum := sha256.Sum256([]byte(s.opts.Token))
	return hex.EncodeToString(sum[:8])
}

// Retry queues a failed announcement again (the admin's button, audited
// as a's).
func (s *Service) Retry(ctx context.Context, a actor.Actor, eventID int64) error {
	return s.store.Retry(ctx, a, eventID)
}

// Overview is what the admin shows.
func (s *Service) Overview(ctx context.Context) (syncstate.Overview, error) {
	return s.store.Overview(ctx)
}

// Post makes the announcements whose time has come. Facebook's answers go
// on each row; the error says how many did not go through, or that the
// database failed.
func (s *Service) Post(ctx context.Context) error {
	if !s.Configured() || s.setup != nil {
		return nil // Problem shows a setup error in the admin
	}
	if msg, err := s.rejected(ctx); err != nil || msg != "" {
		return err // the admin shows a rejected token; no need to repeat it each run
	}
	// Claimed for longer than the two calls a post may make, so that no
	// other instance looks for the post while this one is making it.
	bad, due, err := s.store.Each(ctx, batch, 3*s.opts.Timeout, func(r db.SyncDueRow) (syncstate.Result, error) {
		out, err := s.postOne(ctx, r)
		if err != nil || out == settled {
			return syncstate.Done, err
		}
		if err := s.Problem(ctx); err != nil {
			return syncstate.Retry, err // the token was rejected: stop
		}
		if out == later {
			return syncstate.Retry, nil
		}
		return syncstate.Failed, nil
	})
	if err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("facebook: %d of %d posts did not go through (see /admin/integrations)", bad, due)
	}
	return nil
}

// outcome is what became of one row.
type outcome int

const (
	settled outcome = iota // posted, adopted, or nothing to post
	later                  // a temporary error: tried again after a backoff
	failed                 // refused for good, until an admin retries
)

// postOne announces one event, or adopts the post an earlier attempt made.
// The error is the database's; Facebook's go on the row.
func (s *Service) postOne(ctx context.Context, r db.SyncDueRow) (outcome, error) {
	ev, err := s.q.SyncEventGet(ctx, db.SyncEventGetParams{DefaultLang: s.opts.DefaultLanguage, ID: r.EntityID})
	gone := errors.Is(err, sql.ErrNoRows)
	if err != nil && !gone {
		return failed, fmt.Errorf("facebook: read event %d: %w", r.EntityID, err)
	}
	if r.Intent.Valid {
		found, err := s.find(ctx, r.Intent.String, r.IntentAt.Time)
		if err != nil {
			return s.record(ctx, r, err)
		}
		if found != "" {
			s.log.Info("facebook: adopted an earlier post", slog.Int64("event_id", r.EntityID), slog.String("post_id", found))
			return settled, s.adopt(ctx, r, found, ev.Version)
		}
	}
	if gone || !ev.Published || ev.Cancelled {
		// Withdrawn before its turn came: nothing to announce.
		_, err := s.store.Done(ctx, r.EntityID, r.Revision, syncstate.StatusDeleted, "", ev.Version)
		return settled, err
	}
	marker := r.Intent.String
	if !r.Intent.Valid {
		marker = s.eventURL(ev.Slug)
		_, err := s.q.SyncSetIntent(ctx, db.SyncSetIntentParams{
			Intent: sql.NullString{String: marker, Valid: true}, IntentAt: sql.NullTime{Time: s.store.Now(), Valid: true},
			Integration: db.SyncStateIntegrationFacebook, EntityID: r.EntityID,
		})
		if err != nil {
			return failed, fmt.Errorf("facebook: record intent for %d: %w", r.EntityID, err)
		}
	}
	id, err := s.publish(ctx, s.message(ev, marker), marker)
	if err != nil {
		return s.record(ctx, r, err)
	}
	if s.afterPost != nil {
		if err := s.afterPost(); err != nil {
			return failed, err
		}
	}
	return settled, s.adopt(ctx, r, id, ev.Version)
}

// adopt stores post id as event r's announcement.
func (s *Service) adopt(ctx context.Context, r db.SyncDueRow, id string, version int32) error {
	if err := s.store.SetExternal(ctx, r.EntityID, id); err != nil {
		return err
	}
	err := s.q.EventSetFacebookID(ctx, db.EventSetFacebookIDParams{FacebookEventID: sql.NullString{String: id, Valid: true}, ID: r.EntityID})
	if err != nil {
		return fmt.Errorf("facebook: store post id of %d: %w", r.EntityID, err)
	}
	_, err = s.store.Done(ctx, r.EntityID, r.Revision, syncstate.StatusSynced, id, version)
	return err
}

// record files a failed call: a rejected token stops posting, rate limits
// and transient trouble back off, anything else fails the row.
func (s *Service) record(ctx context.Context, r db.SyncDueRow, cause error) (outcome, error) {
	gerr, isGraph := errors.AsType[*GraphError](cause)
	if isGraph && gerr.Code == 190 {
		s.log.Error("facebook: page token rejected", slog.Any("error", cause))
		err := s.q.IntegrationCursorSet(ctx, db.IntegrationCursorSetParams{
			Integration: "facebook", Name: cursorRejected, Value: s.fingerprint() + " " + gerr.Error(),
		})
		if err != nil {
			return later, fmt.Errorf("facebook: record rejected token: %w", err)
		}
		_, err = s.store.RetryLater(ctx, r.EntityID, r.Attempts, 0, cause)
		return later, err
	}
	if !isGraph || gerr.Temporary() {
		next, err := s.store.RetryLater(ctx, r.EntityID, r.Attempts, 0, cause)
		s.log.Warn("facebook: post failed, will retry", slog.Int64("event_id", r.EntityID), slog.Time("next_attempt_at", next), slog.Any("error", cause))
		return later, err
	}
	s.log.Error("facebook: post failed", slog.Int64("event_id", r.EntityID), slog.Any("error", cause))
	return failed, s.store.Fail(ctx, r.EntityID, r.Revision, cause)
}

func (s *Service) eventURL(slug string) string {
	return strings.TrimRight(s.opts.SiteURL, "/") + "/events/" + slug
}

// message is the post's text in the default language: title, when (as
// the mails write it, in the club's zone) and where, the summary and the
// link (which is also the marker find looks for).
func (s *Service) message(ev db.SyncEventGetRow, link string) string {
	lang := s.opts.DefaultLanguage
	when := s.tr.When(lang, ev.StartsAt, i18n.Zone{Loc: s.opts.Zone, Label: s.opts.ZoneLabel})
	parts := []string{ev.Title, s.tr.T(lang, "facebook.post.when", map[string]any{"When": when, "Location": ev.LocationName})}
	if ev.Summary != "" {
		parts = append(parts, "", ev.Summary)
	}
	return strings.Join(append(parts, "", s.tr.T(lang, "facebook.post.link", map[string]any{"Link": link})), "\n")
}

// publish posts to the Page's feed and returns the post's id.
func (s *Service) publish(ctx context.Context, message, link string) (string, error) {
	form := url.Values{"message": {message}, "link": {link}, "access_token": {s.opts.Token}}
	var out struct {
		ID string `json:"id"`
	}
	if err := s.call(ctx, http.MethodPost, s.opts.PageID+"/feed", form, &out); err != nil {
		return "", fmt.Errorf("facebook: post: %w", err)
	}
	if out.ID == "" {
		return "", errors.New("facebook: post: the answer has no id")
	}
	return out.ID, nil
}

// find looks in the Page's feed, from a little before since, for a post
// carrying marker and returns its id, or "".
func (s *Service) find(ctx context.Context, marker string, since time.Time) (string, error) {
	q := url.Values{
		"fields": {"id,message,link"}, "limit": {"100"}, "access_token": {s.opts.Token},
		"since": {strconv.FormatInt(since.Add(-lookBack).Unix(), 10)},
	}
	var out struct {
		Data []struct {
			ID, Message, Link string
		} `json:"data"`
	}
	if err := s.call(ctx, http.MethodGet, s.opts.PageID+"/feed?"+q.Encode(), nil, &out); err != nil {
		return "", fmt.Errorf("facebook: look for an earlier post: %w", err)
	}
	for _, p := range out.Data {
		if p.Link == marker || strings.Contains(p.Message, marker) {
			return p.ID, nil
		}
	}
	return "", nil
}

// call sends one Graph API request under the time-out and decodes the
// answer into out, or the error object into a *GraphError.
func (s *Service) call(ctx context.Context, method, path string, form url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	u := strings.TrimRight(s.opts.GraphURL, "/") + "/" + s.opts.Version + "/" + path
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := s.hc.Do(req)
	if err != nil {
		return redact(err, s.opts.Token)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBodySize))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if res.StatusCode >= 300 {
		return graphError(res.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("HTTP %d with a body that is not the JSON expected: %w", res.StatusCode, err)
	}
	return nil
}

// redact keeps the token, which travels in the URL of a GET, out of a
// transport error (which quotes the URL).
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), url.QueryEscape(token)) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), url.QueryEscape(token), "REDACTED"))
}

// GraphError is the Graph API's error object.
type GraphError struct {
	HTTPStatus int
	Message    string `json:"message"`
	Type       string `json:"type"`
	Code       int    `json:"code"`
	Subcode    int    `json:"error_subcode"`
	TraceID    string `json:"fbtrace_id"`
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("graph error %d", e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	return fmt.Sprintf("%s (%s, HTTP %d): %s", s, e.Type, e.HTTPStatus, e.Message)
}

// Temporary reports whether trying later may succeed: rate limits (4, 17,
// 32, 613, and the Pages business-use-case limit 80001, which come as HTTP
// 400 or 403 as often as 429), unknown and service errors (1, 2), the app
// limit 341, a temporary block (368), and any HTTP 5xx.
func (e *GraphError) Temporary() bool {
	switch e.Code {
	case 1, 2, 4, 17, 32, 341, 368, 613, 80001:
		return true
	}
	return e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests
}

func graphError(status int, raw []byte) error {
	var body struct {
		Error *GraphError `json:"error"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Error == nil {
		return &GraphError{HTTPStatus: status, Code: 0, Type: "http", Message: http.StatusText(status)}
	}
	body.Error.HTTPStatus = status
	return body.Error
}
