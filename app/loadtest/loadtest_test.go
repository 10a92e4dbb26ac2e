package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// short keeps the runs brief; nothing here measures speed.
const short = 200 * time.Millisecond

func server(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Probe") != "yes" {
			http.Error(w, "missing header", http.StatusBadRequest)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte("hello"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunOK(t *testing.T) {
	t.Parallel()
	srv := server(t, http.StatusOK)
	res, err := Run(t.Context(), Config{URL: srv.URL, Header: map[string]string{"X-Probe": "yes"}, Conns: 4, Duration: short})
	require.NoError(t, err)
	require.Positive(t, res.Requests)
	require.Zero(t, res.NonOK)
	require.Zero(t, res.Errors)
	require.NoError(t, res.FirstError)
	require.Equal(t, map[int]int{http.StatusOK: res.Requests}, res.Statuses)
	require.Equal(t, int64(res.Requests*len("hello")), res.Bytes)
	require.Positive(t, res.RPS)
	require.Positive(t, res.P50)
	require.LessOrEqual(t, res.P50, res.P90)
	require.LessOrEqual(t, res.P90, res.P99)
	require.LessOrEqual(t, res.P99, res.Max)
}

func TestRunCountsNonOK(t *testing.T) {
	t.Parallel()
	srv := server(t, http.StatusInternalServerError)
	res, err := Run(t.Context(), Config{URL: srv.URL, Header: map[string]string{"X-Probe": "yes"}, Conns: 2, Duration: short})
	require.NoError(t, err)
	require.Positive(t, res.Requests)
	require.Equal(t, res.Requests, res.NonOK, "every 500 is counted")
	require.Equal(t, map[int]int{http.StatusInternalServerError: res.Requests}, res.Statuses)
	require.Zero(t, res.OK())
	require.Zero(t, res.RPS, "errors are not throughput")
	require.LessOrEqual(t, res.P50, res.P99)
}

func TestRunCountsTransportErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	res, err := Run(t.Context(), Config{URL: url, Conns: 2, Duration: short, MaxRequests: 20})
	require.NoError(t, err)
	require.Zero(t, res.Requests)
	require.Positive(t, res.Errors)
	require.Error(t, res.FirstError)
	require.Zero(t, res.P99)
}

func TestRunStopsAtMaxRequests(t *testing.T) {
	t.Parallel()
	srv := server(t, http.StatusOK)
	// The duration is far longer than the test may take: the count ends it.
	res, err := Run(t.Context(), Config{URL: srv.URL, Header: map[string]string{"X-Probe": "yes"}, Conns: 2, Duration: time.Hour, MaxRequests: 10})
	require.NoError(t, err)
	require.Equal(t, 10, res.Requests)
	require.Zero(t, res.NonOK)
}

func TestRunStopsWithContext(t *testing.T) {
	t.Parallel()
	srv := server(t, http.StatusOK)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := Run(ctx, Config{URL: srv.URL, Header: map[string]string{"X-Probe": "yes"}, Conns: 2, Duration: time.Hour})
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, res.Requests)
}

func TestRunRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no conns", Config{URL: "http://127.0.0.1:1/", Duration: time.Second}},
		{"no duration", Config{URL: "http://127.0.0.1:1/", Conns: 1}},
		{"negative max", Config{URL: "http://127.0.0.1:1/", Conns: 1, Duration: time.Second, MaxRequests: -1}},
		{"https", Config{URL: "https://127.0.0.1:1/", Conns: 1, Duration: time.Second}},
		{"remote host", Config{URL: "http://example.com/", Conns: 1, Duration: time.Second}},
		{"remote ip", Config{URL: "http://192.0.2.1/", Conns: 1, Duration: time.Second}},
		{"malformed", Config{URL: "http://[::1/", Conns: 1, Duration: time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Run(t.Context(), tc.cfg)
			require.Error(t, err)
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", []time.Duration{7}, 0.99, 7},
		{"median of two", []time.Duration{1, 2}, 0.5, 1},
		{"p50 of 100", hundred, 0.50, 50},
		{"p99 of 100", hundred, 0.99, 99},
		{"p100 of 100", hundred, 1, 100},
		{"p0 is the minimum", hundred, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, percentile(tc.sorted, tc.p))
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	ok := Result{Statuses: map[int]int{http.StatusOK: 2}, Latencies: []time.Duration{1, 3}, Elapsed: time.Second, Bytes: 10}
	failed := Result{Statuses: map[int]int{http.StatusInternalServerError: 1}, Latencies: []time.Duration{2}, Elapsed: time.Second, Errors: 1}
	got := Merge(ok, failed)
	require.Equal(t, 3, got.Requests)
	require.Equal(t, 1, got.NonOK)
	require.Equal(t, 1, got.Errors)
	require.Equal(t, int64(10), got.Bytes)
	require.Equal(t, 2*time.Second, got.Elapsed)
	require.InDelta(t, 1.0, got.RPS, 1e-9, "two 200s over two seconds")
	require.Equal(t, []time.Duration{1, 2, 3}, got.Latencies)
	require.Equal(t, time.Duration(2), got.P50)
	require.Equal(t, time.Duration(3), got.Max)
	require.Equal(t, map[int]int{http.StatusOK: 2, http.StatusInternalServerError: 1}, got.Statuses)
}
