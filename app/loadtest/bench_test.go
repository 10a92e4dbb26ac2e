package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/loadtest"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// load says what a row measures; the table shows it beside each route, so
// a figure that only a warm cache reaches says so.
type load string

const (
	loadCeiling   load = "ceiling"
	loadWarm      load = "warm cache"
	loadRepeat    load = "one URL, repeated"
	loadMiss      load = "distinct URLs, cache misses"
	loadCoalesced load = "cache off, coalesced"
)

// target is which of the served apps a scenario loads.
type target int

const (
	// cachedApp is the app as configured in production.
	cachedApp target = iota
	// missApp is configured the same but serves only the cache-miss mix,
	// whose entries would otherwise evict the pages the warm rows measure.
	missApp
	// uncachedApp is built with PageCacheTTL=0.
	uncachedApp
)

// scenario is one route under load.
type scenario struct {
	name   string // metric prefix, e.g. events_full
	label  string // the table's route column
	path   string // the one path asked for; empty for the cache-miss list
	header map[string]string
	// role, when set, makes the requests those of a signed-in user with
	// that role: they carry the session's cookies.
	role actor.Role
	app  target
	load load
	// heavy scenarios render on every request and keep MariaDB and the
	// collector busy past their own run, so they are measured after the
	// others, in rounds of their own.
	heavy bool
	// revalidate sends If-None-Match with the path's current ETag (fetched
	// before the run): each answer is a 304, which is what counts.
	revalidate bool
}

// measured is a scenario with its rounds merged, and each round's rate to
// show how steady the machine was.
type measured struct {
	scenario
	res    loadtest.Summary
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
		{name: "healthz", label: "`/healthz`", path: "/healthz", load: loadCeiling},
		{name: "events_full", label: "`/events`", path: "/events", load: loadWarm},
		{name: "events_partial", label: "`/events` (htmx partial)", path: "/events", header: partialHeader(), load: loadWarm},
		// Browsers ask for gzip, and the cache keeps a compressed copy.
		{name: "events_full_gzip", label: "`/events` (gzip)", path: "/events", header: map[string]string{"Accept-Encoding": "gzip"}, load: loadWarm},
		{name: "home", label: "`/`", path: "/", load: loadWarm},
		// A signed-in member gets the same cached page: what is theirs (the
		// account menu, follow buttons) comes in fragments of its own.
		{name: "events_member", label: "`/events` (signed-in member)", path: "/events", role: actor.RoleMember, load: loadWarm},
		{name: "account_menu", label: "`/account/menu` (member's fragment, per request)", path: "/account/menu", role: actor.RoleMember, load: loadRepeat},
		{name: "events_filtered", label: "`/events?location=main-cave&type=dj_set`", path: "/events?location=main-cave&type=dj_set", load: loadWarm},
		// The feeds are measured as they are served, cached or not.
		{name: "calendar", label: "`/calendar.ics`", path: "/calendar.ics", load: loadRepeat},
		{name: "location_calendar", label: "`/locations/main-cave/calendar.ics`", path: "/locations/main-cave/calendar.ics", load: loadRepeat},
		{name: "sitemap", label: "`/sitemap.xml`", path: "/sitemap.xml", load: loadRepeat},
		// A calendar client polling a feed it has: 304 without a body.
		{name: "calendar_304", label: "`/calendar.ics` (If-None-Match, 304)", path: "/calendar.ics", load: loadRepeat, revalidate: true},
		// Every request asks for a programme URL no request before it asked
		// for, so each one renders and is stored.
		{name: "events_miss", label: "`/events?…` (distinct filters)", app: missApp, load: loadMiss, heavy: true},
		// Every request renders afresh, as after an Invalidate, except that
		// concurrent misses for the same page still share one render (the
		// cache's singleflight): not the cost of a render per request.
		// The back office is rendered for each request: a list of 25
		// events with its counts, for a signed-in editor.
		{name: "admin_events", label: "`/admin/events` (editor, rendered per request)", path: "/admin/events", role: actor.RoleEditor, load: loadRepeat, heavy: true},
		{name: "events_full_uncached", label: "`/events` (page cache off)", path: "/events", app: uncachedApp, load: loadCoalesced, heavy: true},
	}
}

