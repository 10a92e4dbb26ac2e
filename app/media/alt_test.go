package media_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/media"
)

// Alt text is stored as typed, per language, within its limits; bad input
// is refused field by field, and pages that show the file hear of the
// change.
func TestSetAlt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ed := user(t, actor.RoleEditor)
	m, err := b.svc.Upload(t.Context(), ed, "alt.png", bytes.NewReader(pngBytes(t, picture(seedOf(t, ""), 120, 90))))
	require.NoError(t, err)

	hostile := `<script>alert("x")</script> & "quotes"`
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, m.ID, "en", "  "+hostile+"  "))
	max := strings.Repeat("ü", media.MaxAlt) // characters, not bytes
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, m.ID, "de", max))
	got, err := b.svc.Get(t.Context(), m.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"en": hostile, "de": max}, got.Alt)
	require.Empty(t, b.pub.topics, "a file nothing shows changes no page")

	cases := []struct {
		name, lang, text, field, id string
	}{
		{"too long", "en", strings.Repeat("a", media.MaxAlt+1), "alt", "error.media.alt_too_long"},
		{"invalid utf-8", "en", "bad \xff\xfe", "alt", "error.media.alt_invalid"},
		{"line break", "en", "two\nlines", "alt", "error.media.alt_invalid"},
		{"nul", "en", "a\x00b", "alt", "error.media.alt_invalid"},
		{"unknown language", "fr", "bonjour", "lang", "error.media.unknown_language"},
		{"empty language", "", "x", "lang", "error.media.unknown_language"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireInvalid(t, b.svc.SetAlt(t.Context(), ed, m.ID, tc.lang, tc.text), tc.field, tc.id)
		})
	}
	require.ErrorIs(t, b.svc.SetAlt(t.Context(), actor.Actor{}, m.ID, "en", "x"), apperr.ErrForbidden)
	require.ErrorIs(t, b.svc.SetAlt(t.Context(), user(t, actor.RoleMember), m.ID, "en", "x"), apperr.ErrForbidden)
	require.ErrorIs(t, b.svc.SetAlt(t.Context(), ed, 1<<60, "en", "x"), apperr.ErrNotFound)
	got, err = b.svc.Get(t.Context(), m.ID)
	require.NoError(t, err)
	require.Equal(t, hostile, got.Alt["en"], "refusals changed nothing")

	// Once an event shows it, a change tells the pages.
	slug := "alt-" + m.SHA256[:12]
	_, err = b.sqlDB.ExecContext(t.Context(), `INSERT INTO artists (slug, name, photo_media_id) VALUES (?, 'Alt', ?)`, slug, m.ID)
	require.NoError(t, err)
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, m.ID, "de", ""))
	require.Equal(t, []string{live.TopicArtists, live.ArtistTopic(slug)}, b.pub.topics)
	got, err = b.svc.Get(t.Context(), m.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"en": hostile}, got.Alt, "an empty text removes the language's")

	entries, err := b.svc.Usage(t.Context(), m.ID)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}

