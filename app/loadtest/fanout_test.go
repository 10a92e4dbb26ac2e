package loadtest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// fanScenario is one fan-out measurement: clients following one topic,
// spread over instances, each instance a `tdc serve` process of its own.
type fanScenario struct {
	name      string
	label     string
	clients   int
	instances int
	topic     string // what every client follows
	// ingest: the changes are tracks POSTed to venue's now-playing API, and
	// latency runs from sending the POST to the client's receipt.
	ingest bool
	venue  string
}

// fanResult is what one scenario measured.
type fanResult struct {
	fanScenario
	clientsResult
	rssPerConn []float64 // KiB per connection, per instance
	// CPU time per client and change while the changes went out, in µs:
	// of the servers together, and of the client process. Wall-clock
	// latency follows the machine's load; these do much less.
	serverCPU, clientCPU float64
}

// clientsResult mirrors cmd/wsclients' Result.
type clientsResult struct {
	Clients  int     `json:"clients"`
	Frames   int     `json:"frames"`
	Missing  int     `json:"missing"`
	Closed   int     `json:"closed"`
	P50MS    float64 `json:"p50_ms"`
	P99MS    float64 `json:"p99_ms"`
	MaxMS    float64 `json:"max_ms"`
	DialSecs float64 `json:"dial_secs"`
}

// BenchmarkFanout measures live updates end to end. Each instance is a
// `tdc serve` process over the package's seeded database and the local
// Redis; the clients are another process (cmd/wsclients), all following
// "events". The benchmark makes TDC_BENCH_WS_CHANGES changes (100)
// TDC_BENCH_WS_GAP apart (500ms, so they do not coalesce): each commits a
// new title for the first coming event and publishes {events, its id} on
// Redis, as the events service does after its commit, and the clients
// report the time from the commit to receipt, p50 and p99 over every client and change. Each
// instance's RSS is read from /proc before the clients connect and after
// they have, idle, to give the memory of one idle connection (the change
// in RSS over the clients it holds: handshake garbage not yet returned to
// the OS counts too, so this errs high).
//
// Scenarios: TDC_BENCH_WS_CLIENTS clients (10,000) on one instance, the
// same split over two, and 19,500 held on one (a process may open 20,000
// files here; Go raises the soft limit to the hard one by itself).
// TDC_BENCH_ONLY, a regular expression, keeps the scenarios whose names
// match (ws_one, ws_two, ws_held, ws_ingest: TDC_BENCH_WS_INGEST_CLIENTS
// screens of one venue, location:{venue}:screen, while tracks are POSTed to
// its ingest API, POST sent to receipt). Everything shares the machine's CPUs:
// the clients, the servers, Redis and MariaDB. So that the clients weigh
// less on the servers' cores, a client poll that finds few sockets ready
// waits TDC_BENCH_WS_GATHER (1ms; 0s reads at once) for more: latencies
// err high by up to that much.
func BenchmarkFanout(b *testing.B) {
	n := envInt(b, "TDC_BENCH_WS_CLIENTS", 10000)
	changes := envInt(b, "TDC_BENCH_WS_CHANGES", 100)
	gap := envDuration(b, "TDC_BENCH_WS_GAP", 500*time.Millisecond)
	// The ingest API lets one address push 30 tracks a minute for a venue.
	pushes := min(envInt(b, "TDC_BENCH_WS_INGEST_PUSHES", 25), 30)
	venue := envString("TDC_BENCH_WS_INGEST_VENUE", "main-cave")
	ingestTopic := fmt.Sprintf(envString("TDC_BENCH_WS_INGEST_TOPIC", "location:%s:screen"), venue)
	ni := envInt(b, "TDC_BENCH_WS_INGEST_CLIENTS", 1000)
	scenarios := []fanScenario{
		{name: "ws_one", label: fmt.Sprintf("%d clients, one instance", n), clients: n, instances: 1, topic: live.TopicEvents},
		{name: "ws_two", label: fmt.Sprintf("%d clients over two instances", n), clients: n, instances: 2, topic: live.TopicEvents},
		{name: "ws_held", label: "19500 clients held, one instance", clients: 19500, instances: 1, topic: live.TopicEvents},
		{name: "ws_ingest", label: fmt.Sprintf("%d clients of `%s`, tracks POSTed", ni, ingestTopic), clients: ni, instances: 1,
			topic: ingestTopic, ingest: true, venue: venue},
	}
	if only := os.Getenv("TDC_BENCH_ONLY"); only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			b.Fatalf("TDC_BENCH_ONLY: %v", err)
		}
		scenarios = slices.DeleteFunc(scenarios, func(sc fanScenario) bool { return !re.MatchString(sc.name) })
	}
	if len(scenarios) == 0 {
		// The bench task prints the report either way.
		if path := os.Getenv("TDC_BENCH_REPORT"); path != "" {
			if err := os.WriteFile(path, []byte("TDC_BENCH_ONLY kept no fan-out scenario.\n"), 0o644); err != nil {
				b.Fatalf("TDC_BENCH_REPORT: %v", err)
			}
		}
		b.Skip("TDC_BENCH_ONLY keeps no fan-out scenario")
	}
	testenv.Seeded(b)
	// TDC_BENCH_WS_TDC_BIN and TDC_BENCH_WS_CLIENTS_BIN run given binaries
	// instead of the tree's: two versions compared on one machine, in turns.
	tdc := envString("TDC_BENCH_WS_TDC_BIN", "")
	if tdc == "" {
		tdc = buildBinary(b, "tdc", "github.com/dreamerscave/tdc/app")
	}
	wsc := envString("TDC_BENCH_WS_CLIENTS_BIN", "")
	if wsc == "" {
		wsc = buildBinary(b, "wsclients", "github.com/dreamerscave/tdc/app/loadtest/cmd/wsclients")
	}

	var rows []fanResult
	for b.Loop() {
		rows = rows[:0]
		for _, sc := range scenarios {
			k := changes
			if sc.ingest {
				k = pushes
			}
			rows = append(rows, runFanout(b, tdc, wsc, sc, k, gap))
		}
	}
	for _, r := range rows {
		b.ReportMetric(r.P50MS, r.name+"_p50_ms")
		b.ReportMetric(r.P99MS, r.name+"_p99_ms")
		b.ReportMetric(slices.Max(r.rssPerConn), r.name+"_KiB/conn")
		b.ReportMetric(r.serverCPU, r.name+"_server_cpu_us/client-change")
		b.ReportMetric(r.clientCPU, r.name+"_clients_cpu_us/client-change")
	}
	report(b, fanTable(rows, changes, pushes, gap))
}

