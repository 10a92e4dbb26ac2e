package content_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/content"
)

func TestSlug(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, lang string
		max            int
		want           string
	}{
		{"plain", "Deep Sea Sessions", "en", 80, "deep-sea-sessions"},
		{"german umlauts", "Nacht über Köln – Größe", "en", 80, "nacht-ueber-koeln-groesse"},
		{"capital umlauts", "Ärger Öl Übel", "de", 80, "aerger-oel-uebel"},
		{"ampersand in english", "Drum & Bass", "en", 80, "drum-and-bass"},
		{"ampersand in german", "Drum & Bass", "de", 80, "drum-und-bass"},
		{"accents", "Café Señor Ørsted", "en", 80, "cafe-senor-orsted"},
		{"cyrillic", "Ночь", "en", 80, "noch"},
		{"underscores and punctuation", "a_b!!c  d--e", "en", 80, "a-b-c-d-e"},
		{"markup", `<script>alert("x")</script>`, "en", 80, "script-alert-x-script"},
		{"nothing left", "!!! ???", "en", 80, ""},
		{"cut at a word", "one two three four five", "en", 14, "one-two-three"},
		{"cut inside a long word", strings.Repeat("a", 30), "en", 10, strings.Repeat("a", 10)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := content.Slug(tc.in, tc.lang, tc.max)
			require.Equal(t, tc.want, got)
			require.LessOrEqual(t, len(got), tc.max)
		})
	}
}

func TestUniqueSlug(t *testing.T) {
	t.Parallel()
	require.Equal(t, "night", content.UniqueSlug("night", nil, 20))
	require.Equal(t, "night", content.UniqueSlug("night", []string{"night-2"}, 20))
	require.Equal(t, "night-2", content.UniqueSlug("night", []string{"night"}, 20))
	require.Equal(t, "night-4", content.UniqueSlug("night", []string{"Night", "night-2", "night-3"}, 20))
	require.Equal(t, "abcdefg-2", content.UniqueSlug("abcdefghij", []string{"abcdefghij"}, 9), "cut to fit the suffix")
}