// Images gives pages what an <img> needs: a mid-size src with its size, a
// srcset of every width, the thumbnail, and the alt text in the visitor's
// language or, marked, the default's.
func TestImages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ed := user(t, actor.RoleEditor)
	big, err := b.svc.Upload(t.Context(), ed, "big.jpg", bytes.NewReader(jpegBytes(t, picture(seedOf(t, "big"), 1800, 300))))
	require.NoError(t, err)
	small, err := b.svc.Upload(t.Context(), ed, "small.png", bytes.NewReader(pngBytes(t, picture(seedOf(t, "small"), 300, 200))))
	require.NoError(t, err)
	bare, err := b.svc.Upload(t.Context(), ed, "bare.png", bytes.NewReader(pngBytes(t, picture(seedOf(t, "bare"), 100, 100))))
	require.NoError(t, err)
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, big.ID, "en", "A crowd <dancing>"))
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, big.ID, "de", "Eine tanzende Menge"))
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, small.ID, "en", "Only English"))
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, bare.ID, "de", "Nur Deutsch"))

	imgs, err := b.svc.Images(t.Context(), "de", []int64{big.ID, small.ID, bare.ID, 0, 1 << 60, big.ID})
	require.NoError(t, err)
	require.Len(t, imgs, 3, "unknown ids and 0 are left out")

	url := func(m media.Media, name string) string {
		v, ok := m.Variant(name)
		require.True(t, ok, name)
		return v.URL()
	}
	got := imgs[big.ID]
	require.Equal(t, media.Image{
		ID: big.ID, Src: url(big, "w960"), Width: 960, Height: 160,
		SrcSet: url(big, "w480") + " 480w, " + url(big, "w960") + " 960w, " + url(big, "w1600") + " 1600w, " + url(big, "w1800") + " 1800w",
		Alt:    i18n.Text{Value: "Eine tanzende Menge"},
		Thumb:  url(big, "thumb"), ThumbWidth: 300, ThumbHeight: 300,
	}, got)
	require.Regexp(t, `^/media/[0-9a-f]{64}\.jpg$`, got.Src)

	got = imgs[small.ID]
	require.Equal(t, url(small, "w300"), got.Src, "narrower than every width: its own")
	require.Equal(t, 300, got.Width)
	require.Equal(t, 200, got.Height)
	require.Equal(t, i18n.Text{Value: "Only English", Fallback: true}, got.Alt)
	require.Equal(t, 200, got.ThumbWidth)

	require.Equal(t, i18n.Text{Value: "Nur Deutsch"}, imgs[bare.ID].Alt)
	en, err := b.svc.Images(t.Context(), "en", []int64{bare.ID})
	require.NoError(t, err)
	require.Equal(t, i18n.Text{}, en[bare.ID].Alt, "no English or default text: decorative")

	none, err := b.svc.Images(t.Context(), "en", nil)
	require.NoError(t, err)
	require.Empty(t, none)
}

// The library lists newest first, pages, and finds files by name or alt
// text, taking the search literally.
func TestList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ed := user(t, actor.RoleEditor)
	tag := "lst" + strconv.FormatUint(seedOf(t, ""), 36)
	upload := func(name, extra string) media.Media {
		m, err := b.svc.Upload(t.Context(), ed, name, bytes.NewReader(pngBytes(t, picture(seedOf(t, extra), 40, 40))))
		require.NoError(t, err)
		return m
	}
	one := upload(tag+"-one 100%.png", "1")
	two := upload(tag+"_two.png", "2")
	three := upload("three.png", "3")
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, three.ID, "de", "Bild "+tag))

	ids := func(p media.Page) []int64 {
		var out []int64
		for _, m := range p.Items {
			out = append(out, m.ID)
		}
		return out
	}
	p, err := b.svc.List(t.Context(), media.Filter{Q: "  " + strings.ToUpper(tag) + " "})
	require.NoError(t, err)
	require.Equal(t, []int64{three.ID, two.ID, one.ID}, ids(p), "newest first, by name or alt, any case")
	require.Equal(t, 3, p.Total)
	require.NotEmpty(t, p.Items[0].Variants)
	require.Equal(t, "Bild "+tag, p.Items[0].Alt["de"])

	p, err = b.svc.List(t.Context(), media.Filter{Q: tag + "_"})
	require.NoError(t, err)
	require.Equal(t, []int64{two.ID}, ids(p), "_ is no wildcard")
	p, err = b.svc.List(t.Context(), media.Filter{Q: tag + "-one 100%"})
	require.NoError(t, err)
	require.Equal(t, []int64{one.ID}, ids(p))
	p, err = b.svc.List(t.Context(), media.Filter{Q: "100%" + tag})
	require.NoError(t, err)
	require.Empty(t, p.Items, "% is no wildcard")
	require.Equal(t, 1, p.Pages)

	p, err = b.svc.List(t.Context(), media.Filter{Q: tag, PerPage: 2, Page: 99})
	require.NoError(t, err)
	require.Equal(t, 2, p.Page, "clamped to the last page")
	require.Equal(t, 2, p.Pages)
	require.Equal(t, []int64{one.ID}, ids(p))

	p, err = b.svc.List(t.Context(), media.Filter{Q: "\xff" + tag + "\xfe"})
	require.NoError(t, err)
	require.Len(t, p.Items, 3, "bytes that are not UTF-8 are dropped from the search")

	all, err := b.svc.List(t.Context(), media.Filter{PerPage: 1000})
	require.NoError(t, err)
	require.Equal(t, media.MaxPerPage, all.PerPage)
	require.GreaterOrEqual(t, all.Total, 3)
}
