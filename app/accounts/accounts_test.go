package accounts_test

import (
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testBundle struct {
	db    *sql.DB
	mail  *testenv.MailServer
	clock *clock
}

// setup returns a service over the package's database and a Redis prefix
// of the test's own, sending mail over SMTP to a server the test runs.
func setup(t *testing.T) (*accounts.Service, testBundle) {
	t.Helper()
	testenv.Seeded(t)
	sqlDB := testenv.DB(t)
	rdb, prefix := testenv.Redis(t)
	ms := testenv.SMTP(t)
	sender, err := mail.NewSMTP(ms.URL, "The Dreamer's Cave <club@example.org>")
	require.NoError(t, err)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := accounts.New(sqlDB, rdb, accounts.Options{
		BaseURL: "https://club.example", Languages: []string{"en", "de"}, RedisPrefix: prefix,
		SessionIdle: time.Hour, SessionMaxAge: 24 * time.Hour,
		Mail: sender, Emails: emails.FS, Locales: locales.FS, Now: clk.Now, Log: testenv.Logger(t),
	})
	require.NoError(t, svc.Ready())
	t.Cleanup(svc.Wait)
	return svc, testBundle{db: sqlDB, mail: ms, clock: clk}
}

var seq struct {
	sync.Mutex
	n int
}

func uniqueEmail(t *testing.T) string {
	seq.Lock()
	defer seq.Unlock()
	seq.n++
	return strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())) + "-" + time.Now().Format("150405.000000") + "-" + string(rune('a'+seq.n%26)) + "@example.org"
}

func invalid(t *testing.T, err error) map[string]string {
	t.Helper()
	var inv *apperr.Invalid
	require.ErrorAs(t, err, &inv)
	out := map[string]string{}
	for f, m := range inv.Fields {
		out[f] = m.ID
	}
	return out
}

// Sign-up mails a link that verifies the address once; sign-in then works
// with the right password only, and a session lasts until it ends.
func TestSignUpVerifySignIn(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	email := uniqueEmail(t)
	require.NoError(t, svc.Register(ctx, accounts.Registration{
		Email: "  " + strings.ToUpper(email) + " ", Password: "a good long password", DisplayName: `<script>alert(1)</script>`,
		Language: "de", TimeZone: "europe/berlin", IP: "192.0.2.1",
	}))
	msg := tb.mail.WaitFor(t, email, 0)
	require.Equal(t, "Bestätige deine E-Mail-Adresse", msg.Subject, "mail in the visitor's language")
	require.Contains(t, msg.Text, "Hallo <script>alert(1)</script>,", "the text part is text")
	require.Contains(t, msg.HTML, "Hallo &lt;script&gt;alert(1)&lt;/script&gt;,", "the HTML part is escaped")
	link := msg.Link(t, "https://club.example/verify?token=")

	u, err := svc.GetByEmail(ctx, email)
	require.NoError(t, err)
	require.Equal(t, email, u.Email, "stored lower-case and trimmed")
	require.Equal(t, `<script>alert(1)</script>`, u.DisplayName, "stored as typed")
	require.Equal(t, "Europe/Berlin", u.TimeZone)
	require.Equal(t, actor.RoleMember, u.Role)
	require.False(t, u.EmailVerified)

	// Unverified users may sign in.
	_, sid, err := svc.SignIn(ctx, accounts.Credentials{Email: email, Password: "a good long password", IP: "192.0.2.1"})
	require.NoError(t, err)

	token := strings.TrimPrefix(link, "https://club.example/verify?token=")
	v, err := svc.Verify(ctx, token)
	require.NoError(t, err)
	require.True(t, v.EmailVerified)
	_, err = svc.Verify(ctx, token)
	require.NoError(t, err, "a second click on a used link of a verified user changes nothing")
	_, err = svc.Verify(ctx, map[bool]string{true: "b", false: "a"}[token[0] == 'a']+token[1:])
	require.ErrorIs(t, err, accounts.ErrTokenInvalid)

	got, sess, err := svc.Session(ctx, sid)
	require.NoError(t, err)
	require.Equal(t, u.ID, got.ID)
	require.Equal(t, accounts.SessionID(sid), sess.ID)
	require.NotEqual(t, sid, sess.ID, "Redis keeps only the hash")

	_, _, err = svc.SignIn(ctx, accounts.Credentials{Email: email, Password: "a good long passwort", IP: "192.0.2.1"})
	require.ErrorIs(t, err, accounts.ErrBadCredentials)
	_, _, err = svc.SignIn(ctx, accounts.Credentials{Email: "nobody-" + email, Password: "a good long password", IP: "192.0.2.1"})
	require.ErrorIs(t, err, accounts.ErrBadCredentials, "an unknown address gets the same error")
	require.Equal(t, map[string]string{"email": "error.account.required", "password": "error.account.required"},
		invalid(t, func() error { _, _, err := svc.SignIn(ctx, accounts.Credentials{}); return err }()))

	// A new sign-in gets a new id and ends the one the browser had.
	_, sid2, err := svc.SignIn(ctx, accounts.Credentials{Email: email, Password: "a good long password", IP: "192.0.2.1", OldSession: sid})
	require.NoError(t, err)
	require.NotEqual(t, sid, sid2)
	_, _, err = svc.Session(ctx, sid)
	require.ErrorIs(t, err, accounts.ErrNoSession)
	require.NoError(t, svc.EndSession(ctx, sid2))
	_, _, err = svc.Session(ctx, sid2)
	require.ErrorIs(t, err, accounts.ErrNoSession)
	for _, junk := range []string{"", "x", strings.Repeat("a", 43), "\xff\xfe"} {
		_, _, err = svc.Session(ctx, junk)
		require.ErrorIs(t, err, accounts.ErrNoSession)
	}
}

