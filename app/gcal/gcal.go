// Package gcal copies the programme to the club's Google Calendar: every
// published event is there, changed when it changes and removed (Google's
// "cancelled") when it is cancelled or unpublished. Writes are idempotent:
// the Google id is derived from the event id, so a retry after a lost
// answer finds the event it made instead of making a second one.
package gcal

import (
	"context"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/syncstate"
)

const (
	// idSalt makes our ids unlike anyone else's on the calendar; changing it
	// would orphan every copy made so far.
	idSalt = "dreamerscave"
	// PropEventID is the private extended property holding the TDC event id.
	PropEventID = "tdcEventId"
	batch       = 50
	sourceTitle = "The Dreamer's Cave"
)

// base32hex in lower case without padding is what Google allows in an id.
var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// Options configure the service; with no CredentialsFile it is off.
type Options struct {
	CredentialsFile string
	CalendarID      string
	APIURL          string // root URL; calendar/v3/ is appended
	Timeout         time.Duration
	SiteURL         string // public base URL, for links to event pages
	DefaultLanguage string
}

// Service pushes events to the calendar. A Service that is not configured
// (or whose key could not be read) does nothing, and says so.
type Service struct {
	sqlDB   *sql.DB
	q       *db.Queries
	store   syncstate.Store
	cal     *calendar.Service
	opts    Options
	setup   error // why the configured service cannot work, nil if it can
	log     *slog.Logger
	timeout time.Duration
}

// New returns the service. A key file that cannot be read or parsed is
// logged and shown in the admin; it does not stop the site.
func New(sqlDB *sql.DB, opts Options, log *slog.Logger, now func() time.Time) *Service {
	s := &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), opts: opts, log: log, timeout: opts.Timeout,
		store: syncstate.New(sqlDB, db.SyncStateIntegrationGoogle, opts.DefaultLanguage, now),
	}
	if s.timeout <= 0 {
		s.timeout = 10 * time.Second
	}
	if opts.CredentialsFile == "" {
		return s
	}
	s.cal, s.setup = newClient(opts, s.timeout)
	if s.setup != nil {
		log.Error("gcal: not usable", slog.Any("error", s.setup))
	}
	return s
}

// newClient builds the Calendar client: a JWT token source from the
// service-account key (whose token_uri names the token endpoint) and every
// HTTP call bounded by timeout, the token fetch included. It makes no
// call: the token is fetched with the first request.
func newClient(opts Options, timeout time.Duration) (*calendar.Service, error) {
	key, err := os.ReadFile(opts.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("gcal: read key: %w", err)
	}
	jwt, err := google.JWTConfigFromJSON(key, calendar.CalendarEventsScope)
	if err != nil {
		return nil, fmt.Errorf("gcal: key file %s: %w", opts.CredentialsFile, err)
	}
	base := &http.Client{Timeout: timeout}
	// The token source keeps this context for every refresh: it lives as
	// long as the process, and carries the bounded client.
	tctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	// Calls are bounded by their contexts (see call). NewClient copies the
	// base's Timeout, which on this client would make net/http call the
	// oauth2 transport's obsolete CancelRequest (and log about it).
	hc := oauth2.NewClient(tctx, jwt.TokenSource(tctx))
	hc.Timeout = 0
	endpoint := strings.TrimRight(opts.APIURL, "/") + "/calendar/v3/"
	cal, err := calendar.NewService(tctx, option.WithEndpoint(endpoint), option.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("gcal: client: %w", err)
	}
	return cal, nil
}

// Configured reports whether credentials are set.
func (s *Service) Configured() bool { return s.opts.CredentialsFile != "" }

// Problem is why a configured service cannot work, or nil.
func (s *Service) Problem() error { return s.setup }

func (s *Service) usable() bool { return s.cal != nil }

