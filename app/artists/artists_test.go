package artists_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestListAndGet(t *testing.T) {
	t.Parallel()
	testenv.Seeded(t)
	svc := artists.New(testenv.DB(t), []string{"en", "de"}, time.Now, live.Discard{}, testenv.Logger(t))
	all, err := svc.List(t.Context(), "en")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(all), 20)
	for i := 1; i < len(all); i++ {
		require.LessOrEqual(t, all[i-1].Name, all[i].Name, "sorted by name")
	}

	a, err := svc.Get(t.Context(), "de", "luma-vesper")
	require.NoError(t, err)
	require.False(t, a.Bio.Fallback)
	require.NotEmpty(t, a.Bio)
	require.NotEmpty(t, a.Links)

	// Seeded without German on purpose: the English bio stands in.
	en, err := svc.Get(t.Context(), "en", "pixel-moth")
	require.NoError(t, err)
	de, err := svc.Get(t.Context(), "de", "pixel-moth")
	require.NoError(t, err)
	require.True(t, de.Bio.Fallback)
	require.Equal(t, en.Bio.Value, de.Bio.Value)

	_, err = svc.Get(t.Context(), "en", "nobody")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}
