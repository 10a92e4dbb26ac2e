package web_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// photo is a JPEG of w×h pixels no other test uploads.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, noise(w, h), nil))
	return buf.Bytes()
}

func upload(t *testing.T, srv *web.Server, w, h int) (media.Media, []byte) {
	t.Helper()
	data := photo(t, w, h)
	m, err := srv.Media.Upload(t.Context(), actor.System(), "photo.jpg", bytes.NewReader(data))
	require.NoError(t, err)
	return m, data
}

func send(t *testing.T, srv *web.Server, method, target string, opts ...reqOpt) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for _, o := range opts {
		o(req)
	}
	res, err := srv.App.Test(req, fiber.TestConfig{Timeout: 0})
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// Pictures are served by hash with the stored type, cached for a year,
// never sniffed or run as a page; anything else under /media is 404.
func TestMediaFiles(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.MediaDir = t.TempDir()
	srv := testenv.AppWith(t, cfg)
	m, data := upload(t, srv, 600, 300)
	url := m.URL()
	require.Equal(t, "/media/"+m.SHA256+".jpg", url)

	res, body := send(t, srv, http.MethodGet, url)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, data, body)
	require.Equal(t, "image/jpeg", res.Header.Get("Content-Type"))
	require.Equal(t, fmt.Sprint(len(data)), res.Header.Get("Content-Length"))
	require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
	etag := `"` + m.SHA256 + `"`
	require.Equal(t, etag, res.Header.Get("ETag"))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "default-src 'none'", res.Header.Get("Content-Security-Policy"))
	require.Empty(t, res.Header.Get("Set-Cookie"), "no language cookie on a file")

	res, body = send(t, srv, http.MethodHead, url)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Empty(t, body)
	require.Equal(t, "image/jpeg", res.Header.Get("Content-Type"))
	require.Equal(t, fmt.Sprint(len(data)), res.Header.Get("Content-Length"))
	require.Equal(t, etag, res.Header.Get("ETag"))

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		res, body = send(t, srv, http.MethodGet, url, header("If-None-Match", inm))
		require.Equal(t, http.StatusNotModified, res.StatusCode, inm)
		require.Empty(t, body)
		require.Equal(t, etag, res.Header.Get("ETag"))
	}
	res, _ = send(t, srv, http.MethodGet, url, header("If-None-Match", `"other"`))
	require.Equal(t, http.StatusOK, res.StatusCode)

	thumb, ok := m.Variant(media.VariantThumb)
	require.True(t, ok)
	res, body = send(t, srv, http.MethodGet, thumb.URL())
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, thumb.Size, int64(len(body)))
	cfgImg, err := jpeg.DecodeConfig(bytes.NewReader(body))
	require.NoError(t, err)
	require.Equal(t, 300, cfgImg.Width)

	unknown := strings.Repeat("0", 64)
	for _, p := range []string{
		"/media/" + m.SHA256 + ".png",  // stored as JPEG
		"/media/" + m.SHA256 + ".jpeg", // one spelling per type
		"/media/" + m.SHA256 + ".svg",
		"/media/" + m.SHA256 + ".html",
		"/media/" + m.SHA256,
		"/media/" + m.SHA256 + ".jpg.jpg",
		"/media/" + strings.ToUpper(m.SHA256) + ".jpg",
		"/media/" + m.SHA256[:63] + ".jpg",
		"/media/" + m.SHA256 + "0.jpg",
		"/media/" + unknown + ".jpg",
		"/media/" + m.SHA256[:2] + "/" + m.SHA256[2:4] + "/" + m.SHA256,
		"/media/%00" + m.SHA256[1:] + ".jpg",
		"/media",
	} {
		res, body := send(t, srv, http.MethodGet, p)
		require.Equal(t, http.StatusNotFound, res.StatusCode, p)
		require.NotContains(t, string(body), string(data[:16]), p)
	}
	// Dot segments are resolved before routing (and redirected to their
	// one spelling): they never reach the media route.
	res, body = send(t, srv, http.MethodGet, "/media/..%2F..%2Fgo.mod")
	require.NotEqual(t, http.StatusOK, res.StatusCode)
	require.NotContains(t, string(body), "module github.com")
	res, _ = send(t, srv, http.MethodHead, "/media/"+unknown+".jpg")
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res, _ = send(t, srv, http.MethodPost, url)
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
}

// pictured is a seeded site of its own whose pages show pictures: an
// event's and a post's cover (alt text in English and German), an
// artist's photo and the main cave's background (English only).
type pictured struct {
	srv                        *web.Server
	sqlDB                      *sql.DB
	cover, portrait, banner    media.Media
	event, other, artist, post string
	hostile                    string
}

