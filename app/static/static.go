// Package static serves the site's static files under fingerprinted names.
//
// Each file's URL carries a hash of its content ("css/site.css" is served as
// "/assets/css/site.3f2a9b1c0d.css"), so a response can be cached for a year: a new
// deployment that changes a file changes its URL too. Files are read, hashed and
// compressed once at startup and served from memory; the set is small and fixed at
// build time (it comes from an embed.FS), so this costs little and makes every request
// a map lookup.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// cacheForever is safe only because a changed file gets a new URL.
const cacheForever = "public, max-age=31536000, immutable"

// hashLen hex digits of sha256 name a version: 40 bits, plenty for a few files.
const hashLen = 10

// knownType pins the types we serve so they do not depend on the host's
// /etc/mime.types; other extensions fall back to the mime package.
func knownType(ext string) (string, bool) {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8", true
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8", true
	case ".json", ".map":
		return "application/json", true
	case ".svg":
		return "image/svg+xml", true
	case ".txt":
		return "text/plain; charset=utf-8", true
	case ".png":
		return "image/png", true
	case ".jpg", ".jpeg":
		return "image/jpeg", true
	case ".webp":
		return "image/webp", true
	case ".avif":
		return "image/avif", true
	case ".gif":
		return "image/gif", true
	case ".ico":
		return "image/x-icon", true
	case ".woff2":
		return "font/woff2", true
	case ".woff":
		return "font/woff", true
	}
	return "", false
}

// compressible reports text formats worth precompressing; images and fonts
// are compressed already.
func compressible(ext string) bool {
	switch ext {
	case ".css", ".js", ".mjs", ".svg", ".json", ".map", ".txt":
		return true
	}
	return false
}

// Assets is the set of files found by New. It is read-only after New returns, so
// one value serves all requests concurrently.
type Assets struct {
	prefix   string
	byName   map[string]*asset // "css/site.css"
	byHashed map[string]*asset // "css/site.3f2a9b1c0d.css"
}

type asset struct {
	url         string // prefix + hashed name
	contentType string
	integrity   string
	// identity is always set; gzip and br only when they are smaller than identity.
	identity, gzip, br representation
}

// representation is one encoding of a file. Each has its own ETag, as RFC 9110
// asks of different representations of the same resource.
type representation struct {
	body []byte
	etag string
}

// New reads every file in fsys (skipping names that start with a dot), fingerprints
// it and precompresses text formats with gzip and brotli at their best levels.
// prefix is the URL path the handler is mounted under, e.g. "/assets"; a trailing
// slash is ignored. Compressing at maximum level takes a moment at startup, paid once.
func New(fsys fs.FS, prefix string) (*Assets, error) {
	a := &Assets{
		prefix:   strings.TrimRight(prefix, "/"),
		byName:   make(map[string]*asset),
		byHashed: make(map[string]*asset),
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Dotfiles (.gitkeep, editor droppings) are never public assets.
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		return a.add(name, data)
	})
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	return a, nil
}

func (a *Assets) add(name string, data []byte) error {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])[:hashLen]
	ext := path.Ext(name)
	// Two files cannot share a hashed name: the hash sits just before the extension
	// and has a fixed length, so equal hashed names mean equal names and contents.
	hashed := strings.TrimSuffix(name, ext) + "." + hash + ext

	sri := sha512.Sum384(data)
	f := &asset{
		url:         a.prefix + "/" + hashed,
		contentType: contentType(ext, data),
		integrity:   "sha384-" + base64.StdEncoding.EncodeToString(sri[:]),
		identity:    representation{body: data, etag: `"` + hash + `"`},
	}
	if compressible(ext) {
		gz, err := gzipBest(data)
		if err != nil {
			return fmt.Errorf("%s: gzip: %w", name, err)
		}
		if len(gz) < len(data) {
			f.gzip = representation{body: gz, etag: `"` + hash + `-gzip"`}
		}
		// fasthttp (under Fiber) already carries a brotli encoder; no extra dependency.
		br := fasthttp.AppendBrotliBytesLevel(nil, data, fasthttp.CompressBrotliBestCompression)
		if len(br) < len(data) {
			f.br = representation{body: br, etag: `"` + hash + `-br"`}
		}
	}
	a.byName[name] = f
	a.byHashed[hashed] = f
	return nil
}

