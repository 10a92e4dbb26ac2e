package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// tdcProcess is `tdc serve` (this test binary, re-executed) on addr.
type tdcProcess struct {
	cmd  *exec.Cmd
	logs *testenv.LogBuffer
}

// startServe starts `tdc serve` on addr over the database dsn and the Redis
// prefix, and waits until it answers /healthz.
func startServe(t *testing.T, addr, dsn, prefix string) *tdcProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(),
		"TDC_TEST_EXEC_MAIN=1",
		"TDC_DATABASE_DSN="+dsn,
		"TDC_REDIS_URL="+testenv.RedisURL(),
		"TDC_REDIS_PREFIX="+prefix,
		"TDC_ADDR="+addr,
		"TDC_BASE_URL=http://"+addr,
		"TDC_LOG_FORMAT=json",
	)
	p := &tdcProcess{cmd: cmd, logs: &testenv.LogBuffer{}}
	cmd.Stderr = p.logs
	cmd.Stdout = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 2*time.Minute, 50*time.Millisecond, "server did not come up: %s", p.logs)
	return p
}

// kill ends the process at once, as a crash or an OOM kill would: no
// graceful close of the sockets.
func (p *tdcProcess) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Kill())
	_ = p.cmd.Wait()
}

func pushTrack(t *testing.T, addr, slug, token, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/locations/"+slug+"/now-playing", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(raw))
}

// A venue screen in Chromium, served by a real `tdc serve` process: it fits
// 1920×1080 and 1024×1024 without scrollbars, shows a pushed track without
// a reload, keeps its clock and its "now" and "next" moving while the
// process is dead (SIGKILL), and after a new process starts on the same
// address it reconnects by itself and shows the next pushed track.
func TestScreenInBrowser(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	dsn := testenv.DSN(t)
	sqlDB := testenv.DB(t)
	q := db.New(sqlDB)
	prefix := "tdc_test_" + strings.ToLower(testenv.Unique("screen")) + ":"
	rdb, _ := testenv.Redis(t)
	testenv.DropKeys(t, rdb, prefix)

	loc := testenv.Location(t, q, testenv.LocationOpts{StreamKind: db.LocationsStreamKindPush})
	venues := testenv.Services(t, sqlDB, time.Now()).Locations
	token, err := venues.RotateNowPlayingToken(t.Context(), actor.System(), loc.ID)
	require.NoError(t, err)
	for _, f := range [][2]string{{"screen.rotate_seconds", "5"}, {"screen.announcements.en", "First line\nSecond line"}} {
		d, err := venues.AdminGet(t.Context(), loc.ID)
		require.NoError(t, err)
		_, err = venues.Patch(t.Context(), actor.System(), loc.ID, d.Version, f[0], f[1])
		require.NoError(t, err)
	}
	// A show on now that ends soon, and the next right after it, so the
	// change of show falls while the server is down. Before the server
	// starts: its show clock reads the programme index at once, and rows
	// inserted by hand are published by no one.
	now := time.Now().UTC().Truncate(time.Second)
	ending := testenv.Event(t, q, testenv.EventOpts{Location: loc, Start: now.Add(-10 * time.Minute), Duration: 10*time.Minute + 90*time.Second,
		Title: "Ending Soon", Published: true})
	after := testenv.Event(t, q, testenv.EventOpts{Location: loc, Start: ending.EndsAt, Duration: time.Hour, Title: "Right After", Published: true})
	testenv.Event(t, q, testenv.EventOpts{Location: loc, Start: after.EndsAt.Add(time.Hour), Duration: time.Hour, Title: "Much Later", Published: true})
	srv := startServe(t, addr, dsn, prefix)
	base := "http://" + addr
	type void = chromedp.Void
	browser := testenv.BrowserWithin(t, 8*time.Minute)
	noScroll := `document.scrollingElement.scrollHeight <= innerHeight && document.scrollingElement.scrollWidth <= innerWidth`
	for _, size := range [][2]int64{{1024, 1024}, {1920, 1080}} {
		require.NoError(t, chromedp.Do(browser,
			chromedp.EmulateViewport(size[0], size[1]),
			chromedp.Navigate(base+"/screens/"+loc.Slug+"?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#screen-current .screen-event.is-current")),
		))
		fits, err := chromedp.Run(browser, chromedp.Evaluate[bool](noScroll))
		require.NoError(t, err)
		require.True(t, fits, "no scrollbars at %dx%d", size[0], size[1])
	}
	require.NoError(t, chromedp.Do(browser,
		chromedp.Evaluate[void](`window.tdcMark = "kept"`),
		chromedp.Poll[void](`document.querySelector('#screen-current .is-current').textContent.includes("Ending Soon")`),
		chromedp.Poll[void](`document.querySelector('#screen-next .is-next').textContent.includes("Right After")`),
		// The announcements rotate, one at a time.
		chromedp.Poll[void](`document.querySelector('#screen-announcements .is-active').textContent === "Second line" && `+
			`document.querySelectorAll('#screen-announcements .is-active').length === 1`),
		// hx-ws read the socket's hx-config: the screen keeps listening
		// when the browser reports the page hidden.
		chromedp.Poll[void](`document.getElementById('live-socket')._htmx?.ws?.connection?.config?.pauseOnBackground === false`),
	))
	const marked = `window.tdcMark === "kept"`

	// A track pushed by DJ software arrives over the socket.
	pushTrack(t, addr, loc.Slug, token, `{"artist":"Nyx Calloway","title":"Tidal <Lights>","dj":"Marlo"}`)
	require.NoError(t, chromedp.Do(browser,
		chromedp.Poll[void](`document.querySelector('#screen-now-playing').textContent.includes("Tidal <Lights>") && `+marked),
	), "the screen shows the pushed track without a reload")

	// The process dies. The clock keeps ticking, and when the show ends the
	// screen moves on by itself: the next show is on now, the one after is next.
	srv.kill(t)
	stamp, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.getElementById('screen-clock').getAttribute('datetime')`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(browser,
		chromedp.Poll[void](`document.getElementById('screen-clock').getAttribute('datetime') !== `+jsString(stamp)),
		chromedp.Poll[void](`document.querySelector('#screen-current .is-current')?.textContent.includes("Right After") && `+
			`document.querySelector('#screen-next .is-next')?.textContent.includes("Much Later") && `+
			`document.querySelector('#screen-current .is-current progress').value < 100 && `+marked, chromedp.WithPollingTimeout(3*time.Minute)),
	), "offline, the screen moves now and next on by the clock")
	_, err = http.Get(base + "/healthz")
	require.Error(t, err, "the server is down while the screen moved on")

	// A new process on the same address: hx-ws reconnects by itself (its
	// backoff), and the next track arrives.
	srv = startServe(t, addr, dsn, prefix)
	pushTrack(t, addr, loc.Slug, token, `{"artist":"Nyx Calloway","title":"Back Again"}`)
	require.NoError(t, chromedp.Do(browser,
		// hx-ws's backoff has grown while the server was down: up to a minute.
		chromedp.Poll[void](`document.querySelector('#screen-now-playing').textContent.includes("Back Again") && `+marked, chromedp.WithPollingTimeout(3*time.Minute)),
	), "the screen reconnects and shows the new track: %s", srv.logs)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
