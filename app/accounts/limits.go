package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// The rate limits (GCRA in Redis, shared by every instance). Bursts let a
// person mistype a few times; the rates stop guessing at scale.
var (
	limitSignInIP      = redis_rate.Limit{Rate: 20, Burst: 20, Period: 10 * time.Minute}
	limitSignInAccount = redis_rate.Limit{Rate: 5, Burst: 5, Period: 15 * time.Minute}
	limitSignUpIP      = redis_rate.Limit{Rate: 10, Burst: 10, Period: time.Hour}
	limitResetIP       = redis_rate.Limit{Rate: 10, Burst: 10, Period: time.Hour}
	limitResetAccount  = redis_rate.Limit{Rate: 3, Burst: 3, Period: time.Hour}
	limitResendVerify  = redis_rate.Limit{Rate: 3, Burst: 3, Period: time.Hour}
)

// allow counts one try at key against l and returns *RateLimited when
// there were too many.
func (s *Service) allow(ctx context.Context, key string, l redis_rate.Limit) error {
	res, err := s.limiter.Allow(ctx, "limit:"+key, l)
	if err != nil {
		return fmt.Errorf("accounts: rate limit: %w", err)
	}
	if res.Allowed == 0 {
		return &RateLimited{RetryAfter: res.RetryAfter}
	}
	return nil
}

// forget clears the count at key, e.g. an account's failed sign-ins once
// the right password is given.
func (s *Service) forget(ctx context.Context, key string) error {
	if err := s.limiter.Reset(ctx, "limit:"+key); err != nil {
		return fmt.Errorf("accounts: reset rate limit: %w", err)
	}
	return nil
}
