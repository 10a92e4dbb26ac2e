// Package ratelimit builds the GCRA limiters (go-redis/redis_rate) that
// every instance shares through Redis, with the keys under the process's
// Redis prefix.
package ratelimit

import (
	"context"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// New returns a limiter over rdb whose keys start with prefix
// (TDC_REDIS_PREFIX), as the README promises and the tests' clean-up relies
// on: redis_rate itself writes "rate:..." at the top level.
func New(rdb redis.UniversalClient, prefix string) *redis_rate.Limiter {
	return redis_rate.NewLimiter(prefixed{UniversalClient: rdb, prefix: prefix})
}

// prefixed puts prefix in front of the keys of the commands redis_rate
// sends.
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