// Hook marks the event pending whenever a write touches an event visitors
// see or saw; it runs inside the write's transaction, so no change is
// missed even while Google is down. Unconfigured, it marks nothing: rows
// would pile up for nobody, and once credentials are set `tdc sync gcal`
// or the admin's resync brings every event over.
func (s *Service) Hook(ctx context.Context, q *db.Queries, cur, next events.Draft) error {
	if !s.Configured() || (!cur.Published && !next.Published) {
		return nil
	}
	return s.store.Mark(ctx, q, max(cur.ID, next.ID))
}

// EventID is the Google id of TDC event id: base32hex of a fixed text, so
// the same event always gets the same id.
func EventID(id int64) string {
	return idEncoding.EncodeToString([]byte("tdc" + strconv.FormatInt(id, 10) + idSalt))
}

// Outcome is what one push did at Google.
type Outcome string

// The outcomes of a push.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Deleted   Outcome = "deleted"
	Unchanged Outcome = "unchanged"
	Failed    Outcome = "failed"
	Later     Outcome = "retry" // a temporary error; tried again after a backoff
)

// Sync pushes every pending event whose time has come. Google's answers
// are recorded on each row; the error says how many pushes did not go
// through, or that the database failed.
func (s *Service) Sync(ctx context.Context) error {
	if !s.usable() {
		return nil
	}
	// A push makes up to three calls (get, insert, update).
	bad, due, err := s.store.Each(ctx, batch, 4*s.timeout, func(r db.SyncDueRow) (syncstate.Result, error) {
		out, err := s.syncOne(ctx, r.EntityID, r.Revision, r.Attempts, r.ExternalID.String, false)
		switch out {
		case Later:
			return syncstate.Retry, err
		case Failed:
			return syncstate.Failed, err
		}
		return syncstate.Done, err
	})
	if err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("gcal: %d of %d pushes did not go through (see /admin/integrations)", bad, due)
	}
	return nil
}

// Report counts what a resync did.
type Report struct {
	Counts   map[Outcome]int
	Failures []string // "event 42: reason"
}

// Resync compares every event the calendar may hold with Google's copy and
// fixes what differs, whether or not it is pending.
func (s *Service) Resync(ctx context.Context) (Report, error) {
	rep := Report{Counts: map[Outcome]int{}}
	if !s.usable() {
		if s.setup != nil {
			return rep, s.setup
		}
		return rep, errors.New("gcal: not configured (TDC_GOOGLE_CREDENTIALS_FILE, TDC_GOOGLE_CALENDAR_ID)")
	}
	ids, err := s.q.SyncEventIDsGoogle(ctx)
	if err != nil {
		return rep, fmt.Errorf("gcal: list events: %w", err)
	}
	for _, id := range ids {
		if err := s.store.Mark(ctx, s.q, id); err != nil {
			return rep, err
		}
		r, err := s.store.Get(ctx, id)
		if err != nil {
			return rep, err
		}
		out, err := s.syncOne(ctx, id, r.Revision, 0, r.ExternalID.String, true)
		if err != nil {
			return rep, err
		}
		rep.Counts[out]++
		if out == Failed || out == Later {
			rep.Failures = append(rep.Failures, fmt.Sprintf("event %d: %s", id, s.lastError(ctx, id)))
		}
	}
	return rep, nil
}

// lastError is the error recorded on event id's row.
func (s *Service) lastError(ctx context.Context, id int64) string {
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return err.Error()
	}
	return r.LastError.String
}

// QueueAll marks every event the calendar may hold pending, for the job
// to push: the admin's resync (audited as a's), which must not wait on
// Google in a request. It returns how many it queued.
func (s *Service) QueueAll(ctx context.Context, a actor.Actor) (int, error) {
	if !s.usable() {
		return 0, nil
	}
	ids, err := s.q.SyncEventIDsGoogle(ctx)
	if err != nil {
		return 0, fmt.Errorf("gcal: list events: %w", err)
	}
	return len(ids), s.store.MarkAll(ctx, a, ids)
}

// Retry queues a failed event again (the admin's button, audited as a's).
func (s *Service) Retry(ctx context.Context, a actor.Actor, eventID int64) error {
	return s.store.Retry(ctx, a, eventID)
}

