package blog

import (
	"github.com/dreamerscave/tdc/app/content"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
)

func TestMakeSlug(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 40)
	for _, tc := range []struct {
		name, in, lang, want string
	}{
		{"plain", "Hello World", "en", "hello-world"},
		{"umlauts the German way", "Über die Brücke zur Höhle", "en", "ueber-die-bruecke-zur-hoehle"},
		{"capital umlauts and sharp s", "ÄÖÜ Straße", "en", "aeoeue-strasse"},
		{"decomposed umlaut", "U\u0308ber", "en", "ueber"},
		{"accents", "Café del Mar à Noël", "en", "cafe-del-mar-a-noel"},
		{"ampersand in English", "Rock & Roll", "en", "rock-and-roll"},
		{"ampersand in German", "Rock & Roll", "de", "rock-und-roll"},
		{"markup", `<script>alert("x")</script>`, "en", "script-alert-x-script"},
		{"punctuation only", "!!! ???", "en", "post"},
		{"empty", "", "en", "post"},
		{"emoji only", "🎶🎶", "en", "post"},
		{"non-Latin", "Ночь", "en", "noch"},
		{"long, cut at a word", long, "en", strings.TrimSuffix(strings.Repeat("word-", 20), "-")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := makeSlug(tc.in, tc.lang, maxSlug, "post")
			require.Equal(t, tc.want, got)
			require.LessOrEqual(t, len(got), maxSlug)
		})
	}
	require.Len(t, makeSlug(strings.Repeat("x", 300), "en", maxSlug, "post"), maxSlug, "one long word is cut hard")
}

func TestUniqueSlug(t *testing.T) {
	t.Parallel()
	require.Equal(t, "a", content.UniqueSlug("a", nil, 10))
	require.Equal(t, "a", content.UniqueSlug("a", []string{"a-2", "ab"}, 10))
	require.Equal(t, "a-2", content.UniqueSlug("a", []string{"a"}, 10))
	require.Equal(t, "a-4", content.UniqueSlug("a", []string{"A", "a-2", "a-3"}, 10), "the database compares without case")
	require.Equal(t, "abcdefg-2", content.UniqueSlug("abcdefghij", []string{"abcdefghij"}, 9), "the suffix fits within max")
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		kind     textKind
		want     string
		msg      string
	}{
		{"trimmed", "  hi  ", textTitle, "hi", ""},
		{"markup kept as typed", "<b>&amp;</b>", textTitle, "<b>&amp;</b>", ""},
		{"newline in a title", "a\nb", textTitle, "", MsgControlChars},
		{"tab in a title", "a\tb", textTitle, "", MsgControlChars},
		{"line ends normalised", "a\r\nb\rc", textBody, "a\nb\nc", ""},
		{"leading blank lines dropped, indentation kept", "\n  \n    code\n\n", textBody, "    code", ""},
		{"tab in a body", "a\tb", textBody, "a\tb", ""},
		{"escape in a body", "a\x1bb", textBody, "", MsgControlChars},
		{"invalid UTF-8", "a\x80", textSummary, "", MsgInvalidUTF8},
		{"surrogate half", "\xed\xa0\x80", textTitle, "", MsgInvalidUTF8},
		{"right-to-left override", "a\u202eb", textSummary, "", MsgControlChars},
		{"title at the limit", strings.Repeat("ß", MaxTitle), textTitle, strings.Repeat("ß", MaxTitle), ""},
		{"title over it", strings.Repeat("ß", MaxTitle+1), textTitle, "", MsgTooLong},
		{"body over its bytes", strings.Repeat("ß", MaxBody/2+1), textBody, "", MsgBodyTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := apperr.NewInvalid()
			got := cleanText(v, "f", tc.in, tc.kind)
			require.Equal(t, tc.msg, v.Fields["f"].ID)
			if tc.msg == "" {
				require.Equal(t, tc.want, got)
			}
		})
	}
}

func TestParsers(t *testing.T) {
	t.Parallel()
	ids, ok := parseIDList(" 3, 1,3 ,2")
	require.True(t, ok)
	require.Equal(t, []int64{3, 1, 2}, ids)
	for _, bad := range []string{"1,,2", "a", "-1", "0", "1.5", "99999999999999999999"} {
		_, ok := parseIDList(bad)
		require.False(t, ok, bad)
	}
	for in, want := range map[string]int64{"": 0, "0": 0, " 7 ": 7} {
		id, ok := parseID(in)
		require.True(t, ok, in)
		require.Equal(t, want, id)
	}
	for _, bad := range []string{"x", "-2", "1e3"} {
		_, ok := parseID(bad)
		require.False(t, ok, bad)
	}
	at, ok := parseTime("2031-06-01T14:30:59.9+02:00")
	require.True(t, ok)
	require.Equal(t, time.Date(2031, 6, 1, 12, 30, 59, 0, time.UTC), at)
	for _, bad := range []string{"2031-06-01", "2031-06-01 14:30:00", "0999-01-01T00:00:00Z", "yesterday"} {
		_, ok := parseTime(bad)
		require.False(t, ok, bad)
	}
	require.Equal(t, `%50\% off\_now\\%`, content.LikePattern(`50% off_now\`))
}