func fanTable(rows []fanResult, changes, pushes int, gap time.Duration) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d changes %s apart, each a new title for one coming event, committed, then published on Redis as the events service does "+
		"(`events` with the event's id), or %d tracks "+
		"POSTed to the now-playing API (ingest). Clients offer permessage-deflate, as browsers do. Servers (`tdc serve`), "+
		"clients (cmd/wsclients), MariaDB and Redis share this machine's CPUs.\n\n", changes, gap, pushes)
	sb.WriteString("| scenario | clients | commit (or POST) →receipt p50 ms | p99 ms | max ms | missing frames | RSS per idle connection KiB | connect s | CPU µs per client and change, servers / clients |\n")
	sb.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rows {
		var rss []string
		for _, v := range r.rssPerConn {
			rss = append(rss, fmt.Sprintf("%.1f", v))
		}
		fmt.Fprintf(&sb, "| %s | %d | %.1f | %.1f | %.1f | %d | %s | %.1f | %.1f / %.1f |\n",
			r.label, r.Clients, r.P50MS, r.P99MS, r.MaxMS, r.Missing, strings.Join(rss, " / "), r.DialSecs, r.serverCPU, r.clientCPU)
	}
	return sb.String()
}

func runFanout(b *testing.B, tdc, wsc string, sc fanScenario, changes int, gap time.Duration) fanResult {
	b.Helper()
	rdb, prefix := testenv.Redis(b)
	var pids []int
	var urls, bases []string
	var token string
	if sc.ingest {
		token = venueToken(b, tdc, sc.venue)
	}
	for range sc.instances {
		pid, base, stop := startInstance(b, tdc, prefix)
		bases = append(bases, base)
		defer stop() // the next scenario gets the machine to itself
		pids = append(pids, pid)
		urls = append(urls, "-url", "ws"+strings.TrimPrefix(base, "http")+"/ws")
	}
	// Every instance has subscribed (one listener each, feeding its page
	// cache, hub and clock) before anything is published.
	for deadline := time.Now().Add(time.Minute); ; {
		subs, err := rdb.PubSubNumSub(b.Context(), prefix+"changes").Result()
		if err != nil {
			b.Fatalf("numsub: %v", err)
		}
		if subs[prefix+"changes"] >= int64(sc.instances) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d instances subscribed after a minute", subs[prefix+"changes"], sc.instances)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the servers settle before the baseline
	before := make([]uint64, len(pids))
	for i, pid := range pids {
		before[i] = rssOf(b, pid)
	}

	// TDC_BENCH_WS_DEFLATE=false: clients that do not offer compression
	// (the server then writes plain frames; the clients need no inflating).
	// TDC_BENCH_WS_GATHER: see BenchmarkFanout.
	cmd := exec.CommandContext(b.Context(), wsc, append(urls, "-n", strconv.Itoa(sc.clients), "-changes", strconv.Itoa(changes),
		"-topic", sc.topic, "-compress="+envString("TDC_BENCH_WS_DEFLATE", "true"), "-gather="+envString("TDC_BENCH_WS_GATHER", "1ms"))...)
	stdin, stdout := pipes(b, cmd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start wsclients: %v", err)
	}
	out := bufio.NewReader(stdout)
	if _, err := out.ReadBytes('\n'); err != nil {
		_ = cmd.Wait()
		b.Fatalf("%s: wsclients did not connect: %v: %s", sc.name, err, stderr.Bytes())
	}
	time.Sleep(3 * time.Second) // idle: whatever the handshakes left behind has been collected or not
	res := fanResult{fanScenario: sc}
	for i, pid := range pids {
		held := sc.clients / sc.instances
		res.rssPerConn = append(res.rssPerConn, float64(int64(rssOf(b, pid))-int64(before[i]))/float64(held)/1024)
	}

	bus := live.NewBus(rdb, prefix, testenv.Logger(b))
	serverCPU0, clientCPU0 := cpuOf(b, pids...), cpuOf(b, cmd.Process.Pid)
	pub := make([]int64, 0, changes)
	var event int64
	if !sc.ingest {
		event = editableEvent(b)
	}
	for i := range changes {
		if sc.ingest {
			pub = append(pub, time.Now().UnixNano())
			pushTrack(b, bases[0], sc.venue, token, i)
		} else {
			retitle(b, event, i)
			pub = append(pub, time.Now().UnixNano())
			if err := bus.Changed(b.Context(), sc.topic, event); err != nil {
				b.Fatalf("publish: %v", err)
			}
		}
		time.Sleep(gap)
	}
	line, _ := json.Marshal(pub)
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		b.Fatalf("write publication times: %v", err)
	}
	last, err := out.ReadBytes('\n')
	// wsclients prints its result once every frame is in (or -wait has
	// passed), before closing its sockets: the CPU spent so far is the
	// changes' and their frames'.
	perClientChange := func(d time.Duration) float64 {
		return float64(d.Microseconds()) / float64(sc.clients*changes)
	}
	res.serverCPU = perClientChange(cpuOf(b, pids...) - serverCPU0)
	res.clientCPU = perClientChange(cpuOf(b, cmd.Process.Pid) - clientCPU0)
	if err == nil {
		err = json.Unmarshal(last, &res.clientsResult)
	}
	_, _ = io.Copy(io.Discard, out)
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		b.Fatalf("%s: wsclients: %v: %s", sc.name, err, stderr.Bytes())
	}
	if res.Missing > 0 || res.Closed > 0 {
		// The table shows them: a server that falls behind sends the
		// newest frame instead of every one, and the latencies of the
		// clients that missed some are then matched to the wrong change.
		b.Logf("%s: %d frames missing, %d clients closed by the server", sc.name, res.Missing, res.Closed)
	}
	return res
}