// Signing up with a registered address changes nothing and tells only the
// mailbox, with the same answer to the visitor.
func TestSignUpWithRegisteredAddress(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t), DisplayName: "Ada"})
	require.NoError(t, svc.Register(ctx, accounts.Registration{Email: u.Email, Password: "another long password", Language: "en", IP: "192.0.2.2"}))
	msg := tb.mail.WaitFor(t, u.Email, 0)
	require.Equal(t, "Your account at The Dreamer's Cave", msg.Subject)
	require.Contains(t, msg.Text, "Hello Ada,")
	require.Contains(t, msg.Text, "https://club.example/reset")
	_, _, err := svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: "another long password", IP: "192.0.2.2"})
	require.ErrorIs(t, err, accounts.ErrBadCredentials, "the password did not change")
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	svc, _ := setup(t)
	long := strings.Repeat("a", 250) + "@example.org"
	cases := []struct {
		name string
		in   accounts.Registration
		want map[string]string
	}{
		{"nothing", accounts.Registration{}, map[string]string{"email": "error.account.required", "password": "error.account.required"}},
		{"no at", accounts.Registration{Email: "not-an-address", Password: "long enough pw"}, map[string]string{"email": "error.account.email_invalid"}},
		{"display name form", accounts.Registration{Email: "Ada <ada@example.org>", Password: "long enough pw"}, map[string]string{"email": "error.account.email_invalid"}},
		{"no dot in domain", accounts.Registration{Email: "ada@localhost", Password: "long enough pw"}, map[string]string{"email": "error.account.email_invalid"}},
		{"script", accounts.Registration{Email: "<script>@example.org", Password: "long enough pw"}, map[string]string{"email": "error.account.email_invalid"}},
		{"too long", accounts.Registration{Email: long, Password: "long enough pw"}, map[string]string{"email": "error.account.email_too_long"}},
		{"bad utf-8", accounts.Registration{Email: "a\xff@example.org", Password: "long\xffenough pw", DisplayName: "x\xff"}, map[string]string{"email": "error.account.invalid_text", "password": "error.account.invalid_text", "display_name": "error.account.invalid_text"}},
		{"short password", accounts.Registration{Email: "a@example.org", Password: "123456789"}, map[string]string{"password": "error.account.password_too_short"}},
		{"long password", accounts.Registration{Email: "a@example.org", Password: strings.Repeat("ä", 129)}, map[string]string{"password": "error.account.password_too_long"}},
		{"password is email", accounts.Registration{Email: "ada.lovelace@example.org", Password: "Ada.Lovelace@example.org"}, map[string]string{"password": "error.account.password_is_email"}},
		{"long name", accounts.Registration{Email: "a@example.org", Password: "long enough pw", DisplayName: strings.Repeat("n", 101)}, map[string]string{"display_name": "error.account.name_too_long"}},
		{"control in name", accounts.Registration{Email: "a@example.org", Password: "long enough pw", DisplayName: "a\nb"}, map[string]string{"display_name": "error.account.invalid_text"}},
		{"ten megabytes", accounts.Registration{Email: strings.Repeat("x", 10<<20), Password: strings.Repeat("x", 10<<20), DisplayName: strings.Repeat("x", 10<<20)}, map[string]string{"email": "error.account.email_too_long", "password": "error.account.password_too_long", "display_name": "error.account.name_too_long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, invalid(t, svc.Register(t.Context(), tc.in)))
		})
	}
	// A hundred-character name of multi-byte letters is fine.
	require.NoError(t, svc.Register(t.Context(), accounts.Registration{Email: uniqueEmail(t), Password: "long enough pw", DisplayName: strings.Repeat("ü", 100), IP: "192.0.2.3"}))
}

