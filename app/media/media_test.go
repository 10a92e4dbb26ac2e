package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/app/testenv"
)

// requireInvalid checks err refuses field with message id.
func requireInvalid(t *testing.T, err error, field, id string) *apperr.Invalid {
	t.Helper()
	inv, ok := errors.AsType[*apperr.Invalid](err)
	require.True(t, ok, "want *apperr.Invalid, got %v", err)
	require.Equal(t, id, inv.Fields[field].ID, "field %s", field)
	return inv
}

// requireVariants checks every variant of m is stored, decodes to its
// recorded size, and has the type recorded.
func requireVariants(t *testing.T, b bundle, m media.Media, wantType string, wantWidths ...int) {
	t.Helper()
	var widths []int
	for _, v := range m.Variants {
		img, info := readStored(t, b.dir, v.SHA256)
		require.Equal(t, v.ContentType, info.ContentType, v.Name)
		require.Equal(t, wantType, v.ContentType, v.Name)
		require.Equal(t, v.Size, info.Size, v.Name)
		require.Equal(t, image.Rect(0, 0, v.Width, v.Height), img.Bounds(), v.Name)
		if v.Name == media.VariantThumb {
			require.Equal(t, v.Width, v.Height, "the thumbnail is square")
			require.LessOrEqual(t, v.Width, 320)
			continue
		}
		require.Equal(t, "w"+strconv.Itoa(v.Width), v.Name)
		// The aspect ratio survives, to a pixel.
		require.InDelta(t, float64(m.Height)*float64(v.Width)/float64(m.Width), float64(v.Height), 1, v.Name)
		widths = append(widths, v.Width)
	}
	require.Equal(t, wantWidths, widths)
	_, ok := m.Variant(media.VariantThumb)
	require.True(t, ok, "every upload has a thumbnail")
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Each accepted type uploads with its dimensions, its type sniffed from the
// bytes whatever the name says, the original stored as uploaded, and
// variants at the right widths (JPEG, or PNG where there is transparency).
func TestUploadEachType(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := user(t, actor.RoleEditor)
	cases := []struct {
		name, file    string
		data          []byte
		contentType   string
		width, height int
		variantType   string
		widths        []int
	}{
		{"jpeg", "photo.png", jpegBytes(t, picture(seedOf(t, "jpeg"), 1100, 700)), media.TypeJPEG, 1100, 700, media.TypeJPEG, []int{480, 960, 1100}},
		{"big jpeg", "big.jpg", jpegBytes(t, picture(seedOf(t, "big"), 2600, 400)), media.TypeJPEG, 2600, 400, media.TypeJPEG, []int{480, 960, 1600, 2400}},
		{"png", "drawing", pngBytes(t, picture(seedOf(t, "png"), 960, 320)), media.TypePNG, 960, 320, media.TypeJPEG, []int{480, 960}},
		{"png with alpha", "logo.jpg", pngBytes(t, translucent(seedOf(t, "alpha"), 500, 300)), media.TypePNG, 500, 300, media.TypePNG, []int{480, 500}},
		{"small png", "icon.png", pngBytes(t, picture(seedOf(t, "small"), 40, 30)), media.TypePNG, 40, 30, media.TypeJPEG, []int{40}},
		{"gif", "loop.gif", animated(t, seedOf(t, "gif"), 640, 360), media.TypeGIF, 640, 360, media.TypeJPEG, []int{480, 640}},
		{"webp", "x.webp", testdata(t, "lossy.webp"), media.TypeWebP, 600, 400, media.TypeJPEG, []int{480, 600}},
		{"webp with alpha", "gopher.webp", testdata(t, "alpha.webp"), media.TypeWebP, 75, 100, media.TypePNG, []int{75}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := b.svc.Upload(t.Context(), admin, tc.file, bytes.NewReader(tc.data))
			require.NoError(t, err)
			require.NotZero(t, m.ID)
			require.Equal(t, tc.contentType, m.ContentType)
			require.Equal(t, tc.width, m.Width)
			require.Equal(t, tc.height, m.Height)
			require.Equal(t, int64(len(tc.data)), m.Size)
			require.Equal(t, tc.file, m.OriginalName)
			require.Equal(t, admin.UserID, m.UploadedBy)
			require.Equal(t, "/media/"+m.SHA256+"."+media.Extension(tc.contentType), m.URL())

			// The original is kept byte for byte, under its hash.
			r, info, err := b.dir.Open(t.Context(), m.SHA256)
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			r.Close()
			require.NoError(t, err)
			require.Equal(t, tc.data, got)
			require.Equal(t, tc.contentType, info.ContentType)
			requireVariants(t, b, m, tc.variantType, tc.widths...)

			again, err := b.svc.Get(t.Context(), m.ID)
			require.NoError(t, err)
			require.Equal(t, m, again)
		})
	}
	entries, err := audit.New(b.sqlDB).Recent(t.Context(), 50)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if e.Kind == audit.KindMedia && e.Action == "create" && e.UserID == admin.UserID {
			n++
		}
	}
	require.Equal(t, len(cases), n, "each upload is in the audit log, with who did it")
}

