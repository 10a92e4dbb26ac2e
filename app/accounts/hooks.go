package accounts

import (
	"context"
	"fmt"

	"github.com/dreamerscave/tdc/app/db"
)

// VerifiedHook runs inside the transaction that marks a user's address
// verified (the verification link, a password reset, or an account created
// verified), so that what hangs on a verified address (a Patreon
// membership) follows in the same commit.
type VerifiedHook func(ctx context.Context, q *db.Queries, userID int64) error

// OnVerified adds h to the hooks run when an address is verified. Call it
// while building the services, before anything writes.
func (s *Service) OnVerified(h VerifiedHook) { s.verified = append(s.verified, h) }

// runVerified calls every verification hook for userID.
func (s *Service) runVerified(ctx context.Context, q *db.Queries, userID int64) error {
	for _, h := range s.verified {
		if err := h(ctx, q, userID); err != nil {
			return fmt.Errorf("accounts: verified hook for %d: %w", userID, err)
		}
	}
	return nil
}
