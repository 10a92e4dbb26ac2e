// Package content holds the input rules that the back office's content
// services (events, locations, artists) share: how text is cleaned and
// bounded, how slugs are made, which web addresses are accepted, and how a
// MySQL error is recognised. It has no state; each service applies the rules
// to its own fields and reports failures as *apperr.Invalid.
package content

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/gosimple/slug"
	"golang.org/x/text/unicode/norm"

	"github.com/dreamerscave/tdc/app/apperr"
)

// Message IDs shared by the content services (locales/content.*.json).
const (
	MsgRequired        = "error.content.required"
	MsgTooLong         = "error.content.too_long"
	MsgInvalidUTF8     = "error.content.invalid_utf8"
	MsgControlChars    = "error.content.control_chars"
	MsgNoLineBreaks    = "error.content.no_line_breaks"
	MsgBadURL          = "error.content.bad_url"
	MsgBadTime         = "error.content.bad_time"
	MsgBadNumber       = "error.content.bad_number"
	MsgNumberRange     = "error.content.number_range"
	MsgBadBool         = "error.content.bad_bool"
	MsgUnknownField    = "error.content.unknown_field"
	MsgUnknownLanguage = "error.content.unknown_language"
	MsgUnknownImage    = "error.content.unknown_image"
)

// Text says what one text field accepts.
type Text struct {
	// Max is the longest value in characters (runes).
	Max int
	// Multiline allows line breaks and tabs; single-line fields (titles,
	// names) refuse them, as they would break headings and feeds.
	Multiline bool
	// Required refuses an empty value.
	Required bool
}

// Clean checks v against r and returns it trimmed, with CRLF and CR line
// ends turned into LF. A failure is added to inv under field, and the value
// returned is then not to be stored. Invalid UTF-8 is refused, not repaired:
// silently dropping bytes would store something the editor did not write.
func Clean(inv *apperr.Invalid, field, v string, r Text) string {
	if !utf8.ValidString(v) {
		inv.Add(field, MsgInvalidUTF8, nil)
		return ""
	}
	if r.Multiline {
		v = strings.ReplaceAll(v, "\r\n", "\n")
		v = strings.ReplaceAll(v, "\r", "\n")
	}
	v = strings.TrimSpace(v)
	if v == "" {
		if r.Required {
			inv.Add(field, MsgRequired, nil)
		}
		return ""
	}
	// Count before scanning characters, so a 10 MB value costs one pass.
	if n := utf8.RuneCountInString(v); n > r.Max {
		inv.Add(field, MsgTooLong, map[string]any{"Max": r.Max})
		return ""
	}
	for _, c := range v {
		switch {
		case c == '\n' || c == '\t' || c == '\r':
			if !r.Multiline {
				inv.Add(field, MsgNoLineBreaks, nil)
				return ""
			}
		case unicode.IsControl(c) || c == '\u2028' || c == '\u2029' || c == '\ufeff':
			inv.Add(field, MsgControlChars, nil)
			return ""
		}
	}
	return v
}

// Slug makes a URL slug from s: transliterated to ASCII (German umlauts as
// ae, oe, ue; other scripts as unidecode spells them), lower case, words
// joined by single dashes, at most max bytes and cut at a word boundary when
// one is near. lang picks the word for "&" and the like. It returns "" when
// nothing is left (a title of only punctuation).
func Slug(s, lang string, max int) string {
	// Composed first, so an umlaut typed as u + combining dots is one too.
	s = umlauts.Replace(norm.NFC.String(s))
	out := slug.MakeLang(s, lang)
	// The library keeps underscores; our slugs are a-z, 0-9 and '-' only.
	out = strings.Trim(collapseDashes(strings.ReplaceAll(out, "_", "-")), "-")
	if len(out) <= max {
		return out
	}
	cut := out[:max]
	if i := strings.LastIndexByte(cut, '-'); i >= max/2 {
		cut = cut[:i]
	}
	return strings.Trim(cut, "-")
}

// umlauts spells German umlauts the German way; the library's default would
// drop the dots ("Nacht über" → "nacht-uber").
var umlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss", "ẞ", "Ss")

func collapseDashes(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return s
}

// UniqueSlug returns base if taken does not hold it, else the first of
// base-2, base-3, ... that it does not, cutting base so the result stays
// within max bytes. taken is what the database holds of base and base-*.
func UniqueSlug(base string, taken []string, max int) string {
	have := make(map[string]bool, len(taken))
	for _, t := range taken {
		have[strings.ToLower(t)] = true
	}
	if !have[base] {
		return base
	}
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		b := base
		if len(b)+len(suffix) > max {
			b = strings.TrimRight(b[:max-len(suffix)], "-")
		}
		if s := b + suffix; !have[s] {
			return s
		}
	}
}

