package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// How long mailed links work.
const (
	VerifyTTL = 48 * time.Hour
	ResetTTL  = time.Hour
)

// rawLen is the length of a session id: 32 random bytes in unpadded
// base64url.
const rawLen = 43

// tokenLen is the length of a mailed token: 32 random bytes in lower-case
// unpadded base32. Lower case, because the site sends any path spelled in
// capitals to its lower-case form, and a token travels in /reset/{token}.
const tokenLen = 52

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomString returns 32 random bytes in unpadded base64url.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomToken returns 32 random bytes in lower-case base32.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return tokenEncoding.EncodeToString(b)
}

// wellFormed reports whether raw could be a session id we made, so junk
// never reaches Redis.
func wellFormed(raw string) bool {
	if len(raw) != rawLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(raw)
	return err == nil
}

// wellFormedToken reports whether raw could be a mailed token we made, so
// junk never reaches the database.
func wellFormedToken(raw string) bool {
	if len(raw) != tokenLen {
		return false
	}
	_, err := tokenEncoding.DecodeString(raw)
	return err == nil
}

func tokenHash(raw string) []byte {
	sum := sha256.Sum256([]byte(raw))
	return sum[:]
}

// issueToken stores the hash of a new token for purpose and returns the
// token, which exists from then on only in the mail.
func (s *Service) issueToken(ctx context.Context, q *db.Queries, userID int64, purpose db.UserTokensPurpose, ttl time.Duration) (string, error) {
	raw := randomToken()
	now := s.now().UTC()
	err := q.UserTokenInsert(ctx, db.UserTokenInsertParams{
		UserID: userID, Purpose: purpose, TokenHash: tokenHash(raw), ExpiresAt: now.Add(ttl), CreatedAt: now,
	})
	if err != nil {
		return "", fmt.Errorf("accounts: store %s token for %d: %w", purpose, userID, err)
	}
	return raw, nil
}

// liveToken returns the unused, unexpired token raw for purpose, locked
// for the transaction q runs in when lock is set.
func (s *Service) liveToken(ctx context.Context, q *db.Queries, raw string, purpose db.UserTokensPurpose, lock bool) (db.UserToken, error) {
	if !wellFormedToken(raw) {
		return db.UserToken{}, ErrTokenInvalid
	}
	var tok db.UserToken
	var err error
	if lock {
		tok, err = q.UserTokenGetForUpdate(ctx, db.UserTokenGetForUpdateParams{TokenHash: tokenHash(raw), Purpose: purpose})
	} else {
		tok, err = q.UserTokenGet(ctx, db.UserTokenGetParams{TokenHash: tokenHash(raw), Purpose: purpose})
	}
	if errors.Is(err, sql.ErrNoRows) {
		return db.UserToken{}, ErrTokenInvalid
	}
	if err != nil {
		return db.UserToken{}, fmt.Errorf("accounts: read %s token: %w", purpose, err)
	}
	if tok.UsedAt.Valid || !s.now().Before(tok.ExpiresAt) {
		return tok, ErrTokenInvalid
	}
	return tok, nil
}