// Overview is what the admin shows.
func (s *Service) Overview(ctx context.Context) (syncstate.Overview, error) {
	return s.store.Overview(ctx)
}

// syncOne makes Google's copy of event id what it should be and records
// the result. compare first reads Google's copy and leaves an equal one
// alone (resync); the job writes straight away. The error is the
// database's; Google's go on the row.
func (s *Service) syncOne(ctx context.Context, id int64, revision, attempts int32, external string, compare bool) (Outcome, error) {
	ev, err := s.q.SyncEventGet(ctx, db.SyncEventGetParams{DefaultLang: s.opts.DefaultLanguage, ID: id})
	gone := errors.Is(err, sql.ErrNoRows)
	if err != nil && !gone {
		return "", fmt.Errorf("gcal: read event %d: %w", id, err)
	}
	want := !gone && ev.Published && !ev.Cancelled
	var out Outcome
	if want {
		out, err = s.put(ctx, s.body(ev), external != "", compare)
	} else {
		out, err = s.remove(ctx, id, compare)
	}
	if err != nil {
		return s.record(ctx, id, revision, attempts, err)
	}
	status, gid := syncstate.StatusDeleted, EventID(id)
	if want {
		status = syncstate.StatusSynced
		if err := s.q.EventSetGoogleID(ctx, db.EventSetGoogleIDParams{GoogleEventID: sql.NullString{String: gid, Valid: true}, ID: id}); err != nil {
			return "", fmt.Errorf("gcal: store google id of %d: %w", id, err)
		}
	}
	if _, err := s.store.Done(ctx, id, revision, status, gid, ev.Version); err != nil {
		return "", err
	}
	return out, nil
}

// record files a failed push: a temporary error backs off, any other
// fails the row until the event changes or an admin retries it.
func (s *Service) record(ctx context.Context, id int64, revision, attempts int32, cause error) (Outcome, error) {
	retry, after := temporary(cause)
	if retry {
		next, err := s.store.RetryLater(ctx, id, attempts, after, cause)
		s.log.Warn("gcal: push failed, will retry", slog.Int64("event_id", id), slog.Time("next_attempt_at", next), slog.Any("error", cause))
		return Later, err
	}
	s.log.Error("gcal: push failed", slog.Int64("event_id", id), slog.Any("error", cause))
	return Failed, s.store.Fail(ctx, id, revision, cause)
}

// put creates or updates the copy. The id is ours, so an insert answered
// 409 means the copy exists (maybe deleted, which a full update undoes).
func (s *Service) put(ctx context.Context, e *calendar.Event, known, compare bool) (Outcome, error) {
	ev := s.cal.Events
	if compare {
		got, err := call(ctx, s.timeout, func(c context.Context) (*calendar.Event, error) {
			return ev.Get(s.opts.CalendarID, e.Id).Context(c).Do()
		})
		switch {
		case isCode(err, http.StatusNotFound):
			known = false
		case err != nil:
			return "", fmt.Errorf("gcal: get %s: %w", e.Id, err)
		case same(got, e):
			return Unchanged, nil
		default:
			known = true
		}
	}
	if !known {
		_, err := call(ctx, s.timeout, func(c context.Context) (*calendar.Event, error) {
			return ev.Insert(s.opts.CalendarID, e).SendUpdates("none").Context(c).Do()
		})
		if err == nil {
			return Created, nil
		}
		if !isCode(err, http.StatusConflict) {
			return "", fmt.Errorf("gcal: insert %s: %w", e.Id, err)
		}
	}
	_, err := call(ctx, s.timeout, func(c context.Context) (*calendar.Event, error) {
		return ev.Update(s.opts.CalendarID, e.Id, e).SendUpdates("none").Context(c).Do()
	})
	if isCode(err, http.StatusNotFound) && known {
		// Gone for good (not merely cancelled): make it afresh.
		return s.put(ctx, e, false, false)
	}
	if err != nil {
		return "", fmt.Errorf("gcal: update %s: %w", e.Id, err)
	}
	return Updated, nil
}

