package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
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

// prefixed puts TDC_REDIS_PREFIX in front of the keys redis_rate writes
// ("rate:..."), so every key of ours starts with the prefix, as the README
// promises and the tests' clean-up relies on.
type prefixed struct {
	redis.UniversalClient
	prefix string
}

func (p prefixed) keys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = p.prefix + k
	}
	return out
}

func (p prefixed) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return p.UniversalClient.Eval(ctx, script, p.keys(keys), args...)
}

func (p prefixed) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return p.UniversalClient.EvalSha(ctx, sha1, p.keys(keys), args...)
}

func (p prefixed) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return p.UniversalClient.EvalRO(ctx, script, p.keys(keys), args...)
}

func (p prefixed) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return p.UniversalClient.EvalShaRO(ctx, sha1, p.keys(keys), args...)
}

func (p prefixed) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return p.UniversalClient.Del(ctx, p.keys(keys)...)
}
