package accounts

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// sessionScanBatch is how many keys one SCAN step asks for.
const sessionScanBatch = 200

// PruneSessionIndex removes, from each user's list of sessions, the ids of
// sessions that Redis has already expired, and returns how many. The
// sessions themselves leave by their TTL; the per-user lists, which only
// "sign out everywhere" reads, would otherwise keep every id ever made
// while the user signs in again within SessionMaxAge.
func (s *Service) PruneSessionIndex(ctx context.Context) (int64, error) {
	var removed int64
	var cursor uint64
	for {
		keys, next, err := s.rdb.Scan(ctx, cursor, s.prefix+"user_sessions:*", sessionScanBatch).Result()
		if err != nil {
			return removed, fmt.Errorf("accounts: scan session lists: %w", err)
		}
		for _, key := range keys {
			n, err := s.pruneSessionList(ctx, key)
			removed += n
			if err != nil {
				return removed, err
			}
		}
		if cursor = next; cursor == 0 {
			return removed, nil
		}
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("accounts: prune session lists: %w", err)
		}
	}
}

// pruneSessionList drops the ids in the set at key whose session is gone.
func (s *Service) pruneSessionList(ctx context.Context, key string) (int64, error) {
	ids, err := s.rdb.SMembers(ctx, key).Result()
	if err != nil {
		return 0, fmt.Errorf("accounts: read %s: %w", key, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	pipe := s.rdb.Pipeline()
	exists := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		exists[i] = pipe.Exists(ctx, s.sessionKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("accounts: check sessions of %s: %w", key, err)
	}
	var gone []any
	for i, id := range ids {
		if exists[i].Val() == 0 {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	// A session started meanwhile has another id, so removing these ids
	// cannot drop a live one.
	n, err := s.rdb.SRem(ctx, key, gone...).Result()
	if err != nil {
		return 0, fmt.Errorf("accounts: prune %s: %w", key, err)
	}
	return n, nil
}
