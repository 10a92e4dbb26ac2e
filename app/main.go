// Command tdc runs The Dreamer's Cave: `tdc serve`, `tdc migrate
// [up|down|status]`, `tdc seed [--if-empty]`, `tdc user ...`, `tdc location
// token SLUG`. Configuration comes from TDC_* environment variables and an
// optional .env file.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // zones work on hosts without a zoneinfo database

	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/seed"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/site"
)

const usage = `usage: tdc <command> [flags]

commands:
  serve [--no-migrate]      run the website (migrates first unless told not to)
  migrate [up|down|status]  apply, roll back one, or list migrations
  seed [--if-empty]         load demo content into an empty database (--if-empty: skip one with content)
  user create|role|reset    make an account, change its role, set a new password (tdc user for more)
  location token SLUG       print a new now-playing token for DJ software (the old one stops working)
  sync gcal                 resync every event with Google Calendar and print what changed

Configuration: TDC_* environment variables, also read from ./.env; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	getenv, err := envLookup(".env")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tdc:", err)
		os.Exit(1)
	}
	if err := run(ctx, os.Args[1:], getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tdc:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	switch args[0] {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		noMigrate := fs.Bool("no-migrate", false, "do not run migrations on start")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serve(ctx, cfg, log, cfg.MigrateOnStart && !*noMigrate, stdout)
	case "migrate":
		dir := "up"
		if len(args) > 1 {
			dir = args[1]
		}
		return migrate(ctx, cfg, dir, stdout)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		ifEmpty := fs.Bool("if-empty", false, "seed only a database without content")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return seedDemo(ctx, cfg, log, *ifEmpty, stdout)
	case "user":
		return userCommand(ctx, cfg, log, args[1:], getenv, stdout, stderr) // usercmd.go
	case "location":
		return locationCommand(ctx, cfg, log, args[1:], stdout, stderr) // locationcmd.go
	case "sync":
		return syncCommand(ctx, cfg, log, args[1:], stdout, stderr) // synccmd.go
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// envLookup reads the environment first and the .env file at path second,
// so a variable set by the shell or the service manager wins over the file.
// A malformed line in the file is an error: ignoring it would run with a
// setting the operator believes is set.
func envLookup(path string) (func(string) string, error) {
	file, err := config.ReadDotEnv(path)
	if err != nil {
		return nil, err
	}
	return func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return file[k]
	}, nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB connects to the configured database. create says to create it
// first when missing: only commands that migrate do, since a production
// user that only reads and writes rows may not create databases.
func openDB(ctx context.Context, cfg config.Config, create bool) (*sql.DB, error) {
	if create {
		if err := db.CreateDatabase(ctx, cfg.DatabaseDSN); err != nil {
			return nil, fmt.Errorf("%w (is MariaDB running? `go tool task services` starts it)", err)
		}
	}
	return db.Open(ctx, cfg.DatabaseDSN, cfg.DBMaxOpenConns)
}

func openRedis(ctx context.Context, cfg config.Config) (*redis.Client, error) {
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	rdb := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: ping %s: %w (is Redis running? `go tool task services` starts it)", opts.Addr, err)
	}
	return rdb, nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, migrateFirst bool, stdout io.Writer) error {
	conn, err := openDB(ctx, cfg, migrateFirst)
	if err != nil {
		return err
	}
	defer conn.Close()
	if migrateFirst {
		if _, err := db.MigrateUp(ctx, conn); err != nil {
			return err
		}
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()

	// The services are built once; the web app (and later the live hub and
	// the schedulers) work through them.
	bus := live.NewBus(rdb, cfg.RedisKeyPrefix, log)
	svc := services.New(cfg, conn, rdb, bus, log, time.Now)
	defer svc.Jobs.Close() // manual job runs end before Redis closes
	if err := svc.Accounts.Ready(); err != nil {
		return err
	}
	reg, err := site.NewRegistry(conn)
	if err != nil {
		return err
	}
	srv, err := site.Build(cfg, svc, reg, log, time.Now)
	if err != nil {
		return err
	}
	// Live updates: the hub renders through the server's fragments and
	// sends them to the sockets of /ws.
	hub, err := srv.NewHub()
	if err != nil {
		return err
	}
	go hub.Run(ctx)
	// One subscription per instance: every instance hears every change,
	// and a clock adds the shows' starts and ends.
	go srv.Follow(ctx, bus)
	sched, err := startJobs(ctx, cfg, svc, rdb, log) // schedule.go
	if err != nil {
		return err
	}
	if sched != nil {
		// Stopped after the server (deferred calls run last first): a run
		// in progress finishes before Redis and the database close.
		defer func() {
			if err := sched.Stop(); err != nil {
				log.Error("jobs: stop", slog.Any("error", err))
			}
		}()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (TDC_ADDR): %w", cfg.Addr, err)
	}
	log.Info("tdc serving", slog.String("addr", ln.Addr().String()), slog.String("url", cfg.BaseURL.String()), slog.String("config", cfg.String()))
	fmt.Fprintf(stdout, "The Dreamer's Cave is open at %s\n", cfg.BaseURL)

	errc := make(chan error, 1)
	go func() {
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// SIGTERM: stop accepting, let in-flight requests finish, then close.
	log.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Sockets first, with 1012 so pages reconnect to whichever instance is
	// up; Fiber's shutdown would wait for them otherwise.
	if err := hub.Close(sctx); err != nil {
		log.Warn("live: closing sockets", slog.Any("error", err))
	}
	if err := srv.App.ShutdownWithContext(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func migrate(ctx context.Context, cfg config.Config, dir string, stdout io.Writer) error {
	conn, err := openDB(ctx, cfg, dir == "up")
	if err != nil {
		return err
	}
	defer conn.Close()
	p, err := db.Migrator(conn)
	if err != nil {
		return err
	}
	switch dir {
	case "up":
		res, err := db.MigrateUp(ctx, conn) // takes the lock instances share
		for _, r := range res {
			fmt.Fprintf(stdout, "applied %s (%s)\n", r.Source.Path, r.Duration.Round(time.Millisecond))
		}
		if err != nil {
			return err
		}
		if len(res) == 0 {
			fmt.Fprintln(stdout, "database is up to date")
		}
	case "down":
		r, err := p.Down(ctx)
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		fmt.Fprintf(stdout, "rolled back %s\n", r.Source.Path)
	case "status":
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, s := range st {
			applied := "pending"
			if !s.AppliedAt.IsZero() {
				applied = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%-40s %s\n", s.Source.Path, applied)
		}
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up, down or status)", dir)
	}
	return nil
}

func seedDemo(ctx context.Context, cfg config.Config, log *slog.Logger, ifEmpty bool, stdout io.Writer) error {
	conn, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := db.MigrateUp(ctx, conn); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	// The seed writes through the services, as an editor would. Their
	// clock stands at now, so the demo is laid out around one instant; they
	// publish nothing (the one TopicAll below tells running instances) and
	// need no Redis, which only the health service reads.
	svc := services.New(cfg, conn, nil, live.Discard{}, log, func() time.Time { return now })
	if ifEmpty {
		seeded, err := seed.IfEmpty(ctx, svc, conn, now)
		if err != nil {
			return err
		}
		if !seeded {
			fmt.Fprintln(stdout, "database already has content; not seeding")
			return nil
		}
	} else if err := seed.Run(ctx, svc, conn, now); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "demo content loaded")
	// Running instances drop their caches; without Redis they expire soon anyway.
	if rdb, err := openRedis(ctx, cfg); err == nil {
		defer rdb.Close()
		if err := live.NewBus(rdb, cfg.RedisKeyPrefix, log).Changed(ctx, live.TopicAll, 0); err != nil {
			log.Warn("seed: publish change", slog.Any("error", err))
		}
	}
	return nil
}
