package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strconv"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/dreamerscave/tdc/app/apperr"
)

// The types an upload may be, by what its bytes say, never by its name.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
)

// Variant names: the thumbnail, and "w<width>" for each responsive width.
const (
	VariantThumb = "thumb"
	variantWidth = "w"
)

const (
	// maxSide bounds either side, whatever the pixel limit: no page needs a
	// picture 20,000 pixels across, and decoders slow down at extremes.
	maxSide = 20000
	// thumbSize is the side of the square thumbnail, cropped from the middle.
	thumbSize = 320
	// jpegQuality is good for photos at a fraction of the original's bytes.
	jpegQuality = 82
)

// widths are the responsive widths made of every upload narrower than the
// original; the original's own width (up to the largest) is added, so the
// set covers it.
var widths = []int{480, 960, 1600, 2400}

// Extension is the file extension URLs give a content type ("jpg"), or "".
func Extension(contentType string) string {
	switch contentType {
	case TypeJPEG:
		return "jpg"
	case TypePNG:
		return "png"
	case TypeGIF:
		return "gif"
	case TypeWebP:
		return "webp"
	}
	return ""
}

// ContentTypeOf is the content type of a URL's extension, or "".
func ContentTypeOf(ext string) string {
	switch ext {
	case "jpg":
		return TypeJPEG
	case "png":
		return TypePNG
	case "gif":
		return TypeGIF
	case "webp":
		return TypeWebP
	}
	return ""
}

// ParseFileName splits a file name from a URL, "<sha256>.<ext>", into the
// storage key and the content type its extension names. ok is false for
// anything else: upper-case hex, another extension, more dots.
func ParseFileName(name string) (key, contentType string, ok bool) {
	if len(name) < 66 || name[64] != '.' {
		return "", "", false
	}
	key, ext := name[:64], name[65:]
	if !ValidKey(key) {
		return "", "", false
	}
	if contentType = ContentTypeOf(ext); contentType == "" {
		return "", "", false
	}
	return key, contentType, true
}

// URL is the address a stored file is served at.
func URL(sha, contentType string) string {
	return "/media/" + sha + "." + Extension(contentType)
}

// sniff names the type of data by its first bytes.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return TypeGIF
	case len(data) >= 12 && bytes.Equal(data[0:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return TypeWebP
	}
	return ""
}

// file is one stored file: an original or a variant.
type file struct {
	name        string // variant name; "" for the original
	data        []byte
	sha         string
	contentType string
	width       int
	height      int
}

func newFile(name string, data []byte, contentType string, w, h int) file {
	sum := sha256.Sum256(data)
	return file{name: name, data: data, sha: hex.EncodeToString(sum[:]), contentType: contentType, width: w, height: h}
}

// processed is an upload read and resized: the original as uploaded (with
// its width and height as displayed) and its variants.
type processed struct {
	original file
	variants []file
}

// limits are what an upload may be.
type limits struct {
	maxBytes  int64
	maxPixels int64
}

// process checks data and makes its variants. Every refusal is an
// *apperr.Invalid on the field "file". The dimensions are checked from the
// header before a single pixel is decoded, so a small file that claims to
// be huge costs nothing.
func process(data []byte, lim limits) (processed, error) {
	inv := apperr.NewInvalid()
	ct := sniff(data)
	if ct == "" {
		inv.Add("file", "error.media.not_an_image", nil)
		return processed{}, inv
	}
	cfg, err := decodeConfig(ct, data)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		inv.Add("file", "error.media.unreadable", nil)
		return processed{}, inv
	}
	if cfg.Width > maxSide || cfg.Height > maxSide || int64(cfg.Width)*int64(cfg.Height) > lim.maxPixels {
		inv.Add("file", "error.media.too_many_pixels", map[string]any{
			"Width": cfg.Width, "Height": cfg.Height,
			"MaxMegapixels": strconv.FormatFloat(float64(lim.maxPixels)/1e6, 'f', -1, 64), "MaxSide": maxSide,
		})
		return processed{}, inv
	}
	img, err := decode(ct, data, cfg)
	if err != nil {
		inv.Add("file", "error.media.unreadable", nil)
		return processed{}, inv
	}
	orient := 1
	if ct == TypeJPEG {
		orient = exifOrientation(data)
	}
	w, h := cfg.Width, cfg.Height
	if orient >= 5 {
		w, h = h, w // the picture is shown turned a quarter
	}
	p := processed{original: newFile("", data, ct, w, h)}
	p.variants, err = variants(img, orient, w, h)
	if err != nil {
		return processed{}, err
	}
	return p, nil
}

