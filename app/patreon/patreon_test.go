package patreon_test

import (
	"database/sql"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/patreon"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const secret = "test-webhook-secret-0123456789"

type testBundle struct {
	db  *sql.DB
	q   *db.Queries
	now time.Time
}

func setup(t *testing.T) (*patreon.Service, testBundle) {
	t.Helper()
	sqlDB := testenv.DB(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	svc := patreon.New(sqlDB, secret, func() time.Time { return now }, testenv.Logger(t))
	return svc, testBundle{db: sqlDB, q: db.New(sqlDB), now: now}
}

// deliver sends body signed, as Patreon does.
func deliver(t *testing.T, svc *patreon.Service, event string, body []byte) patreon.Result {
	t.Helper()
	res, err := svc.Deliver(t.Context(), event, testenv.PatreonSign(secret, body), body)
	require.NoError(t, err)
	return res
}

func (tb testBundle) member(t *testing.T, id string) db.PatreonMember {
	t.Helper()
	m, err := tb.q.PatreonMemberGet(t.Context(), id)
	require.NoError(t, err)
	return m
}

// supporter is what the session reads for the user's badge.
func (tb testBundle) supporter(t *testing.T, userID int64) bool {
	t.Helper()
	row, err := tb.q.UserGetSession(t.Context(), userID)
	require.NoError(t, err)
	return row.Supporter
}

func (tb testBundle) count(t *testing.T, id string) (members, deliveries int) {
	t.Helper()
	require.NoError(t, tb.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM patreon_members WHERE patreon_member_id = ?", id).Scan(&members))
	require.NoError(t, tb.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM patreon_deliveries WHERE patreon_member_id = ?", id).Scan(&deliveries))
	return members, deliveries
}

// A signed members:create is stored with everything the admin shows; the
// raw body is kept.
func TestDeliverStoresMember(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	m := testenv.PatreonActive("kopi@pangea.example")
	res := deliver(t, svc, "members:pledge:create", m.Body(t))
	require.Equal(t, patreon.Applied, res.Outcome)
	row := tb.member(t, m.ID)
	require.Equal(t, "kopi@pangea.example", row.Email)
	require.Equal(t, "Kopi", row.FullName)
	require.Equal(t, "active_patron", row.PatronStatus.String)
	require.EqualValues(t, 500, row.CurrentlyEntitledCents)
	require.EqualValues(t, 500, row.WillPayCents)
	require.JSONEq(t, `["21926235"]`, string(row.TierIds))
	require.Equal(t, "Cave Dweller", row.TierTitles)
	require.Equal(t, "111836593", row.PatreonUserID)
	require.Equal(t, "11539233", row.CampaignID)
	require.Equal(t, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), row.LastChargeDate.Time.UTC())
	require.Equal(t, "members:pledge:create", row.LastEvent)
	require.True(t, row.Supporter)
	require.False(t, row.FormerAt.Valid)
	require.Contains(t, string(row.Raw), m.ID)
}

// The signature is checked before anything else: wrong, missing, cut
// short, not hex, or signed with another key → ErrBadSignature and
// nothing stored. Upper-case hex is the same digest and passes.
func TestDeliverSignature(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	m := testenv.PatreonActive("sig@example.org")
	body := m.Body(t)
	good := testenv.PatreonSign(secret, body)
	for name, sig := range map[string]string{
		"missing":       "",
		"wrong":         testenv.PatreonSign(secret, append([]byte(" "), body...)),
		"other key":     testenv.PatreonSign("another-secret-0123456789", body),
		"truncated":     good[:len(good)-2],
		"one digit cut": good[:len(good)-1],
		"non-hex":       "zz" + good[2:],
		"sha256 length": good + good,
		"prefixed":      "md5=" + good,
	} {
		_, err := svc.Deliver(t.Context(), "members:create", sig, body)
		require.ErrorIs(t, err, patreon.ErrBadSignature, name)
	}
	members, deliveries := tb.count(t, m.ID)
	require.Zero(t, members)
	require.Zero(t, deliveries)

	// Malformed JSON with a bad signature is still a signature failure:
	// nothing is parsed first.
	_, err := svc.Deliver(t.Context(), "members:create", "00", []byte("{not json"))
	require.ErrorIs(t, err, patreon.ErrBadSignature)

	res, err := svc.Deliver(t.Context(), "members:create", strings.ToUpper(good), body)
	require.NoError(t, err)
	require.Equal(t, patreon.Applied, res.Outcome)

	off := patreon.New(tb.db, "", time.Now, testenv.Logger(t))
	require.False(t, off.Enabled())
	_, err = off.Deliver(t.Context(), "members:create", good, body)
	require.ErrorIs(t, err, patreon.ErrDisabled)
}

// Signed bodies that are not a member: 400-class errors, nothing stored.
func TestDeliverBadPayload(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	id := testenv.Unique("bad")
	for name, body := range map[string]string{
		"not json":        `{"data":`,
		"two values":      `{"data":{}} {}`,
		"array":           `[1,2]`,
		"empty":           ``,
		"no data":         `{"included":[]}`,
		"numeric id":      `{"data":{"type":"member","id":42,"attributes":{}}}`,
		"empty id":        `{"data":{"type":"member","id":"","attributes":{}}}`,
		"long id":         `{"data":{"type":"member","id":"` + strings.Repeat("x", 65) + `","attributes":{}}}`,
		"no attributes":   `{"data":{"type":"member","id":"` + id + `"}}`,
		"string cents":    `{"data":{"type":"member","id":"` + id + `","attributes":{"currently_entitled_amount_cents":"500"}}}`,
		"bad date":        `{"data":{"type":"member","id":"` + id + `","attributes":{"last_charge_date":"yesterday"}}}`,
		"tiers an object": `{"data":{"type":"member","id":"` + id + `","attributes":{},"relationships":{"currently_entitled_tiers":{"data":{"id":"1"}}}}}`,
		"not utf-8":       "{\"data\":{\"type\":\"member\",\"id\":\"" + id + "\",\"attributes\":{\"full_name\":\"\xff\"}}}",
	} {
		_, err := svc.Deliver(t.Context(), "members:update", testenv.PatreonSign(secret, []byte(body)), []byte(body))
		var bad *patreon.BadPayload
		require.ErrorAs(t, err, &bad, name)
	}
	members, deliveries := tb.count(t, id)
	require.Zero(t, members)
	require.Zero(t, deliveries)
}

// The dashboard's test payloads, unknown events and non-member resources
// are acknowledged and ignored.
func TestDeliverIgnored(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	res := deliver(t, svc, "members:pledge:create", testenv.PatreonTestBody())
	require.Equal(t, patreon.Ignored, res.Outcome)
	require.Contains(t, res.Reason, "test payload")

	m := testenv.PatreonActive("unknown@example.org")
	for _, event := range []string{"posts:publish", "pledges:create", "", "members:frobnicate"} {
		res = deliver(t, svc, event, m.Body(t))
		require.Equal(t, patreon.Ignored, res.Outcome, event)
	}
	post := []byte(`{"data":{"type":"post","id":"123","attributes":{"title":"Hi"}}}`)
	require.Equal(t, patreon.Ignored, deliver(t, svc, "members:update", post).Outcome)
	members, deliveries := tb.count(t, m.ID)
	require.Zero(t, members)
	require.Zero(t, deliveries)
}

// The same body twice is a replay: recorded once, nothing changes, even
// when a newer state came in between.
func TestDeliverReplay(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	m := testenv.PatreonActive("replay@example.org")
	first := m.Body(t)
	require.Equal(t, patreon.Applied, deliver(t, svc, "members:create", first).Outcome)
	before := tb.member(t, m.ID)
	require.Equal(t, patreon.Duplicate, deliver(t, svc, "members:create", first).Outcome)
	require.Equal(t, before, tb.member(t, m.ID))

	m.Status = testenv.Str("declined_patron")
	m.LastChargeStatus = testenv.Str("Declined")
	m.LastChargeDate = testenv.Str("2026-12-01T08:00:00.000+00:00")
	require.Equal(t, patreon.Applied, deliver(t, svc, "members:update", m.Body(t)).Outcome)
	require.Equal(t, patreon.Duplicate, deliver(t, svc, "members:create", first).Outcome)
	row := tb.member(t, m.ID)
	require.Equal(t, "declined_patron", row.PatronStatus.String)
	require.False(t, row.Supporter)
	_, deliveries := tb.count(t, m.ID)
	require.Equal(t, 2, deliveries)
}

// An older state arriving after a newer one changes nothing; the order
// comes from the payload (see order in payload.go).
func TestDeliverOutOfOrder(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)

	t.Run("older charge after newer", func(t *testing.T) {
		m := testenv.PatreonActive("order1@example.org")
		newer := m
		newer.LastChargeDate = testenv.Str("2026-12-01T08:00:00.000+00:00")
		newer.Status, newer.LastChargeStatus = testenv.Str("declined_patron"), testenv.Str("Declined")
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:update", newer.Body(t)).Outcome)
		require.Equal(t, patreon.Stale, deliver(t, svc, "members:update", m.Body(t)).Outcome)
		row := tb.member(t, m.ID)
		require.Equal(t, "declined_patron", row.PatronStatus.String)
		require.False(t, row.Supporter)
		require.Equal(t, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), row.LastChargeDate.Time.UTC())
	})
	t.Run("create after update of the same charge", func(t *testing.T) {
		m := testenv.PatreonActive("order2@example.org")
		upd := m
		upd.Tiers = append(upd.Tiers, testenv.PatreonTier{ID: "2", Title: "Deep Cave", AmountCents: 1000})
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:update", upd.Body(t)).Outcome)
		require.Equal(t, patreon.Stale, deliver(t, svc, "members:pledge:create", m.Body(t)).Outcome)
		require.Equal(t, "Cave Dweller, Deep Cave", tb.member(t, m.ID).TierTitles)
	})
	t.Run("update after delete of the same pledge", func(t *testing.T) {
		m := testenv.PatreonActive("order3@example.org")
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:pledge:delete", m.Body(t)).Outcome)
		late := m
		late.FullName = "Late"
		require.Equal(t, patreon.Stale, deliver(t, svc, "members:update", late.Body(t)).Outcome)
		row := tb.member(t, m.ID)
		require.False(t, row.Supporter)
		require.True(t, row.FormerAt.Valid)
	})
	t.Run("a new pledge after a delete counts again", func(t *testing.T) {
		m := testenv.PatreonActive("order4@example.org")
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:pledge:delete", m.Body(t)).Outcome)
		back := m
		back.PledgeStart, back.LastChargeDate = testenv.Str("2026-11-20T00:00:00.000+00:00"), nil
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:pledge:create", back.Body(t)).Outcome)
		row := tb.member(t, m.ID)
		require.True(t, row.Supporter)
		require.False(t, row.FormerAt.Valid)
		// And the old delete, resent, is older than the new pledge.
		again := m
		again.FullName = "resent"
		require.Equal(t, patreon.Stale, deliver(t, svc, "members:pledge:delete", again.Body(t)).Outcome)
	})
	t.Run("active then declined of the same charge", func(t *testing.T) {
		m := testenv.PatreonActive("order5@example.org")
		dec := m
		dec.Status = testenv.Str("declined_patron")
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:update", dec.Body(t)).Outcome)
		require.Equal(t, patreon.Stale, deliver(t, svc, "members:update", m.Body(t)).Outcome)
		require.False(t, tb.member(t, m.ID).Supporter)
	})
	t.Run("same state: arrival order", func(t *testing.T) {
		m := testenv.PatreonActive("order6@example.org")
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:pledge:update", m.Body(t)).Outcome)
		m.Tiers = []testenv.PatreonTier{{ID: "3", Title: "Stalactite", AmountCents: 300}}
		require.Equal(t, patreon.Applied, deliver(t, svc, "members:pledge:update", m.Body(t)).Outcome)
		require.Equal(t, "Stalactite", tb.member(t, m.ID).TierTitles)
	})
}

// Who is a supporter: an active patron who pays, by tier or amount.
func TestSupporterRule(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	for _, tc := range []struct {
		name      string
		event     string
		edit      func(m *testenv.PatreonMember)
		supporter bool
	}{
		{"paid tier", "members:create", func(*testenv.PatreonMember) {}, true},
		{"custom pledge, no tier", "members:pledge:create", func(m *testenv.PatreonMember) { m.Tiers = nil }, true},
		{"will pay only (first charge pending)", "members:pledge:create", func(m *testenv.PatreonMember) {
			m.Tiers, m.EntitledCents, m.LastChargeDate, m.LastChargeStatus = nil, 0, nil, nil
		}, true},
		{"tier only, amounts zero", "members:update", func(m *testenv.PatreonMember) { m.EntitledCents, m.WillPayCents = 0, 0 }, true},
		{"free tier only", "members:update", func(m *testenv.PatreonMember) {
			m.EntitledCents, m.WillPayCents = 0, 0
			m.Tiers = []testenv.PatreonTier{{ID: "21926168", Title: "Free"}}
		}, false},
		{"declined", "members:update", func(m *testenv.PatreonMember) {
			m.Status, m.LastChargeStatus = testenv.Str("declined_patron"), testenv.Str("Declined")
		}, false},
		{"former", "members:update", func(m *testenv.PatreonMember) { m.Status = testenv.Str("former_patron") }, false},
		{"never pledged", "members:create", func(m *testenv.PatreonMember) { m.Status = nil }, false},
		{"pledge deleted", "members:pledge:delete", func(*testenv.PatreonMember) {}, false},
		{"member deleted", "members:delete", func(*testenv.PatreonMember) {}, false},
		{"negative amounts", "members:update", func(m *testenv.PatreonMember) {
			m.Tiers, m.EntitledCents, m.WillPayCents = nil, -500, -1
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testenv.PatreonActive("")
			tc.edit(&m)
			require.Equal(t, patreon.Applied, deliver(t, svc, tc.event, m.Body(t)).Outcome)
			require.Equal(t, tc.supporter, tb.member(t, m.ID).Supporter)
		})
	}
}

// A delete keeps the member's row as history, marked former.
func TestDeleteKeepsHistory(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	m := testenv.PatreonActive("history@example.org")
	deliver(t, svc, "members:create", m.Body(t))
	deliver(t, svc, "members:delete", m.Body(t))
	row := tb.member(t, m.ID)
	require.True(t, row.FormerAt.Valid)
	require.Equal(t, tb.now, row.FormerAt.Time.UTC())
	require.False(t, row.Supporter)
	require.Equal(t, "history@example.org", row.Email)
	require.Equal(t, "members:delete", row.LastEvent)
}

// Members are linked to the user with the same verified address, in any
// case; an unverified address is not linked until it is verified; a new
// address on Patreon unlinks.
func TestLinking(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	verified := testenv.User(t, tb.db, testenv.UserOpts{Email: testenv.Unique("linked") + "@example.org"})
	m := testenv.PatreonActive(strings.ToUpper(verified.Email))
	deliver(t, svc, "members:create", m.Body(t))
	row := tb.member(t, m.ID)
	require.Equal(t, verified.ID, row.UserID.Int64, "linked, case aside")
	require.True(t, tb.supporter(t, verified.ID))

	unverified := testenv.User(t, tb.db, testenv.UserOpts{Email: testenv.Unique("unverified") + "@example.org", Unverified: true})
	u := testenv.PatreonActive(unverified.Email)
	deliver(t, svc, "members:create", u.Body(t))
	require.False(t, tb.member(t, u.ID).UserID.Valid, "an unverified address is not linked")
	require.False(t, tb.supporter(t, unverified.ID))

	// The address changes on Patreon: unlinked.
	m.Email = "elsewhere@example.org"
	m.LastChargeDate = testenv.Str("2026-12-01T08:00:00.000+00:00")
	deliver(t, svc, "members:update", m.Body(t))
	require.False(t, tb.member(t, m.ID).UserID.Valid)

	// Without the email scope the address is absent: the link stays.
	n := testenv.PatreonActive(verified.Email)
	deliver(t, svc, "members:create", n.Body(t))
	n.OmitEmail, n.LastChargeDate = true, testenv.Str("2026-12-01T08:00:00.000+00:00")
	deliver(t, svc, "members:update", n.Body(t))
	row = tb.member(t, n.ID)
	require.Equal(t, verified.Email, row.Email)
	require.Equal(t, verified.ID, row.UserID.Int64)
}

// A user who signs up (verified) after Patreon told us about them is
// linked in the same transaction, through the accounts hook main installs.
func TestLinkOnVerification(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	email := testenv.Unique("later") + "@example.org"
	m := testenv.PatreonActive(email)
	deliver(t, svc, "members:create", m.Body(t))
	require.False(t, tb.member(t, m.ID).UserID.Valid)

	set := testenv.Services(t, tb.db, tb.now)
	u, err := set.Accounts.Create(t.Context(), actor.System(), accounts.NewUser{
		Email: email, Password: testenv.DefaultPassword, Verified: true,
	})
	require.NoError(t, err)
	require.Equal(t, u.ID, tb.member(t, m.ID).UserID.Int64)
	require.True(t, tb.supporter(t, u.ID))
}

// Hostile text is stored as sent (the views escape it) and cut to fit.
func TestHostileText(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	m := testenv.PatreonActive("")
	m.FullName = `<script>alert("x")</script>` + strings.Repeat("ü", 300)
	m.Status = testenv.Str(strings.Repeat("s", 100))
	m.Tiers = []testenv.PatreonTier{{ID: "9", Title: `<img src=x onerror=alert(1)>`, AmountCents: 100}}
	m.ExtraAttributes = map[string]any{"email": strings.Repeat("a", 300) + "@example.org"}
	deliver(t, svc, "members:update", m.Body(t))
	row := tb.member(t, m.ID)
	require.True(t, strings.HasPrefix(row.FullName, `<script>alert("x")</script>`))
	require.Len(t, []rune(row.FullName), 200)
	require.Len(t, row.PatronStatus.String, 32)
	require.False(t, row.Supporter, "an unknown status is not active")
	require.Empty(t, row.Email, "an address too long to be one is not kept")
	require.Equal(t, `<img src=x onerror=alert(1)>`, row.TierTitles)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(row.Raw, &raw))
}

