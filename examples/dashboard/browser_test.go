package main

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// browserRequired is the environment variable that makes a missing
// browser a failure instead of a skip; .ci/run sets it.
const browserRequired = "REACTORS_BROWSER_REQUIRED"

// findBrowser returns the path of a Chromium or Chrome executable, or
// skips the test (fails it where browserRequired is set).
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(browserRequired) != "" {
		t.Fatalf("no Chromium on PATH and %s is set (apt-get install chromium)", browserRequired)
	}
	t.Skip("no Chromium on PATH (apt-get install chromium); set " + browserRequired + " to make this a failure")
	return ""
}

// probe is the event type of the dead letter the test causes, so that the
// page's row of it can be told from the workload's own.
type probe struct{ N int }

// TestPageInBrowser loads the debug page of the running workload in
// headless Chromium and checks what a user would see: no console error,
// the number of live reactors, a counter that rises, a dead letter
// showing up within 2 s of being caused, and an edge of the flow map
// between two reactors that talk. It writes a screenshot under the
// test's temporary directory (and to $REACTORS_SCREENSHOT, if set).
func TestPageInBrowser(t *testing.T) {
	browser := findBrowser(t)
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	w, err := startWorkload(sys)
	require.NoError(t, err)
	t.Cleanup(w.stop)
	srv := httptest.NewServer(w.handler())
	t.Cleanup(srv.Close)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 1600),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()

	// Every console message of the page, from its first one.
	var mu sync.Mutex
	var consoleErrors []string
	messages := chromedp.Console(ctx)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				consoleErrors = append(consoleErrors, m.String()+" "+m.URL)
				mu.Unlock()
			}
		}
	}()

	step, cancelStep := context.WithTimeout(ctx, time.Minute)
	defer cancelStep()

	// The page loads and goes live.
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(srv.URL+"/")))
	require.NoError(t, poll(step, `document.querySelector("#status").textContent === "live"`), "the page goes live")

	// The number of live reactors is the system's.
	want := strconv.Itoa(sys.Stats().Reactors)
	require.NoError(t, poll(step, `document.querySelector("#stat-reactors").textContent === "`+want+`"`),
		"the page shows %s live reactors", want)

	// A counter rises while events flow.
	first, err := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector("#stat-handled").textContent`))
	require.NoError(t, err)
	require.NoError(t, poll(step, `(() => { const s = document.querySelector("#stat-handled").textContent;
		return s !== "–" && s !== `+strconv.Quote(first)+`; })()`), "events handled rose from %s", first)

	// A dead letter appears within 2 s of being caused.
	gone, err := reactor.Spawn(sys, func(r *reactor.Reactor[probe]) { r.Main().Seal() }, reactor.WithName("probe-target"))
	require.NoError(t, err)
	reactortest.WaitClosed(t, gone.Done())
	require.ErrorIs(t, gone.Send(probe{N: 1}), reactor.ErrTerminated)
	caused := time.Now()
	deadline, cancelDeadline := context.WithTimeout(ctx, 2*time.Second)
	defer cancelDeadline()
	require.NoError(t, poll(deadline, `[...document.querySelectorAll("#recent tr.dead-letter td:nth-child(4)")].some(td => td.textContent.includes("probe"))`),
		"the probe's dead letter shows within 2 s")
	t.Logf("dead letter shown %v after it was caused", time.Since(caused).Round(time.Millisecond))

	// The flow map draws the dispatcher's sends to a worker.
	require.NoError(t, poll(step, `document.querySelector('#flowmap g.edge[data-from-name="dispatcher"][data-to-name="worker-1"]') !== null`),
		"an edge from the dispatcher to worker-1")

	// The router's panel lists its members with the events each got.
	require.NoError(t, poll(step, `(() => { const p = document.querySelector('.panel[data-title="router jobs"]');
		return p !== null && p.textContent.includes("worker-1#main") && p.textContent.includes("routed"); })()`),
		"the router panel lists worker-1")
	require.NoError(t, poll(step, `(() => { const p = document.querySelector('.panel[data-title="remote node"]');
		return p !== null && p.textContent.includes("CONNECTED") && p.textContent.includes("collector"); })()`),
		"the remote panel shows the connection and the export")

	// The table's panel shows each shard's operations per second.
	require.NoError(t, poll(step, `(() => { const p = document.querySelector('.panel[data-title="table kv"]');
		if (p === null) return false;
		for (const g of p.querySelectorAll("table.grid")) {
			const heads = [...g.querySelectorAll(":scope > thead th")].map(th => th.textContent);
			const i = heads.indexOf("ops/s");
			if (i < 0) continue;
			return [...g.querySelectorAll(":scope > tbody > tr")].some(tr => {
				const t = tr.children[i].textContent; return t !== "–" && t !== "0"; });
		}
		return false; })()`), "the table panel shows operations per second")

	// Sorting by name orders the rows by name.
	require.NoError(t, chromedp.Do(step, chromedp.Click(`#reactors th[data-sort="name"]`)))
	require.NoError(t, poll(step, `(() => { const names = [...document.querySelectorAll("#reactors tr.reactor")].map(r => r.dataset.name);
		return names.length > 4 && names.every((n, i) => i === 0 || names[i-1] <= n); })()`), "rows sorted by name")

	// Filtering goes through the server: four workers match "worker-".
	require.NoError(t, chromedp.Do(step, chromedp.SendKeys("#filter", "worker-")))
	require.NoError(t, poll(step, `(() => { const rows = [...document.querySelectorAll("#reactors tr.reactor")];
		return rows.length === 4 && rows.every(r => r.dataset.name.startsWith("worker-")); })()`), "the filter keeps the workers")
	_, err = chromedp.Run(step, chromedp.Evaluate[bool](`(() => { const f = document.querySelector("#filter");
		f.value = ""; return f.dispatchEvent(new Event("input")); })()`))
	require.NoError(t, err)
	require.NoError(t, poll(step, `document.querySelectorAll("#reactors tr.reactor").length > 4`), "the filter cleared")

	png, err := chromedp.Run(step, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	shot := filepath.Join(t.TempDir(), "dashboard.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	if p := os.Getenv("REACTORS_SCREENSHOT"); p != "" {
		require.NoError(t, os.WriteFile(p, png, 0o644))
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

	cancel()
	<-collected
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, consoleErrors, "console errors on the page")
}

// poll waits until the JavaScript expression is true in the page, or ctx
// ends.
func poll(ctx context.Context, expr string) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond)))
	return err
}
