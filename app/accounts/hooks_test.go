package accounts_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
)

// Verification hooks run once an address is verified, by the link or at
// creation, inside the transaction: a failing hook leaves the address
// unverified.
func TestVerifiedHooks(t *testing.T) {
	t.Parallel()
	svc, tb := setup(t)
	ctx := t.Context()
	var mu sync.Mutex
	var seen []int64
	fail := false
	svc.OnVerified(func(ctx context.Context, q *db.Queries, userID int64) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("hook failed")
		}
		u, err := q.UserGet(ctx, userID)
		require.NoError(t, err)
		require.True(t, u.EmailVerifiedAt.Valid, "runs after the address is marked verified")
		seen = append(seen, userID)
		return nil
	})

	created, err := svc.Create(ctx, actor.System(), accounts.NewUser{Email: uniqueEmail(t), Password: "a good long password", Verified: true})
	require.NoError(t, err)
	_, err = svc.Create(ctx, actor.System(), accounts.NewUser{Email: uniqueEmail(t), Password: "a good long password"})
	require.NoError(t, err)
	require.Equal(t, []int64{created.ID}, seen, "an unverified account runs no hook")

	email := uniqueEmail(t)
	require.NoError(t, svc.Register(ctx, accounts.Registration{Email: email, Password: "a good long password", Language: "en", IP: "192.0.2.7"}))
	token := strings.TrimPrefix(tb.mail.WaitFor(t, email, 0).Link(t, "https://club.example/verify?token="), "https://club.example/verify?token=")
	mu.Lock()
	fail = true
	mu.Unlock()
	_, err = svc.Verify(ctx, token)
	require.Error(t, err)
	u, err := svc.GetByEmail(ctx, email)
	require.NoError(t, err)
	require.False(t, u.EmailVerified, "rolled back with the hook")

	mu.Lock()
	fail = false
	mu.Unlock()
	v, err := svc.Verify(ctx, token)
	require.NoError(t, err)
	require.True(t, v.EmailVerified)
	require.Equal(t, []int64{created.ID, v.ID}, seen)
}
