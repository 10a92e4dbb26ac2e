package testenv

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // Patreon's signature
	"encoding/hex"
	"encoding/json"
	"testing"
)

// PatreonTier is a tier a member is entitled to.
type PatreonTier struct {
	ID          string
	Title       string
	AmountCents int
}

// PatreonMember describes a webhook body as Patreon sends it: a JSON:API
// member with its campaign, user and tiers included, in the shape of a
// real members:update (WIRE-CONTRACTS.md 1.3, Zulip's captured fixture).
// Empty ID gets a UUID-like id; nil pointers are sent as JSON null.
type PatreonMember struct {
	ID                string
	Email             string
	FullName          string
	Status            *string // patron_status
	EntitledCents     int
	WillPayCents      int
	LastChargeDate    *string
	LastChargeStatus  *string
	PledgeStart       *string
	Tiers             []PatreonTier
	UserID, Campaign  string
	OmitEmail         bool // as without the campaigns.members[email] scope
	ExtraAttributes   map[string]any
	OmitRelationships bool
}

// PatreonActive is a paying member at address email: an active patron of
// one tier, charged on 1 November 2026.
func PatreonActive(email string) PatreonMember {
	return PatreonMember{
		ID: Unique("member"), Email: email, FullName: "Kopi", Status: Str("active_patron"),
		EntitledCents: 500, WillPayCents: 500, PledgeStart: Str("2026-10-01T03:40:28.000+00:00"),
		LastChargeDate: Str("2026-11-01T08:00:00.000+00:00"), LastChargeStatus: Str("Paid"),
		Tiers: []PatreonTier{{ID: "21926235", Title: "Cave Dweller", AmountCents: 500}},
	}
}

// Str is a pointer to s, for PatreonMember's nullable fields.
func Str(s string) *string { return &s }

// Body is the member as a webhook body.
func (m PatreonMember) Body(t testing.TB) []byte {
	t.Helper()
	if m.ID == "" {
		m.ID = Unique("38c264ba-0612-4bb9-bc33")
	}
	if m.UserID == "" {
		m.UserID = "111836593"
	}
	if m.Campaign == "" {
		m.Campaign = "11539233"
	}
	attrs := map[string]any{
		"campaign_lifetime_support_cents": 0, "currently_entitled_amount_cents": m.EntitledCents,
		"full_name": m.FullName, "is_follower": false, "is_free_trial": false,
		"last_charge_date": m.LastChargeDate, "last_charge_status": m.LastChargeStatus, "lifetime_support_cents": 0,
		"next_charge_date": nil, "note": "", "patron_status": m.Status, "pledge_cadence": 1,
		"pledge_relationship_start": m.PledgeStart, "will_pay_amount_cents": m.WillPayCents,
	}
	if !m.OmitEmail {
		attrs["email"] = m.Email
	}
	for k, v := range m.ExtraAttributes {
		attrs[k] = v
	}
	tierRefs := []map[string]string{}
	included := []map[string]any{
		{"type": "campaign", "id": m.Campaign, "attributes": map[string]any{"patron_count": 1, "vanity": "dreamerscave"}},
		{"type": "user", "id": m.UserID, "attributes": map[string]any{"full_name": m.FullName, "first_name": m.FullName}},
	}
	for _, tr := range m.Tiers {
		tierRefs = append(tierRefs, map[string]string{"id": tr.ID, "type": "tier"})
		included = append(included, map[string]any{"type": "tier", "id": tr.ID,
			"attributes": map[string]any{"amount_cents": tr.AmountCents, "title": tr.Title, "published": true}})
	}
	data := map[string]any{"type": "member", "id": m.ID, "attributes": attrs}
	if !m.OmitRelationships {
		data["relationships"] = map[string]any{
			"address":                  map[string]any{"data": nil},
			"campaign":                 map[string]any{"data": map[string]string{"id": m.Campaign, "type": "campaign"}, "links": map[string]string{"related": "https://www.patreon.com/api/oauth2/v2/campaigns/" + m.Campaign}},
			"currently_entitled_tiers": map[string]any{"data": tierRefs},
			"user":                     map[string]any{"data": map[string]string{"id": m.UserID, "type": "user"}, "links": map[string]string{"related": "https://www.patreon.com/api/oauth2/v2/user/" + m.UserID}},
		}
	}
	b, err := json.Marshal(map[string]any{
		"data": data, "included": included,
		"links": map[string]string{"self": "https://www.patreon.com/api/oauth2/v2/members/" + m.ID},
	})
	if err != nil {
		t.Fatalf("testenv: patreon body: %v", err)
	}
	return b
}

// PatreonTestBody is what the Patreon portal's "Send test" button sends: the
// member has "id": null and the older attribute names.
func PatreonTestBody() []byte {
	return []byte(`{"data":{"attributes":{"access_expires_at":null,"campaign_currency":"USD","campaign_lifetime_support_cents":0,` +
		`"campaign_pledge_amount_cents":500,"full_name":"Test Patron","is_follower":false,"last_charge_date":null,` +
		`"last_charge_status":null,"lifetime_support_cents":0,"patron_status":"active_patron","pledge_amount_cents":500,` +
		`"pledge_relationship_start":"2026-11-01T10:00:00.000+00:00"},"id":null,"relationships":{"address":{"data":null},` +
		`"campaign":{"data":{"id":"11539233","type":"campaign"}},"currently_entitled_tiers":{"data":[]},` +
		`"pledge_history":{"data":[]},"user":{"data":{"id":"1","type":"user"}}},"type":"member"},"included":[]}`)
}

// PatreonSign is X-Patreon-Signature for body: the hex HMAC-MD5 under secret.
func PatreonSign(secret string, body []byte) string {
	mac := hmac.New(md5.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
