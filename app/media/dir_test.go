package media_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/media"
)

// The directory stores each file once under its sharded key, whole or not
// at all, and answers ErrNotFound for what it does not hold.
func TestDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d := media.NewDir(filepath.Join(root, "media")) // made on the first Put
	ctx := t.Context()
	data := []byte("some bytes standing in for a picture")
	key := sha(data)

	_, err := d.Stat(ctx, key)
	require.ErrorIs(t, err, media.ErrNotFound)
	_, _, err = d.Open(ctx, key)
	require.ErrorIs(t, err, media.ErrNotFound)
	require.NoError(t, d.Delete(ctx, key), "deleting what is not there is no error")

	require.NoError(t, d.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/png"))
	onDisk, err := os.ReadFile(filepath.Join(root, "media", key[:2], key[2:4], key))
	require.NoError(t, err)
	require.Equal(t, data, onDisk, "stored sharded, as the bytes themselves")
	info, err := d.Stat(ctx, key)
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), info.Size)
	require.Equal(t, "image/png", info.ContentType)
	r, info2, err := d.Open(ctx, key)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	require.NoError(t, err)
	require.Equal(t, data, got)
	require.Equal(t, info, info2)

	// A key that exists is not written again.
	before := info.ModTime
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, d.Put(ctx, key, strings.NewReader("other bytes"), 11, "image/gif"))
	info, err = d.Stat(ctx, key)
	require.NoError(t, err)
	require.Equal(t, before, info.ModTime)
	require.Equal(t, "image/png", info.ContentType)

	require.NoError(t, d.Delete(ctx, key))
	_, err = d.Stat(ctx, key)
	require.ErrorIs(t, err, media.ErrNotFound)
	require.Empty(t, files(t, root))
}

// A reader that fails, ends early or runs long leaves no file, and no
// temporary file either.
func TestDirPutNothingHalfWritten(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d := media.NewDir(root)
	ctx := t.Context()
	data := bytes.Repeat([]byte("x"), 100_000)
	key := sha(data)
	for name, r := range map[string]io.Reader{
		"failing": io.MultiReader(bytes.NewReader(data[:50_000]), iotest.ErrReader(errors.New("connection reset"))),
		"short":   bytes.NewReader(data[:99_999]),
		"long":    bytes.NewReader(append(data, 'y')),
	} {
		require.Error(t, d.Put(ctx, key, r, int64(len(data)), "image/png"), name)
		_, err := d.Stat(ctx, key)
		require.ErrorIs(t, err, media.ErrNotFound, name)
		require.Empty(t, files(t, root), name)
	}
}

// Keys are sha256 hex and nothing else: no path reaches outside the root.
func TestDirRefusesBadKeys(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d := media.NewDir(filepath.Join(root, "media"))
	ctx := t.Context()
	for _, key := range []string{
		"", "../../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 65),
		strings.Repeat("g", 64), "../" + strings.Repeat("a", 61), strings.Repeat("a", 62) + "/.",
	} {
		require.Error(t, d.Put(ctx, key, strings.NewReader("x"), 1, "image/png"), key)
		_, err := d.Stat(ctx, key)
		require.ErrorIs(t, err, media.ErrNotFound, key)
		_, _, err = d.Open(ctx, key)
		require.ErrorIs(t, err, media.ErrNotFound, key)
		require.Error(t, d.Delete(ctx, key), key)
	}
	require.Empty(t, files(t, root))
}

func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			out = append(out, p)
		}
		return err
	}))
	return out
}
