package db

import (
	"database/sql"

	"github.com/dreamerscave/tdc/app/i18n"
)

// NullString is s as a nullable value: the empty string is NULL, which is how
// sqlc.narg filters read "no filter".
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Text is the content translation rule: the visitor's language when the row
// has it (and it is not empty), else the default language's text, marked as
// a fallback so a view can say which language that field is in.
func Text(tr sql.NullString, def string) i18n.Text {
	if tr.Valid && tr.String != "" {
		return i18n.Text{Value: tr.String}
	}
	return i18n.Text{Value: def, Fallback: true}
}