// A camera's JPEG whose EXIF says "turn a quarter clockwise" gets upright
// variants and its displayed width and height.
func TestUploadAppliesEXIFOrientation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Stored as the sensor saw it: left half red, right half blue.
	src := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			i := src.PixOffset(x, y)
			if x < 400 {
				src.Pix[i], src.Pix[i+3] = 230, 255
			} else {
				src.Pix[i+2], src.Pix[i+3] = 230, 255
			}
			src.Pix[i+1] = uint8(seedOf(t, "") % 7) // unique bytes
		}
	}
	data := withOrientation(jpegBytes(t, src), 6)
	m, err := b.svc.Upload(t.Context(), actor.System(), "camera.jpg", bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, 600, m.Width, "shown turned: the sides swap")
	require.Equal(t, 800, m.Height)
	requireVariants(t, b, m, media.TypeJPEG, 480, 600)
	v, ok := m.Variant("w600")
	require.True(t, ok)
	img, _ := readStored(t, b.dir, v.SHA256)
	// Turned clockwise, the left (red) half is now on top.
	top := img.At(300, 100)
	bottom := img.At(300, 700)
	r, _, bl, _ := top.RGBA()
	require.Greater(t, r, bl, "top is red")
	r, _, bl, _ = bottom.RGBA()
	require.Greater(t, bl, r, "bottom is blue")
}

// The same bytes twice, one after the other or at once (a double submit),
// are one row and one set of files.
func TestSameBytesAreOneFile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := user(t, actor.RoleArtist)
	data := jpegBytes(t, picture(seedOf(t, ""), 600, 400))
	var wg sync.WaitGroup
	got := make([]media.Media, 4)
	errs := make([]error, 4)
	for i := range got {
		wg.Go(func() {
			got[i], errs[i] = b.svc.Upload(context.Background(), a, "twice.jpg", bytes.NewReader(data))
		})
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		require.Equal(t, got[0].ID, got[i].ID)
	}
	later, err := b.svc.Upload(t.Context(), a, "other-name.jpg", bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, got[0].ID, later.ID)
	require.Equal(t, "twice.jpg", later.OriginalName, "the first name stays")
	require.Equal(t, 1, mediaRows(t, b.sqlDB, got[0].SHA256))
	// Original, 480, 600 and the thumbnail: four files, once each.
	require.Len(t, dataKeys(t, b.dir), 4)
	var n int
	require.NoError(t, b.sqlDB.QueryRowContext(t.Context(),
		`SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'media' AND entity_id = ?`, got[0].ID).Scan(&n))
	require.Equal(t, 1, n, "one upload, one audit entry")
}

