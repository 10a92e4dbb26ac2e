package db_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// A migration test of its own database: up, down to zero, up again, so every
// Down part is exercised and undoes exactly its Up.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, sqlDB := testenv.ScratchDB(t, "migrate")

	p, err := db.Migrator(sqlDB)
	require.NoError(t, err)
	tables := func() int {
		var n int
		require.NoError(t, sqlDB.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'goose_db_version'`).Scan(&n))
		return n
	}
	up := tables()
	require.GreaterOrEqual(t, up, 25)

	_, err = p.DownTo(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 0, tables())

	_, err = p.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, up, tables())

	// Every table is InnoDB and utf8mb4, as the schema promises.
	var odd int
	require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = DATABASE() AND (engine <> 'InnoDB' OR table_collation NOT LIKE 'utf8mb4%')`).Scan(&odd))
	require.Zero(t, odd)
}

// Instances starting together take turns: concurrent MigrateUp calls all
// succeed and leave one applied set.
func TestMigrateUpConcurrently(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn, sqlDB := testenv.ScratchDB(t, "race")
	p, err := db.Migrator(sqlDB)
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 0)
	require.NoError(t, err)

	errs := make(chan error, 4)
	for range 4 {
		go func() {
			other, err := db.Open(ctx, dsn, 4)
			if err != nil {
				errs <- err
				return
			}
			defer other.Close()
			_, err = db.MigrateUp(ctx, other)
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	var applied int
	require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0 AND is_applied`).Scan(&applied))
	files, err := p.Status(ctx)
	require.NoError(t, err)
	require.Equal(t, len(files), applied)
}
