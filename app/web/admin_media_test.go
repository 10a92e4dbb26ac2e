package web_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// library is an app whose pictures go to a directory of the test's own,
// and a signed-in editor.
type library struct {
	srv  *web.Server
	dir  string
	sess testenv.Session
}

func newLibrary(t *testing.T, change ...func(*config.Config)) library {
	t.Helper()
	cfg := testenv.Config(t)
	cfg.MediaDir = t.TempDir()
	for _, c := range change {
		c(&cfg)
	}
	l := library{srv: testenv.AppWith(t, cfg), dir: cfg.MediaDir}
	l.sess = l.signIn(t, actor.RoleEditor, 0)
	return l
}

// signIn makes a user with role (an artist's profile for artists) and
// signs in as it.
func (l library) signIn(t *testing.T, role actor.Role, artistID int64) testenv.Session {
	t.Helper()
	sqlDB := testenv.DB(t)
	if role == actor.RoleArtist && artistID == 0 {
		artistID = testenv.Artist(t, db.New(sqlDB), testenv.ArtistOpts{}).ID
	}
	u := testenv.User(t, sqlDB, testenv.UserOpts{Role: role, ArtistID: artistID})
	return testenv.SignIn(t, l.srv, u.Email, testenv.DefaultPassword)
}

// noise is a w×h picture no other test makes.
func noise(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	x := rand.Uint64() | 1
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		img.Pix[i] = uint8(x)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, noise(w, h)))
	return buf.Bytes()
}

func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, noise(w, h), &jpeg.Options{Quality: 85}))
	return buf.Bytes()
}

func gifOf(t *testing.T, w, h int) []byte {
	t.Helper()
	p := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
	src := noise(w, h)
	for y := range h {
		for x := range w {
			p.Set(x, y, src.At(x, y))
		}
	}
	var buf bytes.Buffer
	require.NoError(t, gif.Encode(&buf, p, nil))
	return buf.Bytes()
}

// pngClaiming is a PNG signature and header (with a valid CRC) that
// claim w×h pixels, and no pixels: a few bytes that would take gigabytes
// to decode.
func pngClaiming(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, no interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, uint32(len(ihdr)-4))
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// uploadReq is the upload form as a browser sends it: the CSRF token in
// the form (and, through Request, in the header) and the file.
func uploadReq(t *testing.T, sess testenv.Session, name string, data []byte, opts ...reqOpt) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if sess.CSRF != "" {
		require.NoError(t, w.WriteField("_csrf", sess.CSRF))
	}
	part, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = part.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	req := sess.Request(http.MethodPost, "/admin/media", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for _, o := range opts {
		o(req)
	}
	return req
}

func htmlOf(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	require.NoError(t, err)
	return d
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// rowsFor counts the media rows holding data.
func rowsFor(t *testing.T, data []byte) int {
	t.Helper()
	return rowsWith(t, sha(data))
}

// rowsWith counts the media rows whose original has the hash sum.
func rowsWith(t *testing.T, sum string) int {
	t.Helper()
	var n int
	require.NoError(t, testenv.DB(t).QueryRowContext(t.Context(), `SELECT COUNT(*) FROM media WHERE sha256 = ?`, sum).Scan(&n))
	return n
}

// files lists the files stored under dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	}))
	return out
}

// mediaID reads the picture's id from its page's address.
func mediaID(t *testing.T, location string) int64 {
	t.Helper()
	var id int64
	_, err := fmt.Sscanf(location, "/admin/media/%d", &id)
	require.NoError(t, err, location)
	return id
}

