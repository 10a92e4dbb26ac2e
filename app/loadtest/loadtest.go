// Package loadtest is a small closed-loop HTTP load generator for measuring
// the site on this machine: a fixed number of connections, each sending the
// next request as soon as the previous response has been read, for a fixed
// time. It reports throughput and latency percentiles, and counts every
// failed or non-200 answer instead of dropping it.
//
// A run asks for one URL, or takes a list of paths in turn so that every
// request can ask for a different one (to measure cache misses rather than
// one warm entry). The loadgen command (cmd/loadgen) runs it as a process
// of its own and prints a Summary as JSON.
//
// It only talks to loopback addresses: it exists to compare routes of our
// own server within one run, not to load anyone else's.
package loadtest

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	// DefaultMaxRequests bounds the samples of one run when Config leaves
	// it zero: 2M latencies are 16 MB, a minute at over 30k requests/s.
	DefaultMaxRequests = 2_000_000
	// DefaultTimeout bounds each read and write of a request, so a stuck
	// server cannot hold a run open long past its Duration.
	DefaultTimeout = 5 * time.Second
	// readBufferSize holds the response headers; the site's security
	// headers alone are over 500 bytes, so the 4 KB default is tight.
	readBufferSize = 16 << 10
)

// Config describes one run.
type Config struct {
	// URL is an http URL on a loopback address: the one every request asks
	// for, or with Paths the base (scheme, host, port) they are appended to.
	URL string
	// Paths, when set, are paths with their queries ("/events?type=talk"),
	// each starting with "/". Every request takes the next one through a
	// counter the workers share, so no two requests of the run ask for the
	// same path until the list runs out and starts over.
	Paths []string
	// PathStart is the index in Paths of the run's first request, so runs
	// over one list can continue where the previous one stopped: it took
	// Requests+Errors paths.
	PathStart int
	Header    map[string]string // extra request headers, e.g. HX-Request
	Conns     int               // concurrent connections, one worker each
	Duration  time.Duration     // how long workers start new requests
	// MaxRequests bounds the requests of the run (DefaultMaxRequests when
	// zero): each worker stops after MaxRequests/Conns, and at least one.
	MaxRequests int
	// Timeout bounds each read and write (DefaultTimeout when zero).
	Timeout time.Duration
}

// Result is what one run measured. Latencies cover every response that
// arrived, whatever its status; RPS counts only 200 responses, so a fast
// error page can never pass for throughput.
type Result struct {
	Requests int         // responses received, any status
	NonOK    int         // of Requests, those whose status was not 200
	Errors   int         // requests that got no response (connect, timeout, read)
	Statuses map[int]int // responses by status code
	// FirstError is the first transport error, to tell what Errors were.
	FirstError error
	Bytes      int64         // body bytes of all responses
	Elapsed    time.Duration // from the first request to the last response
	RPS        float64       // 200 responses per second of Elapsed
	P50        time.Duration
	P90        time.Duration
	P99        time.Duration
	Max        time.Duration
	// Latencies holds every response's latency, sorted, so runs can be
	// merged without averaging percentiles (which means nothing).
	Latencies []time.Duration
}

// OK is the number of 200 responses.
func (r Result) OK() int { return r.Requests - r.NonOK }

// Run loads cfg.URL (or cfg.Paths in turn) from cfg.Conns workers for
// cfg.Duration and reports what it measured. It stops early when ctx is
// done (returning what was measured so far with ctx's error) or when
// MaxRequests is reached.
func Run(ctx context.Context, cfg Config) (Result, error) {
	addr, err := checkConfig(&cfg)
	if err != nil {
		return Result{}, err
	}
	tgt, err := newTargets(cfg)
	if err != nil {
		return Result{}, err
	}
	workers := make([]worker, cfg.Conns)
	// Integer division could leave a worker with no budget at all.
	budget := max(cfg.MaxRequests/cfg.Conns, 1)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	for i := range workers {
		w := &workers[i]
		w.client = &fasthttp.HostClient{
			Addr: addr,
			// One connection per worker: the worker is the only user of its
			// client, so requests go back to back on one keep-alive socket.
			MaxConns:       1,
			ReadBufferSize: readBufferSize,
			ReadTimeout:    cfg.Timeout,
			WriteTimeout:   cfg.Timeout,
			// fasthttp retries idempotent requests by default, which would
			// turn a dropped connection into a slow success; count it instead.
			MaxIdemponentCallAttempts: 1,
		}
		wg.Go(func() { w.run(ctx, cfg.Header, tgt, deadline, budget) })
	}
	wg.Wait()
	elapsed := time.Since(start)

	res := Result{Statuses: map[int]int{}, Elapsed: elapsed}
	n := 0
	for i := range workers {
		n += len(workers[i].latencies)
	}
	all := make([]time.Duration, 0, n)
	for i := range workers {
		w := &workers[i]
		w.client.CloseIdleConnections()
		all = append(all, w.latencies...)
		res.Errors += w.errors
		res.Bytes += w.bytes
		if res.FirstError == nil {
			res.FirstError = w.firstErr
		}
		for code, c := range w.statuses {
			res.Statuses[code] += c
		}
	}
	slices.Sort(all)
	res.Latencies = all
	res.summarize()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("loadtest: %s: stopped early: %w", cfg.URL, err)
	}
	return res, nil
}