// Bad uploads are refused with a reason on the field "file", before
// anything is stored.
func TestUploadRefusesBadFiles(t *testing.T) {
	t.Parallel()
	b := setup(t, maxBytes(256<<10))
	ed := user(t, actor.RoleEditor)
	good := pngBytes(t, picture(seedOf(t, "trunc-png"), 300, 200))
	jpg := jpegBytes(t, picture(seedOf(t, "trunc-jpg"), 300, 200))
	// Noise does not compress: a PNG well over 256 KiB.
	big := pngBytes(t, noise(seedOf(t, "big"), 400, 400))
	require.Greater(t, len(big), 256<<10)
	cases := []struct {
		name string
		data []byte
		id   string
	}{
		{"empty", nil, "error.media.empty"},
		{"text named .jpg", []byte("hello, I am not a picture\n"), "error.media.not_an_image"},
		{"html named .jpg", []byte("<html><script>alert(1)</script></html>"), "error.media.not_an_image"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "error.media.not_an_image"},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}, "error.media.unreadable"},
		{"truncated png", good[:len(good)/2], "error.media.unreadable"},
		{"truncated jpeg", jpg[:len(jpg)*2/3], "error.media.unreadable"},
		{"png header only", pngHeader(100, 100), "error.media.unreadable"},
		{"50000 x 50000 png", pngHeader(50000, 50000), "error.media.too_many_pixels"},
		{"side over 20000", pngHeader(20001, 10), "error.media.too_many_pixels"},
		{"over the pixel limit", pngHeader(7000, 7000), "error.media.too_many_pixels"},
		{"zero width", pngHeader(0, 10), "error.media.unreadable"},
		{"over the byte limit", big, "error.media.too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Upload(t.Context(), ed, "x.jpg", bytes.NewReader(tc.data))
			requireInvalid(t, err, "file", tc.id)
		})
	}
	require.Empty(t, stored(t, b.dir), "nothing was stored")
	var n int
	require.NoError(t, b.sqlDB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM media WHERE uploaded_by = ?`, ed.UserID).Scan(&n))
	require.Zero(t, n, "no row was written")

	// The limit is the limit: a file of exactly that size is accepted
	// (PNG decoders ignore bytes after the end chunk), one byte more is not.
	exact := pngBytes(t, picture(seedOf(t, "exact"), 64, 64))
	exact = append(exact, bytes.Repeat([]byte{0}, (256<<10)-len(exact))...)
	_, err := b.svc.Upload(t.Context(), ed, "exact.png", bytes.NewReader(exact))
	require.NoError(t, err)
	_, err = b.svc.Upload(t.Context(), ed, "over.png", bytes.NewReader(append(exact, 0)))
	requireInvalid(t, err, "file", "error.media.too_large")
}

func noise(seed uint64, w, h int) *image.RGBA {
	img := picture(seed, w, h)
	x := seed
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if i%4 != 3 {
			img.Pix[i] = uint8(x)
		}
	}
	return img
}

// A PNG that claims 50,000 × 50,000 pixels in a few dozen bytes is refused
// from its header: decoding it would take 10 GB.
func TestHugeClaimAllocatesNothing(t *testing.T) {
	b := setup(t)
	data := pngHeader(50000, 50000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := b.svc.Upload(t.Context(), actor.System(), "bomb.png", bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	requireInvalid(t, err, "file", "error.media.too_many_pixels")
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated")
}

// Visitors and members may not upload; nothing is read or stored.
func TestUploadForbidden(t *testing.T) {
	t.Parallel()
	b := setup(t)
	data := pngBytes(t, picture(seedOf(t, ""), 50, 50))
	for _, a := range []actor.Actor{{}, user(t, actor.RoleMember)} {
		_, err := b.svc.Upload(t.Context(), a, "x.png", bytes.NewReader(data))
		require.ErrorIs(t, err, apperr.ErrForbidden)
	}
	require.Empty(t, stored(t, b.dir))
}

// cancelAfterPuts is the directory, but it cancels the upload's context
// once the files are stored: the transaction that follows fails for real.
type cancelAfterPuts struct {
	*media.Dir
	cancel context.CancelFunc
	puts   int
	after  int
}

func (c *cancelAfterPuts) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	err := c.Dir.Put(ctx, key, r, size, ct)
	if c.puts++; c.puts == c.after {
		c.cancel()
	}
	return err
}

// When writing the rows fails after the files are stored, the files this
// upload added are removed again and no row is left; a file that was
// already stored before stays.
func TestFailedUploadLeavesNoFiles(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	dir := media.NewDir(t.TempDir())
	data := jpegBytes(t, picture(seedOf(t, ""), 1000, 330))
	sum := sha(data)
	// The original's bytes are stored already (say, by an upload whose
	// row a later delete removed while the file was still shared).
	require.NoError(t, dir.Put(t.Context(), sum, bytes.NewReader(data), int64(len(data)), media.TypeJPEG))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Original (already there, no Put), 480, 960, 1000, thumbnail.
	store := &cancelAfterPuts{Dir: dir, cancel: cancel, after: 4}
	svc := media.New(sqlDB, store, media.Config{MaxBytes: 20 << 20, MaxPixels: 40e6, DefaultLanguage: "en", Languages: []string{"en"}},
		&recorder{}, testenv.Logger(t), func() time.Time { return testNow })
	_, err := svc.Upload(ctx, actor.System(), "x.jpg", bytes.NewReader(data))
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 4, store.puts, "the variants were stored before the transaction")
	require.Equal(t, []string{sum}, dataKeys(t, dir), "only the file that was there before is left")
	require.Zero(t, mediaRows(t, sqlDB, sum))

	// With the database gone, nothing is stored at all.
	closed, err := sql.Open("mysql", testenv.DSN(t))
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	other := media.NewDir(t.TempDir())
	svc = media.New(closed, other, media.Config{MaxBytes: 20 << 20, MaxPixels: 40e6, DefaultLanguage: "en", Languages: []string{"en"}},
		&recorder{}, testenv.Logger(t), func() time.Time { return testNow })
	_, err = svc.Upload(t.Context(), actor.System(), "y.png", bytes.NewReader(pngBytes(t, picture(seedOf(t, "closed"), 64, 64))))
	require.Error(t, err)
	require.Empty(t, stored(t, other))
}

// Delete refuses while the file is shown somewhere, saying where; once it
// is not, the row, its variants, its alt texts and its files go, except
// files another upload still uses.
func TestDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ed := user(t, actor.RoleEditor)
	pixels := picture(seedOf(t, ""), 500, 330)
	m, err := b.svc.Upload(t.Context(), ed, "a.png", bytes.NewReader(pngBytes(t, pixels)))
	require.NoError(t, err)
	// The same pixels, compressed differently: another file with the same
	// variants.
	var buf bytes.Buffer
	require.NoError(t, (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, pixels))
	twin, err := b.svc.Upload(t.Context(), ed, "b.png", &buf)
	require.NoError(t, err)
	require.NotEqual(t, m.SHA256, twin.SHA256)
	require.Equal(t, m.Variants[0].SHA256, twin.Variants[0].SHA256, "same pixels, same variants")
	require.NoError(t, b.svc.SetAlt(t.Context(), ed, m.ID, "en", "A stage"))

	slug := "del-" + strconv.FormatInt(m.ID, 10)
	_, err = b.sqlDB.ExecContext(t.Context(), `INSERT INTO artists (slug, name, photo_media_id) VALUES (?, ?, ?)`, slug, "Del", m.ID)
	require.NoError(t, err)
	err = b.svc.Delete(t.Context(), ed, m.ID)
	inv := requireInvalid(t, err, "file", "error.media.in_use")
	args := inv.Fields["file"].Args
	require.Equal(t, 1, args["Artists"])
	require.Equal(t, 0, args["Events"])
	require.Equal(t, "artist/"+slug, args["Where"])
	uses, err := b.svc.Usage(t.Context(), m.ID)
	require.NoError(t, err)
	require.Equal(t, []media.Use{{Kind: audit.KindArtist, ID: uses[0].ID, Slug: slug}}, uses)
	_, err = b.svc.Get(t.Context(), m.ID)
	require.NoError(t, err, "still there")

	_, err = b.sqlDB.ExecContext(t.Context(), `UPDATE artists SET photo_media_id = NULL WHERE slug = ?`, slug)
	require.NoError(t, err)
	require.ErrorIs(t, b.svc.Delete(t.Context(), user(t, actor.RoleMember), m.ID), apperr.ErrForbidden)
	require.ErrorIs(t, b.svc.Delete(t.Context(), user(t, actor.RoleArtist), m.ID), apperr.ErrForbidden, "not their upload")
	require.NoError(t, b.svc.Delete(t.Context(), ed, m.ID))
	_, err = b.svc.Get(t.Context(), m.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.ErrorIs(t, b.svc.Delete(t.Context(), ed, m.ID), apperr.ErrNotFound)
	var alts int
	require.NoError(t, b.sqlDB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM media_translations WHERE media_id = ?`, m.ID).Scan(&alts))
	require.Zero(t, alts)

	_, err = b.dir.Stat(t.Context(), m.SHA256)
	require.ErrorIs(t, err, media.ErrNotFound, "the original is gone")
	for _, v := range twin.Variants {
		_, err := b.dir.Stat(t.Context(), v.SHA256)
		require.NoError(t, err, "%s is still used by the twin", v.Name)
	}
	require.NoError(t, b.svc.Delete(t.Context(), ed, twin.ID))
	require.Empty(t, stored(t, b.dir), "the last user of the files is gone, and so are they")
}