// startInstance runs `tdc serve` on a free loopback port over the
// package's database and Redis under prefix, and returns its pid and base
// URL once it answers /healthz, and a function that stops it (SIGTERM),
// which also runs when b ends.
// editableEvent returns the first coming published event, which the
// programme's first page shows; the benchmark's changes retitle it. Its
// titles get their own again when the benchmark ends.
func editableEvent(b *testing.B) int64 {
	b.Helper()
	sqlDB := testenv.DB(b)
	var id int64
	err := sqlDB.QueryRowContext(b.Context(), `SELECT id FROM events
		WHERE published AND starts_at > UTC_TIMESTAMP() ORDER BY starts_at, id LIMIT 1`).Scan(&id)
	if err != nil {
		b.Fatalf("find an event to edit: %v", err)
	}
	b.Cleanup(func() {
		if _, err := sqlDB.ExecContext(context.Background(), `UPDATE event_translations
			SET title = SUBSTRING_INDEX(title, ' · ', 1) WHERE event_id = ?`, id); err != nil {
			b.Errorf("restore the edited event's titles: %v", err)
		}
	})
	return id
}

// retitle commits change i to the event's titles in every language, as an
// editor's save does before its service publishes.
func retitle(b *testing.B, event int64, i int) {
	b.Helper()
	_, err := testenv.DB(b).ExecContext(b.Context(), `UPDATE event_translations
		SET title = CONCAT(SUBSTRING_INDEX(title, ' · ', 1), ' · ', ?) WHERE event_id = ?`, i, event)
	if err != nil {
		b.Fatalf("edit event %d: %v", event, err)
	}
}