func decodeConfig(ct string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch ct {
	case TypeJPEG:
		return jpeg.DecodeConfig(r)
	case TypePNG:
		return png.DecodeConfig(r)
	case TypeGIF:
		return gif.DecodeConfig(r)
	case TypeWebP:
		return webp.DecodeConfig(r)
	}
	return image.Config{}, errors.New("media: unknown type")
}

// decode reads every pixel; a truncated or corrupt file fails here. A GIF
// gives its first frame, laid on its full canvas (a frame may cover only
// part of it).
func decode(ct string, data []byte, cfg image.Config) (image.Image, error) {
	r := bytes.NewReader(data)
	switch ct {
	case TypeJPEG:
		return jpeg.Decode(r)
	case TypePNG:
		return png.Decode(r)
	case TypeWebP:
		return webp.Decode(r)
	case TypeGIF:
		frame, err := gif.Decode(r)
		if err != nil {
			return nil, err
		}
		full := image.Rect(0, 0, cfg.Width, cfg.Height)
		if frame.Bounds() == full {
			return frame, nil
		}
		canvas := image.NewNRGBA(full)
		draw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, draw.Src)
		return canvas, nil
	}
	return nil, errors.New("media: unknown type")
}

// variants makes the responsive widths and the thumbnail of img, which is
// shown as w×h once turned by its EXIF orientation. The largest width is
// scaled from the original, and each smaller one from the one above it:
// far quicker for a large photo, and no step shrinks by more than 2.5×.
func variants(img image.Image, orient, w, h int) ([]file, error) {
	alpha := !opaque(img)
	var targets []int
	for _, tw := range widths {
		if tw < w {
			targets = append(targets, tw)
		}
	}
	if top := min(w, widths[len(widths)-1]); len(targets) == 0 || targets[len(targets)-1] != top {
		targets = append(targets, top)
	}
	scaled := make([]*image.RGBA, len(targets))
	for i := len(targets) - 1; i >= 0; i-- {
		tw := targets[i]
		th := max(1, (h*tw+w/2)/w)
		if i == len(targets)-1 {
			// The original is scaled in its stored orientation, then turned:
			// turning the smaller picture is the cheaper way round.
			sw, sh := tw, th
			if orient >= 5 {
				sw, sh = th, tw
			}
			scaled[i] = orientate(scale(img, sw, sh), orient)
		} else {
			scaled[i] = scale(scaled[i+1], tw, th)
		}
	}
	out := make([]file, 0, len(targets)+1)
	for i, tw := range targets {
		f, err := encode(variantWidth+strconv.Itoa(tw), scaled[i], alpha)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	// The thumbnail is the middle square of the smallest width that is
	// tall enough, or of the largest.
	src := scaled[len(scaled)-1]
	for _, s := range scaled {
		if b := s.Bounds(); min(b.Dx(), b.Dy()) >= thumbSize {
			src = s
			break
		}
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rectangle{Min: image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2)}
	crop.Max = crop.Min.Add(image.Pt(side, side))
	ts := min(thumbSize, side)
	thumb := image.NewRGBA(image.Rect(0, 0, ts, ts))
	xdraw.CatmullRom.Scale(thumb, thumb.Bounds(), src, crop, xdraw.Src, nil)
	f, err := encode(VariantThumb, thumb, alpha)
	if err != nil {
		return nil, err
	}
	return append(out, f), nil
}

func scale(src image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	return dst
}

// opaque reports whether img has no transparent pixel; images whose type
// cannot say are treated as having some, which only costs a PNG.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// encode writes a variant: JPEG, or PNG when transparency must survive.
func encode(name string, img *image.RGBA, alpha bool) (file, error) {
	var buf bytes.Buffer
	ct := TypeJPEG
	var err error
	if alpha {
		ct = TypePNG
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return file{}, fmt.Errorf("media: encode %s: %w", name, err)
	}
	b := img.Bounds()
	return newFile(name, buf.Bytes(), ct, b.Dx(), b.Dy()), nil
}
