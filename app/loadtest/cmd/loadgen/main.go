// Command loadgen loads one of our servers on a loopback address with the
// loadtest package's closed-loop generator and prints what it measured as
// one JSON object (a loadtest.Summary) on stdout. It runs as a process of
// its own so that the generator's allocations, collections and scheduling
// are not billed to the server it measures; BenchmarkSite runs it.
//
//	loadgen -url http://127.0.0.1:8080 -path /events -H 'Accept-Encoding: gzip' -duration 10s
//	loadgen -url http://127.0.0.1:8080 -paths urls.txt -start 5000 -conns 50
//
// With -paths every request takes the next line of the file (through a
// counter the connections share), so a run can ask for as many distinct
// URLs as it sends requests. -start is the line to begin with: a run took
// requests+errors lines, so the next run can continue after them.
//
// Non-200 answers are counted in the JSON, not treated as a failure of the
// command; it exits 2 for bad flags and 1 when interrupted or when it
// cannot write its result.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dreamerscave/tdc/app/loadtest"
)

// errUsage marks a bad command line, which exits 2 as flag errors do.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// headerFlag collects repeated -H 'Name: value' flags.
type headerFlag map[string]string

func (h headerFlag) String() string { return fmt.Sprint(map[string]string(h)) }

func (h headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("want 'Name: value', got %q", v)
	}
	h[name] = strings.TrimSpace(value)
	return nil
}

// run parses args, loads the server and writes the summary to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the server: http, on a loopback address, without a path")
	path := fs.String("path", "", "the path (and query) every request asks for, e.g. '/events?type=talk'")
	pathsFile := fs.String("paths", "", "file of paths (and queries), one a line, which the requests take in turn; blank lines and lines starting with # are skipped")
	start := fs.Int("start", 0, "with -paths, the index of the first line to ask for (the list starts over when it runs out)")
	conns := fs.Int("conns", 50, "concurrent keep-alive connections")
	duration := fs.Duration("duration", 10*time.Second, "how long the connections keep sending requests")
	maxRequests := fs.Int("max-requests", 0, fmt.Sprintf("stop after this many requests (0: %d)", loadtest.DefaultMaxRequests))
	timeout := fs.Duration("timeout", loadtest.DefaultTimeout, "bound on each read and write of a request")
	header := headerFlag{}
	fs.Var(header, "H", "request header 'Name: value' (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	cfg := loadtest.Config{
		Header: header, Conns: *conns, Duration: *duration, MaxRequests: *maxRequests, Timeout: *timeout,
	}
	switch {
	case (*path == "") == (*pathsFile == ""):
		return fmt.Errorf("%w: give either -path or -paths", errUsage)
	case *path != "":
		if !strings.HasPrefix(*path, "/") {
			return fmt.Errorf("%w: -path %q: want a path starting with /", errUsage, *path)
		}
		cfg.URL = strings.TrimSuffix(*base, "/") + *path
	default:
		paths, err := readPaths(*pathsFile)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		cfg.URL, cfg.Paths, cfg.PathStart = *base, paths, *start
	}
	res, err := loadtest.Run(ctx, cfg)
	if err != nil && res.Requests+res.Errors == 0 {
		// Nothing was sent: a bad configuration, or interrupted at once.
		if ctx.Err() == nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		return err
	}
	// An interrupted run still reports what it measured.
	enc := json.NewEncoder(stdout)
	if werr := enc.Encode(res.Summary()); werr != nil {
		return fmt.Errorf("write result: %w", werr)
	}
	return err
}

// readPaths reads one path a line.
func readPaths(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var paths []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		paths = append(paths, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no paths", name)
	}
	return paths, nil
}
