package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/loadtest"
)

// recordingServer answers 200 to requests carrying X-Probe and counts the
// requests for each path and query.
func recordingServer(t *testing.T) (*httptest.Server, func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Probe") != "yes" {
			http.Error(w, "missing header", http.StatusBadRequest)
			return
		}
		mu.Lock()
		seen[r.URL.RequestURI()]++
		mu.Unlock()
		w.Write([]byte("hello"))
	}))
	t.Cleanup(srv.Close)
	return srv, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

func runJSON(t *testing.T, args ...string) loadtest.Summary {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), args, &out, io.Discard))
	var s loadtest.Summary
	require.NoError(t, json.Unmarshal(out.Bytes(), &s))
	return s
}

func TestOnePath(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t)
	s := runJSON(t, "-url", srv.URL, "-path", "/events?type=talk", "-H", "X-Probe: yes", "-conns", "2", "-duration", "1h", "-max-requests", "10")
	require.Equal(t, 10, s.Requests)
	require.Equal(t, map[int]int{http.StatusOK: 10}, s.Statuses)
	require.Zero(t, s.Errors)
	require.Equal(t, int64(10*len("hello")), s.Bytes)
	require.Equal(t, 10, s.Latency.Count())
	require.Positive(t, s.P50)
	require.LessOrEqual(t, s.P99, s.Max)
	require.Equal(t, map[string]int{"/events?type=talk": 10}, seen())
}

func TestPathsFile(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t)
	file := filepath.Join(t.TempDir(), "paths")
	require.NoError(t, os.WriteFile(file, []byte("# programme\n/a\n\n/b?x=1\r\n/c\n/d\n"), 0o644))
	s := runJSON(t, "-url", srv.URL+"/", "-paths", file, "-start", "1", "-H", "X-Probe: yes", "-conns", "3", "-duration", "1h", "-max-requests", "3")
	require.Equal(t, 3, s.Requests)
	require.Zero(t, s.NonOK)
	require.Equal(t, map[string]int{"/b?x=1": 1, "/c": 1, "/d": 1}, seen())
}

func TestCountsNonOK(t *testing.T) {
	t.Parallel()
	srv, _ := recordingServer(t)
	// Without the header the server answers 400: reported, not an error.
	s := runJSON(t, "-url", srv.URL, "-path", "/", "-conns", "1", "-max-requests", "4")
	require.Equal(t, 4, s.NonOK)
	require.Equal(t, map[int]int{http.StatusBadRequest: 4}, s.Statuses)
	require.Zero(t, s.RPS)
}

func TestRefusesBadFlags(t *testing.T) {
	t.Parallel()
	srv, _ := recordingServer(t)
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o644))
	tests := []struct {
		name string
		args []string
	}{
		{"no path", []string{"-url", srv.URL}},
		{"path and paths", []string{"-url", srv.URL, "-path", "/", "-paths", empty}},
		{"relative path", []string{"-url", srv.URL, "-path", "events"}},
		{"empty paths file", []string{"-url", srv.URL, "-paths", empty}},
		{"missing paths file", []string{"-url", srv.URL, "-paths", empty + ".missing"}},
		{"remote host", []string{"-url", "http://example.com", "-path", "/"}},
		{"bad header", []string{"-url", srv.URL, "-path", "/", "-H", "no colon"}},
		{"no conns", []string{"-url", srv.URL, "-path", "/", "-conns", "0"}},
		{"stray argument", []string{"-url", srv.URL, "-path", "/", "extra"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(t.Context(), tc.args, &out, io.Discard)
			require.ErrorIs(t, err, errUsage)
			require.Empty(t, out.String(), "no result for a run that did not happen")
		})
	}
}