// revalidate gives the scenarios that revalidate the ETag their path has
// now, as a client that fetched it before would send.
func revalidate(b *testing.B, bases map[target]string, scenarios []scenario) {
	for i, sc := range scenarios {
		if !sc.revalidate {
			continue
		}
		req, err := http.NewRequest(http.MethodGet, bases[sc.app]+sc.path, nil)
		if err != nil {
			b.Fatalf("%s: %v", sc.name, err)
		}
		for k, v := range sc.header {
			req.Header.Set(k, v)
		}
		// The same encoding as the load's requests: Go's client would ask
		// for gzip, whose body has another ETag.
		client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		res, err := client.Do(req)
		if err != nil {
			b.Fatalf("%s: %v", sc.name, err)
		}
		res.Body.Close()
		etag := res.Header.Get("ETag")
		if res.StatusCode != http.StatusOK || etag == "" {
			b.Fatalf("%s: %d, ETag %q", sc.name, res.StatusCode, etag)
		}
		h := maps.Clone(sc.header)
		if h == nil {
			h = map[string]string{}
		}
		h["If-None-Match"] = etag
		scenarios[i].header = h
	}
}

// countStatus makes code the status that counts (rate, non-OK) instead
// of 200: a revalidation's success is a 304.
func countStatus(s loadtest.Summary, code int) loadtest.Summary {
	good := s.Statuses[code]
	s.NonOK = s.Requests - good
	s.RPS = 0
	if s.Elapsed > 0 {
		s.RPS = float64(good) / s.Elapsed.Seconds()
	}
	return s
}

