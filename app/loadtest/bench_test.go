package loadtest_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/loadtest"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// scenario is one route under load.
type scenario struct {
	name     string // metric prefix, e.g. events_full
	path     string
	header   map[string]string
	uncached bool // served by the app built with PageCacheTTL=0
}

// measured is a scenario with its rounds merged, and each round's rate to
// show how steady the machine was.
type measured struct {
	scenario
	res    loadtest.Result
	rounds []float64
}

// partialHeader is what htmx 4 sends when it swaps one element, the only
// request that gets a fragment instead of the page.
func partialHeader() map[string]string {
	return map[string]string{"HX-Request": "true", "HX-Request-Type": "partial"}
}

// siteScenarios are the routes of the run; /healthz, which touches nothing
// but the middleware, is the ceiling the others are compared with.
func siteScenarios() []scenario {
	return []scenario{
		{name: "healthz", path: "/healthz"},
		{name: "events_full", path: "/events"},
		{name: "events_partial", path: "/events", header: partialHeader()},
		// Browsers ask for gzip, and the cache keeps a compressed copy.
		{name: "events_full_gzip", path: "/events", header: map[string]string{"Accept-Encoding": "gzip"}},
		{name: "home", path: "/"},
		{name: "events_filtered", path: "/events?location=main-cave&type=dj_set"},
		// Every request renders afresh, as after an Invalidate, except that
		// concurrent misses still share one render (the cache's singleflight).
		{name: "events_full_uncached", path: "/events", uncached: true},
	}
}

// BenchmarkSite loads the real app, seeded with the demo content, over
// loopback TCP with TDC_BENCH_CONNS connections (default 50). Each scenario
// gets TDC_BENCH_DURATION in all (default 10s), split into TDC_BENCH_ROUNDS
// rounds (default 5) that cycle through the scenarios, after a short
// warm-up each. Rounds rather than one block per scenario because this
// machine is shared: a build next door then slows every scenario a little
// instead of one a lot, and the ratios stay fair. The table shows each
// scenario's slowest and fastest round, so the noise is visible.
//
// One measurement is the whole run, so use -benchtime=1x; ns/op is then the
// wall time of the run and means nothing else. More iterations repeat the
// run and report the last; use -count for repeated samples instead.
//
// The load generator runs in this process and shares its CPUs with the
// server (and with MariaDB and Redis, which cached pages don't touch), so
// absolute numbers understate a dedicated server. Compare the ratios to
// /healthz, measured under the same handicap in the same run.
//
// TDC_BENCH_ONLY, a regular expression, keeps only the scenarios whose
// names match: a profile of one route is easier to read (the ratios need
// healthz in the run).
//
// TDC_BENCH_REPORT names a file for the results as a Markdown table; without
// it the table goes to the benchmark's log, which the testing package trims.
func BenchmarkSite(b *testing.B) {
	conns := envInt(b, "TDC_BENCH_CONNS", 50)
	dur := envDuration(b, "TDC_BENCH_DURATION", 10*time.Second)
	rounds := envInt(b, "TDC_BENCH_ROUNDS", 5)
	round := dur / time.Duration(rounds)
	if round <= 0 {
		b.Fatalf("TDC_BENCH_DURATION=%s is too short for %d rounds", dur, rounds)
	}
	warm := min(max(round/4, 200*time.Millisecond), time.Second)

	cachedURL := serve(b, testenv.App(b))
	cfg := testenv.Config(b)
	cfg.PageCacheTTL = 0
	uncachedURL := serve(b, testenv.AppWith(b, cfg))

	scenarios := siteScenarios()
	if only := os.Getenv("TDC_BENCH_ONLY"); only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			b.Fatalf("TDC_BENCH_ONLY: %v", err)
		}
		scenarios = slices.DeleteFunc(scenarios, func(sc scenario) bool { return !re.MatchString(sc.name) })
	}
	configFor := func(sc scenario, d time.Duration) loadtest.Config {
		base := cachedURL
		if sc.uncached {
			base = uncachedURL
		}
		return loadtest.Config{URL: base + sc.path, Header: sc.header, Conns: conns, Duration: d}
	}
	var rows []measured
	for b.Loop() {
		// Warm-up fills the page cache and the database pool, and shows
		// up a route that fails before any time is spent measuring it.
		for _, sc := range scenarios {
			res, err := loadtest.Run(b.Context(), configFor(sc, warm))
			if err != nil {
				b.Fatalf("warm up %s: %v", sc.name, err)
			}
			if res.NonOK > 0 || res.Errors > 0 {
				b.Fatalf("warm up %s: statuses %v, %d errors (first: %v)", sc.name, res.Statuses, res.Errors, res.FirstError)
			}
		}
		runs := make([][]loadtest.Result, len(scenarios))
		measure := func(i int) {
			// Each run starts without the garbage of the one before, so
			// a heavy scenario doesn't bill its collection to the next.
			runtime.GC()
			res, err := loadtest.Run(b.Context(), configFor(scenarios[i], round))
			if err != nil {
				b.Fatalf("%s: %v", scenarios[i].name, err)
			}
			runs[i] = append(runs[i], res)
		}
		for range rounds {
			for i, sc := range scenarios {
				if !sc.uncached {
					measure(i)
				}
			}
		}
		// Uncached rendering keeps MariaDB and the collector busy past its
		// own run, so it goes last, outside the cycle of the others.
		for range rounds {
			for i, sc := range scenarios {
				if sc.uncached {
					measure(i)
				}
			}
		}
		rows = rows[:0]
		for i, sc := range scenarios {
			m := measured{scenario: sc, res: loadtest.Merge(runs[i]...)}
			for _, r := range runs[i] {
				m.rounds = append(m.rounds, r.RPS)
			}
			// Failures are reported, never folded into the numbers.
			if m.res.NonOK > 0 || m.res.Errors > 0 {
				b.Errorf("%s: %d non-200 %v and %d errors (first: %v) of %d requests",
					sc.name, m.res.NonOK, m.res.Statuses, m.res.Errors, m.res.FirstError, m.res.Requests+m.res.Errors)
			}
			rows = append(rows, m)
		}
	}

	ceiling := 0.0
	for _, m := range rows {
		if m.name == "healthz" {
			ceiling = m.res.RPS
		}
	}
	for _, m := range rows {
		b.ReportMetric(m.res.RPS, m.name+"_rps")
		b.ReportMetric(ms(m.res.P50), m.name+"_p50_ms")
		b.ReportMetric(ms(m.res.P99), m.name+"_p99_ms")
		if ceiling > 0 && (m.name == "events_full" || m.name == "events_partial") {
			b.ReportMetric(m.res.RPS/ceiling, m.name+"_vs_healthz")
		}
	}
	md := table(rows, ceiling, conns, dur, rounds)
	// The testing package cuts a benchmark's log after ten lines, and
	// printing to stdout would split the result line that benchstat reads,
	// so the whole table goes to a file when asked for.
	if path := os.Getenv("TDC_BENCH_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			b.Fatalf("TDC_BENCH_REPORT: %v", err)
		}
		b.Logf("table written to %s", path)
		return
	}
	b.Log("\n" + md)
}

