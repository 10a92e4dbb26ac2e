package loadtest_test

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/testenv"
)

// mailTick is the notify-send job's interval (app/schedule.go): its runs
// fall on multiples of it since midnight UTC, on every instance.
const mailTick = 5 * time.Second

// mailResult is what one mail scenario measured.
type mailResult struct {
	instances int
	latency   time.Duration // the sink's per round trip
	mails     int
	took      time.Duration // from the mails falling due to the sink's N-th 250
	perMail   []float64     // CPU µs per mail of each instance
	sink, db  float64       // CPU µs per mail of the sink and of MariaDB
	dbIdle    float64       // MariaDB's CPU at idle over as long, per mail
	copies    int           // messages the sink got beyond one per Message-ID
	load      string        // /proc/loadavg at the end
}

// BenchmarkMail measures mail throughput end to end: one, then two `tdc
// serve` processes over the package's database and the local Redis (one
// TDC_REDIS_PREFIX), their notify-send job sending to cmd/smtpsink, a
// process of its own. TDC_BENCH_MAIL (10,000) mails are queued due at the
// next tick of the job, so that the clock starts when the instances can
// first see them; it stops when the sink has accepted the last. The CPU
// time of each instance, the sink and MariaDB over that span comes from
// /proc/PID/stat. MariaDB serves the whole machine: other work on it counts
// too, so its figure errs high on a busy machine.
func BenchmarkMail(b *testing.B) {
	n := envInt(b, "TDC_BENCH_MAIL", 10000)
	sqlDB := testenv.DB(b)
	tdc := buildBinary(b, "tdc", "github.com/dreamerscave/tdc/app")
	sinkBin := buildBinary(b, "smtpsink", "github.com/dreamerscave/tdc/app/loadtest/cmd/smtpsink")
	users := mailUsers(b, sqlDB, n)
	dbPID := mariadbPID(b, sqlDB)

	// A sink that answers at once shows what a mail costs in CPU, and on
	// 2 shared cores one instance already fills them. A sink with the
	// latency of a relay across a network (TDC_BENCH_MAIL_LATENCY) is what
	// instances mostly wait on in production: there, instances add up.
	latency := envDuration(b, "TDC_BENCH_MAIL_LATENCY", 5*time.Millisecond)
	var rows []mailResult
	for b.Loop() {
		rows = rows[:0]
		for _, lat := range []time.Duration{0, latency} {
			for _, k := range []int{1, 2} {
				rows = append(rows, runMail(b, sqlDB, tdc, sinkBin, dbPID, users, k, lat))
			}
		}
	}
	for _, r := range rows {
		name := fmt.Sprintf("latency=%s_instances=%d_", r.latency, r.instances)
		b.ReportMetric(float64(r.mails)/r.took.Seconds(), name+"msgs/s")
		var sum float64
		for _, v := range r.perMail {
			sum += v
		}
		b.ReportMetric(sum, name+"cpu-µs/msg")
	}
	report(b, mailTable(rows))
}

func mailTable(rows []mailResult) string {
	var sb strings.Builder
	sb.WriteString("Mails queued due at the next tick of notify-send; the time runs from that tick to the sink's 250 " +
		"for the last. `tdc serve` processes, cmd/smtpsink, MariaDB and Redis share this machine's CPUs; CPU from " +
		"/proc/PID/stat. MariaDB's serves the whole machine: the figure in brackets is what it used in as long a time " +
		"with the instances idle, per mail, and is not the mail's.\n\n")
	sb.WriteString("| sink latency per round trip | instances | mails | msgs/s | CPU µs/mail per instance | sink | MariaDB | extra copies | load average |\n")
	sb.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range rows {
		var per []string
		for _, v := range r.perMail {
			per = append(per, fmt.Sprintf("%.0f", v))
		}
		fmt.Fprintf(&sb, "| %s | %d | %d | %.0f | %s | %.0f | %s | %d | %s |\n", r.latency, r.instances, r.mails,
			float64(r.mails)/r.took.Seconds(), strings.Join(per, " + "), r.sink, fmt.Sprintf("%.0f (%.0f)", r.db, r.dbIdle), r.copies, r.load)
	}
	return sb.String()
}