// Idle and absolute time-outs end sessions; use keeps an idle one alive.
func TestSessionTimeOuts(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	_, sid, err := svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.4"})
	require.NoError(t, err)
	for range 30 { // 30 × 50 min: past the 24 h absolute limit, never idle an hour
		tb.clock.Add(50 * time.Minute)
		if _, _, err = svc.Session(ctx, sid); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, accounts.ErrNoSession)
	require.GreaterOrEqual(t, tb.clock.Now().Sub(u.CreatedAt), 24*time.Hour-50*time.Minute)

	_, sid, err = svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.4"})
	require.NoError(t, err)
	tb.clock.Add(59 * time.Minute)
	_, _, err = svc.Session(ctx, sid)
	require.NoError(t, err)
	tb.clock.Add(61 * time.Minute)
	_, _, err = svc.Session(ctx, sid)
	require.ErrorIs(t, err, accounts.ErrNoSession, "idle for more than an hour")
}

// Wrong passwords are limited per account, whatever the IP, and the right
// password does not get through while limited; an unknown address is
// limited the same way.
func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	for _, email := range []string{u.Email, "nobody-" + u.Email} {
		for i := range 5 {
			_, _, err := svc.SignIn(ctx, accounts.Credentials{Email: email, Password: "wrong password " + string(rune('a'+i)), IP: "198.51.100." + string(rune('1'+i))})
			require.ErrorIs(t, err, accounts.ErrBadCredentials)
		}
		_, _, err := svc.SignIn(ctx, accounts.Credentials{Email: email, Password: testenv.DefaultPassword, IP: "198.51.100.9"})
		var limited *accounts.RateLimited
		require.ErrorAs(t, err, &limited, email)
		require.Greater(t, limited.RetryAfter, time.Duration(0))
	}
	// Per IP: another account from one address is stopped after 20 tries.
	var err error
	for i := range 25 {
		_, _, err = svc.SignIn(ctx, accounts.Credentials{Email: "guess" + string(rune('a'+i)) + "-" + u.Email, Password: "x", IP: "203.0.113.7"})
		if !errors.Is(err, accounts.ErrBadCredentials) {
			break
		}
	}
	var limited *accounts.RateLimited
	require.ErrorAs(t, err, &limited)
}