func startInstance(b *testing.B, tdc, prefix string) (pid int, base string, stop func()) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(tdc, "serve", "--no-migrate")
	cmd.Dir = b.TempDir() // no .env from the source tree
	cmd.Env = append(os.Environ(), "TDC_ADDR="+addr, "TDC_DATABASE_DSN="+testenv.DSN(b),
		"TDC_REDIS_URL="+testenv.RedisURL(), "TDC_REDIS_PREFIX="+prefix,
		"TDC_WS_MAX_CONNS=20000", "TDC_WS_MAX_PER_IP=20000", "TDC_LOG_LEVEL=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatalf("start tdc: %v", err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		})
	}
	b.Cleanup(stop)
	base = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("tdc serve did not come up: %v\n%s", err, logs.Bytes())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd.Process.Pid, base, stop
}

// rssOf reads the resident set size of process pid.
func rssOf(b *testing.B, pid int) uint64 {
	b.Helper()
	return vmRSS(b, filepath.Join("/proc", strconv.Itoa(pid), "status"))
}

// cpuOf is the user and system CPU time the processes pids have used so
// far, from /proc/{pid}/stat (fields 14 and 15, in clock ticks: 100 a
// second on Linux/amd64, whose USER_HZ is fixed).
func cpuOf(b *testing.B, pids ...int) time.Duration {
	b.Helper()
	var total time.Duration
	for _, pid := range pids {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			b.Fatalf("read CPU time: %v", err)
		}
		// The command name, field 2, is in parentheses and may hold spaces.
		_, rest, ok := strings.Cut(string(stat), ") ")
		f := strings.Fields(rest)
		if !ok || len(f) < 13 {
			b.Fatalf("/proc/%d/stat: unexpected %q", pid, stat)
		}
		for _, v := range f[11:13] { // utime, stime (fields 14, 15)
			ticks, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatalf("/proc/%d/stat: %q: %v", pid, v, err)
			}
			total += time.Duration(ticks) * (time.Second / 100)
		}
	}
	return total
}

// buildBinary compiles pkg into the benchmark's temporary directory, so the
// binaries always match the tree under test (see buildLoadgen).
func buildBinary(b *testing.B, name, pkg string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), name)
	cmd := exec.CommandContext(context.Background(), "go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// venueToken rotates venue's now-playing token with `tdc location token`,
// as an operator does, and returns the new one.
func venueToken(b *testing.B, tdc, venue string) string {
	b.Helper()
	cmd := exec.CommandContext(b.Context(), tdc, "location", "token", venue)
	cmd.Dir = b.TempDir()
	cmd.Env = append(os.Environ(), "TDC_DATABASE_DSN="+testenv.DSN(b), "TDC_REDIS_URL="+testenv.RedisURL(), "TDC_LOG_LEVEL=warn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("tdc location token %s: %v: %s", venue, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

// pushTrack POSTs the i-th track to venue's now-playing API, as DJ software
// does; each track differs from the last, so each is stored and published.
func pushTrack(b *testing.B, base, venue, token string, i int) {
	b.Helper()
	body := fmt.Sprintf(`{"artist":"Bench Artist %d","title":"Bench Track %d","dj":"Bench DJ"}`, i, i)
	req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, base+"/api/locations/"+venue+"/now-playing", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatalf("push track %d: %v", i, err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("push track %d: %s: %s", i, res.Status, answer)
	}
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