func picturedSite(t *testing.T, label string) pictured {
	t.Helper()
	cfg := testenv.Config(t)
	cfg.MediaDir = t.TempDir()
	p := pictured{hostile: `Crowd <script>alert("x")</script>`}
	p.srv, p.sqlDB = scratchApp(t, label, cfg)
	ctx := t.Context()
	now := testenv.Seeded(t)

	p.cover, _ = upload(t, p.srv, 1200, 600)
	p.portrait, _ = upload(t, p.srv, 500, 700)
	p.banner, _ = upload(t, p.srv, 1000, 300)
	require.NoError(t, p.srv.Media.SetAlt(ctx, actor.System(), p.cover.ID, "en", p.hostile))
	require.NoError(t, p.srv.Media.SetAlt(ctx, actor.System(), p.cover.ID, "de", "Tanzende Menge"))
	require.NoError(t, p.srv.Media.SetAlt(ctx, actor.System(), p.portrait.ID, "en", "The artist at the decks"))
	require.NoError(t, p.srv.Media.SetAlt(ctx, actor.System(), p.banner.ID, "en", "The cave by night"))

	q := func(dst *string, query string, args ...any) {
		require.NoError(t, p.sqlDB.QueryRowContext(ctx, query, args...).Scan(dst), query)
	}
	q(&p.event, `SELECT e.slug FROM events e JOIN event_translations t ON t.event_id = e.id AND t.lang = 'de'
		WHERE e.published AND e.starts_at > ? ORDER BY e.starts_at LIMIT 1`, now)
	q(&p.other, `SELECT e.slug FROM events e WHERE e.published AND e.starts_at > ? AND e.slug <> ? ORDER BY e.starts_at LIMIT 1`, now, p.event)
	q(&p.artist, `SELECT a.slug FROM artists a ORDER BY a.slug LIMIT 1`)
	q(&p.post, `SELECT p.slug FROM blog_posts p WHERE p.status = 'published' ORDER BY p.publish_at DESC LIMIT 1`)
	p.exec(t, `UPDATE events SET cover_media_id = ? WHERE slug = ?`, p.cover.ID, p.event)
	p.exec(t, `UPDATE artists SET photo_media_id = ? WHERE slug = ?`, p.portrait.ID, p.artist)
	p.exec(t, `UPDATE locations SET background_media_id = ? WHERE slug = 'main-cave'`, p.banner.ID)
	p.exec(t, `UPDATE blog_posts SET cover_media_id = ? WHERE slug = ?`, p.cover.ID, p.post)
	return p
}

func (p pictured) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	_, err := p.sqlDB.ExecContext(t.Context(), query, args...)
	require.NoError(t, err)
}