// Uploads of real PNG, JPEG, GIF and WebP files: a plain form goes to the
// picture's page, which shows what it is and links every size it was
// given; htmx gets the card for the grid; the library finds it by name.
func TestMediaUploadRoundTrips(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	webp, err := os.ReadFile("../media/testdata/lossy.webp")
	require.NoError(t, err)
	cases := []struct {
		name, typ string
		data      []byte
		w, h      int
	}{
		{"png", "image/png", pngOf(t, 640, 480), 640, 480},
		{"jpeg", "image/jpeg", jpegOf(t, 700, 400), 700, 400},
		{"gif", "image/gif", gifOf(t, 120, 90), 120, 90},
		{"webp", "image/webp", webp, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := testenv.Unique("upload") + "." + tc.name
			res := l.sess.Do(t, l.srv, uploadReq(t, l.sess, name, tc.data))
			require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
			id := mediaID(t, res.Header.Get("Location"))
			require.Equal(t, 1, rowsFor(t, tc.data))

			page := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, res.Header.Get("Location"), nil))
			require.Equal(t, http.StatusOK, page.StatusCode)
			require.Equal(t, "private, no-store", page.Header.Get("Cache-Control"))
			doc := htmlOf(t, page.Body)
			require.Equal(t, name, strings.TrimSpace(doc.Find("#admin-media-item h1").Text()))
			facts := doc.Find(".media-facts").Text()
			require.Contains(t, facts, tc.typ)
			if tc.w > 0 {
				require.Contains(t, facts, fmt.Sprintf("%d × %d pixels", tc.w, tc.h))
			}
			require.Equal(t, 1, doc.Find(".media-item__preview img[srcset][width][height]").Length())
			links := doc.Find(".media-variants a")
			require.GreaterOrEqual(t, links.Length(), 2, "a thumbnail and at least one width")
			links.Each(func(_ int, a *goquery.Selection) {
				r, _ := send(t, l.srv, http.MethodHead, a.AttrOr("href", ""))
				require.Equal(t, http.StatusOK, r.StatusCode, a.AttrOr("href", ""))
			})
			require.Equal(t, 2, doc.Find(fmt.Sprintf(`#admin-media-item .field[id^="field-media-%d-alt-"]`, id)).Length(), "alt text in each language")
			require.Contains(t, doc.Find(fmt.Sprintf("#history-media-%d", id)).Text(), name, "the upload is in its history")

			list := get(t, l.srv, "/admin/media?q="+url.QueryEscape(name), header("Cookie", cookieHeader(l.sess)))
			require.Equal(t, http.StatusOK, list.StatusCode)
			require.Equal(t, 1, list.Doc.Find("#admin-media-grid .media-card").Length())
			card := list.Doc.Find(fmt.Sprintf("#admin-media-card-%d", id))
			require.Equal(t, name, strings.TrimSpace(card.Find(".media-card__name").Text()))
			thumb := card.Find("img").AttrOr("src", "")
			r, _ := send(t, l.srv, http.MethodGet, thumb)
			require.Equal(t, http.StatusOK, r.StatusCode, thumb)
		})
	}

	t.Run("htmx", func(t *testing.T) {
		data := pngOf(t, 300, 200)
		name := testenv.Unique("htmx") + ".png"
		res := l.sess.Do(t, l.srv, uploadReq(t, l.sess, name, data, partial))
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
		requireVary(t, res.Response)
		require.NotContains(t, res.Body, "<html")
		require.Regexp(t, `^\s*<li class="media-card" id="admin-media-card-\d+"`, res.Body)
		doc := htmlOf(t, res.Body)
		require.Equal(t, name, strings.TrimSpace(doc.Find(".media-card__name").Text()))
		require.Contains(t, doc.Find(".media-card__meta").Text(), "300 × 200 pixels")
		require.Equal(t, 1, rowsFor(t, data))
	})

	t.Run("library page and partial", func(t *testing.T) {
		full := get(t, l.srv, "/admin/media?lang=de", header("Cookie", cookieHeader(l.sess)))
		require.Equal(t, http.StatusOK, full.StatusCode)
		require.Equal(t, "Medien", strings.TrimSpace(full.Doc.Find("main h1").Text()))
		require.Equal(t, 1, full.Doc.Find(`form#admin-media-upload[enctype="multipart/form-data"][data-upload] input[type=file][name=file][accept="image/jpeg,image/png,image/webp,image/gif"]`).Length())
		require.Equal(t, 1, full.Doc.Find("#admin-media-upload progress").Length())
		require.Equal(t, "true", full.Doc.Find("#admin-media-library form").AttrOr("hx-push-url", ""))
		require.Positive(t, full.Doc.Find("#admin-media-grid .media-card").Length())

		part := get(t, l.srv, "/admin/media?q=htmx", header("Cookie", cookieHeader(l.sess)), partial)
		require.Equal(t, http.StatusOK, part.StatusCode)
		requireVary(t, part.Response)
		require.NotContains(t, part.Body, "<html")
		require.Regexp(t, `^\s*<section [^>]*id="admin-media-library"`, part.Body)
		require.Equal(t, "htmx", part.Doc.Find("#admin-media-library-q").AttrOr("value", ""))
		part.Doc.Find(".media-card__name").Each(func(_ int, s *goquery.Selection) {
			require.Contains(t, s.Text(), "htmx")
		})
		for _, q := range []string{"page=abc", "page=-1", "page=99999999", "q=" + url.QueryEscape(`<script>alert(1)</script>`), "q=%ff%fe"} {
			res := get(t, l.srv, "/admin/media?"+q, header("Cookie", cookieHeader(l.sess)))
			require.Equal(t, http.StatusOK, res.StatusCode, q)
			require.NotContains(t, res.Body, "<script>alert(1)", q)
		}
	})
}

