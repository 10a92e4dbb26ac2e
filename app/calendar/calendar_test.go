package calendar_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/calendar"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
)

const link = "https://club.example/events/"

// feedOf is what a test reads back from a calendar: properties by name,
// values unfolded but still escaped.
type feedOf struct {
	calendar map[string][]string
	events   []map[string][]string
}

func write(t *testing.T, download bool, evs ...events.Summary) string {
	t.Helper()
	base, err := url.Parse("https://club.example")
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, calendar.Write(&buf, calendar.Feed{Name: "TDC, \"all\"; events", BaseURL: base, Lang: "en", Download: download}, evs))
	return buf.String()
}

// parse checks every physical line of body, unfolds them and checks the
// structure a client relies on.
func parse(t *testing.T, body string, download bool, evs []events.Summary) feedOf {
	t.Helper()
	require.True(t, strings.HasSuffix(body, "\r\n"), "the last line ends in CRLF")
	var lines []string
	for i, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		require.NotContains(t, l, "\r", "line %d: CR without LF", i+1)
		require.NotContains(t, l, "\n", "line %d: LF without CR", i+1)
		require.LessOrEqual(t, len(l), 75, "line %d is longer than 75 octets: %q", i+1, l)
		require.True(t, utf8.ValidString(l), "line %d splits a UTF-8 sequence: %q", i+1, l)
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			require.NotEmpty(t, strings.TrimSpace(l[1:]), "line %d is blank after the fold: %q", i+1, l)
			require.NotEmpty(t, lines, "the first line is a continuation")
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	require.Equal(t, "BEGIN:VCALENDAR", lines[0])
	require.Equal(t, "END:VCALENDAR", lines[len(lines)-1])

	f := feedOf{calendar: map[string][]string{}}
	var ev map[string][]string
	for _, l := range lines[1 : len(lines)-1] {
		switch l {
		case "BEGIN:VEVENT":
			require.Nil(t, ev, "nested VEVENT")
			ev = map[string][]string{}
			continue
		case "END:VEVENT":
			f.events = append(f.events, ev)
			ev = nil
			continue
		}
		head, value, ok := strings.Cut(l, ":")
		require.True(t, ok, "no colon in %q", l)
		name, _, _ := strings.Cut(head, ";")
		if ev != nil {
			ev[name] = append(ev[name], value)
		} else {
			f.calendar[name] = append(f.calendar[name], value)
		}
	}

	require.Equal(t, []string{"2.0"}, f.calendar["VERSION"])
	if download {
		require.Equal(t, []string{"PUBLISH"}, f.calendar["METHOD"], "a download is a published event")
	} else {
		require.NotContains(t, f.calendar, "METHOD", "a feed's DTSTAMP is the last revision only without METHOD")
	}
	require.Len(t, f.events, len(evs))
	uids := map[string]bool{}
	for i, ev := range f.events {
		for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} {
			require.Len(t, ev[p], 1, "event %d has one %s", i, p)
		}
		require.False(t, uids[ev["UID"][0]], "UIDs are unique")
		uids[ev["UID"][0]] = true
		for _, p := range []string{"DTSTAMP", "LAST-MODIFIED", "DTSTART", "DTEND"} {
			require.Regexp(t, `^\d{8}T\d{6}Z$`, ev[p][0], "event %d %s is in UTC", i, p)
		}
		require.Equal(t, evs[i].StartsAt.UTC().Format("20060102T150405Z"), ev["DTSTART"][0])
		require.Equal(t, evs[i].UpdatedAt.UTC().Format("20060102T150405Z"), ev["DTSTAMP"][0])
	}
	return f
}

