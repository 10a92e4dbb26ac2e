package patreon

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/db"
)

// kind is what an event does to a membership.
type kind int

const (
	kindCreate kind = iota
	kindUpdate
	kindDelete
)

// events are the triggers we handle, with what each does. The v1
// pledges:* triggers are deprecated and ignored like any other.
var events = map[string]kind{
	"members:create":        kindCreate,
	"members:update":        kindUpdate,
	"members:delete":        kindDelete,
	"members:pledge:create": kindCreate,
	"members:pledge:update": kindUpdate,
	"members:pledge:delete": kindDelete,
}

// Column sizes of patreon_members.
const (
	maxID     = 64
	maxEmail  = 254
	maxName   = 200
	maxStatus = 32
	maxTiers  = 500
)

// delivery is one parsed webhook body: a member, or why it is ignored.
type delivery struct {
	event  string
	kind   kind
	m      member
	ignore string
}

// member is what we keep of a JSON:API member resource.
type member struct {
	id, userID, campaignID string
	email, name            string
	hasEmail, hasName      bool
	status, chargeStatus   string
	entitled, willPay      int32
	lifetime               int32
	start, charge          time.Time
	tierIDs                json.RawMessage
	tierTitles             string
	paidTiers              int
}

// supporter is the rule for supporters: an active patron who pays, through
// a paid tier or an amount. A custom pledge has no tier but an amount; a
// free tier alone is not paying. Declined and former patrons are not.
func (m member) supporter() bool {
	return m.status == "active_patron" && (m.paidTiers > 0 || m.entitled > 0 || m.willPay > 0)
}

// The payload's shape (https://github.com/zulip/zulip/blob/main/zerver/webhooks/patreon/fixtures/).
type (
	resourceRef struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	toOne struct {
		Data *resourceRef `json:"data"`
	}
	envelope struct {
		Data struct {
			Type string `json:"type"`
			// Raw: the dashboard's "send test" payloads have "id": null.
			ID            json.RawMessage `json:"id"`
			Attributes    json.RawMessage `json:"attributes"`
			Relationships struct {
				User                   toOne `json:"user"`
				Campaign               toOne `json:"campaign"`
				CurrentlyEntitledTiers struct {
					Data []resourceRef `json:"data"`
				} `json:"currently_entitled_tiers"`
			} `json:"relationships"`
		} `json:"data"`
		Included []struct {
			Type       string          `json:"type"`
			ID         string          `json:"id"`
			Attributes json.RawMessage `json:"attributes"`
		} `json:"included"`
	}
	memberAttributes struct {
		Email                        *string `json:"email"`
		FullName                     *string `json:"full_name"`
		PatronStatus                 *string `json:"patron_status"`
		CurrentlyEntitledAmountCents *int64  `json:"currently_entitled_amount_cents"`
		WillPayAmountCents           *int64  `json:"will_pay_amount_cents"`
		LifetimeSupportCents         *int64  `json:"lifetime_support_cents"`
		LastChargeDate               *string `json:"last_charge_date"`
		LastChargeStatus             *string `json:"last_charge_status"`
		PledgeRelationshipStart      *string `json:"pledge_relationship_start"`
	}
	tierAttributes struct {
		AmountCents *int64 `json:"amount_cents"`
		Title       string `json:"title"`
	}
	userAttributes struct {
		FullName string `json:"full_name"`
	}
)