// A reset link works once, for an hour, ends every session and verifies
// the address; asking for one for an unknown address mails nobody.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t), Unverified: true})
	_, sid, err := svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.5"})
	require.NoError(t, err)

	require.NoError(t, svc.RequestReset(ctx, "nobody-"+u.Email, "192.0.2.5"))
	require.Equal(t, map[string]string{"email": "error.account.email_invalid"}, invalid(t, svc.RequestReset(ctx, "nonsense", "192.0.2.5")))
	require.NoError(t, svc.RequestReset(ctx, strings.ToUpper(u.Email), "192.0.2.5"))
	msg := tb.mail.WaitFor(t, u.Email, 0)
	require.Equal(t, "Choose a new password", msg.Subject)
	token := strings.TrimPrefix(msg.Link(t, "https://club.example/reset/"), "https://club.example/reset/")
	require.NoError(t, svc.CheckResetToken(ctx, token))

	require.Equal(t, map[string]string{"password": "error.account.password_too_short"}, invalid(t, func() error { _, err := svc.ResetPassword(ctx, token, "short"); return err }()))
	require.NoError(t, svc.CheckResetToken(ctx, token), "a refused password leaves the token usable")
	got, err := svc.ResetPassword(ctx, token, "a brand new password")
	require.NoError(t, err)
	require.True(t, got.EmailVerified, "the mail reached the address")
	_, err = svc.ResetPassword(ctx, token, "another new password")
	require.ErrorIs(t, err, accounts.ErrTokenInvalid, "single use")
	_, _, err = svc.Session(ctx, sid)
	require.ErrorIs(t, err, accounts.ErrNoSession, "signed out everywhere")
	_, _, err = svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: "a brand new password", IP: "192.0.2.5"})
	require.NoError(t, err)

	require.NoError(t, svc.RequestReset(ctx, u.Email, "192.0.2.5"))
	late := tb.mail.WaitFor(t, u.Email, 1)
	lateToken := strings.TrimPrefix(late.Link(t, "https://club.example/reset/"), "https://club.example/reset/")
	tb.clock.Add(accounts.ResetTTL + time.Second)
	require.ErrorIs(t, svc.CheckResetToken(ctx, lateToken), accounts.ErrTokenInvalid, "expired")
	require.Len(t, tb.mail.Messages(), 2, "nothing went to the unknown address")
}

// Roles: only admins change them, nobody their own, artists need a
// profile, and each change is in the audit log.
func TestSetRole(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	admin := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t), Role: actor.RoleAdmin})
	member := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	artistID, err := svc.ArtistIDBySlug(ctx, "luma-vesper")
	require.NoError(t, err)

	require.ErrorIs(t, svc.SetRole(ctx, member.Actor(), member.ID, actor.RoleAdmin, 0), apperr.ErrForbidden, "no self-promotion")
	require.ErrorIs(t, svc.SetRole(ctx, admin.Actor(), admin.ID, actor.RoleMember, 0), apperr.ErrForbidden, "no self-demotion")
	require.Equal(t, map[string]string{"artist": "error.account.artist_required"}, invalid(t, svc.SetRole(ctx, admin.Actor(), member.ID, actor.RoleArtist, 0)))
	require.Equal(t, map[string]string{"role": "error.account.role_unknown"}, invalid(t, svc.SetRole(ctx, admin.Actor(), member.ID, "root", 0)))
	require.Equal(t, map[string]string{"artist": "error.account.artist_unknown"}, invalid(t, svc.SetRole(ctx, admin.Actor(), member.ID, actor.RoleArtist, 1<<40)))
	require.ErrorIs(t, svc.SetRole(ctx, admin.Actor(), 1<<40, actor.RoleEditor, 0), apperr.ErrNotFound)

	a := admin.Actor()
	a.IP, a.RequestID = "192.0.2.6", "req-1"
	require.NoError(t, svc.SetRole(ctx, a, member.ID, actor.RoleArtist, artistID))
	got, err := svc.Get(ctx, member.ID)
	require.NoError(t, err)
	require.Equal(t, actor.RoleArtist, got.Role)
	require.Equal(t, artistID, got.ArtistID)
	require.True(t, got.Actor().OwnsArtist(artistID))

	log, err := audit.New(tb.db).ForEntity(ctx, audit.KindUser, member.ID, 5)
	require.NoError(t, err)
	var entry *audit.Logged
	for i := range log {
		if log[i].Action == "role" {
			entry = &log[i]
		}
	}
	require.NotNil(t, entry, "%+v", log)
	require.Equal(t, admin.ID, entry.UserID)
	require.Equal(t, "192.0.2.6", entry.IP)
	require.Contains(t, entry.Changes, audit.Change{Field: "role", Old: "member", New: "artist"})
}

