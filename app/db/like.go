package db

import (
	"database/sql"
	"strings"
)

// likeEscaper makes LIKE's wildcards (and its escape) literal.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Contains is a LIKE pattern that matches text anywhere, for the optional
// search filters of list queries: NULL (no filter) when text is blank.
func Contains(text string) sql.NullString {
	t := strings.TrimSpace(text)
	if t == "" {
		return sql.NullString{}
	}
	return sql.NullString{String: "%" + likeEscaper.Replace(t) + "%", Valid: true}
}