// Old delivery digests are pruned; newer ones stay.
func TestPruneDeliveries(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	id := testenv.Unique("prune")
	_, err := tb.db.ExecContext(t.Context(), "INSERT INTO patreon_deliveries (body_sha256, event, patreon_member_id, received_at) VALUES (?, 'members:update', ?, ?), (?, 'members:update', ?, ?)",
		[]byte(strings.Repeat("a", 22)+id[len(id)-10:]), id, tb.now.Add(-61*24*time.Hour),
		[]byte(strings.Repeat("b", 22)+id[len(id)-10:]), id, tb.now.Add(-59*24*time.Hour))
	require.NoError(t, err)
	n, err := svc.PruneDeliveries(t.Context())
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, int64(1))
	_, deliveries := tb.count(t, id)
	require.Equal(t, 1, deliveries)
}

// Deliveries of one member racing each other: the same body is applied
// once; of two states, the newer is kept whichever commits last.
func TestDeliverConcurrent(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	m := testenv.PatreonActive("race@example.org")
	body := m.Body(t)
	newer := m
	newer.LastChargeDate = testenv.Str("2026-12-01T08:00:00.000+00:00")
	newer.Status = testenv.Str("declined_patron")
	newerBody := newer.Body(t)

	const n = 6
	outcomes := make(chan patreon.Outcome, 2*n)
	errs := make(chan error, 2*n)
	var wg sync.WaitGroup
	for i := range 2 * n {
		b := body
		if i%2 == 1 {
			b = newerBody
		}
		wg.Go(func() {
			res, err := svc.Deliver(t.Context(), "members:update", testenv.PatreonSign(secret, b), b)
			errs <- err
			outcomes <- res.Outcome
		})
	}
	wg.Wait()
	close(errs)
	close(outcomes)
	for err := range errs {
		require.NoError(t, err)
	}
	count := map[patreon.Outcome]int{}
	for o := range outcomes {
		count[o]++
	}
	require.Equal(t, 2*n-2, count[patreon.Duplicate], "each body is applied or found stale once: %v", count)
	require.Equal(t, 2, count[patreon.Applied]+count[patreon.Stale], "%v", count)
	row := tb.member(t, m.ID)
	require.Equal(t, "declined_patron", row.PatronStatus.String)
	require.False(t, row.Supporter)
}