// cookieHeader is the Cookie header of sess, for the plain get helper.
func cookieHeader(sess testenv.Session) string {
	var parts []string
	for _, c := range sess.Cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// Bad files are refused with 422 and the reason beside the file input, in
// the whole page and in the fragment, and leave no row and no file.
func TestMediaUploadBadFiles(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	good := pngOf(t, 200, 200)
	jpg := jpegOf(t, 200, 200)
	cases := []struct {
		name, file string
		data       []byte
		reason     string
	}{
		{"empty file", "empty.png", []byte{}, "The file is empty."},
		{"text named .jpg", "notes.jpg", []byte("these are my notes, not a picture\n"), "This file is not a picture we can use."},
		{"html named .png", "page.png", []byte("<!doctype html><script>alert(1)</script>"), "This file is not a picture we can use."},
		{"50,000 × 50,000 in a small file", "huge.png", pngClaiming(50000, 50000), "The picture is 50000 × 50000 pixels."},
		{"truncated png", "cut.png", good[:len(good)/2], "The picture could not be read"},
		{"truncated jpeg", "cut.jpg", jpg[:len(jpg)/3], "The picture could not be read"},
		{"hostile name", `<script>alert("x")</script>.jpg`, []byte("plain text"), "This file is not a picture we can use."},
		{"name not utf-8", "bad\xff\xfe.jpg", []byte("plain text again"), "This file is not a picture we can use."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, opts := range [][]reqOpt{nil, {partial}} {
				res := l.sess.Do(t, l.srv, uploadReq(t, l.sess, tc.file, tc.data, opts...))
				require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, res.Body)
				require.NotContains(t, res.Body, "<script>alert")
				doc := htmlOf(t, res.Body)
				if opts != nil {
					require.Regexp(t, `^\s*<form [^>]*id="admin-media-upload"`, res.Body)
				} else {
					require.Equal(t, 1, doc.Find("main #admin-media-library").Length(), "the whole page")
				}
				require.Contains(t, doc.Find("#admin-media-upload #admin-media-file-error").Text(), tc.reason)
				require.Equal(t, "true", doc.Find("#admin-media-file").AttrOr("aria-invalid", ""))
				if len(tc.data) > 0 {
					require.Zero(t, rowsFor(t, tc.data))
				}
			}
		})
	}
	t.Run("no file", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		require.NoError(t, w.WriteField("note", "no file here"))
		require.NoError(t, w.Close())
		req := l.sess.Request(http.MethodPost, "/admin/media", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res := l.sess.Do(t, l.srv, req)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		require.Contains(t, htmlOf(t, res.Body).Find("#admin-media-file-error").Text(), "Choose a picture to upload.")

		res = l.sess.Do(t, l.srv, l.sess.Request(http.MethodPost, "/admin/media", strings.NewReader("file=x.png")))
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "a urlencoded form has no file")
	})
	require.Empty(t, files(t, l.dir), "no file was stored")
}

// The same file sent twice (a double click, a resent form) is one picture.
func TestMediaUploadDoubleSubmit(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	data := jpegOf(t, 320, 240)
	first := l.sess.Do(t, l.srv, uploadReq(t, l.sess, "twice.jpg", data))
	second := l.sess.Do(t, l.srv, uploadReq(t, l.sess, "twice.jpg", data))
	require.Equal(t, http.StatusSeeOther, first.StatusCode)
	require.Equal(t, first.Header.Get("Location"), second.Header.Get("Location"))
	third := l.sess.Do(t, l.srv, uploadReq(t, l.sess, "twice.jpg", data, partial))
	require.Equal(t, http.StatusOK, third.StatusCode)
	require.Contains(t, third.Body, fmt.Sprintf(`id="admin-media-card-%d"`, mediaID(t, first.Header.Get("Location"))))
	require.Equal(t, 1, rowsFor(t, data))
}

