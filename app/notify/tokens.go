package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strconv"
	"strings"
)

// ErrBadToken is an unsubscribe token that is malformed, truncated or not
// ours (forged, or signed with another key).
var ErrBadToken = errors.New("notify: bad unsubscribe token")

// maxToken bounds what Verify reads: a user id, a kind, a signature.
const maxToken = 80

// Token returns the unsubscribe token for user and kind:
// "USER-KIND-SIGNATURE". The signature covers both, so the token says by
// itself whom it unsubscribes from what; no table holds it.
func (s *Service) Token(userID int64, kind Kind) string {
	id := strconv.FormatInt(userID, 10)
	return id + "-" + string(kind) + "-" + s.sign(id, kind)
}

func (s *Service) sign(id string, kind Kind) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(id + ":" + string(kind)))
	// 128 bits are plenty against guessing, and keep the URL short. Lower
	// case base32: the site's paths are lower case (canonicalPath), and
	// no "-", which separates the parts.
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(mac.Sum(nil)[:16]))
}

// Verify returns the user and kind a token names, or ErrBadToken.
func (s *Service) Verify(token string) (int64, Kind, error) {
	if len(token) > maxToken {
		return 0, "", ErrBadToken
	}
	parts := strings.Split(token, "-")
	if len(parts) != 3 {
		return 0, "", ErrBadToken
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	kind := Kind(parts[1])
	if err != nil || id <= 0 || parts[0] != strconv.FormatInt(id, 10) || !kind.Valid() {
		return 0, "", ErrBadToken
	}
	if !hmac.Equal([]byte(parts[2]), []byte(s.sign(parts[0], kind))) {
		return 0, "", ErrBadToken
	}
	return id, kind, nil
}

// UnsubscribeURL is the link in a mail's List-Unsubscribe and footer.
func (s *Service) UnsubscribeURL(userID int64, kind Kind) string {
	return s.o.BaseURL.JoinPath("unsubscribe", s.Token(userID, kind)).String()
}