// unescape reads a TEXT value, failing on what RFC 5545 says must be
// escaped but is not.
func unescape(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			require.Less(t, i+1, len(v), "backslash at the end of %q", v)
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				t.Fatalf("unknown escape \\%c in %q", v[i], v)
			}
		case ',', ';':
			t.Fatalf("unescaped %c in %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func event(id int64, title, summary, location string) events.Summary {
	slt := time.FixedZone("SLT", -8*60*60) // times must come out in UTC whatever zone they come in
	start := time.Date(2026, 12, 31, 21, 0, 0, 0, slt)
	return events.Summary{
		ID: id, Slug: fmt.Sprintf("event-%d", id), Kind: events.KindLive,
		Title: i18n.Text{Value: title}, Summary: i18n.Text{Value: summary},
		StartsAt: start, EndsAt: start.Add(3 * time.Hour), UpdatedAt: start.Add(-48 * time.Hour),
		Location: events.Location{Slug: "main-cave", Name: i18n.Text{Value: location}},
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Deep House All Night Long ", 12)
	cases := []struct {
		name                                     string
		title, summary, location                 string
		lineup                                   []events.Act
		wantTitle, wantDescription, wantLocation string
	}{
		{
			name:  "plain",
			title: "Friday Night", summary: "Come along.", location: "Main Cave",
			wantTitle: "Friday Night", wantDescription: "Come along.\n\n" + link + "event-1", wantLocation: "Main Cave",
		},
		{
			name:  "long title",
			title: long, location: "Main Cave",
			wantTitle: strings.TrimSpace(long), wantDescription: link + "event-1", wantLocation: "Main Cave",
		},
		{
			name:  "runs of spaces",
			title: "a" + strings.Repeat(" ", 100) + "b", summary: "word" + strings.Repeat(" ", 200) + "\n" + strings.Repeat(" ", 80) + "x",
			location:  strings.Repeat(" ", 90),
			wantTitle: "a        b", wantDescription: "word        \n        x\n\n" + link + "event-1",
		},
		{
			name:      "tabs and wide spaces",
			title:     "a" + strings.Repeat("\t", 40) + "b" + strings.Repeat("\u3000", 40) + "c" + strings.Repeat("\u00a0", 40),
			wantTitle: "a\t\t\t\t\t\t\t\tb" + strings.Repeat("\u3000", 8) + "c", wantDescription: link + "event-1",
		},
		{
			name:      "multi-byte",
			title:     strings.Repeat("ü", 50) + strings.Repeat("🎶", 30) + strings.Repeat("夢の洞窟", 20),
			location:  "Höhle der Träumer 🎶",
			wantTitle: strings.Repeat("ü", 50) + strings.Repeat("🎶", 30) + strings.Repeat("夢の洞窟", 20), wantDescription: link + "event-1",
			wantLocation: "Höhle der Träumer 🎶",
		},
		{
			name:  "escapes",
			title: `a,b;c\d \n \, \; \\`, summary: strings.Repeat(`\`, 100) + strings.Repeat(",;", 50), location: "Cave; Main, Upper",
			wantTitle: `a,b;c\d \n \, \; \\`, wantDescription: strings.Repeat(`\`, 100) + strings.Repeat(",;", 50) + "\n\n" + link + "event-1",
			wantLocation: "Cave; Main, Upper",
		},
		{
			name:  "newlines",
			title: "one\ntwo\r\nthree\rfour\n", summary: "\n\nfirst\r\n\r\nsecond\n\n",
			wantTitle: "one\ntwo\nthree\nfour", wantDescription: "first\n\nsecond\n\n" + link + "event-1",
		},
		{
			name:      "control characters and broken UTF-8",
			title:     "a\x00b\x1bc\x7fd\u0085e\xffz",
			wantTitle: "abcde\ufffdz", wantDescription: link + "event-1",
		},
		{
			name:      "empty",
			wantTitle: "", wantDescription: link + "event-1",
		},
		{
			name:  "script",
			title: `<script>alert("x")</script>`, summary: `<img src=x onerror=alert(1)>`, location: "</script>",
			wantTitle: `<script>alert("x")</script>`, wantDescription: "<img src=x onerror=alert(1)>\n\n" + link + "event-1",
			wantLocation: "</script>",
		},
		{
			name:  "lineup",
			title: "Set times",
			lineup: []events.Act{
				{ArtistName: "DJ; Comma, Backslash\\", SetStartsAt: time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC)},
				{ArtistName: "No time" + strings.Repeat(" ", 70) + "set"},
			},
			wantTitle:       "Set times",
			wantDescription: "05:00 UTC  DJ; Comma, Backslash\\\nNo time        set\n\n" + link + "event-1",
		},
	}
	for _, tc := range cases {
		for _, download := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s download=%t", tc.name, download), func(t *testing.T) {
				t.Parallel()
				ev := event(1, tc.title, tc.summary, tc.location)
				ev.Lineup = tc.lineup
				body := write(t, download, ev)
				f := parse(t, body, download, []events.Summary{ev})
				require.Equal(t, []string{"TDC, \"all\"; events"}, unescapeAll(t, f.calendar["X-WR-CALNAME"]))
				got := f.events[0]
				require.Equal(t, tc.wantTitle, unescape(t, got["SUMMARY"][0]))
				require.Equal(t, tc.wantDescription, unescape(t, got["DESCRIPTION"][0]))
				require.Equal(t, tc.wantLocation, unescape(t, got["LOCATION"][0]))
				require.Equal(t, []string{link + "event-1"}, got["URL"])

				// golang-ical's own parser reads the folded output back too.
				cal, err := ics.ParseCalendar(strings.NewReader(body))
				require.NoError(t, err)
				require.Len(t, cal.Events(), 1)
				require.Equal(t, tc.wantTitle, cal.Events()[0].GetProperty(ics.ComponentPropertySummary).Value)
			})
		}
	}
}

// TestWriteFoldsAtEveryOffset moves blanks, multi-byte runes and escapes
// across every position of the 75-octet fold, where a blank continuation
// line or a split rune would appear.
func TestWriteFoldsAtEveryOffset(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fill func(n int) string
	}{
		{"blanks", func(n int) string { return "w" + strings.Repeat("x", n) + "        y" }},
		{"blank then word", func(n int) string { return "w" + strings.Repeat("x", n) + " yy zz" }},
		{"alternating", func(n int) string { return strings.Repeat("a ", n) + "b" }},
		{"two-octet runes", func(n int) string { return "w" + strings.Repeat("x", n) + strings.Repeat("ü ", 40) + "e" }},
		{"four-octet runes", func(n int) string { return "w" + strings.Repeat("x", n) + strings.Repeat("🎶", 40) }},
		{"escapes", func(n int) string { return "w" + strings.Repeat("x", n) + strings.Repeat(`\,;`+"\n", 20) + "e" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var evs []events.Summary
			for n := range 160 {
				evs = append(evs, event(int64(n+1), tc.fill(n), tc.fill(n), tc.fill(n)))
			}
			f := parse(t, write(t, false, evs...), false, evs)
			for i, ev := range evs {
				require.Equal(t, ev.Title.Value, unescape(t, f.events[i]["SUMMARY"][0]))
				require.Equal(t, ev.Location.Name.Value, unescape(t, f.events[i]["LOCATION"][0]))
			}
		})
	}
}

func unescapeAll(t *testing.T, vs []string) []string {
	t.Helper()
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = unescape(t, v)
	}
	return out
}

// A summary or location that fell back to the default language says which
// language it is in; text in the feed's own language needs no parameter.
func TestFallbackTextNamesItsLanguage(t *testing.T) {
	t.Parallel()
	base, err := url.Parse("https://club.example")
	require.NoError(t, err)
	ev := event(1, "Jazz by the Fire", "", "Ember Lounge")
	ev.Title.Fallback = true
	other := event(2, "Jazz am Feuer", "", "Glutlounge")
	var buf bytes.Buffer
	require.NoError(t, calendar.Write(&buf, calendar.Feed{Name: "TDC", BaseURL: base, Lang: "de", DefaultLang: "en"}, []events.Summary{ev, other}))
	body := buf.String()
	require.Contains(t, body, "\r\nSUMMARY;LANGUAGE=en:Jazz by the Fire\r\n")
	require.Contains(t, body, "\r\nLOCATION:Ember Lounge\r\n")
	require.Contains(t, body, "\r\nSUMMARY:Jazz am Feuer\r\n")
}