// signIn gives the scenarios that ask for a role the cookies of a user
// with that role, signed in to srv.
func signIn(b *testing.B, srv *web.Server, scenarios []scenario) {
	cookies := map[actor.Role]string{}
	for i, sc := range scenarios {
		if sc.role == "" {
			continue
		}
		if _, ok := cookies[sc.role]; !ok {
			u := testenv.User(b, testenv.DB(b), testenv.UserOpts{Role: sc.role})
			sess := testenv.SignIn(b, srv, u.Email, testenv.DefaultPassword)
			var parts []string
			for _, c := range sess.Cookies {
				parts = append(parts, c.Name+"="+c.Value)
			}
			cookies[sc.role] = strings.Join(parts, "; ")
		}
		h := maps.Clone(sc.header)
		if h == nil {
			h = map[string]string{}
		}
		h["Cookie"] = cookies[sc.role]
		scenarios[i].header = h
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
// The app is served from this process; the load comes from another one,
// cmd/loadgen, run once per round and scenario, which prints a summary as
// JSON. The generator's work (its allocations, its collections) is thus
// not billed to the server, and the server's memory can be read here.
// Both processes still share the machine's CPUs with each other and with
// MariaDB and Redis, so absolute numbers understate a dedicated server:
// compare the ratios to /healthz, measured under the same handicap in the
// same run.
//
// Besides the warm-cache rows (one URL over and over), the run measures the
// slow path: the cache-miss mix takes a list of distinct programme URLs in
// turn (see missPaths), so every request renders afresh, and the server's
// memory is read after it to show that it stays bounded.
//
// One measurement is the whole run, so use -benchtime=1x; ns/op is then the
// wall time of the run and means nothing else. More iterations repeat the
// run and report the last; use -count for repeated samples instead.
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

	scenarios := siteScenarios()
	if only := os.Getenv("TDC_BENCH_ONLY"); only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			b.Fatalf("TDC_BENCH_ONLY: %v", err)
		}
		scenarios = slices.DeleteFunc(scenarios, func(sc scenario) bool { return !re.MatchString(sc.name) })
	}
	gen := loadgen{bin: buildLoadgen(b), conns: conns}

	site := testenv.App(b)
	bases := map[target]string{cachedApp: serve(b, site)}
	signIn(b, site, scenarios)
	revalidate(b, bases, scenarios)
	cfg := testenv.Config(b)
	cfg.PageCacheTTL = 0
	bases[uncachedApp] = serve(b, testenv.AppWith(b, cfg))
	var miss *missList
	var missSrv *web.Server
	if slices.ContainsFunc(scenarios, func(sc scenario) bool { return sc.load == loadMiss }) {
		// A page cache smaller than the mix's pages, so the run shows
		// eviction holding it to its budget.
		missCfg := testenv.Config(b)
		missCfg.PageCacheMB = missCacheMB
		missSrv = testenv.AppWith(b, missCfg)
		bases[missApp] = serve(b, missSrv)
		start := time.Now()
		miss = writeMissPaths(b, missURLs)
		b.Logf("wrote %d programme URLs in %s", miss.n, time.Since(start).Round(time.Millisecond))
	}
	measureOnce := func(sc scenario, d time.Duration) loadtest.Summary {
		res, err := gen.run(b.Context(), bases[sc.app], sc, d, miss)
		if err != nil {
			b.Fatalf("%s: %v", sc.name, err)
		}
		if sc.revalidate {
			res = countStatus(res, http.StatusNotModified)
		}
		return res
	}

	var rows []measured
	var mem memReport
	for b.Loop() {
		// Warm-up fills the page cache and the database pool, and shows
		// up a route that fails before any time is spent measuring it.
		// The heavy scenarios warm up just before their own rounds, so
		// that their aftermath doesn't land on the first light ones.
		warmUp := func(heavy bool) {
			for _, sc := range scenarios {
				if sc.heavy != heavy {
					continue
				}
				res := measureOnce(sc, warm)
				if res.NonOK > 0 || res.Errors > 0 {
					b.Fatalf("warm up %s: statuses %v, %d errors (first: %s)", sc.name, res.Statuses, res.Errors, res.FirstError)
				}
			}
		}
		warmUp(false)
		runs := make([][]loadtest.Summary, len(scenarios))
		measure := func(i int) {
			// Each run starts without the garbage of the one before, so
			// a heavy scenario doesn't bill its collection to the next.
			runtime.GC()
			runs[i] = append(runs[i], measureOnce(scenarios[i], round))
		}
		for range rounds {
			for i, sc := range scenarios {
				if !sc.heavy {
					measure(i)
				}
			}
		}
		// FreeOSMemory collects and hands freed pages back, so the RSS
		// before the mix is not inflated by the URL list built earlier.
		debug.FreeOSMemory()
		mem = memReport{before: readMem(b)}
		warmUp(true)
		for range rounds {
			for i, sc := range scenarios {
				if !sc.heavy {
					continue
				}
				measure(i)
				if sc.load == loadMiss {
					mem.after = mem.after.max(readMem(b))
				}
			}
		}
		debug.FreeOSMemory()
		mem.live = readMem(b)

		rows = rows[:0]
		for i, sc := range scenarios {
			m := measured{scenario: sc, res: loadtest.MergeSummaries(runs[i]...)}
			if sc.revalidate {
				m.res = countStatus(m.res, http.StatusNotModified)
			}
			for _, r := range runs[i] {
				m.rounds = append(m.rounds, r.RPS)
			}
			// Failures are reported, never folded into the numbers.
			if m.res.NonOK > 0 || m.res.Errors > 0 {
				b.Errorf("%s: %d non-200 %v and %d errors (first: %s) of %d requests",
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
		if ceiling > 0 && (m.name == "events_full" || m.name == "events_partial" || m.name == "events_miss" ||
			m.name == "events_member" || m.name == "admin_events" || m.name == "calendar_304") {
			b.ReportMetric(m.res.RPS/ceiling, m.name+"_vs_healthz")
		}
	}
	var notes []string
	if miss != nil {
		b.ReportMetric(mib(mem.after.heapInuse), "events_miss_heap_inuse_MiB")
		b.ReportMetric(mib(mem.after.rss), "events_miss_rss_MiB")
		for _, m := range rows {
			if m.load == loadMiss {
				mem.rendered = uint64(m.res.Bytes)
			}
		}
		entries, size := missSrv.CacheSize()
		notes = append(notes, miss.note(), mem.note(), fmt.Sprintf(
			"The cache-miss instance runs with TDC_PAGE_CACHE_MB=%d; at the end its page cache held %d pages in %.1f MiB.",
			missCacheMB, entries, mib(size)))
		if miss.wrapped() {
			b.Logf("the cache-miss mix took %d URLs from a list of %d: some repeated", miss.next, miss.n)
		}
	}
	report(b, table(rows, ceiling, conns, dur, rounds, notes))
}

// report writes a run's Markdown table to TDC_BENCH_REPORT, or to the log.
// The testing package cuts a benchmark's log after ten lines, and printing
// to stdout would split the result line that benchstat reads, so the whole
// table goes to a file when asked for.
func report(b *testing.B, md string) {
	b.Helper()
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
func table(rows []measured, ceiling float64, conns int, dur time.Duration, rounds int, notes []string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d connections, %s per route in %d rounds. The load comes from a separate process (cmd/loadgen); "+
		"it, the server (GOMAXPROCS=%d), MariaDB and Redis share %d CPUs.\n\n",
		conns, dur, rounds, runtime.GOMAXPROCS(0), runtime.NumCPU())
	sb.WriteString("| route | load | req/s | vs /healthz | rounds req/s | p50 ms | p90 ms | p99 ms | max ms | body KB | non-200 | errors |\n")
	sb.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, m := range rows {
		r := m.res
		ratio := "-"
		switch pct := 100 * r.RPS / ceiling; {
		case ceiling == 0:
		case pct < 10:
			ratio = fmt.Sprintf("%.1f %%", pct)
		default:
			ratio = fmt.Sprintf("%.0f %%", pct)
		}
		kb := 0.0
		if r.Requests > 0 {
			kb = float64(r.Bytes) / float64(r.Requests) / 1024
		}
		fmt.Fprintf(&sb, "| %s | %s | %.0f | %s | %.0f–%.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %d | %d |\n",
			m.label, m.load, r.RPS, ratio, slices.Min(m.rounds), slices.Max(m.rounds),
			ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), kb, r.NonOK, r.Errors)
	}
	sb.WriteString("\n")
	sb.WriteString("Load: *warm cache* is one URL over and over, served from the page cache after its first request: " +
		"a figure only a warm cache reaches. *one URL, repeated* is the same for the feeds and the sitemap, which the page cache holds like pages. " +
		"*distinct URLs, cache misses* takes a different programme URL for every request, so each one renders and is stored. " +
		"*cache off, coalesced* is built with PageCacheTTL=0, but concurrent requests for the same page still share one render, " +
		"so it is not the cost of one render per request.\n\n")
	sb.WriteString("Percentiles are over all rounds, from merged histograms (the top of the bucket holding the rank, at most 0.8 % above the exact value); max is exact.\n")
	for _, n := range notes {
		sb.WriteString("\n" + n + "\n")
	}
	return sb.String()
}

// loadgen runs the load generator, one process per measurement.
type loadgen struct {
	bin   string
	conns int
}

// buildLoadgen compiles cmd/loadgen into the benchmark's temporary
// directory and returns its path. The benchmark builds it rather than
// taking a binary built elsewhere, so the generator always matches the tree
// under test and `go test -bench` works alone; `go test` puts the go
// command that runs it first on PATH, and the build (cached after the
// first) is over before anything is measured.
func buildLoadgen(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "loadgen")
	cmd := exec.CommandContext(b.Context(), "go", "build", "-o", bin, "github.com/dreamerscave/tdc/app/loadtest/cmd/loadgen")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build loadgen: %v\n%s", err, out)
	}
	return bin
}