// A disabled user cannot sign in and loses every session; enabling undoes it.
func TestDisable(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	admin := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t), Role: actor.RoleAdmin})
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	_, sid, err := svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.7"})
	require.NoError(t, err)
	require.ErrorIs(t, svc.Disable(ctx, u.Actor(), admin.ID), apperr.ErrForbidden)
	require.ErrorIs(t, svc.Disable(ctx, admin.Actor(), admin.ID), apperr.ErrForbidden)
	require.NoError(t, svc.Disable(ctx, admin.Actor(), u.ID))
	_, _, err = svc.Session(ctx, sid)
	require.ErrorIs(t, err, accounts.ErrNoSession)
	_, _, err = svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.7"})
	require.ErrorIs(t, err, accounts.ErrDisabled)
	require.NoError(t, svc.Enable(ctx, admin.Actor(), u.ID))
	_, _, err = svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.7"})
	require.NoError(t, err)
}

// Deleting an account takes the password, removes the user's rows and
// sessions, and leaves an audit entry; the last admin cannot.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	_, sid, err := svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: testenv.DefaultPassword, IP: "192.0.2.8"})
	require.NoError(t, err)
	for _, kind := range []accounts.FollowKind{accounts.FollowArtist, accounts.FollowLocation} {
		slug := map[accounts.FollowKind]string{accounts.FollowArtist: "nyx-calloway", accounts.FollowLocation: "ember-lounge"}[kind]
		target, err := svc.FollowTarget(ctx, kind, slug, "en")
		require.NoError(t, err)
		require.NoError(t, svc.SetFollow(ctx, u.ID, target, true))
	}
	_, err = tb.db.ExecContext(ctx, "INSERT INTO notification_preferences (user_id) VALUES (?)", u.ID)
	require.NoError(t, err)
	require.NoError(t, svc.RequestReset(ctx, u.Email, "192.0.2.8"))

	require.Equal(t, map[string]string{"delete_password": "error.account.password_wrong"}, invalid(t, svc.DeleteAccount(ctx, u.Actor(), "not my password")))
	require.Equal(t, map[string]string{"delete_password": "error.account.required"}, invalid(t, svc.DeleteAccount(ctx, u.Actor(), "")))
	require.ErrorIs(t, svc.DeleteAccount(ctx, actor.Actor{}, testenv.DefaultPassword), apperr.ErrForbidden)
	require.NoError(t, svc.DeleteAccount(ctx, u.Actor(), testenv.DefaultPassword))

	_, err = svc.Get(ctx, u.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	for _, table := range []string{"artist_follows", "location_follows", "notification_preferences", "user_tokens"} {
		var n int
		require.NoError(t, tb.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE user_id = ?", u.ID).Scan(&n))
		require.Zero(t, n, table)
	}
	_, _, err = svc.Session(ctx, sid)
	require.ErrorIs(t, err, accounts.ErrNoSession)
	log, err := audit.New(tb.db).ForEntity(ctx, audit.KindUser, u.ID, 5)
	require.NoError(t, err)
	var entry *audit.Logged
	for i := range log {
		if log[i].Action == "delete" {
			entry = &log[i]
		}
	}
	require.NotNil(t, entry, "%+v", log)
	require.Zero(t, entry.UserID, "the deleted user's id is gone from the entry")
	require.NotContains(t, entry.Summary, u.Email, "no address kept for someone who left")
}

func TestLastAdminCannotDeleteThemselves(t *testing.T) {
	// Not parallel: it counts the admins of the shared database.
	svc, tb := setup(t)
	ctx := t.Context()
	var others []int64
	rows, err := tb.db.QueryContext(ctx, "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL")
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		others = append(others, id)
	}
	require.NoError(t, rows.Err())
	_, err = tb.db.ExecContext(ctx, "UPDATE users SET role = 'member' WHERE role = 'admin'")
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, id := range others {
			tb.db.Exec("UPDATE users SET role = 'admin' WHERE id = ?", id)
		}
	})
	admin := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t), Role: actor.RoleAdmin})
	require.Equal(t, map[string]string{"delete_password": "error.account.last_admin"}, invalid(t, svc.DeleteAccount(ctx, admin.Actor(), testenv.DefaultPassword)))
	second := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t), Role: actor.RoleAdmin})
	require.NoError(t, svc.DeleteAccount(ctx, admin.Actor(), testenv.DefaultPassword))
	_, err = svc.Get(ctx, second.ID)
	require.NoError(t, err)
}