// Members and visitors may not upload, and a write without the CSRF token
// (or with a forged one) is refused; none of them leaves a row.
func TestMediaUploadRefusedToOthers(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	data := pngOf(t, 64, 64)
	member := l.signIn(t, actor.RoleMember, 0)
	res := member.Do(t, l.srv, uploadReq(t, member, "m.png", data))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	res = member.Do(t, l.srv, member.Request(http.MethodGet, "/admin/media", nil))
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	visitor := testenv.Visit(t, l.srv)
	res = visitor.Do(t, l.srv, uploadReq(t, visitor, "v.png", data))
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)

	noToken := l.sess
	noToken.CSRF = ""
	res = noToken.Do(t, l.srv, uploadReq(t, noToken, "n.png", data))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	forged := l.sess
	forged.CSRF = "forged-token"
	res = forged.Do(t, l.srv, uploadReq(t, forged, "f.png", data))
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	require.Zero(t, rowsFor(t, data))
	require.Empty(t, files(t, l.dir))
}

// The upload alone may send more than TDC_BODY_LIMIT: a file one byte
// over TDC_MEDIA_MAX_MB arrives and is refused in words; a body larger
// than the upload's limit, or over TDC_BODY_LIMIT on any other route, is
// refused with 413 before it is read.
func TestMediaUploadLimits(t *testing.T) {
	t.Parallel()
	t.Run("over the media limit", func(t *testing.T) {
		t.Parallel()
		l := newLibrary(t, func(c *config.Config) { c.MediaMaxMB = 1 })
		over := make([]byte, 1<<20+1)
		for i := range over {
			over[i] = byte(rand.Uint32())
		}
		res := l.sess.Do(t, l.srv, uploadReq(t, l.sess, "big.jpg", over, partial))
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		require.Contains(t, htmlOf(t, res.Body).Find("#admin-media-file-error").Text(), "The file is larger than 1 MB.")
		require.Empty(t, files(t, l.dir))
		// More than the upload's limit is refused before it is read.
		res2 := sendWhole(t, serve(t, l.srv), l.sess, http.MethodPost, "/admin/media", "multipart/form-data; boundary=b", make([]byte, 2<<20))
		require.Equal(t, http.StatusRequestEntityTooLarge, res2.StatusCode)
	})
	t.Run("over the body limit", func(t *testing.T) {
		t.Parallel()
		l := newLibrary(t)
		big := pngOf(t, 1100, 800) // noise does not compress: over 2 MB
		require.Greater(t, len(big), 2<<20)
		res := l.sess.Do(t, l.srv, uploadReq(t, l.sess, "large.png", big))
		require.Equal(t, http.StatusSeeOther, res.StatusCode, "the upload takes more than TDC_BODY_LIMIT")

		id := mediaID(t, res.Header.Get("Location"))
		field := fmt.Sprintf("/admin/media/%d/fields/alt.en", id)
		base := serve(t, l.srv)
		for _, size := range []int{2 << 20, 10 << 20} {
			body := []byte(url.Values{"version": {"1"}, "value": {strings.Repeat("x", size)}}.Encode())
			form := "application/x-www-form-urlencoded"
			require.Equal(t, http.StatusRequestEntityTooLarge, sendWhole(t, base, l.sess, http.MethodPatch, field, form, body).StatusCode, "%d bytes to a field", size)
			require.Equal(t, http.StatusRequestEntityTooLarge, sendWhole(t, base, l.sess, http.MethodPost, "/login", form, body).StatusCode, "%d bytes to /login", size)
		}
	})
	t.Run("refused before the body is read", func(t *testing.T) {
		t.Parallel()
		cfg := testenv.Config(t)
		cfg.MediaDir, cfg.BodyLimit, cfg.MediaMaxMB = t.TempDir(), 4096, 1
		base := serve(t, testenv.AppWith(t, cfg))
		for _, tc := range []struct {
			name, path string
			length     int
		}{
			{"2 MB to another route", "/login", 2 << 20},
			{"just over TDC_BODY_LIMIT", "/admin/media/picker", cfg.BodyLimit + 1},
			{"the upload spelled otherwise", "/admin/media/", 1 << 20},
			{"the upload spelled in capitals", "/ADMIN/media", 1 << 20},
			{"over the upload's limit", "/admin/media", 1<<20 + 64<<10 + 1},
		} {
			res, _ := rawExchange(t, base, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", tc.path, tc.length))
			require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode, tc.name)
		}
		chunked := func(path string, n int) *http.Response {
			chunk := strings.Repeat("a", 1024)
			var b strings.Builder
			fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n", path)
			for range n {
				fmt.Fprintf(&b, "%x\r\n%s\r\n", len(chunk), chunk)
			}
			b.WriteString("0\r\n\r\n")
			res, _ := rawExchange(t, base, b.String())
			return res
		}
		require.Equal(t, http.StatusRequestEntityTooLarge, chunked("/login", 10).StatusCode, "a chunked body over TDC_BODY_LIMIT")
		require.Equal(t, http.StatusForbidden, chunked("/admin/media", 10).StatusCode, "the upload reads it (and wants a CSRF token)")
		res, _ := rawExchange(t, base, "POST /admin/media HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 8\r\n\r\n--b\r\nbad")
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "a broken multipart body")
	})
}

