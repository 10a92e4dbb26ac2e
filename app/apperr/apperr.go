// Package apperr holds the errors that services return and the web layer maps
// to HTTP statuses, so business code never speaks HTTP.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors; wrap them with %w and test with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
)

// Message is a translatable message: an ID from locales/ plus its template data.
type Message struct {
	ID   string
	Args map[string]any
}

// Invalid reports input that breaks a rule, field by field. Messages are
// translation IDs, translated when the form or error renders.
type Invalid struct {
	Fields map[string]Message
}

// NewInvalid returns an empty *Invalid to add fields to.
func NewInvalid() *Invalid { return &Invalid{Fields: map[string]Message{}} }

// Add records the message for field; the first message for a field wins.
func (v *Invalid) Add(field, id string, args map[string]any) {
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = Message{ID: id, Args: args}
	}
}

// Err returns v when it holds a field error, or nil, so validation can end in
// `return v.Err()` without returning a typed nil.
func (v *Invalid) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

// Has reports whether field has an error.
func (v *Invalid) Has(field string) bool {
	if v == nil {
		return false
	}
	_, ok := v.Fields[field]
	return ok
}

// Error lists the fields and message IDs in a stable order, for logs.
func (v *Invalid) Error() string {
	names := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("invalid input:")
	for _, f := range names {
		b.WriteString(" " + f + "=" + v.Fields[f].ID)
	}
	return b.String()
}

// First returns the message of the first of prefer that has one, else that
// of the first field by name, so a form with room for one message shows the
// same one every time. An empty v gives a generic message.
func (v *Invalid) First(prefer ...string) Message {
	for _, f := range prefer {
		if m, ok := v.Fields[f]; ok {
			return m
		}
	}
	names := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		names = append(names, f)
	}
	if len(names) == 0 {
		return Message{ID: "error.400.message"}
	}
	sort.Strings(names)
	return v.Fields[names[0]]
}
