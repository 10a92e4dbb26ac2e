package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
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
		{"negative path start", Config{URL: "http://127.0.0.1:1", Paths: []string{"/"}, PathStart: -1, Conns: 1, Duration: time.Second}},
		{"path without slash", Config{URL: "http://127.0.0.1:1", Paths: []string{"events"}, Conns: 1, Duration: time.Second}},
		{"path naming a host", Config{URL: "http://127.0.0.1:1", Paths: []string{"//example.com/"}, Conns: 1, Duration: time.Second}},
		{"path with a space", Config{URL: "http://127.0.0.1:1", Paths: []string{"/a b"}, Conns: 1, Duration: time.Second}},
		{"base with a path", Config{URL: "http://127.0.0.1:1/events", Paths: []string{"/"}, Conns: 1, Duration: time.Second}},
		{"base with a query", Config{URL: "http://127.0.0.1:1/?a=1", Paths: []string{"/"}, Conns: 1, Duration: time.Second}},
		{"paths on a remote host", Config{URL: "http://example.com", Paths: []string{"/"}, Conns: 1, Duration: time.Second}},
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

// recorder answers 200 and counts the requests for each path and query.
type recorder struct {
	mu   sync.Mutex
	seen map[string]int
}

func recordingServer(t *testing.T) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen[r.URL.RequestURI()]++
		rec.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func numberedPaths(n int) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("/events?page=%d", i)
	}
	return paths
}

func TestRunRotatesPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		paths, max int
		start      int
		base       string // appended to the server's URL
		want       map[string]int
	}{
		{
			name: "each path once", paths: 100, max: 40, start: 0,
			want: countPaths(numberedPaths(100)[:40], 1),
		},
		{
			name: "continues from start", paths: 100, max: 20, start: 50, base: "/",
			want: countPaths(numberedPaths(100)[50:70], 1),
		},
		{
			name: "starts over when the list runs out", paths: 10, max: 20, start: 25,
			want: countPaths(numberedPaths(10), 2),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, rec := recordingServer(t)
			res, err := Run(t.Context(), Config{
				URL: srv.URL + tc.base, Paths: numberedPaths(tc.paths), PathStart: tc.start,
				Conns: 4, Duration: time.Hour, MaxRequests: tc.max,
			})
			require.NoError(t, err)
			require.Equal(t, tc.max, res.Requests)
			require.Zero(t, res.NonOK)
			require.Equal(t, tc.want, rec.seen, "the workers share one counter: no path twice before the list runs out")
		})
	}
}

func countPaths(paths []string, n int) map[string]int {
	m := map[string]int{}
	for _, p := range paths {
		m[p] = n
	}
	return m
}

func TestRunOnePathOfList(t *testing.T) {
	t.Parallel()
	srv := server(t, http.StatusOK)
	// A one-line list behaves as the URL of a single-path run.
	res, err := Run(t.Context(), Config{URL: srv.URL, Paths: []string{"/probe"}, Header: map[string]string{"X-Probe": "yes"}, Conns: 2, Duration: short})
	require.NoError(t, err)
	require.Positive(t, res.Requests)
	require.Zero(t, res.NonOK)
}

func TestBucketTop(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		d := time.Duration(r.Int64N(int64(time.Minute)))
		top := bucketTop(d)
		require.GreaterOrEqual(t, top, d)
		require.Less(t, float64(top-d), float64(d)/128+1, "a bucket is under 1/128 of its values wide")
		require.Equal(t, top, bucketTop(top), "the top is in its own bucket")
		require.Greater(t, bucketTop(top+1), top, "the next value opens the next bucket")
	}
	require.Equal(t, time.Duration(255), bucketTop(255), "exact below 256 ns")
	require.Equal(t, time.Duration(0), bucketTop(-1))
}

func TestHistogramQuantile(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	samples := make([]time.Duration, 5000)
	for i := range samples {
		samples[i] = time.Duration(r.ExpFloat64() * float64(time.Millisecond))
	}
	slices.Sort(samples)
	h := HistogramOf(samples)
	require.Equal(t, len(samples), h.Count())
	for _, p := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		exact, got := percentile(samples, p), h.Quantile(p)
		require.GreaterOrEqual(t, got, exact, "p%v", p)
		require.LessOrEqual(t, float64(got-exact), float64(exact)/128+1, "p%v", p)
	}
	require.Zero(t, Histogram{}.Quantile(0.5))
}

func TestMergeHistograms(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	var all []time.Duration
	var parts []Histogram
	for range 3 {
		part := make([]time.Duration, 1000)
		for i := range part {
			part[i] = time.Duration(r.Int64N(int64(10 * time.Millisecond)))
		}
		slices.Sort(part)
		parts = append(parts, HistogramOf(part))
		all = append(all, part...)
	}
	slices.Sort(all)
	require.Equal(t, HistogramOf(all), MergeHistograms(parts...), "merging counts is the same as counting all samples")
}

func TestMergeSummaries(t *testing.T) {
	t.Parallel()
	ok := Result{Statuses: map[int]int{http.StatusOK: 2}, Latencies: []time.Duration{1000, 3000}, Elapsed: time.Second, Bytes: 10}
	ok.summarize()
	failed := Result{Statuses: map[int]int{http.StatusFound: 1}, Latencies: []time.Duration{2000}, Elapsed: time.Second, Errors: 1, FirstError: context.DeadlineExceeded}
	failed.summarize()

	// What loadgen prints is what the benchmark reads back.
	var a, b Summary
	for _, c := range []struct {
		r   Result
		out *Summary
	}{{ok, &a}, {failed, &b}} {
		js, err := json.Marshal(c.r.Summary())
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(js, c.out))
	}
	require.Equal(t, ok.Summary(), a)
	require.Equal(t, context.DeadlineExceeded.Error(), b.FirstError)

	got := MergeSummaries(a, b)
	want := Merge(ok, failed)
	require.Equal(t, want.Requests, got.Requests)
	require.Equal(t, want.NonOK, got.NonOK)
	require.Equal(t, want.Errors, got.Errors)
	require.Equal(t, want.Bytes, got.Bytes)
	require.Equal(t, want.Elapsed, got.Elapsed)
	require.Equal(t, want.Statuses, got.Statuses)
	require.InDelta(t, want.RPS, got.RPS, 1e-9)
	require.Equal(t, want.Max, got.Max)
	// Percentiles of a merge come from the histogram: at most a bucket off.
	require.InDelta(t, float64(want.P50), float64(got.P50), float64(want.P50)/128+1)
	require.InDelta(t, float64(want.P99), float64(got.P99), float64(want.P99)/128+1)
	require.Equal(t, context.DeadlineExceeded.Error(), got.FirstError)
	require.Equal(t, 3, got.Latency.Count())
}