// run loads sc on base for d and returns what loadgen measured. The
// cache-miss scenario continues the URL list where its last run stopped.
func (g loadgen) run(ctx context.Context, base string, sc scenario, d time.Duration, miss *missList) (loadtest.Summary, error) {
	args := []string{"-url", base, "-conns", strconv.Itoa(g.conns), "-duration", d.String()}
	if sc.path != "" {
		args = append(args, "-path", sc.path)
	} else {
		args = append(args, "-paths", miss.file, "-start", strconv.Itoa(miss.next))
	}
	for _, k := range slices.Sorted(maps.Keys(sc.header)) {
		args = append(args, "-H", k+": "+sc.header[k])
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return loadtest.Summary{}, fmt.Errorf("loadgen %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	var res loadtest.Summary
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return loadtest.Summary{}, fmt.Errorf("loadgen %s: read result: %w", strings.Join(args, " "), err)
	}
	if sc.path == "" {
		// Each request took one URL, answered or not.
		miss.next += res.Requests + res.Errors
	}
	return res, nil
}

// memStat is the server process's memory at one moment. The load
// generator runs elsewhere, so this is the server's (with the benchmark's
// small bookkeeping).
type memStat struct {
	heapInuse uint64 // runtime.MemStats.HeapInuse
	rss       uint64 // VmRSS from /proc/self/status; zero where there is none
}

func (m memStat) max(o memStat) memStat {
	return memStat{heapInuse: max(m.heapInuse, o.heapInuse), rss: max(m.rss, o.rss)}
}

// readMem reads the heap in use and the resident set size.
func readMem(b *testing.B) memStat {
	b.Helper()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memStat{heapInuse: ms.HeapInuse}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		return m // not Linux: the heap alone
	}
	m.rss = vmRSS(b, "/proc/self/status")
	return m
}

