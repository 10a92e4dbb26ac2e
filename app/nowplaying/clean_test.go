package nowplaying_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/nowplaying"
)

func TestClean(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 100)
	cases := []struct {
		name string
		in   nowplaying.Track
		want nowplaying.Track
	}{
		{"as sent", nowplaying.Track{Artist: "Nyx Calloway", Title: "Deep Blue", DJ: "Marlo"}, nowplaying.Track{Artist: "Nyx Calloway", Title: "Deep Blue", DJ: "Marlo"}},
		{"artist - title in the title", nowplaying.Track{Title: "Nyx Calloway - Deep Blue"}, nowplaying.Track{Artist: "Nyx Calloway", Title: "Deep Blue"}},
		{"split at the first separator", nowplaying.Track{Title: "A - B - C"}, nowplaying.Track{Artist: "A", Title: "B - C"}},
		{"en dash", nowplaying.Track{Title: "Björk – Jóga"}, nowplaying.Track{Artist: "Björk", Title: "Jóga"}},
		{"no split with an artist", nowplaying.Track{Artist: "X", Title: "A - B"}, nowplaying.Track{Artist: "X", Title: "A - B"}},
		{"hyphen in a word is no separator", nowplaying.Track{Title: "Jay-Z"}, nowplaying.Track{Title: "Jay-Z"}},
		{"dangling separator", nowplaying.Track{Title: "Artist - "}, nowplaying.Track{Title: "Artist -"}},
		{"control characters", nowplaying.Track{Title: "Deep\x00Blue\x1b[31m\x7f"}, nowplaying.Track{Title: "DeepBlue[31m"}},
		{"bidi override", nowplaying.Track{Title: "abc\u202egnp.exe"}, nowplaying.Track{Title: "abcgnp.exe"}},
		{"white space collapsed", nowplaying.Track{Artist: "  Nyx \t\n Calloway ", Title: "Deep\u00a0\u00a0Blue\u2028"}, nowplaying.Track{Artist: "Nyx Calloway", Title: "Deep Blue"}},
		{"latin-1 repaired", nowplaying.Track{Title: "Beyonc\xe9 - D\xe9j\xe0 Vu"}, nowplaying.Track{Artist: "Beyoncé", Title: "Déjà Vu"}},
		{"valid utf-8 kept beside a bad byte", nowplaying.Track{Title: "Motörhead \x96 Ace"}, nowplaying.Track{Artist: "Motörhead", Title: "Ace"}},
		{"replacement characters dropped", nowplaying.Track{Title: "a\ufffdb"}, nowplaying.Track{Title: "ab"}},
		{"composed", nowplaying.Track{Title: "Cafe\u0301"}, nowplaying.Track{Title: "Café"}},
		{"html kept as text", nowplaying.Track{Title: `<script>alert(1)</script>`}, nowplaying.Track{Title: `<script>alert(1)</script>`}},
		{"only junk", nowplaying.Track{Artist: "\x00 \t", Title: "\u200f"}, nowplaying.Track{}},
		{"source kept", nowplaying.Track{Title: "x", Source: "icecast"}, nowplaying.Track{Title: "x", Source: "icecast"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := nowplaying.Clean(tc.in)
			require.Equal(t, tc.want, got)
			require.Equal(t, got, nowplaying.Clean(got), "cleaning twice changes nothing")
		})
	}

	t.Run("long fields cut", func(t *testing.T) {
		t.Parallel()
		got := nowplaying.Clean(nowplaying.Track{Artist: long, Title: strings.Repeat("é", 10_000_000), DJ: long})
		require.LessOrEqual(t, utf8.RuneCountInString(got.Artist), nowplaying.MaxArtist)
		require.Greater(t, utf8.RuneCountInString(got.Artist), nowplaying.MaxArtist*3/4)
		require.True(t, strings.HasSuffix(got.Artist, " word…"), "cut at a word, with an ellipsis: %q", got.Artist)
		require.Equal(t, nowplaying.MaxTitle, utf8.RuneCountInString(got.Title))
		require.True(t, strings.HasSuffix(got.Title, "é…"))
		require.LessOrEqual(t, utf8.RuneCountInString(got.DJ), nowplaying.MaxDJ)
		require.Equal(t, got, nowplaying.Clean(got))
	})
}
