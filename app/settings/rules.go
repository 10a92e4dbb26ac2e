package settings

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dreamerscave/tdc/app/apperr"
)

// Names of the settings. The club's name and tagline are per language:
// the bare name holds the default language's text, "<name>.<lang>" each
// other language's, which falls back to the default's when empty.
const (
	ClubName     = "club.name"
	ClubTagline  = "club.tagline"
	ZoneLabel    = "club.zone_label"
	ReminderLead = "reminders.default_lead_minutes"
	// SocialPrefix starts the name of each social link, "social.<network>".
	SocialPrefix = "social."
)

// Limits and defaults of the settings.
const (
	DefaultClubName     = "The Dreamer's Cave"
	DefaultReminderLead = 60 * time.Minute
	MaxClubName         = 100
	MaxTagline          = 200
	MaxZoneLabel        = 12
	MaxURL              = 500
	MinReminderMinutes  = 5
	MaxReminderMinutes  = 7 * 24 * 60
)

// Message IDs of the field errors (locales/blog-admin.*.json), keyed by the
// setting's name.
const (
	MsgRequired     = "error.settings.required"
	MsgTooLong      = "error.settings.too_long"
	MsgInvalidUTF8  = "error.settings.invalid_utf8"
	MsgControlChars = "error.settings.control_chars"
	MsgNotANumber   = "error.settings.not_a_number"
	MsgOutOfRange   = "error.settings.out_of_range"
	MsgURLInvalid   = "error.settings.url_invalid"
)

// Networks lists the social networks that have a link setting, in the
// order a page shows them.
func Networks() []string {
	return []string{"facebook", "instagram", "discord", "youtube", "mastodon", "bluesky", "flickr"}
}

// FlagDef is a feature flag the code reads, with its value while nobody
// has set it. main passes the flags it knows in Options.Flags; there are
// none yet: a flag is added with the code that checks it (the venue
// screens, the integrations), so no switch on the settings page does
// nothing.
type FlagDef struct {
	Name        string
	Default     bool
	Description string
}

// Kind is what a setting's value is.
type Kind string

// The kinds of setting.
const (
	KindText    Kind = "text"    // one line of text
	KindMinutes Kind = "minutes" // a whole number of minutes
	KindURL     Kind = "url"     // an absolute http(s) address
)

// def is one setting: its name, how its value is checked, and its default.
type def struct {
	name     string
	kind     Kind
	lang     string // for per-language settings; "" otherwise
	required bool
	max      int // characters for text, bytes for URLs
	dflt     string
	label    apperr.Message
	help     apperr.Message
}

// defs lists every setting in the admin page's order, for langs (default
// first).
func defs(langs []string, zoneLabel string) []def {
	var out []def
	for i, l := range langs {
		name, args := ClubName, map[string]any{"Lang": l}
		d := def{name: name, kind: KindText, lang: l, required: true, max: MaxClubName, dflt: DefaultClubName}
		if i > 0 {
			d = def{name: name + "." + l, kind: KindText, lang: l, max: MaxClubName}
		}
		d.label = apperr.Message{ID: "settings.club.name.label", Args: args}
		d.help = apperr.Message{ID: "settings.club.name.help", Args: args}
		out = append(out, d)
	}
	for i, l := range langs {
		args := map[string]any{"Lang": l}
		d := def{name: ClubTagline, kind: KindText, lang: l, max: MaxTagline}
		if i > 0 {
			d.name = ClubTagline + "." + l
		}
		d.label = apperr.Message{ID: "settings.club.tagline.label", Args: args}
		d.help = apperr.Message{ID: "settings.club.tagline.help", Args: args}
		out = append(out, d)
	}
	out = append(out,
		def{
			name: ZoneLabel, kind: KindText, required: true, max: MaxZoneLabel, dflt: zoneLabel,
			label: apperr.Message{ID: "settings.club.zone_label.label"},
			help:  apperr.Message{ID: "settings.club.zone_label.help"},
		},
		def{
			name: ReminderLead, kind: KindMinutes, required: true, dflt: strconv.Itoa(int(DefaultReminderLead / time.Minute)),
			label: apperr.Message{ID: "settings.reminders.default_lead_minutes.label"},
			help: apperr.Message{ID: "settings.reminders.default_lead_minutes.help",
				Args: map[string]any{"Min": MinReminderMinutes, "Max": MaxReminderMinutes}},
		},
	)
	for _, n := range Networks() {
		args := map[string]any{"Network": n}
		out = append(out, def{
			name: SocialPrefix + n, kind: KindURL, max: MaxURL,
			label: apperr.Message{ID: "settings.social.label", Args: args},
			help:  apperr.Message{ID: "settings.social.help", Args: args},
		})
	}
	return out
}

// clean checks value against d and returns it as it is stored, adding a
// field error keyed by d's name to v when it breaks a rule.
func (d def) clean(v *apperr.Invalid, value string) string {
	if !utf8.ValidString(value) {
		v.Add(d.name, MsgInvalidUTF8, nil)
		return ""
	}
	value = strings.TrimSpace(value)
	for _, c := range value {
		if unicode.IsControl(c) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') {
			v.Add(d.name, MsgControlChars, nil)
			return value
		}
	}
	if value == "" {
		if d.required {
			v.Add(d.name, MsgRequired, nil)
		}
		return value
	}
	switch d.kind {
	case KindMinutes:
		n, err := strconv.Atoi(value)
		if err != nil {
			v.Add(d.name, MsgNotANumber, nil)
			return value
		}
		if n < MinReminderMinutes || n > MaxReminderMinutes {
			v.Add(d.name, MsgOutOfRange, map[string]any{"Min": MinReminderMinutes, "Max": MaxReminderMinutes})
		}
		return strconv.Itoa(n)
	case KindURL:
		if len(value) > d.max {
			v.Add(d.name, MsgTooLong, map[string]any{"Max": d.max})
			return value
		}
		if !validURL(value) {
			v.Add(d.name, MsgURLInvalid, nil)
		}
		return value
	default:
		if utf8.RuneCountInString(value) > d.max {
			v.Add(d.name, MsgTooLong, map[string]any{"Max": d.max})
		}
		return value
	}
}

// validURL accepts absolute http(s) addresses with a host, without spaces,
// and without user info, which would let "https://facebook.com@evil.example"
// pass for Facebook.
func validURL(s string) bool {
	// RFC 3986 has no place for these unescaped; a link that holds them
	// was pasted wrong or is trying to break out of an attribute.
	if strings.ContainsFunc(s, unicode.IsSpace) || strings.ContainsAny(s, "\"<>\\^`{|}") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Host == "" || u.Hostname() == "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http"
}