// Merge combines runs of the same scenario into one result, as if their
// time had been one run: rates over the summed elapsed time, percentiles
// over all samples. Running a scenario in rounds interleaved with others
// and merging them spreads a noisy neighbour's load over every scenario
// alike, where back-to-back runs would hand it to whichever ran then.
func Merge(runs ...Result) Result {
	res := Result{Statuses: map[int]int{}}
	n := 0
	for _, r := range runs {
		n += len(r.Latencies)
	}
	res.Latencies = make([]time.Duration, 0, n)
	for _, r := range runs {
		res.Errors += r.Errors
		res.Bytes += r.Bytes
		res.Elapsed += r.Elapsed
		if res.FirstError == nil {
			res.FirstError = r.FirstError
		}
		for code, c := range r.Statuses {
			res.Statuses[code] += c
		}
		res.Latencies = append(res.Latencies, r.Latencies...)
	}
	slices.Sort(res.Latencies)
	res.summarize()
	return res
}

// summarize derives the counts, rate and percentiles from Statuses,
// Elapsed and the sorted Latencies.
func (r *Result) summarize() {
	r.Requests = len(r.Latencies)
	r.NonOK = r.Requests - r.Statuses[fasthttp.StatusOK]
	r.RPS = 0
	if r.Elapsed > 0 {
		r.RPS = float64(r.OK()) / r.Elapsed.Seconds()
	}
	r.P50, r.P90, r.P99 = percentile(r.Latencies, 0.50), percentile(r.Latencies, 0.90), percentile(r.Latencies, 0.99)
	r.Max = 0
	if len(r.Latencies) > 0 {
		r.Max = r.Latencies[len(r.Latencies)-1]
	}
}

// checkConfig fills defaults and returns the host:port to dial.
func checkConfig(cfg *Config) (string, error) {
	if cfg.Conns < 1 {
		return "", fmt.Errorf("loadtest: conns %d: need at least 1", cfg.Conns)
	}
	if cfg.Duration <= 0 {
		return "", fmt.Errorf("loadtest: duration %s: need a positive duration", cfg.Duration)
	}
	if cfg.MaxRequests < 0 {
		return "", fmt.Errorf("loadtest: max requests %d: need zero (default) or more", cfg.MaxRequests)
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	if cfg.PathStart < 0 {
		return "", fmt.Errorf("loadtest: path start %d: need zero or more", cfg.PathStart)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return "", fmt.Errorf("loadtest: url: %w", err)
	}
	if u.Scheme != "http" {
		return "", fmt.Errorf("loadtest: url %q: only http is supported", cfg.URL)
	}
	if !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("loadtest: url %q: host is not a loopback address", cfg.URL)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

// isLoopback accepts loopback IP literals and "localhost", without a DNS
// lookup that could answer with something else.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// targets are the URLs of a run: one, or a list taken in turn.
type targets struct {
	one  string
	list []string
	// next counts the paths taken so far; start+next, modulo the list, is
	// the next one to ask for.
	next  atomic.Uint64
	start uint64
}

// newTargets checks cfg's paths and joins each to the base URL. checkConfig
// has checked the URL already.
func newTargets(cfg Config) (*targets, error) {
	if len(cfg.Paths) == 0 {
		return &targets{one: cfg.URL}, nil
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("loadtest: url: %w", err)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("loadtest: url %q: with paths, give only scheme, host and port", cfg.URL)
	}
	base := u.Scheme + "://" + u.Host
	list := make([]string, len(cfg.Paths))
	for i, p := range cfg.Paths {
		// "//host/x" would read as another host; the client would still dial
		// addr, but the Host header and the logs would lie.
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, " \t\r\n#") {
			return nil, fmt.Errorf("loadtest: path %d %q: want a path (and query) starting with one /", i, p)
		}
		list[i] = base + p
	}
	return &targets{list: list, start: uint64(cfg.PathStart)}, nil
}

// take returns the URL of the next request.
func (t *targets) take() string {
	if t.list == nil {
		return t.one
	}
	i := t.next.Add(1) - 1
	return t.list[(t.start+i)%uint64(len(t.list))]
}

// worker is one connection's loop. Each keeps its own samples so the hot
// path takes no lock; Run merges them once the workers are done.
type worker struct {
	client    *fasthttp.HostClient
	latencies []time.Duration
	statuses  map[int]int
	errors    int
	firstErr  error
	bytes     int64
}

func (w *worker) run(ctx context.Context, header map[string]string, tgt *targets, deadline time.Time, budget int) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	// Keep this worker's body buffer across requests. Otherwise it goes back
	// to fasthttp's shared pool each time, and that pool sizes itself from
	// recent traffic: after a run of tiny /healthz answers it drops large
	// buffers, and the next scenario lost about a quarter of its rate to
	// regrowing one per response. A server in the same process shares
	// that pool, so the loss depended on which scenario ran before.
	resp.KeepBodyBuffer = true
	rotate := tgt.list != nil
	if !rotate {
		req.SetRequestURI(tgt.one)
	}
	req.Header.SetMethod(fasthttp.MethodGet)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w.statuses = map[int]int{}
	// A few seconds' worth up front, so the slice seldom grows (and copies)
	// while the server is under load.
	w.latencies = make([]time.Duration, 0, min(budget, 4096))
	done := ctx.Done()
	for range budget {
		// A non-blocking receive, unlike ctx.Err, takes no lock that all
		// the workers would contend on between requests.
		select {
		case <-done:
			return
		default:
		}
		start := time.Now()
		if !start.Before(deadline) {
			return
		}
		if rotate {
			// Taken only for a request that is sent, so Requests+Errors
			// is the number of paths the run used.
			req.SetRequestURI(tgt.take())
		}
		// Do reads the whole body into resp before returning.
		err := w.client.Do(req, resp)
		d := time.Since(start)
		if err != nil {
			w.errors++
			if w.firstErr == nil {
				w.firstErr = err
			}
			continue
		}
		w.latencies = append(w.latencies, d)
		w.statuses[resp.StatusCode()]++
		w.bytes += int64(len(resp.Body()))
	}
}

// percentile returns the nearest-rank p-quantile of sorted samples, zero
// for none: the smallest sample with at least p of all at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