func TestClean(t *testing.T) {
	t.Parallel()
	title := content.Text{Max: 5, Required: true}
	body := content.Text{Max: 20, Multiline: true}
	cases := []struct {
		name string
		in   string
		rule content.Text
		want string
		msg  string
	}{
		{"trimmed", "  abc \t", title, "abc", ""},
		{"required", "   ", title, "", content.MsgRequired},
		{"optional empty", "", body, "", ""},
		{"at the limit in runes", "ääääß", title, "ääääß", ""},
		{"over the limit", "abcdef", title, "", content.MsgTooLong},
		{"invalid utf-8", "a\xffb", title, "", content.MsgInvalidUTF8},
		{"line break in a title", "a\nb", title, "", content.MsgNoLineBreaks},
		{"carriage return in a title", "a\rb", title, "", content.MsgNoLineBreaks},
		{"line breaks normalised", "a\r\nb\rc", body, "a\nb\nc", ""},
		{"nul byte", "a\x00b", body, "", content.MsgControlChars},
		{"escape", "a\x1b[31m", body, "", content.MsgControlChars},
		{"line separator", "a\u2028b", body, "", content.MsgControlChars},
		{"markup stays", "<b>x</b>", body, "<b>x</b>", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := apperr.NewInvalid()
			got := content.Clean(inv, "f", tc.in, tc.rule)
			require.Equal(t, tc.want, got)
			if tc.msg == "" {
				require.NoError(t, inv.Err())
				return
			}
			require.Equal(t, tc.msg, inv.Fields["f"].ID)
		})
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		ok   bool
		want string
	}{
		{"https://example.com/stream", true, "https://example.com/stream"},
		{"  http://127.0.0.1:8000/status-json.xsl ", true, "http://127.0.0.1:8000/status-json.xsl"},
		{"", true, ""},
		{"javascript:alert(1)", false, ""},
		{"ftp://example.com", false, ""},
		{"//example.com", false, ""},
		{"https://", false, ""},
		{`https://example.com/"onmouseover="x`, false, ""},
		{"https://exa mple.com", false, ""},
		{"https://example.com/" + strings.Repeat("a", 500), false, ""},
	}
	for _, tc := range cases {
		inv := apperr.NewInvalid()
		got := content.URL(inv, "u", tc.in, 500, false)
		require.Equal(t, tc.ok, inv.Err() == nil, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	inv := apperr.NewInvalid()
	content.URL(inv, "u", "", 500, true)
	require.Equal(t, content.MsgRequired, inv.Fields["u"].ID)
	inv = apperr.NewInvalid()
	require.Equal(t, "secondlife://Region/1/2/3", content.URL(inv, "u", "secondlife://Region/1/2/3", 500, false, "secondlife"))
}

func TestParsers(t *testing.T) {
	t.Parallel()
	inv := apperr.NewInvalid()
	require.Equal(t, 42, content.Int(inv, "n", " 42 ", 0, 100))
	content.Int(inv, "big", "101", 0, 100)
	content.Int(inv, "word", "forty", 0, 100)
	require.Equal(t, content.MsgNumberRange, inv.Fields["big"].ID)
	require.Equal(t, content.MsgBadNumber, inv.Fields["word"].ID)

	require.True(t, content.Bool(inv, "b", "true"))
	content.Bool(inv, "yes", "yes")
	require.Equal(t, content.MsgBadBool, inv.Fields["yes"].ID)

	require.Equal(t, int64(7), content.MediaID(inv, "m", "7"))
	require.Zero(t, content.MediaID(inv, "none", ""))
	content.MediaID(inv, "neg", "-3")
	require.Equal(t, content.MsgUnknownImage, inv.Fields["neg"].ID)

	require.True(t, content.Time(inv, "t", "2031-03-14T21:00:00+01:00").Equal(content.Time(inv, "t2", "2031-03-14T20:00:00Z")))
	require.True(t, content.Time(inv, "empty", " ").IsZero())
	content.Time(inv, "bad", "14.03.2031 20:00")
	require.Equal(t, content.MsgBadTime, inv.Fields["bad"].ID)
	require.False(t, inv.Has("empty"))

	base, lang, ok := content.Language(inv, "title.de", []string{"en", "de"})
	require.True(t, ok)
	require.Equal(t, [2]string{"title", "de"}, [2]string{base, lang})
	_, _, ok = content.Language(inv, "title.xx", []string{"en", "de"})
	require.False(t, ok)
	require.Equal(t, content.MsgUnknownLanguage, inv.Fields["title.xx"].ID)
}

func TestLikePattern(t *testing.T) {
	t.Parallel()
	require.Equal(t, "", content.LikePattern("  "))
	require.Equal(t, "%night%", content.LikePattern(" night "))
	require.Equal(t, `%100\% \_x\\%`, content.LikePattern(`100% _x\`))
	require.LessOrEqual(t, len(content.LikePattern(strings.Repeat("a", 10000))), 202)
	require.Equal(t, "%ab%", content.LikePattern("a\xffb"))
}

func TestRetry(t *testing.T) {
	t.Parallel()
	deadlock := &mysql.MySQLError{Number: 1213, Message: "Deadlock found"}
	taken := &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'x' for key 'events_slug'"}
	other := errors.New("other")
	runs := 0
	err := content.Retry(3, "events_slug", func() error {
		runs++
		if runs == 1 {
			return deadlock
		}
		if runs == 2 {
			return taken
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 3, runs)

	runs = 0
	err = content.Retry(3, "events_slug", func() error { runs++; return deadlock })
	require.ErrorIs(t, err, deadlock)
	require.Equal(t, 3, runs, "gives up after the last attempt")

	runs = 0
	err = content.Retry(3, "events_slug", func() error { runs++; return other })
	require.ErrorIs(t, err, other)
	require.Equal(t, 1, runs)
	require.False(t, content.IsDuplicate(taken, "events_create_key"))
}
