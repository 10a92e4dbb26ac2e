package media_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/media"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var testNow = time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC)

type bundle struct {
	svc   *media.Service
	dir   *media.Dir
	sqlDB *sql.DB
	pub   *recorder
}

type option func(*media.Config)

func maxBytes(n int64) option { return func(c *media.Config) { c.MaxBytes = n } }

// setup is the service over the package's database and a storage
// directory of the test's own.
func setup(t *testing.T, opts ...option) bundle {
	t.Helper()
	cfg := media.Config{MaxBytes: 20 << 20, MaxPixels: 40_000_000, DefaultLanguage: "en", Languages: []string{"en", "de"}}
	for _, o := range opts {
		o(&cfg)
	}
	b := bundle{dir: media.NewDir(t.TempDir()), sqlDB: testenv.DB(t), pub: &recorder{}}
	b.svc = media.New(b.sqlDB, b.dir, cfg, b.pub, testenv.Logger(t), func() time.Time { return testNow })
	return b
}

// recorder is a live.Publisher that keeps what it was told.
type recorder struct{ topics []string }

func (r *recorder) Changed(_ context.Context, topic string, _ int64) error {
	r.topics = append(r.topics, topic)
	return nil
}

var _ live.Publisher = (*recorder)(nil)

// user makes a user with role and returns the actor for it.
func user(t *testing.T, role actor.Role) actor.Actor {
	t.Helper()
	res, err := testenv.DB(t).ExecContext(t.Context(),
		`INSERT INTO users (email, role) VALUES (?, ?)`, fmt.Sprintf("%s-%d@example.org", role, rand.Int64()), string(role))
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	return actor.Actor{UserID: id, Role: role, RequestID: "test"}
}

// seedOf gives each test its own pixels: the library is content-addressed
// and the database is shared, so two tests must never upload the same bytes.
func seedOf(t *testing.T, extra string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(t.Name() + "|" + extra))
	return h.Sum64()
}

// picture is a w×h image with a gradient and noise unique to seed.
func picture(seed uint64, w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	noise := rng.Uint64()
	for y := range h {
		for x := range w {
			noise = noise*6364136223846793005 + 1442695040888963407
			n := uint8(noise>>59) & 0x17
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/max(w-1, 1))^n, uint8(y*255/max(h-1, 1))^n, uint8(seed)^n, 255
		}
	}
	return img
}

func jpegBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// translucent is a picture whose pixels are half transparent.
func translucent(seed uint64, w, h int) *image.NRGBA {
	src := picture(seed, w, h)
	img := image.NewNRGBA(src.Rect)
	for i := 0; i < len(src.Pix); i += 4 {
		copy(img.Pix[i:i+3], src.Pix[i:i+3])
		img.Pix[i+3] = 128
	}
	return img
}

// animated is a two-frame GIF.
func animated(t *testing.T, seed uint64, w, h int) []byte {
	t.Helper()
	var frames []*image.Paletted
	for f := range 2 {
		p := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		src := picture(seed+uint64(f), w, h)
		for y := range h {
			for x := range w {
				p.Set(x, y, src.At(x, y))
			}
		}
		frames = append(frames, p)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, &gif.GIF{Image: frames, Delay: []int{10, 10}}))
	return buf.Bytes()
}

// withOrientation puts an EXIF segment saying orientation o right after
// the JPEG's start marker, as a camera would.
func withOrientation(jpg []byte, o uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM")
	binary.Write(&tiff, binary.BigEndian, uint16(42))
	binary.Write(&tiff, binary.BigEndian, uint32(8)) // IFD0 offset
	binary.Write(&tiff, binary.BigEndian, uint16(1)) // one entry
	binary.Write(&tiff, binary.BigEndian, uint16(0x0112))
	binary.Write(&tiff, binary.BigEndian, uint16(3)) // SHORT
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, o)
	binary.Write(&tiff, binary.BigEndian, uint16(0))
	binary.Write(&tiff, binary.BigEndian, uint32(0)) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

// pngHeader is a PNG signature and an IHDR chunk (with a valid CRC) that
// claims w×h pixels, and no pixels at all.
func pngHeader(w, h uint32) []byte {
	var ihdr bytes.Buffer
	ihdr.WriteString("IHDR")
	binary.Write(&ihdr, binary.BigEndian, w)
	binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{8, 6, 0, 0, 0}) // 8-bit RGBA, no interlace
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&out, binary.BigEndian, uint32(ihdr.Len()-4))
	out.Write(ihdr.Bytes())
	binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(ihdr.Bytes()))
	return out.Bytes()
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// stored lists the keys stored under dir.
func stored(t *testing.T, dir *media.Dir) []string {
	t.Helper()
	var keys []string
	err := filepath.WalkDir(dir.Root(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			keys = append(keys, filepath.Base(p))
		}
		return nil
	})
	require.NoError(t, err)
	sort.Strings(keys)
	return keys
}

// dataKeys are the stored keys without the type files beside them.
func dataKeys(t *testing.T, dir *media.Dir) []string {
	var out []string
	for _, k := range stored(t, dir) {
		if !strings.HasSuffix(k, ".type") {
			out = append(out, k)
		}
	}
	return out
}

// mediaRows counts the rows naming sha, as an original or a variant.
func mediaRows(t *testing.T, sqlDB *sql.DB, sha string) int {
	t.Helper()
	var n int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(),
		`SELECT (SELECT COUNT(*) FROM media WHERE sha256 = ?) + (SELECT COUNT(*) FROM media_variants WHERE sha256 = ?)`, sha, sha).Scan(&n))
	return n
}

// readStored decodes the file stored under key.
func readStored(t *testing.T, s media.Storage, key string) (image.Image, media.Info) {
	t.Helper()
	r, info, err := s.Open(t.Context(), key)
	require.NoError(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	img, _, err := image.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	return img, info
}