// uploaded uploads a fresh PNG as sess and returns its id.
func (l library) uploaded(t *testing.T, sess testenv.Session, name string) int64 {
	t.Helper()
	res := sess.Do(t, l.srv, uploadReq(t, sess, name, pngOf(t, 160, 120)))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	return mediaID(t, res.Header.Get("Location"))
}

// editForm opens a field's editor (or picker) as htmx does and returns
// the version and original value its form carries.
func (l library) editForm(t *testing.T, sess testenv.Session, target string) (version, original string, doc *goquery.Document) {
	t.Helper()
	req := sess.Request(http.MethodGet, target, nil)
	partial(req)
	res := sess.Do(t, l.srv, req)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	doc = htmlOf(t, res.Body)
	return doc.Find(`input[name="version"]`).AttrOr("value", ""), doc.Find(`input[name="original"]`).AttrOr("value", ""), doc
}

// save sends a field's value as htmx does (PATCH, partial).
func (l library) save(t *testing.T, sess testenv.Session, target string, form url.Values) testenv.Response {
	t.Helper()
	req := sess.Request(http.MethodPatch, target, strings.NewReader(form.Encode()))
	partial(req)
	return sess.Do(t, l.srv, req)
}

// Alt text is edited in place per language: hostile text is stored as
// typed and shown escaped, each save lands in the history, bad text is
// refused beside the field (422), a colleague's newer text is a conflict
// (409) and only the uploader or staff may change it.
func TestMediaAltTextInline(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	id := l.uploaded(t, l.sess, testenv.Unique("alt")+".png")
	field := fmt.Sprintf("/admin/media/%d/fields/alt.en", id)
	domID := fmt.Sprintf("#field-media-%d-alt-en", id)
	hostile := `Crowd <script>alert("x")</script> & "friends"`

	shown := l.sess.Do(t, l.srv, func() *http.Request { r := l.sess.Request(http.MethodGet, field, nil); partial(r); return r }())
	require.Equal(t, http.StatusOK, shown.StatusCode)
	require.Regexp(t, `^\s*<div class="field" id="field-media-\d+-alt-en"`, shown.Body)

	version, original, form := l.editForm(t, l.sess, field+"/edit")
	require.Empty(t, original)
	require.Equal(t, "500", form.Find(domID+"-input").AttrOr("maxlength", ""))
	res := l.save(t, l.sess, field, url.Values{"version": {version}, "original": {original}, "value": {hostile}})
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.NotContains(t, res.Body, "<script>alert")
	doc := htmlOf(t, res.Body)
	require.Equal(t, hostile+" · edit", strings.TrimSpace(doc.Find(domID+" .field__value").Text()))
	history := doc.Find(fmt.Sprintf(`#history-media-%d[hx-swap-oob="true"]`, id))
	require.Equal(t, 1, history.Length(), "the history comes along out of band")
	require.Contains(t, history.Text(), "alt.en")
	require.Contains(t, history.Text(), hostile)
	m, err := l.srv.Media.Get(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, hostile, m.Alt["en"], "stored as typed")

	page := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, fmt.Sprintf("/admin/media/%d", id), nil))
	require.NotContains(t, page.Body, "<script>alert")
	require.Contains(t, htmlOf(t, page.Body).Find(domID).Text(), hostile)

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct{ name, value, reason string }{
			{"too long", strings.Repeat("a", 501), "The alt text is too long: at most 500 characters."},
			{"not utf-8", "caf\xe9 \xff", "The alt text contains characters that cannot be stored"},
			{"a line break", "two\nlines", "The alt text contains characters that cannot be stored"},
		} {
			version, original, _ := l.editForm(t, l.sess, field+"/edit")
			res := l.save(t, l.sess, field, url.Values{"version": {version}, "original": {original}, "value": {tc.value}})
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, tc.name)
			doc := htmlOf(t, res.Body)
			require.Contains(t, doc.Find(domID+" .field__error").Text(), tc.reason, tc.name)
			require.Equal(t, "true", doc.Find(domID+"-input").AttrOr("aria-invalid", ""), tc.name)
		}
		res := l.save(t, l.sess, field, url.Values{"value": {"no version"}})
		require.Equal(t, http.StatusBadRequest, res.StatusCode)
		res = l.save(t, l.sess, fmt.Sprintf("/admin/media/%d/fields/alt.fr", id), url.Values{"version": {"1"}, "value": {"x"}})
		require.Equal(t, http.StatusNotFound, res.StatusCode, "no such language")
	})

	t.Run("conflict", func(t *testing.T) {
		version, original, _ := l.editForm(t, l.sess, field+"/edit")
		// A colleague's change to another language is no conflict for this one.
		require.NoError(t, l.srv.Media.SetAlt(t.Context(), actor.System(), id, "de", "Tanzende Menge"))
		res := l.save(t, l.sess, field, url.Values{"version": {version}, "original": {original}, "value": {"Dancing crowd"}})
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)

		version, original, _ = l.editForm(t, l.sess, field+"/edit")
		require.NoError(t, l.srv.Media.SetAlt(t.Context(), actor.System(), id, "en", "A colleague's words"))
		res = l.save(t, l.sess, field, url.Values{"version": {version}, "original": {original}, "value": {"My words"}})
		require.Equal(t, http.StatusConflict, res.StatusCode)
		doc := htmlOf(t, res.Body)
		require.Contains(t, doc.Find(domID+" .field__theirs").Text(), "A colleague's words")
		require.Equal(t, "My words", doc.Find(domID+"-input").AttrOr("value", ""))
		require.Contains(t, doc.Find(domID+" button[type=submit]").Text(), "Save mine instead")
		res = l.save(t, l.sess, field, url.Values{
			"version": {doc.Find(`input[name="version"]`).AttrOr("value", "")}, "original": {doc.Find(`input[name="original"]`).AttrOr("value", "")}, "value": {"My words"},
		})
		require.Equal(t, http.StatusOK, res.StatusCode, "saved over theirs on purpose")
		m, err := l.srv.Media.Get(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"en": "My words", "de": "Tanzende Menge"}, m.Alt)
		// The library finds a picture by its alt text too.
		found := get(t, l.srv, "/admin/media?q="+url.QueryEscape("Tanzende Menge"), header("Cookie", cookieHeader(l.sess)), partial)
		require.Equal(t, 1, found.Doc.Find(fmt.Sprintf("#admin-media-card-%d", id)).Length())
	})

	t.Run("without javascript", func(t *testing.T) {
		page := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, field+"/edit", nil))
		require.Equal(t, http.StatusOK, page.StatusCode)
		doc := htmlOf(t, page.Body)
		require.Equal(t, 1, doc.Find("html main form"+domID).Length(), "the field's form as a page")
		form := url.Values{"version": {doc.Find(`input[name="version"]`).AttrOr("value", "")}, "value": {"Plain form"}}
		res := l.sess.Do(t, l.srv, l.sess.Request(http.MethodPost, field, strings.NewReader(form.Encode())))
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		require.Equal(t, fmt.Sprintf("/admin/media/%d", id), res.Header.Get("Location"))
	})

	t.Run("artists", func(t *testing.T) {
		artist := l.signIn(t, actor.RoleArtist, 0)
		page := artist.Do(t, l.srv, artist.Request(http.MethodGet, fmt.Sprintf("/admin/media/%d", id), nil))
		require.Equal(t, http.StatusOK, page.StatusCode, "artists see the library")
		doc := htmlOf(t, page.Body)
		require.Zero(t, doc.Find(domID+" a.field__value").Length(), "but not another's picture's editor")
		require.Zero(t, doc.Find(fmt.Sprintf(`a[href="/admin/media/%d/delete"]`, id)).Length())
		res := l.save(t, artist, field, url.Values{"version": {"1"}, "value": {"mine now"}})
		require.Equal(t, http.StatusForbidden, res.StatusCode)
		res = artist.Do(t, l.srv, artist.Request(http.MethodPost, fmt.Sprintf("/admin/media/%d/delete", id), nil))
		require.Equal(t, http.StatusForbidden, res.StatusCode)

		own := l.uploaded(t, artist, testenv.Unique("own")+".png")
		ownField := fmt.Sprintf("/admin/media/%d/fields/alt.de", own)
		version, original, _ := l.editForm(t, artist, ownField+"/edit")
		res = l.save(t, artist, ownField, url.Values{"version": {version}, "original": {original}, "value": {"Mein Bild"}})
		require.Equal(t, http.StatusOK, res.StatusCode, "their own picture's alt text")
	})
}

