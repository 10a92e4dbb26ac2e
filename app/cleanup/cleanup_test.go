package cleanup_test

import (
	"crypto/rand"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/cleanup"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func token(t *testing.T, sqlDB *sql.DB, uid int64, expires time.Time) int64 {
	t.Helper()
	hash := make([]byte, 32)
	rand.Read(hash)
	res, err := sqlDB.ExecContext(t.Context(),
		`INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) VALUES (?, 'reset', ?, ?)`, uid, hash, expires)
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	return id
}

// mailRows queues n rows of status, queued at created, addressed to "to".
func mailRows(t *testing.T, sqlDB *sql.DB, to, status string, created time.Time, n int) {
	t.Helper()
	for n > 0 {
		k := min(n, 500) // MariaDB's recursion limit is 1000
		_, err := sqlDB.ExecContext(t.Context(), `
INSERT INTO notification_queue (kind, to_address, payload, status, created_at)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
SELECT 'test', ?, '{}', ?, ? FROM seq`, k, to, status, created)
		require.NoError(t, err)
		n -= k
	}
}

func count(t *testing.T, sqlDB *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), query, args...).Scan(&n))
	return n
}

// One run removes expired tokens (after a week's grace), the ids of
// expired sessions from the per-user lists, and mail past its keeping
// time, however many rows are due (more than one batch), and keeps the
// rest; a second run finds nothing.
func TestCleanupRun(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	rdb, prefix := testenv.Redis(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	acc := accounts.New(sqlDB, rdb, accounts.Options{
		BaseURL: "http://localhost", Languages: []string{"en", "de"}, RedisPrefix: prefix,
		Mail: mail.NewLog(testenv.Logger(t)), Emails: emails.FS, Locales: locales.FS,
		Now: func() time.Time { return now }, Log: testenv.Logger(t),
	})
	u := testenv.User(t, sqlDB, testenv.UserOpts{})
	old := token(t, sqlDB, u.ID, now.Add(-8*24*time.Hour))
	grace := token(t, sqlDB, u.ID, now.Add(-time.Hour))
	live := token(t, sqlDB, u.ID, now.Add(time.Hour))

	to := u.Email // this test's rows, apart from other tests'
	mailRows(t, sqlDB, to, "sent", now.AddDate(0, 0, -31), 2300)
	mailRows(t, sqlDB, to, "cancelled", now.AddDate(0, 0, -31), 3)
	mailRows(t, sqlDB, to, "sent", now.AddDate(0, 0, -29), 4)
	mailRows(t, sqlDB, to, "failed", now.AddDate(0, 0, -31), 5)
	mailRows(t, sqlDB, to, "failed", now.AddDate(0, 0, -91), 6)
	mailRows(t, sqlDB, to, "pending", now.AddDate(0, 0, -200), 7)

	ctx := t.Context()
	set := prefix + "user_sessions:" + "42"
	require.NoError(t, rdb.SAdd(ctx, set, "gone1", "alive", "gone2").Err())
	require.NoError(t, rdb.HSet(ctx, prefix+"session:alive", "uid", 42).Err())

	svc := cleanup.New(sqlDB, acc.PruneSessionIndex, nil, func() time.Time { return now }, testenv.Logger(t))
	r, err := svc.Run(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, r.Sessions)
	require.GreaterOrEqual(t, r.Tokens, int64(1))
	require.GreaterOrEqual(t, r.Mail, int64(2300+3+6))

	require.Zero(t, count(t, sqlDB, `SELECT COUNT(*) FROM user_tokens WHERE id = ?`, old))
	require.Equal(t, 2, count(t, sqlDB, `SELECT COUNT(*) FROM user_tokens WHERE id IN (?, ?)`, grace, live))
	left := map[string]int{}
	rows, err := sqlDB.QueryContext(ctx, `SELECT status, COUNT(*) FROM notification_queue WHERE to_address = ? GROUP BY status`, to)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		var n int
		require.NoError(t, rows.Scan(&s, &n))
		left[s] = n
	}
	require.NoError(t, rows.Err())
	require.Equal(t, map[string]int{"sent": 4, "failed": 5, "pending": 7}, left)
	members, err := rdb.SMembers(ctx, set).Result()
	require.NoError(t, err)
	require.Equal(t, []string{"alive"}, members)

	r, err = svc.Run(ctx)
	require.NoError(t, err)
	require.Zero(t, r.Sessions)
	require.Equal(t, 4, count(t, sqlDB, `SELECT COUNT(*) FROM notification_queue WHERE to_address = ? AND status = 'sent'`, to))
}