// The back office's list filters by text (wildcards meant literally) and
// role, and pages.
func TestList(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	tag := strings.ReplaceAll(uniqueEmail(t), "@example.org", "")
	for i := range 3 {
		testenv.User(t, tb.db, testenv.UserOpts{Email: tag + "-" + string(rune('a'+i)) + "@example.org", DisplayName: "100% " + tag, Role: []actor.Role{actor.RoleAdmin, actor.RoleEditor, actor.RoleMember}[i]})
	}
	p, err := svc.List(ctx, accounts.UserFilter{Q: tag, Sort: "email", PerPage: 2})
	require.NoError(t, err)
	require.Equal(t, 3, p.Total)
	require.Equal(t, 2, p.Pages)
	require.Equal(t, tag+"-a@example.org", p.Users[0].Email)
	p, err = svc.List(ctx, accounts.UserFilter{Q: tag, Sort: "email", PerPage: 2, Page: 2})
	require.NoError(t, err)
	require.Len(t, p.Users, 1)
	p, err = svc.List(ctx, accounts.UserFilter{Q: tag, Role: actor.RoleEditor})
	require.NoError(t, err)
	require.Equal(t, 1, p.Total)
	p, err = svc.List(ctx, accounts.UserFilter{Q: "100% " + tag})
	require.NoError(t, err)
	require.Equal(t, 3, p.Total)
	p, err = svc.List(ctx, accounts.UserFilter{Q: "1_0% " + tag})
	require.NoError(t, err)
	require.Zero(t, p.Total, "_ is not a wildcard")
	p, err = svc.List(ctx, accounts.UserFilter{Q: tag, Page: 99})
	require.NoError(t, err)
	require.Empty(t, p.Users)
	require.Equal(t, map[string]string{"role": "error.account.role_unknown", "sort": "error.account.sort_unknown"},
		invalid(t, func() error { _, err := svc.List(ctx, accounts.UserFilter{Role: "x", Sort: "id; DROP"}); return err }()))
}

// Profile changes are validated; text is stored as typed.
func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	got, err := svc.UpdateProfile(ctx, u.ID, accounts.Profile{DisplayName: " <b>Ada</b> ", Language: "de", TimeZone: "ASIA/TOKYO"})
	require.NoError(t, err)
	require.Equal(t, "<b>Ada</b>", got.DisplayName)
	require.Equal(t, "Asia/Tokyo", got.TimeZone)
	_, err = svc.UpdateProfile(ctx, u.ID, accounts.Profile{Language: "xx", TimeZone: "Local"})
	require.Equal(t, map[string]string{"language": "error.account.language_unknown", "time_zone": "error.account.zone_unknown"}, invalid(t, err))
}

