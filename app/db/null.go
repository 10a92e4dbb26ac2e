package db

import "database/sql"

// NullString is s as a nullable value: the empty string is NULL, which is how
// sqlc.narg filters read "no filter".
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Fallback is the content translation rule: the visitor's language when the
// row has it, else the default language's text.
func Fallback(tr sql.NullString, def string) string {
	if tr.Valid && tr.String != "" {
		return tr.String
	}
	return def
}