// parse reads a signed body. A body that is not one JSON object is a
// *BadPayload; so is a member whose fields have the wrong types. Events we
// do not handle and "send test" payloads come back with ignore set.
func parse(event string, body []byte) (delivery, error) {
	var head struct {
		Data *struct {
			Type string          `json:"type"`
			ID   json.RawMessage `json:"id"`
		} `json:"data"`
	}
	// Any other shape is still one JSON object, or a bad body.
	if err := decodeOne(body, &json.RawMessage{}); err != nil {
		return delivery{}, &BadPayload{Reason: err.Error()}
	}
	k, ok := events[event]
	if !ok {
		return delivery{ignore: fmt.Sprintf("event %q not handled", clip(event, 40))}, nil
	}
	if err := json.Unmarshal(body, &head); err != nil || head.Data == nil {
		return delivery{}, &BadPayload{Reason: "want {\"data\": {...}}"}
	}
	if id := bytes.TrimSpace(head.Data.ID); len(id) == 0 || string(id) == "null" {
		// The dashboard's "Send test" sends "id": null and other attribute
		// names (pledge_amount_cents): nothing to store.
		return delivery{ignore: "no member id (a dashboard test payload)"}, nil
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return delivery{}, &BadPayload{Reason: reason(err)}
	}
	d := delivery{event: event, kind: k}
	if err := json.Unmarshal(env.Data.ID, &d.m.id); err != nil {
		return delivery{}, &BadPayload{Reason: "data.id must be a string"}
	}
	if env.Data.Type != "member" {
		return delivery{ignore: fmt.Sprintf("data.type %q is not a member", clip(env.Data.Type, 40))}, nil
	}
	if d.m.id == "" || len(d.m.id) > maxID || !printable(d.m.id) {
		return delivery{}, &BadPayload{Reason: "data.id is empty, too long or not printable"}
	}
	var a memberAttributes
	if len(env.Data.Attributes) == 0 || string(env.Data.Attributes) == "null" {
		return delivery{}, &BadPayload{Reason: "data.attributes missing"}
	}
	if err := json.Unmarshal(env.Data.Attributes, &a); err != nil {
		return delivery{}, &BadPayload{Reason: "data.attributes: " + reason(err)}
	}
	m := &d.m
	var err error
	if m.start, err = parseTime("pledge_relationship_start", a.PledgeRelationshipStart); err != nil {
		return delivery{}, err
	}
	if m.charge, err = parseTime("last_charge_date", a.LastChargeDate); err != nil {
		return delivery{}, err
	}
	if a.Email != nil {
		m.hasEmail = true
		m.email = strings.TrimSpace(*a.Email)
		if len(m.email) > maxEmail || !strings.Contains(m.email, "@") {
			m.email = "" // not an address we could match
		}
	}
	if a.FullName != nil {
		m.hasName = true
		m.name = clip(strings.TrimSpace(*a.FullName), maxName)
	}
	m.status = clip(deref(a.PatronStatus), maxStatus)
	m.chargeStatus = clip(deref(a.LastChargeStatus), maxStatus)
	m.entitled, m.willPay, m.lifetime = cents(a.CurrentlyEntitledAmountCents), cents(a.WillPayAmountCents), cents(a.LifetimeSupportCents)
	if r := env.Data.Relationships.User.Data; r != nil {
		m.userID = clip(r.ID, maxID)
	}
	if r := env.Data.Relationships.Campaign.Data; r != nil {
		m.campaignID = clip(r.ID, maxID)
	}

	tiers := map[string]tierAttributes{}
	for _, inc := range env.Included {
		switch inc.Type {
		case "tier":
			var t tierAttributes
			if json.Unmarshal(inc.Attributes, &t) == nil {
				tiers[inc.ID] = t
			}
		case "user":
			var u userAttributes
			if !m.hasName && inc.ID == m.userID && json.Unmarshal(inc.Attributes, &u) == nil && u.FullName != "" {
				m.hasName, m.name = true, clip(strings.TrimSpace(u.FullName), maxName)
			}
		}
	}
	ids := []string{}
	var titles []string
	for _, r := range env.Data.Relationships.CurrentlyEntitledTiers.Data {
		ids = append(ids, clip(r.ID, maxID))
		t, known := tiers[r.ID]
		// A tier not included is counted as paid: we cannot tell, and the
		// amounts say the rest.
		if !known || t.AmountCents == nil || *t.AmountCents > 0 {
			m.paidTiers++
		}
		if t.Title != "" {
			titles = append(titles, strings.TrimSpace(t.Title))
		}
	}
	m.tierIDs, _ = json.Marshal(ids)
	m.tierTitles = clip(strings.Join(titles, ", "), maxTiers)
	return d, nil
}

// decodeOne decodes exactly one JSON object from body.
func decodeOne(body []byte, v any) error {
	if !utf8.Valid(body) {
		return errors.New("not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return errors.New(reason(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more than one JSON value")
	}
	return nil
}

// reason says what is wrong with JSON without quoting it.
func reason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%s must not be %s", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("want a JSON object, not %s", typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON empty or cut short"
	}
	return "invalid JSON"
}

// parseTime reads one of Patreon's timestamps ("2023-12-29T03:40:28.000+00:00")
// as UTC, to the second, as the database keeps it.
func parseTime(name string, v *string) (time.Time, error) {
	if v == nil || *v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, &BadPayload{Reason: name + " is not an RFC 3339 time"}
	}
	return t.UTC().Truncate(time.Second), nil
}

// cents keeps an amount within the column: negative amounts are nonsense
// and count as none.
func cents(v *int64) int32 {
	if v == nil || *v < 0 {
		return 0
	}
	return int32(min(*v, math.MaxInt32))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func printable(s string) bool {
	for i := range len(s) {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// order places a member's state in time. Patreon gives no sequence number
// and no ordering promise, so the order comes from the payload, compared
// field by field:
//
//  1. pledge_relationship_start: a later start is a later pledge (a patron
//     who left and came back);
//  2. last_charge_date: each charge moves it on;
//  3. the event: within one pledge and charge, create < update < delete (a
//     delete ends that pledge; coming back starts a new one, see 1);
//  4. patron_status: active < declined < former, so a late "active" from
//     before a decline of the same charge does not undo it.
//
// A state equal on all four (a tier change, say) is applied in arrival
// order: nothing in the payload says which came first.
type order struct {
	start, charge time.Time
	kind          kind
	status        int
}

func (d delivery) order() order {
	return order{start: d.m.start, charge: d.m.charge, kind: d.kind, status: statusRank(d.m.status)}
}

// storedOrder is the order of the state a row holds.
func storedOrder(r db.PatreonMember) order {
	o := order{kind: events[r.LastEvent], status: statusRank(r.PatronStatus.String)}
	if r.PledgeRelationshipStart.Valid {
		o.start = r.PledgeRelationshipStart.Time.UTC()
	}
	if r.LastChargeDate.Valid {
		o.charge = r.LastChargeDate.Time.UTC()
	}
	return o
}

// compare is -1, 0 or +1 as o is older than, as new as, or newer than p.
func (o order) compare(p order) int {
	if c := o.start.Compare(p.start); c != 0 {
		return c
	}
	if c := o.charge.Compare(p.charge); c != 0 {
		return c
	}
	if o.kind != p.kind {
		return cmp.Compare(o.kind, p.kind)
	}
	return cmp.Compare(o.status, p.status)
}

func statusRank(s string) int {
	switch s {
	case "active_patron":
		return 1
	case "declined_patron":
		return 2
	case "former_patron":
		return 3
	}
	return 0
}