// Changing the password needs the current one and ends the other sessions.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	sign := func(pw string) (string, error) {
		_, sid, err := svc.SignIn(ctx, accounts.Credentials{Email: u.Email, Password: pw, IP: "192.0.2.9"})
		return sid, err
	}
	here, err := sign(testenv.DefaultPassword)
	require.NoError(t, err)
	there, err := sign(testenv.DefaultPassword)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"current_password": "error.account.password_wrong"}, invalid(t, svc.ChangePassword(ctx, u.ID, "wrong", "a new long password", here)))
	require.Equal(t, map[string]string{"password": "error.account.password_is_email"}, invalid(t, svc.ChangePassword(ctx, u.ID, testenv.DefaultPassword, u.Email, here)))
	require.NoError(t, svc.ChangePassword(ctx, u.ID, testenv.DefaultPassword, "a new long password", here))
	_, _, err = svc.Session(ctx, here)
	require.NoError(t, err, "this session stays")
	_, _, err = svc.Session(ctx, there)
	require.ErrorIs(t, err, accounts.ErrNoSession, "the other one ends")
	_, err = sign("a new long password")
	require.NoError(t, err)
}

// Follows are idempotent, listed with names in the language asked for, and
// unknown targets are not found.
func TestFollows(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	u := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	art, err := svc.FollowTarget(ctx, accounts.FollowArtist, "luma-vesper", "de")
	require.NoError(t, err)
	loc, err := svc.FollowTarget(ctx, accounts.FollowLocation, "main-cave", "de")
	require.NoError(t, err)
	_, err = svc.FollowTarget(ctx, accounts.FollowArtist, "nobody", "en")
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.FollowTarget(ctx, "planet", "main-cave", "en")
	require.ErrorIs(t, err, apperr.ErrNotFound)

	for range 2 {
		require.NoError(t, svc.SetFollow(ctx, u.ID, art, true))
		require.NoError(t, svc.SetFollow(ctx, u.ID, loc, true))
	}
	ok, err := svc.Following(ctx, u.ID, art)
	require.NoError(t, err)
	require.True(t, ok)
	f, err := svc.Follows(ctx, u.ID, "de")
	require.NoError(t, err)
	require.Len(t, f.Artists, 1)
	require.Equal(t, "Luma Vesper", f.Artists[0].Name)
	require.Len(t, f.Locations, 1)
	require.Equal(t, loc.Name, f.Locations[0].Name)
	for range 2 {
		require.NoError(t, svc.SetFollow(ctx, u.ID, art, false))
	}
	ok, err = svc.Following(ctx, u.ID, art)
	require.NoError(t, err)
	require.False(t, ok)
}

// The command line's way in: only admins (or the system) create users, and
// the rules hold there too.
func TestCreate(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	member := testenv.User(t, tb.db, testenv.UserOpts{Email: uniqueEmail(t)})
	_, err := svc.Create(ctx, member.Actor(), accounts.NewUser{Email: uniqueEmail(t), Password: "long enough pw"})
	require.ErrorIs(t, err, apperr.ErrForbidden)
	_, err = svc.Create(ctx, actor.System(), accounts.NewUser{Email: member.Email, Password: "long enough pw"})
	require.Equal(t, map[string]string{"email": "error.account.email_taken"}, invalid(t, err))
	_, err = svc.Create(ctx, actor.System(), accounts.NewUser{Email: uniqueEmail(t), Password: "long enough pw", Role: actor.RoleEditor, ArtistID: 3})
	require.Equal(t, map[string]string{"artist": "error.account.artist_only_for_artists"}, invalid(t, err))
	u, err := svc.Create(ctx, actor.System(), accounts.NewUser{Email: uniqueEmail(t), Password: "long enough pw", Role: actor.RoleEditor, Verified: true})
	require.NoError(t, err)
	require.True(t, u.EmailVerified)
	require.Equal(t, "en", u.Language)
}

// A service whose templates or sender are missing says so before serving.
func TestReadyReportsSetupProblems(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	svc := accounts.New(testenv.DB(t), rdb, accounts.Options{Languages: []string{"en"}, RedisPrefix: prefix})
	require.Error(t, svc.Ready())
	svc = accounts.New(testenv.DB(t), rdb, accounts.Options{Languages: []string{"en", "xx"}, RedisPrefix: prefix, Emails: emails.FS, Locales: locales.FS, Mail: mail.NewLog(testenv.Logger(t))})
	require.ErrorContains(t, svc.Ready(), "xx.json")
}
