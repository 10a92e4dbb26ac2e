// Package audit keeps the back office's history: who changed what, when,
// field by field. Services record an entry inside the transaction of the
// change itself, so a change and its entry land together or not at all.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
)

// Kinds of entity, as stored in audit_log.entity_kind.
const (
	KindEvent    = "event"
	KindLocation = "location"
	KindArtist   = "artist"
	KindPost     = "post"
	KindCategory = "category"
	KindMedia    = "media"
	KindUser     = "user"
	KindSetting  = "setting"
	// KindIntegration is an action on a whole integration (a resync), with
	// no entity id; KindNotification a row of the mail queue.
	KindIntegration  = "integration"
	KindNotification = "notification"
)

// maxValue bounds each old or new value kept in an entry: the log says what
// changed, it is not a second copy of every long description.
const maxValue = 2000

// Change is one field's old and new value.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Entry is one change to record: an action ("create", "update",
// "publish", ...) on an entity, with the fields it changed.
type Entry struct {
	Action   string
	Kind     string
	EntityID int64
	Summary  string
	Changes  []Change
}

// Record writes e for a into the log, with q bound to the transaction of the
// change, at now.
func Record(ctx context.Context, q *db.Queries, a actor.Actor, now time.Time, e Entry) error {
	changes := make([]Change, len(e.Changes))
	for i, c := range e.Changes {
		changes[i] = Change{Field: c.Field, Old: clip(c.Old), New: clip(c.New)}
	}
	var detail json.RawMessage
	if len(changes) > 0 {
		buf, err := json.Marshal(changes)
		if err != nil {
			return fmt.Errorf("audit: encode %s %d: %w", e.Kind, e.EntityID, err)
		}
		detail = buf
	}
	err := q.AuditInsert(ctx, db.AuditInsertParams{
		UserID:     sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0},
		Action:     e.Action,
		EntityKind: e.Kind,
		EntityID:   sql.NullInt64{Int64: e.EntityID, Valid: e.EntityID != 0},
		Summary:    clipTo(e.Summary, 300),
		Detail:     detail,
		Ip:         clipTo(a.IP, 45),
		RequestID:  clipTo(a.RequestID, 64),
		CreatedAt:  now.UTC(),
	})
	if err != nil {
		return fmt.Errorf("audit: record %s %s %d: %w", e.Action, e.Kind, e.EntityID, err)
	}
	return nil
}

// Logged is a recorded entry as the back office shows it.
type Logged struct {
	ID        int64
	At        time.Time
	UserID    int64 // 0: the system, or a user since deleted
	UserEmail string
	UserName  string
	Action    string
	Kind      string
	EntityID  int64
	Summary   string
	Changes   []Change
	IP        string
}

// Service reads the log.
type Service struct{ q *db.Queries }

// New returns the audit log reader.
func New(sqlDB *sql.DB) *Service { return &Service{q: db.New(sqlDB)} }

// ForEntity returns the latest limit entries about one entity, newest first.
// id 0 means the entries recorded with no entity id, as Record stores them:
// those of a kind that has no rows of its own, such as the settings.
func (s *Service) ForEntity(ctx context.Context, kind string, id int64, limit int) ([]Logged, error) {
	rows, err := s.q.AuditListForEntity(ctx, db.AuditListForEntityParams{
		Kind: kind, EntityID: sql.NullInt64{Int64: id, Valid: id != 0}, Limit: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list %s %d: %w", kind, id, err)
	}
	out := make([]Logged, len(rows))
	for i, r := range rows {
		out[i] = logged(db.AuditListRecentRow(r))
	}
	return out, nil
}

// Recent returns the latest limit entries across the site, newest first.
func (s *Service) Recent(ctx context.Context, limit int) ([]Logged, error) {
	rows, err := s.q.AuditListRecent(ctx, int32(limit))
	if err != nil {
		return nil, fmt.Errorf("audit: list recent: %w", err)
	}
	out := make([]Logged, len(rows))
	for i, r := range rows {
		out[i] = logged(r)
	}
	return out, nil
}

func logged(r db.AuditListRecentRow) Logged {
	l := Logged{
		ID: r.ID, At: r.CreatedAt, UserID: r.UserID.Int64, UserEmail: r.UserEmail, UserName: r.UserName,
		Action: r.Action, Kind: r.EntityKind, EntityID: r.EntityID.Int64, Summary: r.Summary, IP: r.Ip,
	}
	// A detail we cannot read still leaves the entry's who/when/what.
	_ = json.Unmarshal(r.Detail, &l.Changes)
	return l
}

func clip(s string) string { return clipTo(s, maxValue) }

// clipTo cuts s to at most n bytes without splitting a rune, marking the
// cut; the columns count characters, so n bytes always fit.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
