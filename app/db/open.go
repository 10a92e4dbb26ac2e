package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"

	"github.com/dreamerscave/tdc/migrations"
)

// DSN adds what the app relies on to a user's DSN: times parsed as UTC,
// a UTC session time zone (so CURRENT_TIMESTAMP is UTC too), utf8mb4, and
// client-side interpolation, which saves a prepare round trip per query.
func DSN(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("db: parse dsn: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Collation = "utf8mb4_unicode_ci"
	return cfg, nil
}

// Open connects to the database named in dsn and checks that it answers.
func Open(ctx context.Context, dsn string, maxOpen int) (*sql.DB, error) {
	cfg, err := DSN(dsn)
	if err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connector: %w", err)
	}
	sqlDB := sql.OpenDB(connector)
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxLifetime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: ping %s: %w", cfg.Addr, err)
	}
	return sqlDB, nil
}

// CreateDatabase creates the database named in dsn when it does not exist,
// so a fresh machine needs no manual CREATE DATABASE.
func CreateDatabase(ctx context.Context, dsn string) error {
	cfg, err := DSN(dsn)
	if err != nil {
		return err
	}
	name := cfg.DBName
	if name == "" {
		return errors.New("db: dsn names no database")
	}
	cfg.DBName = ""
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return fmt.Errorf("db: connector: %w", err)
	}
	server := sql.OpenDB(connector)
	defer server.Close()
	// A name cannot be a placeholder; quote it as an identifier.
	q := "CREATE DATABASE IF NOT EXISTS " + QuoteIdent(name) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	if _, err := server.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("db: create database %s: %w", name, err)
	}
	return nil
}

// QuoteIdent quotes a MySQL identifier with backticks.
func QuoteIdent(name string) string {
	out := []byte{'`'}
	for i := 0; i < len(name); i++ {
		if name[i] == '`' {
			out = append(out, '`')
		}
		out = append(out, name[i])
	}
	return string(append(out, '`'))
}

// Migrator applies the embedded goose migrations.
func Migrator(sqlDB *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectMySQL, sqlDB, migrations.FS)
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	return p, nil
}

// MigrateUp applies every pending migration. Instances starting together
// take turns through a MySQL named lock, so each migration runs once.
func MigrateUp(ctx context.Context, sqlDB *sql.DB) ([]*goose.MigrationResult, error) {
	p, err := Migrator(sqlDB)
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Close()
	// Lock names are server-wide and at most 64 characters: hash the
	// database name in, so two databases on one server never wait on each other.
	const lock = "CONCAT('tdc_migrate:', LEFT(SHA1(DATABASE()), 20))"
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lock+", 120)").Scan(&got); err != nil {
		return nil, fmt.Errorf("db: migrate lock: %w", err)
	}
	if got.Int64 != 1 {
		return nil, errors.New("db: migrate: another instance held the migration lock for 2 minutes")
	}
	// The lock lives as long as this connection; release it explicitly anyway.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+lock+")") //nolint:errcheck
	res, err := p.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("db: migrate up: %w", err)
	}
	return res, nil
}
