package db

import (
	"context"
	"database/sql"
	"fmt"
)

// InTx runs fn with queries bound to one transaction and commits when fn
// returns nil. Any error, or a panic in fn, rolls the transaction back, so a
// failed write leaves nothing half-done.
func InTx(ctx context.Context, sqlDB *sql.DB, fn func(q *Queries) error) error {
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	// Rollback after a successful Commit is a no-op returning ErrTxDone.
	defer tx.Rollback() //nolint:errcheck
	if err := fn(New(tx)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}