// mailUsers makes n verified users to mail (a real mail has a user: its
// unsubscribe link is signed for them), half German, and returns their ids.
func mailUsers(b *testing.B, sqlDB *sql.DB, n int) []int64 {
	b.Helper()
	ctx := b.Context()
	for chunk := 0; chunk < n; chunk += 1000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO users (email, display_name, language, time_zone, email_verified_at) VALUES ")
		for i := chunk; i < min(chunk+1000, n); i++ {
			if i > chunk {
				sb.WriteString(",")
			}
			lang, zone := "en", "America/New_York"
			if i%2 == 1 {
				lang, zone = "de", "Europe/Berlin"
			}
			fmt.Fprintf(&sb, "('mailbench%d@example.org', 'Reader %d', '%s', '%s', NOW())", i, i, lang, zone)
		}
		if _, err := sqlDB.ExecContext(ctx, sb.String()); err != nil {
			b.Fatalf("mail users: %v", err)
		}
	}
	ids := make([]int64, 0, n)
	res, err := sqlDB.QueryContext(ctx, "SELECT id FROM users WHERE email LIKE 'mailbench%@example.org' ORDER BY id")
	if err != nil {
		b.Fatalf("mail users: %v", err)
	}
	defer res.Close()
	for res.Next() {
		var id int64
		if err := res.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := res.Err(); err != nil {
		b.Fatal(err)
	}
	return ids
}

// enqueueMail queues a reminder for each user, due at due, as the
// reminder job would.
func enqueueMail(b *testing.B, sqlDB *sql.DB, users []int64, tag string, due time.Time) {
	b.Helper()
	starts := due.Add(time.Hour).Format(time.RFC3339)
	for chunk := 0; chunk < len(users); chunk += 1000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO notification_queue (kind, dedupe_key, user_id, to_address, lang, payload, next_attempt_at, created_at) " +
			"SELECT 'reminder', CONCAT(?, id), id, email, language, JSON_OBJECT('event_id', 1, 'slug', 'bench-night', " +
			"'title', CONCAT('Bench night for ', display_name), 'starts_at', ?, 'zone', time_zone, 'name', display_name), ?, NOW() " +
			"FROM users WHERE id IN (")
		args := []any{"mailbench:" + tag + ":", starts, due}
		for i, id := range users[chunk:min(chunk+1000, len(users))] {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(strconv.FormatInt(id, 10))
		}
		sb.WriteString(")")
		if _, err := sqlDB.ExecContext(b.Context(), sb.String(), args...); err != nil {
			b.Fatalf("enqueue mail: %v", err)
		}
	}
}

