package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dreamerscave/tdc/app/apperr"
)

// ErrNotFound is what a Storage returns for a key it does not hold. It
// wraps apperr.ErrNotFound, so the web layer answers 404.
var ErrNotFound = fmt.Errorf("media: stored file %w", apperr.ErrNotFound)

// errBadKey refuses a key that is not a sha256 in lower-case hex: keys
// become file names (and object names), so nothing else may reach them.
var errBadKey = errors.New("media: storage key is not a lower-case sha256")

// Info describes a stored file.
type Info struct {
	Size        int64
	ContentType string
	ModTime     time.Time
}

// Storage keeps files under their keys, the lower-case hex sha256 of their
// bytes. It is shaped like an S3 bucket, so one can take the directory's
// place: whole objects written once, read by key, no listing, no renames.
//
// Put stores exactly size bytes from r under key; a key already stored is
// not rewritten (its bytes are the same by construction) and Put returns
// nil. Open's ctx bounds finding the file only: a response streams the
// reader after its handler has returned and its context ended, so the
// reader must not depend on ctx. Delete of a missing key is not an error.
// Open and Stat return ErrNotFound for a key that is not stored.
type Storage interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Delete(ctx context.Context, key string) error
	Stat(ctx context.Context, key string) (Info, error)
}

// ValidKey reports whether key is 64 lower-case hex digits, the form of
// every storage key.
func ValidKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if b := key[i]; !(b >= '0' && b <= '9' || b >= 'a' && b <= 'f') {
			return false
		}
	}
	return true
}