// vmRSS reads VmRSS, in bytes, from a /proc/<pid>/status file.
func vmRSS(b *testing.B, path string) uint64 {
	b.Helper()
	status, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("read RSS: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("VmRSS %q: %v", line, err)
			}
			return kb << 10
		}
	}
	b.Fatalf("no VmRSS in %s", path)
	return 0
}

// missCacheMB is the page cache budget of the cache-miss instance.
const missCacheMB = 8

// memReport is the server's memory around the cache-miss mix.
type memReport struct {
	before memStat // after the light scenarios, before the first miss
	after  memStat // the largest right after a round of the miss mix
	live   memStat // after every round and a collection
	// rendered is the size of the miss mix's response bodies: the pages
	// the cache was offered, to compare its growth with.
	rendered uint64
}

func (m memReport) note() string {
	rss := func(s memStat) string {
		if s.rss == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f MiB", mib(s.rss))
	}
	return fmt.Sprintf("Server memory (the test process, which serves the three app instances and sends no load): "+
		"before the cache-miss mix, heap in use %.0f MiB and RSS %s; right after its rounds, at most %.0f MiB and %s; "+
		"after the run and a collection, %.0f MiB and %s. The mix's distinct pages came to %.0f MiB of response bodies.",
		mib(m.before.heapInuse), rss(m.before), mib(m.after.heapInuse), rss(m.after), mib(m.live.heapInuse), rss(m.live), mib(m.rendered))
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

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

// BenchmarkEventsMiss is one cache miss through app.Test: each request
// asks for a programme URL none before it asked for (the cache-miss mix's
// list), so each one loads its data and renders. Profile the slow path
// with -cpuprofile on this benchmark.
func BenchmarkEventsMiss(b *testing.B) {
	srv := testenv.App(b)
	list := writeMissPaths(b, 20_000)
	data, err := os.ReadFile(list.file)
	if err != nil {
		b.Fatal(err)
	}
	paths := strings.Fields(string(data))
	for _, shape := range []struct {
		name   string
		header map[string]string
	}{{"full", nil}, {"partial", partialHeader()}} {
		b.Run(shape.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				if len(paths) == 0 {
					b.Fatal("the list of distinct URLs ran out: raise its length")
				}
				get(b, srv, paths[0], shape.header)
				paths = paths[1:]
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkHealthz is the same harness on /healthz: the floor that the
// middleware and app.Test cost every request.
func BenchmarkHealthz(b *testing.B) {
	srv := testenv.App(b)
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		get(b, srv, "/healthz", nil)
	}
	reportCPU(b, cpu)
}

// cpuTime is the CPU time the process has used, user and system, garbage
// collection included. On a shared machine the CPU time per request says
// more than wall time; MariaDB's share is not in it.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per request since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
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

// pipes connects cmd's stdin and stdout to the benchmark, before Start.
func pipes(b *testing.B, cmd *exec.Cmd) (io.WriteCloser, io.ReadCloser) {
	b.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	return stdin, stdout
}

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
