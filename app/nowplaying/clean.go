package nowplaying

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Longest stored fields, in characters (runes). The columns hold 255; a
// title longer than this is a playlist dump or an attack, not a title.
const (
	MaxArtist = 200
	MaxTitle  = 200
	MaxDJ     = 100
)

// Clean returns t as it is stored and shown: each field with invalid UTF-8
// repaired, control and bidi-override characters removed, runs of white
// space made one space, composed (NFC) and cut at its maximum length; and a
// lone "Artist - Title" split into its two parts. Stream metadata is
// whatever a DJ's software sends, so it is repaired rather than refused.
func Clean(t Track) Track {
	t.Artist = cleanField(t.Artist, MaxArtist)
	t.Title = cleanField(t.Title, MaxTitle)
	t.DJ = cleanField(t.DJ, MaxDJ)
	if t.Artist == "" {
		t.Artist, t.Title = split(t.Title)
	}
	return t
}

// separators are what stream software puts between artist and title, the
// hyphen first: it is by far the most common (ICY "StreamTitle").
var separators = []string{" - ", " – ", " — "}

// split cuts "Artist - Title" at its first separator; without one, all of s
// is the title.
func split(s string) (artist, title string) {
	for _, sep := range separators {
		if a, t, ok := strings.Cut(s, sep); ok && a != "" && t != "" {
			return a, t
		}
	}
	return "", s
}

// cleanField is one field of Clean.
func cleanField(s string, limit int) string {
	s = RepairUTF8(capBytes(s, 16*limit))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || bidiControl(r) || r == '\ufeff' || r == utf8.RuneError:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return cut(norm.NFC.String(b.String()), limit)
}

// capBytes keeps the first n bytes of s, enough for a field of n/16 runes
// with plenty of junk to strip, so a 10 MB field costs no more than a long
// one. A rune the cut splits is dropped whole, not read as Windows-1252.
func capBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				s = s[:i]
			}
			break
		}
	}
	return s
}

// bidiControl reports the characters that reorder the text around them;
// in a title they only serve to make it display as something else.
func bidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f'
}

// RepairUTF8 keeps s's valid UTF-8 and reads each byte that is not as
// Windows-1252, which is what SHOUTcast and older DJ software send: "Beyonc\xe9"
// becomes "Beyoncé" rather than losing the letter.
func RepairUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	dec := charmap.Windows1252.NewDecoder()
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n <= 1 {
			one, err := dec.String(s[:1])
			if err == nil {
				b.WriteString(one)
			}
			s = s[1:]
			continue
		}
		b.WriteString(s[:n])
		s = s[n:]
	}
	return b.String()
}

// cut shortens s to at most limit runes, ending with "…" when it cut, at a
// word boundary when one is near.
func cut(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	runes := []rune(s)[:limit-1]
	if i := lastSpace(runes); i >= limit*3/4 {
		runes = runes[:i]
	}
	return strings.TrimRight(string(runes), " ") + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == ' ' {
			return i
		}
	}
	return -1
}
