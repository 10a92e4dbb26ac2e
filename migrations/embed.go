// Package migrations holds the goose SQL migrations, embedded so the tdc
// binary can migrate a database without the source tree beside it.
package migrations

import "embed"

// FS holds every migration file. sqlc reads the same files (up parts only) as
// the schema, so they are the single source of truth for the tables.
//
//go:embed *.sql
var FS embed.FS
