package blog

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/content"
)

// Limits on what an editor may store. Titles, summaries and names count
// characters, as their VARCHAR columns do; a body counts bytes, which is
// what it costs to store, render and send.
const (
	MaxTitle         = 200
	MaxSummary       = 500
	MaxBody          = 200_000
	MaxAuthorName    = 100
	MaxCategoryName  = 100
	MaxCategoryDesc  = 500
	MaxCategories    = 20
	MaxQuery         = 100
	MaxCategoryPos   = 10_000
	maxSlug          = 100 // a post's slug before its -N suffix; the column holds 150
	maxCategorySlug  = 80  // the column holds 100
	maxScheduleAhead = 10  // years
)

// Message IDs of the field errors this package returns (locales/blog-admin.*.json).
const (
	MsgInvalidUTF8       = "error.blog.text.invalid_utf8"
	MsgControlChars      = "error.blog.text.control_chars"
	MsgTooLong           = "error.blog.text.too_long"
	MsgBodyTooLong       = "error.blog.body.too_long"
	MsgLanguageUnknown   = "error.blog.language_unknown"
	MsgFieldUnknown      = "error.blog.field_unknown"
	MsgTitleRequired     = "error.blog.publish.title_required"
	MsgBodyRequired      = "error.blog.publish.body_required"
	MsgPublishAtInvalid  = "error.blog.publish_at.invalid"
	MsgPublishAtPast     = "error.blog.publish_at.past"
	MsgPublishAtFuture   = "error.blog.publish_at.future"
	MsgPublishAtRequired = "error.blog.publish_at.required"
	MsgPublishAtTooFar   = "error.blog.publish_at.too_far"
	MsgCoverInvalid      = "error.blog.cover.invalid"
	MsgCoverUnknown      = "error.blog.cover.unknown"
	MsgCategoriesInvalid = "error.blog.categories.invalid"
	MsgCategoriesUnknown = "error.blog.categories.unknown"
	MsgCategoriesTooMany = "error.blog.categories.too_many"
	MsgCategoryName      = "error.blog.category.name_required"
	MsgCategoryInUse     = "error.blog.category.in_use"
	MsgPositionInvalid   = "error.blog.category.position_invalid"
	MsgFilterStatus      = "error.blog.filter.status"
	MsgFilterSort        = "error.blog.filter.sort"
)

// textRule says how one text field is checked and cleaned.
type textRule struct {
	max       int  // in characters, or in bytes when bytes is set
	bytes     bool // count bytes, not characters
	multiline bool // newlines and tabs allowed (markdown)
}

// textKind names a kind of text field; its rule says how it is checked.
type textKind uint8

const (
	textTitle textKind = iota
	textSummary
	textBody
	textAuthorName
	textCategoryName
	textCategoryDesc
	textQuery
)

func (k textKind) rule() textRule {
	switch k {
	case textSummary:
		return textRule{max: MaxSummary, multiline: true}
	case textBody:
		return textRule{max: MaxBody, bytes: true, multiline: true}
	case textAuthorName:
		return textRule{max: MaxAuthorName}
	case textCategoryName:
		return textRule{max: MaxCategoryName}
	case textCategoryDesc:
		return textRule{max: MaxCategoryDesc, multiline: true}
	case textQuery:
		return textRule{max: MaxQuery}
	default:
		return textRule{max: MaxTitle}
	}
}

// cleanText checks s against kind's rule and returns it trimmed, with line ends
// normalised, adding a field error to v when it breaks the rule. Text is
// stored as typed: markup is not escaped or removed here, the views escape
// it and the markdown renderer sanitises bodies.
func cleanText(v *apperr.Invalid, field, s string, kind textKind) string {
	r := kind.rule()
	if !utf8.ValidString(s) {
		v.Add(field, MsgInvalidUTF8, nil)
		return ""
	}
	if r.multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
		s = trimBlankLines(s)
	} else {
		s = strings.TrimSpace(s)
	}
	for _, c := range s {
		if (c == '\n' || c == '\t') && r.multiline {
			continue
		}
		// Control characters (NUL, escape sequences, bidi overrides) have no
		// place in a title and can disguise what a text says.
		if unicode.IsControl(c) || isBidiControl(c) {
			v.Add(field, MsgControlChars, nil)
			return s
		}
	}
	if r.bytes {
		if len(s) > r.max {
			v.Add(field, MsgBodyTooLong, map[string]any{"Max": r.max})
		}
	} else if utf8.RuneCountInString(s) > r.max {
		v.Add(field, MsgTooLong, map[string]any{"Max": r.max})
	}
	return s
}

// trimBlankLines drops trailing white space and leading blank lines, but
// keeps the indentation of the first line, which markdown may need.
func trimBlankLines(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			return s
		}
		s = s[i+1:]
	}
}

func isBidiControl(c rune) bool {
	return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
}

// makeSlug turns text into a URL slug (content.Slug: transliterated, at
// most max bytes, cut at a word boundary); fallback when nothing is left.
func makeSlug(text, lang string, max int, fallback string) string {
	if s := content.Slug(text, lang, max); s != "" {
		return s
	}
	return fallback
}

// parseIDList reads "3, 1,2" into distinct positive ids in the given order.
func parseIDList(s string) ([]int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []int64{}, true
	}
	var ids []int64
	for part := range strings.SplitSeq(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || id <= 0 {
			return nil, false
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, true
}

// parseID reads one positive id; "" and "0" are no id.
func parseID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// parseTime reads an RFC 3339 time ("" is no time) as a UTC instant to the
// second, the precision the database keeps.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, s)
	// The database keeps years 1000 to 9999; a post dates from this era.
	if err != nil || t.UTC().Year() < 1970 || t.UTC().Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Second), true
}

// isDuplicate reports a unique key violation: two writers picked the same
// slug at the same moment, and the loser tries again.
func isDuplicate(err error) bool {
	me, ok := errors.AsType[*mysql.MySQLError](err)
	return ok && me.Number == 1062
}
