package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Dir is a Storage on a directory (a shared volume when several instances
// run). A key ab12…ef is stored as ab/12/ab12…ef, so no directory grows
// huge, beside ab12…ef.type holding its content type.
type Dir struct {
	root string
}

// NewDir returns the storage under root. Directories are made as files
// arrive, so an instance that never stores a file never touches the disk.
func NewDir(root string) *Dir { return &Dir{root: root} }

// Root is the directory the files live under.
func (d *Dir) Root() string { return d.root }

func (d *Dir) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", errBadKey
	}
	return filepath.Join(d.root, key[0:2], key[2:4], key), nil
}

// typeSuffix names the file beside each object that holds its content type.
const typeSuffix = ".type"

// Put stores r under key. Both the content type and the bytes are written
// to a temporary file in the same directory, synced, and renamed into
// place, so a reader sees a whole file or none, even after a crash; the
// type goes first, so a stored file always has one. Put checks that r
// holds exactly size bytes, so a short read never becomes a stored file.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if _, err := os.Stat(p); err == nil {
		return nil // content-addressed: the same key holds the same bytes
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if strings.ContainsAny(contentType, "\r\n") || len(contentType) > 100 {
		return fmt.Errorf("media: put %s: bad content type %q", key, contentType)
	}
	if err := writeAtomic(dir, p+typeSuffix, strings.NewReader(contentType), int64(len(contentType))); err != nil {
		return fmt.Errorf("media: put %s type: %w", key, err)
	}
	if err := writeAtomic(dir, p, r, size); err != nil {
		if _, serr := os.Stat(p); serr != nil {
			os.Remove(p + typeSuffix) // no type file without its bytes
		}
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	// The renames are durable once the directory itself is synced.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	return nil
}

// writeAtomic writes exactly size bytes of r to a temporary file in dir and
// renames it to name; on any failure the temporary file is removed.
func writeAtomic(dir, name string, r io.Reader, size int64) (err error) {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// One byte more than size tells a long reader from an exact one.
	n, err := io.Copy(tmp, io.LimitReader(r, size+1))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("got %d bytes, want %d", n, size)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open opens the file stored under key.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, Info{}, fmt.Errorf("media: open %q: %w", key, ErrNotFound)
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	return f, Info{Size: st.Size(), ContentType: readType(p), ModTime: st.ModTime()}, nil
}

// Stat describes the file stored under key.
func (d *Dir) Stat(ctx context.Context, key string) (Info, error) {
	p, err := d.path(key)
	if err != nil {
		return Info{}, fmt.Errorf("media: stat %q: %w", key, ErrNotFound)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("media: stat %s: %w", key, err)
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("media: stat %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Info{}, fmt.Errorf("media: stat %s: %w", key, err)
	}
	return Info{Size: st.Size(), ContentType: readType(p), ModTime: st.ModTime()}, nil
}

// readType reads the content type stored beside p. Put writes it first, so
// it is missing only for a file put there by hand; such a file is served
// as opaque bytes rather than guessed at.
func readType(p string) string {
	b, err := os.ReadFile(p + typeSuffix)
	if err != nil || len(b) == 0 {
		return "application/octet-stream"
	}
	return string(b)
}

// Delete removes the file stored under key, the bytes before their type,
// so a file is never left without one.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	for _, name := range []string{p, p + typeSuffix} {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("media: delete %s: %w", key, err)
		}
	}
	return nil
}
