package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/seed"
	"github.com/dreamerscave/tdc/app/testenv"
)

// TestMain doubles as the tdc binary: with TDC_TEST_EXEC_MAIN=1 the test
// binary runs main, so the signal test drives a real process.
func TestMain(m *testing.M) {
	if os.Getenv("TDC_TEST_EXEC_MAIN") == "1" {
		main()
		return
	}
	testenv.Main(m)
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestCommands(t *testing.T) {
	t.Parallel()
	// A database of its own: this test seeds, and seeding is once only.
	dsn, _ := testenv.ScratchDB(t, "cmd")
	e := env(map[string]string{"TDC_DATABASE_DSN": dsn, "TDC_REDIS_URL": testenv.RedisURL(), "TDC_REDIS_PREFIX": "tdc_test_main:"})
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"migrate", "status"}, e, &out, io.Discard))
	require.Contains(t, out.String(), "00001_media.sql")
	require.NotContains(t, out.String(), "pending")

	out.Reset()
	require.NoError(t, run(t.Context(), []string{"seed", "--if-empty"}, e, &out, io.Discard))
	require.Contains(t, out.String(), "demo content loaded")
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"seed", "--if-empty"}, e, &out, io.Discard))
	require.Contains(t, out.String(), "not seeding")

	err := run(t.Context(), []string{"seed"}, e, io.Discard, io.Discard)
	require.ErrorIs(t, err, seed.ErrNotEmpty, "seeding twice would duplicate content; it fails and writes nothing")

	require.ErrorContains(t, run(t.Context(), []string{"migrate", "sideways"}, e, io.Discard, io.Discard), "unknown direction")
	require.ErrorContains(t, run(t.Context(), []string{"dance"}, e, io.Discard, io.Discard), "unknown command")
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"help"}, e, &out, io.Discard))
	require.Contains(t, out.String(), "usage: tdc")
}

func TestBadConfigNamesTheVariable(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"serve"}, env(map[string]string{"TDC_ADDR": "nonsense"}), io.Discard, io.Discard)
	require.ErrorContains(t, err, "TDC_ADDR")
}

// A bad value names its variable and never shows a secret.
func TestBadSecretIsNotEchoed(t *testing.T) {
	t.Parallel()
	for _, kv := range []map[string]string{
		{"TDC_DATABASE_DSN": "tdc:s3cr3t-PW@tcp(db:3306"},
		{"TDC_REDIS_URL": "redis://:s3cr3t-PW@cache:notaport/0"},
		{"TDC_METRICS_TOKEN": "s3cr3t-PW"},
	} {
		err := run(t.Context(), []string{"serve"}, env(kv), io.Discard, io.Discard)
		require.Error(t, err)
		for name := range kv {
			require.ErrorContains(t, err, name)
		}
		require.NotContains(t, err.Error(), "s3cr3t-PW")
	}
}

// The .env file is read after the environment, and a malformed line is an
// error naming the line, not a setting silently dropped.
func TestEnvFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.env")
	require.NoError(t, os.WriteFile(good, []byte("# local settings\nTDC_LOG_LEVEL=debug\nexport TDC_TEST_ONLY_VALUE='from file'\n"), 0o600))
	getenv, err := envLookup(good)
	require.NoError(t, err)
	require.Equal(t, "debug", getenv("TDC_LOG_LEVEL"))
	require.Equal(t, "from file", getenv("TDC_TEST_ONLY_VALUE"))

	bad := filepath.Join(dir, "bad.env")
	require.NoError(t, os.WriteFile(bad, []byte("TDC_ADDR=:8080\nTDC_DATABASE_DSN root:s3cr3t-PW@tcp(db)/tdc\n"), 0o600))
	_, err = envLookup(bad)
	require.ErrorContains(t, err, "line 2")
	require.NotContains(t, err.Error(), "s3cr3t-PW")

	missing, err := envLookup(filepath.Join(dir, "none.env"))
	require.NoError(t, err, "no .env file is fine")
	require.Empty(t, missing("TDC_TEST_ONLY_VALUE"))
}

// SIGTERM stops accepting connections, lets the request in flight finish,
// and exits 0.
func TestServeShutsDownGracefullyOnSIGTERM(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()

	_, prefix := testenv.Redis(t) // its keys go when the test ends
	cmd := exec.CommandContext(t.Context(), os.Args[0], "serve")
	cmd.Env = append(os.Environ(),
		"TDC_TEST_EXEC_MAIN=1",
		"TDC_DATABASE_DSN="+testenv.DSN(t),
		"TDC_REDIS_URL="+testenv.RedisURL(),
		"TDC_REDIS_PREFIX="+prefix,
		"TDC_ADDR="+addr,
		"TDC_BASE_URL=http://"+addr,
		"TDC_LOG_FORMAT=json",
	)
	logs := &testenv.LogBuffer{}
	cmd.Stderr = logs
	cmd.Stdout = io.Discard
	require.NoError(t, cmd.Start())

	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 2*time.Minute, 50*time.Millisecond, "server did not come up: %s", logs)

	// A request half read when the signal arrives: the server has taken its
	// header and is waiting for the body. (The 100 Continue proves the
	// server is reading it; a connection still in the listen backlog, or
	// idle between requests, is closed at shutdown, as with any server.)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	br := bufio.NewReader(conn)
	_, err = fmt.Fprintf(conn, "POST /healthz HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n", addr)
	require.NoError(t, err)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusContinue, res.StatusCode)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "shutting down") }, 10*time.Second, 20*time.Millisecond)

	// ...is still answered once its body arrives.
	_, err = fmt.Fprint(conn, "hi")
	require.NoError(t, err, logs.String())
	res, err = http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Less(t, res.StatusCode, http.StatusInternalServerError, "answered, not failed")
	res.Body.Close()

	require.NoError(t, cmd.Wait(), logs.String())
	require.Contains(t, logs.String(), `"msg":"stopped"`)
	// New connections are refused once it is gone.
	_, err = net.DialTimeout("tcp", addr, time.Second)
	require.Error(t, err)
}