// URL checks a web address for a link: absolute, http or https (or one of
// extra schemes, such as "secondlife"), with a host, no spaces or quotes,
// at most max characters. An empty value is allowed unless required. It
// returns the trimmed value.
func URL(inv *apperr.Invalid, field, v string, max int, required bool, extra ...string) string {
	v = Clean(inv, field, v, Text{Max: max, Required: required})
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	schemes := append([]string{"http", "https"}, extra...)
	if err != nil || !slices.Contains(schemes, strings.ToLower(u.Scheme)) || u.Host == "" ||
		strings.ContainsAny(v, " \"'<>\\`") {
		inv.Add(field, MsgBadURL, map[string]any{"Schemes": strings.Join(schemes, ", ")})
		return ""
	}
	return v
}

// Time parses an RFC 3339 instant as the inline editor sends it (the handler
// has converted it from the editor's zone), in UTC. An empty value is the
// zero time.
func Time(inv *apperr.Invalid, field, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		inv.Add(field, MsgBadTime, nil)
		return time.Time{}
	}
	return t.UTC()
}

// Int parses a whole number from lo to hi.
func Int(inv *apperr.Invalid, field, v string, lo, hi int) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		inv.Add(field, MsgBadNumber, nil)
		return 0
	}
	return Range(inv, field, n, lo, hi)
}

// Range checks that n lies from lo to hi.
func Range(inv *apperr.Invalid, field string, n, lo, hi int) int {
	if n < lo || n > hi {
		inv.Add(field, MsgNumberRange, map[string]any{"Min": lo, "Max": hi})
	}
	return n
}

// Bool parses "true" or "false", as a checkbox editor sends them.
func Bool(inv *apperr.Invalid, field, v string) bool {
	switch strings.TrimSpace(v) {
	case "true":
		return true
	case "false":
		return false
	}
	inv.Add(field, MsgBadBool, nil)
	return false
}

// MediaID parses a media id, "" meaning none (0).
func MediaID(inv *apperr.Invalid, field, v string) int64 {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		inv.Add(field, MsgUnknownImage, nil)
		return 0
	}
	return id
}

// Language splits an inline field name such as "title.de" into its base
// and language, checking the language against the offered ones.
func Language(inv *apperr.Invalid, field string, langs []string) (base, lang string, ok bool) {
	base, lang, found := strings.Cut(field, ".")
	if !found {
		return field, "", false
	}
	if !slices.Contains(langs, lang) {
		inv.Add(field, MsgUnknownLanguage, nil)
		return base, lang, false
	}
	return base, lang, true
}

// CreateKey checks the optional one-time key a create form carries.
func CreateKey(inv *apperr.Invalid, v string) string {
	if len(v) > 64 || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		inv.Add("create_key", MsgTooLong, map[string]any{"Max": 64})
		return ""
	}
	return v
}

// LikePattern turns a search into a LIKE pattern that matches it anywhere,
// with its own % and _ taken literally; "" stays "" (no search).
func LikePattern(q string) string {
	q = strings.TrimSpace(strings.ToValidUTF8(q, ""))
	if q == "" {
		return ""
	}
	if len(q) > 200 {
		q = strings.ToValidUTF8(q[:200], "")
	}
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
}

// IsDuplicate reports whether err is MySQL's duplicate-key error on the
// named unique key.
func IsDuplicate(err error, key string) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1062 && strings.Contains(me.Message, key)
}

// IsDeadlock reports whether err is MySQL's deadlock error: the
// transaction was rolled back and may simply run again.
func IsDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}

// Retry runs a write transaction, and runs it again (up to attempts times
// in all) when it failed on a deadlock or on the unique key dupKey, which a
// concurrent writer took between our check and our insert: the next run
// sees the other write and picks another slug.
func Retry(attempts int, dupKey string, fn func() error) error {
	for i := 1; ; i++ {
		err := fn()
		if i < attempts && (IsDeadlock(err) || (dupKey != "" && IsDuplicate(err, dupKey))) {
			continue
		}
		return err
	}
}

// IsReferenced reports whether err is MySQL's refusal to delete a row that
// another row still points at.
func IsReferenced(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1451
}

// Stamp formats a time for the audit log, "" for the zero time.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ID formats an optional id for the audit log, "" for none.
func ID(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}
