package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium, which `go tool task services --
// --chromium` installs; TDC_TEST_CHROMIUM may point elsewhere.
func ChromiumPath() string {
	if v := os.Getenv("TDC_TEST_CHROMIUM"); v != "" {
		return v
	}
	return "/usr/bin/chromium"
}

// Browser starts a headless Chromium for the test and returns a context to
// run chromedp actions in. It fails, never skips, when Chromium is missing.
// Every action should wait for a DOM condition; the context's deadline
// bounds the whole test.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("testenv: no Chromium at %s (`go tool task services -- --chromium` installs it)", path)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Without these, Chromium's own connections fail on a closed
		// network and slow every start.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("testenv: start Chromium: %v", err)
	}
	return browser
}
