package i18n_test

import (
	"archive/zip"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/i18n"
)

func TestCanonicalZone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"Europe/Berlin", "Europe/Berlin", true},
		{"europe/berlin", "Europe/Berlin", true},
		{"AMERICA/LOS_ANGELES", "America/Los_Angeles", true},
		{"UTC", "UTC", true},
		{"US/Pacific", "US/Pacific", true},
		{"./Europe/Berlin", "", false},
		{"Europe//Berlin", "", false},
		{"Europe/Berlin/", "", false},
		{"/Europe/Berlin", "", false},
		{"../../etc/passwd", "", false},
		{"Local", "", false},
		{"", "", false},
		{"Mars/Olympus", "", false},
		{"Europe/Berlin\x00", "", false},
		{strings.Repeat("A", 65), "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := i18n.CanonicalZone(tc.in)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

// The list is Go's own tzdata: every name loads, and none is missing. A
// failure after a Go upgrade means: run `go generate ./app/i18n`.
func TestZoneNamesMatchGo(t *testing.T) {
	t.Parallel()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(t, err)
	zr, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip"))
	require.NoError(t, err)
	defer zr.Close()
	var want []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			want = append(want, f.Name)
		}
	}
	slices.Sort(want)
	require.Equal(t, want, i18n.ZoneNames(), "stale list: run go generate ./app/i18n")
	for _, name := range i18n.ZoneNames() {
		_, err := time.LoadLocation(name)
		require.NoError(t, err, name)
	}
}
