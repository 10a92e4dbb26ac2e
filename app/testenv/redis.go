package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// RedisURL is the Redis tests use: TDC_TEST_REDIS_URL, or the local server.
func RedisURL() string {
	if v := os.Getenv("TDC_TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

// Redis returns a client and a key/channel prefix unique to this test, so
// parallel tests never see each other's keys or messages. It fails the test
// when Redis does not answer.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("testenv: redis url: %v", err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("testenv: redis: %v (is Redis running? `go tool task services` starts it)", err)
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	prefix := "tdc_test:" + hex.EncodeToString(suffix) + ":"
	DropKeys(t, rdb, prefix)
	return rdb, prefix
}

// DropKeys deletes the keys under prefix when the test ends, for a prefix
// the test made itself (a `tdc serve` it starts writes its jobs' status
// there). Register it before starting such a process: cleanups run last
// first, so the keys go after the process has stopped writing.
func DropKeys(t testing.TB, rdb *redis.Client, prefix string) {
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
}
