// Package patreon keeps the club's supporters as Patreon's webhook reports
// them: it checks each delivery's signature, drops replays, keeps the newest
// state of each member whatever order deliveries arrive in, decides who is a
// supporter and links members to the users with the same verified address.
package patreon

import (
	"context"
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // Patreon signs with HMAC-MD5; we have no say.
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// Errors Deliver returns before it reads the body.
var (
	// ErrDisabled: TDC_PATREON_WEBHOOK_SECRET is unset, the endpoint is off.
	ErrDisabled = errors.New("patreon: webhook secret not configured")
	// ErrBadSignature: X-Patreon-Signature is missing or does not match.
	ErrBadSignature = errors.New("patreon: bad signature")
)

// BadPayload is a signed delivery we cannot read: Patreon's sender (or a
// holder of the secret) sent something that is not a member.
type BadPayload struct{ Reason string }

func (e *BadPayload) Error() string { return "patreon: bad payload: " + e.Reason }

// Outcome says what a delivery did.
type Outcome string

// The outcomes of a delivery.
const (
	Applied   Outcome = "applied"   // the member was stored
	Stale     Outcome = "stale"     // older than what is stored: nothing changed
	Duplicate Outcome = "duplicate" // the same body again: nothing changed
	Ignored   Outcome = "ignored"   // an event or shape we do not handle
)

// Result is what Deliver did with one delivery.
type Result struct {
	Outcome  Outcome
	MemberID string // Patreon's member id, when there was one
	Reason   string // why it was ignored
}

// Service is the Patreon capability.
type Service struct {
	sqlDB  *sql.DB
	q      *db.Queries
	secret []byte
	now    func() time.Time
	log    *slog.Logger
}

// New returns the service; an empty secret turns the webhook off.
func New(sqlDB *sql.DB, secret string, now func() time.Time, log *slog.Logger) *Service {
	return &Service{sqlDB: sqlDB, q: db.New(sqlDB), secret: []byte(secret), now: now, log: log}
}

// Enabled reports whether the webhook has a secret to check deliveries with.
func (s *Service) Enabled() bool { return len(s.secret) > 0 }

// checkSignature compares the hex HMAC-MD5 of body under the secret with
// signature in constant time. Hex is decoded, so upper and lower case
// digits both pass: the case carries no secret, Patreon sends lower case
// and PHP examples compare case-insensitively. Anything that is not an
// even-length hex string, or decodes to the wrong length, fails.
func (s *Service) checkSignature(body []byte, signature string) error {
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != md5.Size {
		return ErrBadSignature
	}
	mac := hmac.New(md5.New, s.secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Deliver handles one webhook delivery: event is X-Patreon-Event, signature
// X-Patreon-Signature, body the raw request body. The signature is checked
// before anything is parsed; member events are stored in one transaction
// with the delivery's digest, so a replay changes nothing.
func (s *Service) Deliver(ctx context.Context, event, signature string, body []byte) (Result, error) {
	if !s.Enabled() {
		return Result{}, ErrDisabled
	}
	if err := s.checkSignature(body, signature); err != nil {
		return Result{}, err
	}
	d, err := parse(event, body)
	if err != nil {
		return Result{}, err
	}
	if d.ignore != "" {
		s.log.Info("patreon delivery ignored", slog.String("event", event), slog.String("reason", d.ignore))
		return Result{Outcome: Ignored, Reason: d.ignore}, nil
	}
	res := Result{MemberID: d.m.id}
	now := s.now().UTC().Truncate(time.Second)
	digest := deliveryDigest(event, body)
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		n, err := q.PatreonDeliveryInsert(ctx, db.PatreonDeliveryInsertParams{
			BodySha256: digest, Event: event, PatreonMemberID: d.m.id, ReceivedAt: now,
		})
		if err != nil {
			return fmt.Errorf("patreon: record delivery for %s: %w", d.m.id, err)
		}
		if n == 0 {
			res.Outcome = Duplicate
			return nil
		}
		res.Outcome, err = s.apply(ctx, q, d, body, now)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	s.log.Info("patreon delivery", slog.String("event", event), slog.String("member", d.m.id),
		slog.String("outcome", string(res.Outcome)))
	return res, nil
}

// apply stores the delivered member unless what is stored is newer.
func (s *Service) apply(ctx context.Context, q *db.Queries, d delivery, body []byte, now time.Time) (Outcome, error) {
	if err := q.PatreonMemberClaim(ctx, d.m.id); err != nil {
		return "", fmt.Errorf("patreon: claim member %s: %w", d.m.id, err)
	}
	cur, err := q.PatreonMemberGetForUpdate(ctx, d.m.id)
	if err != nil {
		return "", fmt.Errorf("patreon: lock member %s: %w", d.m.id, err)
	}
	if cur.LastEvent != "" && d.order().compare(storedOrder(cur)) < 0 {
		return Stale, nil
	}
	m := d.m
	// Without the email scope (or in a trimmed payload) the address is
	// absent: keep the one we know rather than unlinking.
	if !m.hasEmail {
		m.email = cur.Email
	}
	if !m.hasName {
		m.name = cur.FullName
	}
	userID := sql.NullInt64{}
	if m.email != "" {
		id, err := q.PatreonVerifiedUserByEmail(ctx, m.email)
		switch {
		case err == nil:
			userID = sql.NullInt64{Int64: id, Valid: true}
		case !errors.Is(err, sql.ErrNoRows):
			return "", fmt.Errorf("patreon: find user for member %s: %w", m.id, err)
		}
	}
	former := sql.NullTime{}
	if d.kind == kindDelete {
		former = sql.NullTime{Time: now, Valid: true}
	}
	err = q.PatreonMemberUpdate(ctx, db.PatreonMemberUpdateParams{
		PatreonUserID: m.userID, CampaignID: m.campaignID, UserID: userID, Email: m.email, FullName: m.name,
		PatronStatus:           sql.NullString{String: m.status, Valid: m.status != ""},
		CurrentlyEntitledCents: m.entitled, WillPayCents: m.willPay, LifetimeSupportCents: m.lifetime,
		PledgeRelationshipStart: nullTime(m.start), LastChargeDate: nullTime(m.charge),
		LastChargeStatus: sql.NullString{String: m.chargeStatus, Valid: m.chargeStatus != ""},
		TierIds:          m.tierIDs, TierTitles: m.tierTitles,
		Supporter: d.kind != kindDelete && m.supporter(), FormerAt: former,
		Raw: body, LastEvent: d.event, LastEventAt: sql.NullTime{Time: now, Valid: true}, ID: cur.ID,
	})
	if err != nil {
		return "", fmt.Errorf("patreon: store member %s: %w", m.id, err)
	}
	return Applied, nil
}

// deliveryDigest identifies a delivery: Patreon sends no id, so it is the
// body itself, with the trigger, since a pledge created and deleted before
// anything else changed comes as two triggers with the same body.
func deliveryDigest(event string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(event))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}

// LinkUser links the Patreon members whose address is the verified address
// of user userID. Accounts calls it inside the transaction that verifies an
// address (accounts.Service.OnVerified).
func LinkUser(ctx context.Context, q *db.Queries, userID int64) error {
	if _, err := q.PatreonMemberLinkUser(ctx, userID); err != nil {
		return fmt.Errorf("patreon: link user %d: %w", userID, err)
	}
	return nil
}

// deliveryKeep is how long a delivery's digest is kept: longer than
// Patreon's retries (the v1 schedule adds up to about 25 days). A replay
// after that is still harmless: it is no newer than what is stored.
const deliveryKeep = 60 * 24 * time.Hour

// PruneDeliveries forgets the digests of deliveries older than Patreon
// resends, and returns how many it deleted.
func (s *Service) PruneDeliveries(ctx context.Context) (int64, error) {
	n, err := s.q.PatreonDeliveryPrune(ctx, s.now().UTC().Add(-deliveryKeep))
	if err != nil {
		return 0, fmt.Errorf("patreon: prune deliveries: %w", err)
	}
	return n, nil
}

func nullTime(t time.Time) sql.NullTime {
	return sql.NullTime{Time: t, Valid: !t.IsZero()}
}
