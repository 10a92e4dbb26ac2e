package accounts

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPasswordHashes(t *testing.T) {
	t.Parallel()
	h, err := hashPassword("a long enough password")
	require.NoError(t, err)
	require.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, h)
	h2, err := hashPassword("a long enough password")
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "each hash has its own salt")

	ok, err := checkPassword(h, "a long enough password")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = checkPassword(h, "a long enough passwore")
	require.NoError(t, err)
	require.False(t, ok)

	// Parameters are read from the hash: a cheaper old one still verifies.
	parts := strings.Split(h, "$")
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=0,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$short",
	} {
		_, err := checkPassword(bad, "x")
		require.ErrorIs(t, err, errBadHash, bad)
	}
}

func TestTokensAndIDsAreWellFormed(t *testing.T) {
	t.Parallel()
	a, b := randomString(), randomString()
	require.Len(t, a, rawLen)
	require.NotEqual(t, a, b)
	require.True(t, wellFormed(a))
	for _, bad := range []string{"", "short", a + "x", strings.Repeat("*", rawLen), a[:rawLen-1] + "\x00"} {
		require.False(t, wellFormed(bad), "%q", bad)
	}
	tok := randomToken()
	require.Len(t, tok, tokenLen)
	require.Equal(t, strings.ToLower(tok), tok, "tokens survive the site's lower-casing of paths")
	require.True(t, wellFormedToken(tok))
	for _, bad := range []string{"", a, strings.ToUpper(tok), tok + "a", strings.Repeat("1", tokenLen)} {
		require.False(t, wellFormedToken(bad), "%q", bad)
	}
}
