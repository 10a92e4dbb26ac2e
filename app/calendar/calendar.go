// Package calendar writes iCalendar (RFC 5545) feeds of events, for
// visitors to subscribe to or download.
package calendar

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

// Feed names a calendar and says where its events link to.
type Feed struct {
	Name    string // NAME and X-WR-CALNAME
	BaseURL *url.URL
	Lang    string
	// DefaultLang is the language of text that has no translation into
	// Lang; such a summary or location says so in a LANGUAGE parameter.
	DefaultLang string
	// Download marks a one-off file to import (a single event), not a feed
	// to subscribe to. Only a download says METHOD:PUBLISH, so importers
	// treat it as a published event: with a METHOD, clients read DTSTAMP as
	// when the message was made, while a feed's DTSTAMP must be the event's
	// last revision (RFC 5545 3.8.7.2).
	Download bool
}

const (
	// maxLine is RFC 5545's limit on a content line, in octets, without CRLF.
	maxLine = 75
	// maxBlanks caps a run of blanks in a value. Folding breaks only before
	// a non-blank, so it needs one within every 74 octets; clients collapse
	// such runs when showing them anyway.
	maxBlanks = 8
)

// Write writes evs as one VCALENDAR. Lines end in CRLF and fold at 75
// octets, as the RFC requires and strict clients expect.
func Write(w io.Writer, f Feed, evs []events.Summary) error {
	cal := ics.NewCalendarFor("The Dreamer's Cave")
	cal.SetProductId("-//The Dreamer's Cave//tdc//" + strings.ToUpper(text(f.Lang)))
	if f.Download {
		cal.SetMethod(ics.MethodPublish)
	} else {
		// A refresh interval only means something to a subscription.
		cal.SetRefreshInterval("PT1H")
		cal.SetXPublishedTTL("PT1H")
	}
	cal.SetName(text(f.Name)) // NAME and X-WR-CALNAME
	base := f.BaseURL.String()
	for _, e := range evs {
		ev := cal.AddEvent(fmt.Sprintf("event-%d@%s", e.ID, f.BaseURL.Hostname()))
		// DTSTAMP is when the entry was last revised, not "now": a feed that
		// changes on every fetch makes clients re-import everything.
		ev.SetDtStampTime(revised(e))
		ev.SetLastModifiedAt(revised(e))
		// Every write raises the version, so clients take each change
		// as newer than the copy they hold (RFC 5545 3.8.7.4).
		ev.SetSequence(int(e.Revision))
		ev.SetStartAt(e.StartsAt.UTC())
		ev.SetEndAt(e.EndsAt.UTC())
		ev.SetSummary(text(e.Title.Value), f.language(e.Title)...)
		ev.SetLocation(text(e.Location.Name.Value), f.language(e.Location.Name)...)
		// URL values are not escaped by golang-ical, so the slug must not
		// be able to break the line.
		link := base + "/events/" + url.PathEscape(e.Slug)
		ev.SetURL(link)
		ev.SetDescription(description(e, link))
		// A cancelled or withdrawn event stays, cancelled, so the copies
		// in subscribers' calendars go away (Google hides them, Apple
		// strikes them through) instead of lingering as if on.
		if e.Cancelled || e.Withdrawn {
			ev.SetStatus(ics.ObjectStatusCancelled)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	// golang-ical folds at spaces and can write a continuation line of
	// blanks only, which clients that trim lines drop; so it writes
	// unfolded lines and fold does the folding.
	var raw strings.Builder
	if err := cal.SerializeTo(&raw, ics.WithNewLineWindows, ics.WithLineLength(math.MaxInt)); err != nil {
		return fmt.Errorf("calendar: serialize: %w", err)
	}
	var out strings.Builder
	out.Grow(raw.Len() + raw.Len()/24)
	for line := range strings.SplitSeq(strings.TrimSuffix(raw.String(), "\r\n"), "\r\n") {
		fold(&out, line)
	}
	if _, err := io.WriteString(w, out.String()); err != nil {
		return fmt.Errorf("calendar: write: %w", err)
	}
	return nil
}

// LastRevised is the latest revision among evs, a feed's Last-Modified;
// zero for none.
func LastRevised(evs []events.Summary) time.Time {
	var last time.Time
	for _, e := range evs {
		if t := revised(e); t.After(last) {
			last = t
		}
	}
	return last
}

// revised is when e's entry last changed: RevisedAt where the caller
// attached it (events.Service.AttachRevisions), else the event's own
// update. SEQUENCE stays the event's version: a venue or artist rename
// is no reschedule (RFC 5545 3.8.7.4), and a later DTSTAMP is enough for
// clients to take the new text.
func revised(e events.Summary) time.Time {
	if e.RevisedAt.After(e.UpdatedAt) {
		return e.RevisedAt.UTC()
	}
	return e.UpdatedAt.UTC()
}

// language is the LANGUAGE parameter of a value that fell back to the
// default language, so clients know which language it is in.
func (f Feed) language(t i18n.Text) []ics.PropertyParameter {
	if !t.Fallback || f.DefaultLang == "" || f.DefaultLang == f.Lang {
		return nil
	}
	return []ics.PropertyParameter{&ics.KeyValues{Key: string(ics.ParameterLanguage), Value: []string{f.DefaultLang}}}
}

func description(e events.Summary, link string) string {
	var b strings.Builder
	if s := text(e.Summary.Value); s != "" {
		b.WriteString(s + "\n\n")
	}
	for _, a := range e.Lineup {
		if !a.SetStartsAt.IsZero() {
			b.WriteString(a.SetStartsAt.UTC().Format(time.TimeOnly[:5]) + " UTC  ")
		}
		b.WriteString(text(a.ArtistName) + "\n")
	}
	if len(e.Lineup) > 0 {
		b.WriteString("\n")
	}
	b.WriteString(link)
	return b.String()
}

// text makes s fit for a TEXT value, which golang-ical escapes but does not
// clean: invalid UTF-8 is replaced, CR and CRLF become LF (a bare CR would
// end the content line), other control characters are dropped (RFC 5545
// TSAFE-CHAR excludes them), runs of blanks are capped at maxBlanks, and the
// ends are trimmed.
func text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	blanks := 0
	for _, r := range s {
		switch {
		case r == '\n':
			blanks = 0
		case r == '\t' || unicode.IsSpace(r) && !unicode.IsControl(r):
			if blanks++; blanks > maxBlanks {
				continue
			}
		case unicode.IsControl(r):
			continue
		default:
			blanks = 0
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// fold writes one unfolded content line as lines of at most maxLine octets,
// each continuation starting with a space (RFC 5545 3.1).
func fold(b *strings.Builder, line string) {
	limit := maxLine
	for len(line) > limit {
		cut := foldAt(line, limit)
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLine - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

// foldAt picks where to break s so that s[:cut] fits in limit octets. It
// breaks at a rune start, so no UTF-8 sequence is split, and before a
// non-blank, so no continuation line is blank. It prefers a break between
// two non-blanks, not after a backslash, so a client that trims lines or
// unescapes before unfolding still reads the value right.
func foldAt(s string, limit int) int {
	fallback := 0
	for p := limit; p > 0; p-- {
		if !utf8.RuneStart(s[p]) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(s[p:]); unicode.IsSpace(r) {
			continue
		}
		if prev, _ := utf8.DecodeLastRuneInString(s[:p]); !unicode.IsSpace(prev) && prev != '\\' {
			return p
		}
		if fallback == 0 {
			fallback = p
		}
	}
	if fallback > 0 {
		return fallback
	}
	// Only blanks in reach, which text rules out: keep to the limit.
	for p := limit; p > 0; p-- {
		if utf8.RuneStart(s[p]) {
			return p
		}
	}
	return limit
}
