package testenv

import (
	"context"
	"embed"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeFS holds axe-core (MPL-2.0, see axe/LICENSE), vendored from the npm
// registry with its integrity pinned by `go tool task assets`.
//
//go:embed axe/axe.min.js
var axeFS embed.FS

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
	return BrowserWithin(t, 60*time.Second)
}

// BrowserWithin is Browser with a deadline of the test's choosing, for a
// test that checks many pages and may meet a busy machine.
func BrowserWithin(t testing.TB, timeout time.Duration) context.Context {
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
		// Headless Chromium still renders the omnibox's popups (WebUI
		// pages in a renderer of their own), which kept a third of a core
		// busy for nothing during browser tests.
		chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxAimPopup"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
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

// Tab opens another tab in the Chromium of browser (a context from
// Browser), so one browser serves many pages at once: each tab's actions run
// in order, tabs run in parallel. The tab has cookies of its own (a new
// browser context), so a language or zone one tab picks does not leak into
// another's requests. It closes when the test ends.
func Tab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return ctx
}

// AxeViolation is one axe-core rule that a page breaks, and the elements
// that break it.
type AxeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"` // CSS selectors (arrays inside shadow roots)
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// String gives the rule, its impact and every failing element, one a line.
func (v AxeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s <%s>", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n      %v: %s", n.Target, strings.Join(strings.Fields(n.FailureSummary), " "))
	}
	return b.String()
}

// axeRun runs axe-core over the whole document with the rules of WCAG 2.0
// and 2.1 at levels A and AA, and axe's best practices, and keeps only what
// the report needs.
const axeRun = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary})),
})))`

// Axe checks the tab's current document with axe-core and returns the
// rules it breaks. Unless AxeOnEveryPage put it there already, it injects
// axe-core with Runtime.evaluate, which the page's Content-Security-Policy
// (script-src 'self') does not govern. Wait for the page to settle first:
// axe sees the document as it is, mid-transition or not.
func Axe() chromedp.Action[[]AxeViolation] {
	return func(ctx context.Context, t *chromedp.Target) ([]AxeViolation, error) {
		loaded, err := chromedp.Evaluate[bool](`typeof window.axe !== 'undefined'`)(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("testenv: axe: %w", err)
		}
		if !loaded {
			src, err := axeFS.ReadFile("axe/axe.min.js")
			if err != nil {
				return nil, fmt.Errorf("testenv: axe: %w", err)
			}
			if _, err := chromedp.Evaluate[chromedp.Void](string(src))(ctx, t); err != nil {
				return nil, fmt.Errorf("testenv: inject axe-core: %w", err)
			}
		}
		v, err := chromedp.Evaluate[[]AxeViolation](axeRun, chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("testenv: run axe-core: %w", err)
		}
		return v, nil
	}
}

// AxeOnEveryPage makes every document the tab loads from now on start with
// axe-core (Page.addScriptToEvaluateOnNewDocument, which CSP does not
// govern either), so a test that checks many pages sends the 650 kB script
// to the browser once per tab instead of once per page.
func AxeOnEveryPage() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		src, err := axeFS.ReadFile("axe/axe.min.js")
		if err != nil {
			return fmt.Errorf("testenv: axe: %w", err)
		}
		_, err = cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: string(src)})
		if err != nil {
			return fmt.Errorf("testenv: preload axe-core: %w", err)
		}
		return nil
	})
}

// ReduceMotion makes the tab report prefers-reduced-motion: reduce, as a
// visitor may ask for. The site's endless animations (stage lights, live
// badges) then stop, so a test that only reads the page does not spend the
// machine's CPU repainting them in every tab.
func ReduceMotion() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		if err != nil {
			return fmt.Errorf("testenv: reduce motion: %w", err)
		}
		return nil
	})
}
