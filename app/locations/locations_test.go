package locations_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestListAndGet(t *testing.T) {
	t.Parallel()
	testenv.Seeded(t)
	svc := locations.New(testenv.DB(t), []string{"en", "de"}, time.Now, live.Discard{}, testenv.Logger(t))
	all, err := svc.List(t.Context(), "de")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(all), 3)
	// The demo venues each have a theme of their own; venues other tests
	// in this package create share the default one.
	demo := map[string]bool{"main-cave": true, "crystal-grotto": true, "ember-lounge": true, "moonlit-lagoon": true, "fern-hollow": true}
	themes := map[locations.Theme]bool{}
	for _, l := range all {
		require.NotEmpty(t, l.Name)
		require.True(t, l.Theme.Valid(), l.Slug)
		if demo[l.Slug] {
			themes[l.Theme] = true
		}
	}
	require.Len(t, themes, len(demo), "every demo venue has its own theme")

	l, err := svc.Get(t.Context(), "de", "main-cave")
	require.NoError(t, err)
	require.False(t, l.Name.Fallback)
	_, err = svc.Get(t.Context(), "en", "<script>")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestThemeValid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		theme locations.Theme
		want  bool
	}{
		{"hex", locations.Theme{"#000000", "#111111", "#ffffff", "#AbCdEf"}, true},
		{"short hex", locations.Theme{"#000", "#111111", "#ffffff", "#abcdef"}, false},
		{"css injection", locations.Theme{"#000000;background:url(x)", "#111111", "#ffffff", "#abcdef"}, false},
		{"named colour", locations.Theme{"red", "#111111", "#ffffff", "#abcdef"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.theme.Valid())
		})
	}
}

func TestThemeLight(t *testing.T) {
	t.Parallel()
	require.True(t, locations.Theme{Background: "#eef6ff"}.Light())
	require.False(t, locations.Theme{Background: "#0d0b1a"}.Light())
	require.False(t, locations.Theme{Background: "#808080"}.Light())
}