// table formats the run as Markdown for the README.
func table(rows []measured, ceiling float64, conns int, dur time.Duration, rounds int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d connections, %s per route in %d rounds, GOMAXPROCS=%d of %d CPUs shared by server and load generator.\n\n",
		conns, dur, rounds, runtime.GOMAXPROCS(0), runtime.NumCPU())
	sb.WriteString("| route | req/s | vs /healthz | rounds req/s | p50 ms | p90 ms | p99 ms | max ms | body KB | non-200 | errors |\n")
	sb.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, m := range rows {
		r := m.res
		label := "`" + m.path + "`"
		switch {
		case m.header["HX-Request"] != "":
			label += " (htmx partial)"
		case m.header["Accept-Encoding"] != "":
			label += " (gzip)"
		case m.uncached:
			label += " (page cache off)"
		}
		ratio := "-"
		if ceiling > 0 {
			ratio = fmt.Sprintf("%.0f %%", 100*r.RPS/ceiling)
		}
		kb := 0.0
		if r.Requests > 0 {
			kb = float64(r.Bytes) / float64(r.Requests) / 1024
		}
		fmt.Fprintf(&sb, "| %s | %.0f | %s | %.0f–%.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %d | %d |\n",
			label, r.RPS, ratio, slices.Min(m.rounds), slices.Max(m.rounds),
			ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), kb, r.NonOK, r.Errors)
	}
	return sb.String()
}

// BenchmarkEventsRender is one /events request through app.Test, with no
// network, served from a warm page cache and rendered afresh (the app built
// with PageCacheTTL=0): the difference is what the cache saves a request.
func BenchmarkEventsRender(b *testing.B) {
	cached := testenv.App(b)
	cfg := testenv.Config(b)
	cfg.PageCacheTTL = 0
	uncached := testenv.AppWith(b, cfg)
	apps := []struct {
		name string
		srv  *web.Server
	}{{"cached", cached}, {"uncached", uncached}}
	shapes := []struct {
		name   string
		header map[string]string
	}{{"full", nil}, {"partial", partialHeader()}}
	for _, app := range apps {
		for _, shape := range shapes {
			b.Run(app.name+"/"+shape.name, func(b *testing.B) {
				b.ReportAllocs()
				get(b, app.srv, "/events", shape.header) // fills the cache
				for b.Loop() {
					get(b, app.srv, "/events", shape.header)
				}
			})
		}
	}
}

// BenchmarkHealthz is the same harness on /healthz: the floor that the
// middleware and app.Test cost every request.
func BenchmarkHealthz(b *testing.B) {
	srv := testenv.App(b)
	b.ReportAllocs()
	for b.Loop() {
		get(b, srv, "/healthz", nil)
	}
}

// get sends one request through the app in memory and reads the body.
func get(b *testing.B, srv *web.Server, path string, header map[string]string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.App.Test(req, fiber.TestConfig{Timeout: 10 * time.Second, FailOnTimeout: true})
	if err != nil {
		b.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatalf("GET %s: read body: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
}

// serve runs srv on a loopback port until the benchmark ends and returns
// its base URL.
func serve(b *testing.B, srv *web.Server) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.App.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	b.Cleanup(func() {
		// Not b.Context(): it is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.App.ShutdownWithContext(ctx); err != nil {
			b.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func envInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		b.Fatalf("%s=%q: want a positive duration such as 10s", name, v)
	}
	return d
}
