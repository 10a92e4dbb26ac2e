package testenv

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Journal records what the page of tab asks of the network and writes to
// its console, and prints it when the test fails. A browser test that times
// out otherwise says only what it waited for, not whether the page ever
// asked for it (a script that failed, a socket refused or never opened).
func Journal(t testing.TB, tab context.Context, name string) {
	t.Helper()
	start := time.Now()
	var mu sync.Mutex
	var lines []string
	add := func(format string, args ...any) {
		line := fmt.Sprintf("%7.3fs %s: ", time.Since(start).Seconds(), name) + fmt.Sprintf(format, args...)
		if len(line) > 300 { // data: addresses
			line = line[:300] + "…"
		}
		mu.Lock()
		lines = append(lines, line)
		mu.Unlock()
	}
	err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			add("request %s %s", e.Request.Method, e.Request.URL)
		case *network.EventResponseReceived:
			add("response %d %s", e.Response.Status, e.Response.URL)
		case *network.EventLoadingFailed:
			add("failed %s %s (canceled %t, blocked %q)", e.Type, e.ErrorText, e.Canceled, e.BlockedReason)
		case *network.EventWebSocketCreated:
			add("websocket %s created %s", e.RequestID, e.URL)
		case *network.EventWebSocketWillSendHandshakeRequest:
			add("websocket %s handshake sent", e.RequestID)
		case *network.EventWebSocketHandshakeResponseReceived:
			add("websocket %s handshake answered %d", e.RequestID, e.Response.Status)
		case *network.EventWebSocketFrameError:
			add("websocket %s error: %s", e.RequestID, e.ErrorMessage)
		case *network.EventWebSocketClosed:
			add("websocket %s closed", e.RequestID)
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			add("exception at %s:%d: %s", d.URL, d.LineNumber, text)
		case *runtime.EventConsoleAPICalled:
			parts := make([]string, 0, len(e.Args))
			for _, a := range e.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			add("console.%s %s", e.Type, strings.Join(parts, " "))
		case *log.EventEntryAdded:
			add("log %s %s %s", e.Entry.Level, e.Entry.Text, e.Entry.URL)
		}
	})
	if err != nil {
		t.Fatalf("testenv: journal of %s: %v", name, err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		t.Logf("what the page of %s did (%d lines):\n%s", name, len(lines), strings.Join(lines, "\n"))
	})
}

// Intercept pauses each request of tab whose address matches pattern
// (wildcards as the protocol's Fetch domain has them: * and ?) and hands it
// to answer, in a goroutine of its own, which must continue or fail it
// (fetch.ContinueRequest, fetch.FailRequest) through tab. Call it before
// the tab navigates.
func Intercept(t testing.TB, tab context.Context, pattern string, answer func(fetch.RequestID)) {
	t.Helper()
	err := chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			// The listener must not run commands itself (see chromedp.Listen).
			go answer(e.RequestID)
		}
	})
	if err == nil {
		_, err = chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}})
	}
	if err != nil {
		t.Fatalf("testenv: intercept %s: %v", pattern, err)
	}
}

// HoldBack delays each request of tab whose address matches pattern by d,
// as a slow network would, for a test of what a page does while a file is
// late.
func HoldBack(t testing.TB, tab context.Context, pattern string, d time.Duration) {
	t.Helper()
	Intercept(t, tab, pattern, func(id fetch.RequestID) {
		time.Sleep(d)
		_, _ = chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	})
}