// A picture shown by an event cannot be deleted: the confirmation and the
// refusal say where it is shown. Once it is shown nowhere, deleting it
// removes its row and its files.
func TestMediaDelete(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	name := testenv.Unique("delete") + ".png"
	id := l.uploaded(t, l.sess, name)
	m, err := l.srv.Media.Get(t.Context(), id)
	require.NoError(t, err)
	ev := testenv.Event(t, db.New(testenv.DB(t)), testenv.EventOpts{Published: true})
	cover := fmt.Sprintf("/admin/events/%d/fields/cover", ev.ID)
	version, _, _ := l.editForm(t, l.sess, cover+"/edit")
	res := l.save(t, l.sess, cover, url.Values{"version": {version}, "value": {fmt.Sprint(id)}})
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)

	ask := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, fmt.Sprintf("/admin/media/%d/delete", id), nil))
	require.Equal(t, http.StatusOK, ask.StatusCode)
	doc := htmlOf(t, ask.Body)
	require.Contains(t, doc.Find("#admin-media-delete").Text(), name)
	require.Equal(t, fmt.Sprintf("/admin/events/%d", ev.ID), doc.Find("#admin-media-delete .media-usage a").AttrOr("href", ""))

	res = l.sess.Do(t, l.srv, l.sess.Request(http.MethodPost, fmt.Sprintf("/admin/media/%d/delete", id), nil))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	refusal := htmlOf(t, res.Body).Find("#admin-media-delete .field__error").Text()
	require.Contains(t, refusal, "This picture is still in use (events: 1")
	require.Contains(t, refusal, "event/"+ev.Slug)
	require.Equal(t, 1, rowsWith(t, m.SHA256))

	item := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, fmt.Sprintf("/admin/media/%d", id), nil))
	require.Contains(t, htmlOf(t, item.Body).Find(".media-usage").Text(), ev.Slug, "the page says where it is shown")

	version, _, _ = l.editForm(t, l.sess, cover+"/edit")
	res = l.save(t, l.sess, cover, url.Values{"version": {version}, "value": {""}})
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	res = l.sess.Do(t, l.srv, l.sess.Request(http.MethodPost, fmt.Sprintf("/admin/media/%d/delete", id), nil))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
	require.Equal(t, "/admin/media", res.Header.Get("Location"))
	_, err = l.srv.Media.Get(t.Context(), id)
	require.Error(t, err)
	r, _ := send(t, l.srv, http.MethodGet, m.URL())
	require.Equal(t, http.StatusNotFound, r.StatusCode, "its files are gone")
	res = l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, fmt.Sprintf("/admin/media/%d", id), nil))
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}

