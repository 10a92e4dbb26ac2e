// Package testenv gives tests the real services: a migrated MariaDB database
// per test package, Redis, and the app as main builds it.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// The one database of this test package, created on first use. Package state
// is the point here: every test in the package shares the database, and Main
// drops it when the package's tests end.
var shared struct {
	once sync.Once
	dsn  string
	db   *sql.DB
	err  error
}

// ServerDSN is the MariaDB server tests use: TDC_TEST_DATABASE_DSN, or the
// local server as root. Its database name, if any, is ignored.
func ServerDSN() string {
	if v := os.Getenv("TDC_TEST_DATABASE_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// Main runs the package's tests and drops its database afterwards. Use it as
// `func TestMain(m *testing.M) { testenv.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	if shared.db != nil {
		shared.db.Close()
		if err := dropDatabase(shared.dsn); err != nil {
			fmt.Fprintln(os.Stderr, "testenv:", err)
		}
	}
	os.Exit(code)
}

// DB returns the package's database, freshly created and migrated. It fails
// the test, never skips it, when MariaDB is unreachable: a skipped suite looks
// green. Tests share it, so they use unique slugs and may run in parallel.
func DB(t testing.TB) *sql.DB {
	t.Helper()
	shared.once.Do(func() {
		shared.dsn, shared.db, shared.err = newDatabase(context.Background(), "pkg")
	})
	if shared.err != nil {
		t.Fatalf("testenv: %v (is MariaDB running? `go tool task services` starts it)", shared.err)
	}
	return shared.db
}

// DSN returns the DSN of the package's database (after DB has been called).
func DSN(t testing.TB) string {
	DB(t)
	return shared.dsn
}

// newDatabase creates and migrates a uniquely named database and returns its
// DSN and a pool. The caller drops it (see dropDatabase).
func newDatabase(ctx context.Context, label string) (string, *sql.DB, error) {
	cfg, err := db.DSN(ServerDSN())
	if err != nil {
		return "", nil, err
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	cfg.DBName = fmt.Sprintf("tdc_test_%s_%s_%s", label, time.Now().UTC().Format("150405"), hex.EncodeToString(suffix))
	dsn := cfg.FormatDSN()
	if err := db.CreateDatabase(ctx, dsn); err != nil {
		return "", nil, err
	}
	sqlDB, err := db.Open(ctx, dsn, 10)
	if err != nil {
		return "", nil, err
	}
	if _, err := db.MigrateUp(ctx, sqlDB); err != nil {
		sqlDB.Close()
		dropDatabase(dsn)
		return "", nil, err
	}
	return dsn, sqlDB, nil
}

// ScratchDB is a database of the test's own, migrated, dropped when the
// test ends: for tests that change the schema or seed, which the shared
// package database must not see.
func ScratchDB(t testing.TB, label string) (string, *sql.DB) {
	t.Helper()
	dsn, sqlDB, err := newDatabase(t.Context(), label)
	if err != nil {
		t.Fatalf("testenv: scratch database: %v", err)
	}
	t.Cleanup(func() {
		sqlDB.Close()
		if err := dropDatabase(dsn); err != nil {
			t.Errorf("testenv: drop scratch database: %v", err)
		}
	})
	return dsn, sqlDB
}

func dropDatabase(dsn string) error {
	cfg, err := db.DSN(dsn)
	if err != nil {
		return err
	}
	name := cfg.DBName
	if !strings.HasPrefix(name, "tdc_test_") {
		return fmt.Errorf("refusing to drop %q: not a test database", name)
	}
	cfg.DBName = ""
	server, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer server.Close()
	_, err = server.Exec("DROP DATABASE IF EXISTS " + db.QuoteIdent(name))
	return err
}