func gzipBest(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func contentType(ext string, data []byte) string {
	if ct, ok := knownType(strings.ToLower(ext)); ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return http.DetectContentType(data) // e.g. LICENSE: text/plain
}

// Path returns the URL path of the file called name in the fs.FS given to New, e.g.
// "css/site.css" -> "/assets/css/site.3f2a9b1c0d.css". For an unknown name it
// returns "": templates call Path at render time, where a panic would take a page
// down, and the test that renders every template catches an empty src or href.
func (a *Assets) Path(name string) string {
	if f, ok := a.byName[name]; ok {
		return f.url
	}
	return ""
}

// Integrity returns the Subresource Integrity value ("sha384-…") of the file called
// name, for <script integrity=…>, or "" for an unknown name.
func (a *Assets) Integrity(name string) string {
	if f, ok := a.byName[name]; ok {
		return f.integrity
	}
	return ""
}

// Handler serves the files under their fingerprinted names. Mount it on a wildcard
// route below the prefix given to New: app.Get("/assets/*", a.Handler()); Fiber
// registers HEAD along with GET. It answers 404 for any other name, including
// the plain name and a stale hash: redirecting a stale URL to the current file
// would let a cache keep new content under the old URL for a year.
func (a *Assets) Handler() fiber.Handler {
	return func(c fiber.Ctx) error {
		if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
			return fiber.ErrMethodNotAllowed
		}
		// An exact map lookup: no path is ever joined or opened, so "..", encoded or
		// not, cannot reach outside the embedded files.
		f, ok := a.byHashed[c.Params("*")]
		if !ok {
			return fiber.ErrNotFound
		}
		if f.gzip.body != nil || f.br.body != nil {
			c.Vary(fiber.HeaderAcceptEncoding)
		}
		c.Set(fiber.HeaderCacheControl, cacheForever)

		if etag, ok := f.matches(c.Get(fiber.HeaderIfNoneMatch)); ok {
			c.Set(fiber.HeaderETag, etag)
			return c.SendStatus(fiber.StatusNotModified)
		}

		rep, coding := f.pick(c.Get(fiber.HeaderAcceptEncoding))
		c.Set(fiber.HeaderETag, rep.etag)
		c.Set(fiber.HeaderContentType, f.contentType)
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		if coding != "" {
			c.Set(fiber.HeaderContentEncoding, coding)
		}
		return c.Send(rep.body)
	}
}

// matches reports whether If-None-Match names any representation of f, and which.
// Any of them will do: the content behind a hashed URL never changes, and a cache
// that sent the ETag of its gzip copy may keep using that copy (RFC 9110 §13.1.2,
// weak comparison).
func (f *asset) matches(ifNoneMatch string) (string, bool) {
	if ifNoneMatch == "" {
		return "", false
	}
	for tag := range strings.SplitSeq(ifNoneMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" {
			return f.identity.etag, true
		}
		for _, rep := range []representation{f.identity, f.gzip, f.br} {
			if rep.body != nil && tag == rep.etag {
				return tag, true
			}
		}
	}
	return "", false
}

// pick chooses the representation for an Accept-Encoding header: the coding with
// the highest q-value among those we have, preferring br, then gzip, then identity
// on a tie (smallest first). A missing header gets identity.
func (f *asset) pick(acceptEncoding string) (representation, string) {
	q := parseAcceptEncoding(acceptEncoding)
	best, coding, bestQ := f.identity, "", q.of("identity")
	if f.gzip.body != nil && q.of("gzip") > 0 && q.of("gzip") >= bestQ {
		best, coding, bestQ = f.gzip, "gzip", q.of("gzip")
	}
	if f.br.body != nil && q.of("br") > 0 && q.of("br") >= bestQ {
		best, coding = f.br, "br"
	}
	// If the client refused identity too, RFC 9110 §12.5.3 lets us send it anyway,
	// which beats a 406 for a stylesheet.
	return best, coding
}

// qValues maps lower-case codings to their q-value, "*" included.
type qValues map[string]float64

// parseAcceptEncoding reads "br;q=1.0, gzip;q=0.8, *;q=0". An entry with a
// malformed q-value is ignored rather than trusted.
func parseAcceptEncoding(header string) qValues {
	q := qValues{}
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if name == "x-gzip" { // legacy alias, RFC 9110 §8.4.1.3
			name = "gzip"
		}
		value := 1.0
		if params = strings.TrimSpace(params); params != "" {
			k, v, _ := strings.Cut(params, "=")
			if strings.ToLower(strings.TrimSpace(k)) != "q" {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			value = f
		}
		q[name] = value
	}
	return q
}

// of returns the q-value of coding: as named, else as "*", else 0, except that
// identity stays acceptable unless refused, just below anything named, so that
// "gzip;q=0.5" still gets gzip.
func (q qValues) of(coding string) float64 {
	if v, ok := q[coding]; ok {
		return v
	}
	if v, ok := q["*"]; ok {
		return v
	}
	if coding == "identity" {
		return 0.0001
	}
	return 0
}
