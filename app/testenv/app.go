package testenv

import (
	"database/sql"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/seed"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/site"
	"github.com/dreamerscave/tdc/app/web"
)

var seeded struct {
	once sync.Once
	now  time.Time
	err  error
}

// Seeded returns the package's database with the demo content loaded once,
// and the instant the content was laid out around.
func Seeded(t testing.TB) time.Time {
	t.Helper()
	sqlDB := DB(t)
	seeded.once.Do(func() {
		seeded.now = time.Now().UTC().Truncate(time.Second)
		seeded.err = Seed(t, sqlDB, seeded.now)
	})
	if seeded.err != nil {
		t.Fatalf("testenv: seed: %v", seeded.err)
	}
	return seeded.now
}

// Seed loads the demo content into sqlDB, laid out around now, through the
// services as Services builds them. Other tests may write to sqlDB at the
// same time (seed.Alongside).
func Seed(t testing.TB, sqlDB *sql.DB, now time.Time) error {
	t.Helper()
	return seed.Alongside(t.Context(), Services(t, sqlDB, now), sqlDB, now)
}

// Services builds the services as main does over sqlDB, with the clock
// fixed at now, for tests that write through them without a web app (the
// seed). Their changes go nowhere (live.Discard) and they have no Redis,
// which only the health service reads.
func Services(t testing.TB, sqlDB *sql.DB, now time.Time) services.Set {
	t.Helper()
	return services.New(Config(t), sqlDB, nil, live.Discard{}, Logger(t), func() time.Time { return now })
}

// Config is the configuration tests run with: defaults, the package's
// database, and caching as in production unless a test changes it.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		switch k {
		case "TDC_DATABASE_DSN":
			return DSN(t)
		case "TDC_REDIS_URL":
			return RedisURL()
		}
		return ""
	})
	if err != nil {
		t.Fatalf("testenv: config: %v", err)
	}
	return cfg
}

// App builds the web server as main does, over the package's seeded
// database and Redis, with a clock fixed at the seed's "now".
func App(t testing.TB) *web.Server {
	t.Helper()
	return AppWith(t, Config(t))
}

// AppWith is App with a configuration of the test's choosing.
func AppWith(t testing.TB, cfg config.Config) *web.Server {
	t.Helper()
	now := Seeded(t)
	rdb, prefix := Redis(t)
	cfg.RedisKeyPrefix = prefix
	return Build(t, cfg, DB(t), rdb, now)
}

// AppWithRedis is AppWith over a Redis at redisURL that need not answer,
// for tests of what happens when Redis is down.
func AppWithRedis(t testing.TB, cfg config.Config, redisURL string) *web.Server {
	t.Helper()
	now := Seeded(t)
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatalf("testenv: redis url: %v", err)
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return Build(t, cfg, DB(t), rdb, now)
}

// Build builds the web server as main does (services, metrics registry,
// web app) over sqlDB and rdb, with the clock fixed at now.
func Build(t testing.TB, cfg config.Config, sqlDB *sql.DB, rdb redis.UniversalClient, now time.Time) *web.Server {
	t.Helper()
	clock := func() time.Time { return now }
	reg, err := site.NewRegistry(sqlDB)
	if err != nil {
		t.Fatalf("testenv: metrics: %v", err)
	}
	log := Logger(t)
	bus := live.NewBus(rdb, cfg.RedisKeyPrefix, log)
	srv, err := site.Build(cfg, services.New(cfg, sqlDB, rdb, bus, log, clock), reg, log, clock)
	if err != nil {
		t.Fatalf("testenv: build app: %v", err)
	}
	return srv
}

// Logger discards logs unless TDC_TEST_LOG is set, so failures are readable.
func Logger(t testing.TB) *slog.Logger {
	var w io.Writer = io.Discard
	if os.Getenv("TDC_TEST_LOG") != "" {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