// remove deletes the copy; one already deleted or never made is success.
func (s *Service) remove(ctx context.Context, id int64, compare bool) (Outcome, error) {
	gid := EventID(id)
	if compare {
		got, err := call(ctx, s.timeout, func(c context.Context) (*calendar.Event, error) {
			return s.cal.Events.Get(s.opts.CalendarID, gid).Context(c).Do()
		})
		if isCode(err, http.StatusNotFound) || isCode(err, http.StatusGone) || (err == nil && got.Status == "cancelled") {
			return Unchanged, nil
		}
		if err != nil {
			return "", fmt.Errorf("gcal: get %s: %w", gid, err)
		}
	}
	_, err := call(ctx, s.timeout, func(c context.Context) (struct{}, error) {
		return struct{}{}, s.cal.Events.Delete(s.opts.CalendarID, gid).SendUpdates("none").Context(c).Do()
	})
	if isCode(err, http.StatusGone) || isCode(err, http.StatusNotFound) {
		return Unchanged, nil
	}
	if err != nil {
		return "", fmt.Errorf("gcal: delete %s: %w", gid, err)
	}
	return Deleted, nil
}

// body is the calendar copy of ev.
func (s *Service) body(ev db.SyncEventGetRow) *calendar.Event {
	link := strings.TrimRight(s.opts.SiteURL, "/") + "/events/" + ev.Slug
	desc := ev.Summary
	if desc != "" {
		desc += "\n\n"
	}
	return &calendar.Event{
		Id: EventID(ev.ID), Status: "confirmed",
		Summary: ev.Title, Description: desc + link, Location: ev.LocationName,
		Start:              &calendar.EventDateTime{DateTime: ev.StartsAt.UTC().Format(time.RFC3339)},
		End:                &calendar.EventDateTime{DateTime: ev.EndsAt.UTC().Format(time.RFC3339)},
		Source:             &calendar.EventSource{Title: sourceTitle, Url: link},
		ExtendedProperties: &calendar.EventExtendedProperties{Private: map[string]string{PropEventID: strconv.FormatInt(ev.ID, 10)}},
	}
}

// same reports whether Google's copy shows what we would write.
func same(got, want *calendar.Event) bool {
	instant := func(d *calendar.EventDateTime) time.Time {
		if d == nil {
			return time.Time{}
		}
		t, _ := time.Parse(time.RFC3339, d.DateTime)
		return t.UTC()
	}
	return got.Status != "cancelled" && got.Summary == want.Summary && got.Description == want.Description &&
		got.Location == want.Location && instant(got.Start).Equal(instant(want.Start)) &&
		instant(got.End).Equal(instant(want.End))
}

// call runs one request under the service's time-out, whatever the
// caller's context allows.
func call[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return fn(ctx)
}

func isCode(err error, code int) bool {
	gerr, ok := errors.AsType[*googleapi.Error](err)
	return ok && gerr.Code == code
}

// temporary reports whether err is worth retrying, and the least wait
// Google asked for. Rate limits (403 with a rate reason, 429), 5xx, time
// outs, broken answers and the token endpoint's 5xx are; any other 4xx is
// not: retrying would get the same answer.
func temporary(err error) (bool, time.Duration) {
	if gerr, ok := errors.AsType[*googleapi.Error](err); ok {
		switch {
		case gerr.Code == http.StatusTooManyRequests || gerr.Code >= 500 || gerr.Code == http.StatusUnauthorized:
			return true, retryAfter(gerr.Header)
		case gerr.Code == http.StatusForbidden:
			for _, e := range gerr.Errors {
				switch e.Reason {
				case "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded":
					return true, retryAfter(gerr.Header)
				}
			}
		}
		return false, 0
	}
	if rerr, ok := errors.AsType[*oauth2.RetrieveError](err); ok && rerr.Response != nil {
		return rerr.Response.StatusCode >= 500 || rerr.Response.StatusCode == http.StatusTooManyRequests, 0
	}
	return !errors.Is(err, apperr.ErrNotFound), 0
}

func retryAfter(h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	n, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || n < 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, 6*time.Hour)
}