func runMail(b *testing.B, sqlDB *sql.DB, tdc, sinkBin string, dbPID int, users []int64, instances int, latency time.Duration) mailResult {
	b.Helper()
	n := len(users)
	sink := exec.CommandContext(b.Context(), sinkBin, "-n", strconv.Itoa(n), "-latency", latency.String())
	stdin, stdout := pipes(b, sink)
	sink.Stderr = os.Stderr
	if err := sink.Start(); err != nil {
		b.Fatalf("start smtpsink: %v", err)
	}
	defer func() { _ = sink.Process.Kill(); _ = sink.Wait() }()
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	var hello struct{ Addr string }
	if err := json.Unmarshal(<-lines, &hello); err != nil || hello.Addr == "" {
		b.Fatalf("smtpsink did not say where it listens: %v", err)
	}

	// startInstance passes the environment on; the sink speaks no TLS.
	b.Setenv("TDC_SMTP_URL", "smtp://"+hello.Addr+"?tls=none")
	_, prefix := testenv.Redis(b)
	pids := make([]int, 0, instances)
	for range instances {
		pid, _, stop := startInstance(b, tdc, prefix)
		defer stop()
		pids = append(pids, pid)
	}

	// Due at a tick far enough ahead that queueing them is done by then:
	// no run sees a part of them, and none waits for the next tick.
	now := time.Now().UTC()
	due := now.Truncate(mailTick).Add(mailTick)
	for due.Sub(now) < 3*time.Second {
		due = due.Add(mailTick)
	}
	tag := fmt.Sprintf("%d:%d", instances, now.UnixNano())
	enqueueMail(b, sqlDB, users, tag, due)
	if time.Now().After(due) {
		b.Fatalf("queueing %d mails took past their tick", n)
	}
	time.Sleep(time.Until(due))
	procs := append([]int{dbPID}, sink.Process.Pid)
	procs = append(procs, pids...)
	before := make([]time.Duration, len(procs))
	for i, pid := range procs {
		before[i] = procCPU(b, pid)
	}

	var got struct {
		Messages   int   `json:"messages"`
		AtUnixNano int64 `json:"at_unix_nano"`
	}
	select {
	case line, ok := <-lines:
		if !ok || json.Unmarshal(line, &got) != nil || got.Messages != n {
			b.Fatalf("smtpsink: want a report of %d messages, got %q", n, line)
		}
	case <-time.After(10 * time.Minute):
		b.Fatalf("%d instances: the sink did not get %d mails in 10 minutes", instances, n)
	}
	res := mailResult{instances: instances, latency: latency, mails: n, took: time.Unix(0, got.AtUnixNano).Sub(due)}
	after := make([]time.Duration, len(procs))
	for i, pid := range procs {
		after[i] = procCPU(b, pid)
	}
	perMail := func(i int) float64 { return float64((after[i] - before[i]).Microseconds()) / float64(n) }
	res.db, res.sink = perMail(0), perMail(1)
	for i := range pids {
		res.perMail = append(res.perMail, perMail(2+i))
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.load = strings.Join(strings.Fields(string(load))[:3], " ")
	}

	// Every row marked sent: the mark follows the 250 by a moment.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var sent int
		if err := sqlDB.QueryRowContext(b.Context(), "SELECT COUNT(*) FROM notification_queue WHERE dedupe_key LIKE ? AND status = 'sent'",
			"mailbench:"+tag+":%").Scan(&sent); err != nil {
			b.Fatal(err)
		}
		if sent == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d instances: %d of %d mails marked sent", instances, sent, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// MariaDB serves everyone on the machine: what it burns while the
	// instances idle, over as long as the run took, is not the mail's.
	idle0 := procCPU(b, dbPID)
	time.Sleep(3 * time.Second)
	idle := float64((procCPU(b, dbPID) - idle0).Microseconds()) / 3 * res.took.Seconds()
	res.dbIdle = idle / float64(n)

	stdin.Close()
	var final struct {
		Messages, Distinct, NoID int
	}
	for line := range lines {
		_ = json.Unmarshal(line, &final)
	}
	if final.Distinct != n || final.NoID != 0 {
		b.Fatalf("%d instances: the sink got %d distinct Message-IDs (%d without), want %d", instances, final.Distinct, final.NoID, n)
	}
	res.copies = final.Messages - final.Distinct
	return res
}

// procCPU is the CPU time, user and system, process pid has used.
func procCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		b.Fatalf("cpu of %d: %v", pid, err)
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from after it (utime and stime are the 14th and 15th).
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(f) < 13 {
		b.Fatalf("cpu of %d: short /proc stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		b.Fatalf("cpu of %d: %v", pid, err)
	}
	// Clock ticks: 100 a second on Linux (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// mariadbPID finds the database server's process from its pid file, or
// among the processes by name.
func mariadbPID(b *testing.B, sqlDB *sql.DB) int {
	b.Helper()
	var file string
	if err := sqlDB.QueryRowContext(b.Context(), "SELECT @@pid_file").Scan(&file); err == nil {
		if raw, err := os.ReadFile(file); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil {
				return pid
			}
		}
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "comm"))
		if name := strings.TrimSpace(string(comm)); name == "mariadbd" || name == "mysqld" {
			return pid
		}
	}
	b.Fatal("no MariaDB process found")
	return 0
}