// The public pages show covers, photos and backgrounds: <img> with src,
// srcset, sizes, width and height, lazy, with the alt text in the
// visitor's language (marked lang="en" where it fell back), escaped; every
// src and srcset URL is served. Cards without a picture show none.
func TestPagesShowImages(t *testing.T) {
	t.Parallel()
	p := picturedSite(t, "media")
	srv, ctx := p.srv, t.Context()
	cover, portrait, banner, hostile := p.cover, p.portrait, p.banner, p.hostile
	event, other, artist, post := p.event, p.other, p.artist, p.post
	exec := func(query string, args ...any) { p.exec(t, query, args...) }

	variant := func(m media.Media, name string) media.Variant {
		v, ok := m.Variant(name)
		require.True(t, ok, name)
		return v
	}
	// requireImg checks one <img> and fetches every file it names.
	requireImg := func(t *testing.T, img *goquery.Selection, m media.Media, src media.Variant, alt, lang string) {
		t.Helper()
		require.Equal(t, 1, img.Length())
		require.Equal(t, src.URL(), img.AttrOr("src", ""))
		require.Equal(t, fmt.Sprint(src.Width), img.AttrOr("width", ""))
		require.Equal(t, fmt.Sprint(src.Height), img.AttrOr("height", ""))
		require.Equal(t, "lazy", img.AttrOr("loading", ""))
		require.Equal(t, "async", img.AttrOr("decoding", ""))
		require.Equal(t, alt, img.AttrOr("alt", "missing"))
		require.Equal(t, lang, img.AttrOr("lang", ""))
		urls := []string{src.URL()}
		if set, ok := img.Attr("srcset"); ok {
			require.NotEmpty(t, img.AttrOr("sizes", ""))
			var want []string
			for _, v := range m.Variants {
				if v.Name != media.VariantThumb {
					want = append(want, fmt.Sprintf("%s %dw", v.URL(), v.Width))
					urls = append(urls, v.URL())
				}
			}
			require.Equal(t, strings.Join(want, ", "), set)
		}
		for _, u := range urls {
			res, _ := send(t, srv, http.MethodHead, u)
			require.Equal(t, http.StatusOK, res.StatusCode, u)
		}
	}

	t.Run("event page", func(t *testing.T) {
		res := get(t, srv, "/events/"+event+"?lang=de")
		require.Equal(t, http.StatusOK, res.StatusCode)
		requireImg(t, res.Doc.Find("#event-detail .cover img"), cover, variant(cover, "w960"), "Tanzende Menge", "")
		res = get(t, srv, "/events/"+event+"?lang=en")
		requireImg(t, res.Doc.Find("#event-detail .cover img"), cover, variant(cover, "w960"), hostile, "")
		require.NotContains(t, res.Body, "<script>alert", "alt text is escaped")
	})
	t.Run("event cards", func(t *testing.T) {
		res := get(t, srv, "/events?lang=de")
		card := res.Doc.Find(`article.event-card:has(a[href="/events/` + event + `"])`)
		requireImg(t, card.Find(".event-card__media img"), cover, variant(cover, "w960"), "Tanzende Menge", "")
		bare := res.Doc.Find(`article.event-card:has(a[href="/events/` + other + `"])`)
		require.Equal(t, 1, bare.Length())
		require.Zero(t, bare.Find("img").Length(), "no cover, no picture")
		// The fragment for htmx carries the pictures too.
		part := get(t, srv, "/events?lang=de", partial)
		require.Equal(t, 1, part.Doc.Find(`article.event-card:has(a[href="/events/`+event+`"]) img`).Length())
	})
	t.Run("artists", func(t *testing.T) {
		res := get(t, srv, "/artists?lang=de")
		card := res.Doc.Find(`.artist-card:has(a[href="/artists/` + artist + `"])`)
		img := card.Find("img.artist-card__photo")
		thumb := variant(portrait, media.VariantThumb)
		require.Equal(t, thumb.URL(), img.AttrOr("src", ""))
		require.Equal(t, "320", img.AttrOr("width", ""))
		require.Equal(t, "The artist at the decks", img.AttrOr("alt", ""))
		require.Equal(t, "en", img.AttrOr("lang", ""), "English alt on a German page is marked")
		require.Zero(t, card.Find(".artist-card__initial").Length(), "the photo replaces the monogram")
		require.Positive(t, res.Doc.Find(".artist-card__initial").Length(), "artists without a photo keep theirs")

		res = get(t, srv, "/artists/"+artist+"?lang=de")
		requireImg(t, res.Doc.Find(".artist-detail__photo img"), portrait, variant(portrait, "w500"), "The artist at the decks", "en")
	})
	t.Run("location", func(t *testing.T) {
		res := get(t, srv, "/locations/main-cave")
		requireImg(t, res.Doc.Find(".location-header img.location-header__bg"), banner, variant(banner, "w960"), "The cave by night", "")
		res = get(t, srv, "/locations")
		requireImg(t, res.Doc.Find(`.location-card:has(a[href="/locations/main-cave"]) .location-card__media img`), banner, variant(banner, "w960"), "The cave by night", "")
	})
	t.Run("blog", func(t *testing.T) {
		res := get(t, srv, "/blog/"+post+"?lang=de")
		requireImg(t, res.Doc.Find("#post-detail .cover img"), cover, variant(cover, "w960"), "Tanzende Menge", "")
		res = get(t, srv, "/blog?lang=de")
		require.Equal(t, 1, res.Doc.Find(`.post-card:has(a[href="/blog/`+post+`"]) .post-card__media img`).Length())
	})
	t.Run("delete refused while shown", func(t *testing.T) {
		err := srv.Media.Delete(ctx, actor.System(), cover.ID)
		require.Error(t, err)
		res, _ := send(t, srv, http.MethodHead, cover.URL())
		require.Equal(t, http.StatusOK, res.StatusCode)
	})
	// A picture whose file row is gone (deleted once nothing showed it)
	// leaves the page as it was without one.
	t.Run("gone", func(t *testing.T) {
		exec(`UPDATE events SET cover_media_id = NULL WHERE slug = ?`, event)
		exec(`UPDATE blog_posts SET cover_media_id = NULL WHERE slug = ?`, post)
		require.NoError(t, srv.Media.Delete(ctx, actor.System(), cover.ID))
		srv.Invalidate()
		res := get(t, srv, "/events/"+event)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Zero(t, res.Doc.Find("#event-detail img").Length())
		r, _ := send(t, srv, http.MethodGet, cover.URL())
		require.Equal(t, http.StatusNotFound, r.StatusCode)
	})
}

// In a browser, every picture on the pages that show them loads and
// decodes, and the pages still pass axe-core at both widths.
func TestPicturesInBrowser(t *testing.T) {
	t.Parallel()
	p := picturedSite(t, "mediab")
	base := serve(t, p.srv)
	browser := testenv.BrowserWithin(t, 2*time.Minute)
	tab := testenv.Tab(t, browser)
	require.NoError(t, chromedp.Do(tab, testenv.AxeOnEveryPage(), testenv.ReduceMotion()))
	var failed []string
	for _, path := range []string{
		"/events/" + p.event + "?lang=de", "/events", "/artists?lang=de", "/artists/" + p.artist,
		"/locations/main-cave?lang=de", "/locations", "/blog/" + p.post, "/",
	} {
		// Lazy pictures load as they come into view: scroll through,
		// then wait for each to be decoded.
		var n int
		err := chromedp.Do(tab,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(base+path),
			chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('img').forEach(i => i.loading = 'eager')`),
			chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)`),
		)
		if err == nil {
			n, err = chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('img[src^="/media/"]').length`))
		}
		if err != nil || n == 0 {
			failed = append(failed, fmt.Sprintf("%s: %d pictures, %v", path, n, err))
			continue
		}
		failed = append(failed, axeAtWidths(tab, path)...)
	}
	require.Empty(t, failed, strings.Join(failed, "\n"))
}