// The picker chooses an event's cover from the library, with and without
// JavaScript; a bad choice is refused inside the picker, and the public
// event page then shows the cover with its sizes and alt text.
func TestMediaPickerSetsEventCover(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	name := testenv.Unique("cover") + ".png"
	id := l.uploaded(t, l.sess, name)
	require.NoError(t, l.srv.Media.SetAlt(t.Context(), actor.System(), id, "en", `The crowd <script>alert("x")</script>`))
	ev := testenv.Event(t, db.New(testenv.DB(t)), testenv.EventOpts{Published: true})
	domID := fmt.Sprintf("#field-events-%d-cover", ev.ID)
	fieldURL := fmt.Sprintf("/admin/events/%d/fields/cover", ev.ID)

	page := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, fmt.Sprintf("/admin/events/%d", ev.ID), nil))
	require.Equal(t, http.StatusOK, page.StatusCode)
	doc := htmlOf(t, page.Body)
	require.Contains(t, doc.Find(domID).Text(), "No picture")
	choose := doc.Find(domID+" a.media-field__choose").AttrOr("href", "")
	require.Equal(t, "/admin/media/picker?field="+url.QueryEscape(fieldURL), strings.Replace(choose, "%2f", "%2F", -1))

	target := "/admin/media/picker?field=" + url.QueryEscape(fieldURL) + "&q=" + url.QueryEscape(name)
	version, _, picker := l.editForm(t, l.sess, target)
	require.Equal(t, 1, picker.Find(fmt.Sprintf(`%s input[type=radio][name=value][value="%d"]`, domID, id)).Length())
	require.Equal(t, 1, picker.Find(domID+` input[type=radio][value=""][checked]`).Length(), "no picture yet")
	require.Equal(t, fieldURL, picker.Find(domID+" form[data-inline]").AttrOr("hx-patch", ""))
	_, _, viaEdit := l.editForm(t, l.sess, fieldURL+"/edit")
	require.Equal(t, 1, viaEdit.Find(domID+".media-picker").Length(), "the field's editor is the picker")

	full := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, target, nil))
	require.Equal(t, http.StatusOK, full.StatusCode)
	fullDoc := htmlOf(t, full.Body)
	require.Equal(t, ev.Title, strings.TrimSpace(fullDoc.Find("main h1").Text()), "without JavaScript, a page")
	require.Equal(t, fieldURL, fullDoc.Find(domID+` form[method="post"]`).AttrOr("action", ""))

	for _, bad := range []string{"abc", "-3", "987654321"} {
		res := l.save(t, l.sess, fieldURL, url.Values{"version": {version}, "value": {bad}})
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, bad)
		require.Contains(t, htmlOf(t, res.Body).Find(domID+".media-picker .field__error").Text(), "There is no such image.", bad)
	}

	res := l.save(t, l.sess, fieldURL, url.Values{"version": {version}, "original": {""}, "value": {fmt.Sprint(id)}})
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	saved := htmlOf(t, res.Body)
	m, err := l.srv.Media.Get(t.Context(), id)
	require.NoError(t, err)
	thumb, _ := m.Variant("thumb")
	require.Equal(t, thumb.URL(), saved.Find(domID+" img.media-field__thumb").AttrOr("src", ""))
	require.Equal(t, name, strings.TrimSpace(saved.Find(domID+" .media-field__name").Text()))
	require.Contains(t, saved.Find(fmt.Sprintf(`#history-event-%d`, ev.ID)).Text(), "cover")

	public := get(t, l.srv, "/events/"+ev.Slug)
	require.Equal(t, http.StatusOK, public.StatusCode)
	img := public.Doc.Find("#event-detail .cover img")
	require.Equal(t, 1, img.Length())
	require.Equal(t, `The crowd <script>alert("x")</script>`, img.AttrOr("alt", ""))
	require.NotContains(t, public.Body, `<script>alert("x")`)
	for _, v := range m.Variants {
		if v.Name != "thumb" {
			require.Contains(t, img.AttrOr("srcset", ""), fmt.Sprintf("%s %dw", v.URL(), v.Width))
		}
	}
	require.NotEmpty(t, img.AttrOr("width", ""))
	require.NotEmpty(t, img.AttrOr("height", ""))

	// Without JavaScript the picker posts, and goes back to the event.
	version, _, _ = l.editForm(t, l.sess, target)
	res = l.sess.Do(t, l.srv, l.sess.Request(http.MethodPost, fieldURL, strings.NewReader(url.Values{"version": {version}, "value": {""}}.Encode())))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, fmt.Sprintf("/admin/events/%d", ev.ID), res.Header.Get("Location"))

	t.Run("bad picker requests", func(t *testing.T) {
		for _, f := range []string{"", "/etc/passwd", "/admin/events/x/fields/cover", fmt.Sprintf("/admin/events/%d/fields/title.en", ev.ID), "/admin/nothing/1/fields/cover", "<script>"} {
			res := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, "/admin/media/picker?field="+url.QueryEscape(f), nil))
			require.Equal(t, http.StatusBadRequest, res.StatusCode, f)
			require.NotContains(t, res.Body, "<script>")
		}
		res := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, "/admin/media/picker?field="+url.QueryEscape("/admin/events/987654321/fields/cover"), nil))
		require.Equal(t, http.StatusNotFound, res.StatusCode)
		artist := l.signIn(t, actor.RoleArtist, 0)
		res = artist.Do(t, l.srv, artist.Request(http.MethodGet, target, nil))
		require.Equal(t, http.StatusForbidden, res.StatusCode, "an artist may not edit events")
	})
}

// sendWhole sends a request with its whole body over a connection of its
// own, as a browser does, and reads the answer while still sending: the
// server may answer (and close) before it has read everything.
func sendWhole(t *testing.T, base string, sess testenv.Session, method, path, contentType string, body []byte) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\nX-CSRF-Token: %s\r\nCookie: %s\r\n\r\n",
		method, path, contentType, len(body), sess.CSRF, cookieHeader(sess))
	go func() {
		// Write errors are the server closing early, which is the point.
		_, _ = io.WriteString(conn, head)
		_, _ = conn.Write(body)
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	res.Body.Close()
	return res
}