// An artist may change and delete what they uploaded, and nothing else.
func TestArtistChangesOwnUploadsOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a1, a2 := user(t, actor.RoleArtist), user(t, actor.RoleArtist)
	m, err := b.svc.Upload(t.Context(), a1, "me.png", bytes.NewReader(pngBytes(t, picture(seedOf(t, ""), 80, 80))))
	require.NoError(t, err)
	require.ErrorIs(t, b.svc.SetAlt(t.Context(), a2, m.ID, "en", "not mine"), apperr.ErrForbidden)
	require.NoError(t, b.svc.SetAlt(t.Context(), a1, m.ID, "en", "me"))
	require.ErrorIs(t, b.svc.Delete(t.Context(), a2, m.ID), apperr.ErrForbidden)
	require.NoError(t, b.svc.Delete(t.Context(), a1, m.ID))
}

// The name a browser sent is kept to be shown: its last path element,
// valid UTF-8, without control characters, at most 255 characters.
func TestUploadKeepsACleanName(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := map[string]string{
		`C:\fakepath\stage.png`:            "stage.png",
		"/home/me/bad\x00na\u0007me.png":   "badname.png",
		"  <b>bold</b> & \"quoted\".png  ": "b> & \"quoted\".png",
		"caf\xe9.png":                      "caf\uFFFD.png",
		strings.Repeat("ü", 300) + ".png":  strings.Repeat("ü", 255),
	}
	i := 0
	for name, want := range cases {
		i++
		m, err := b.svc.Upload(t.Context(), actor.System(), name, bytes.NewReader(pngBytes(t, picture(seedOf(t, strconv.Itoa(i)), 8, 8))))
		require.NoError(t, err)
		require.Equal(t, want, m.OriginalName, "%q", name)
	}
}
