package status_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds the headless browser: the Debian package's binary. Under CI=true a
// missing browser is a failure: the page is proven in a real browser or not at all.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: the status page's browser test needs it (apt-get install chromium)")
	}
	t.Skip("chromium not found (apt-get install chromium); under CI=true this fails")
	return ""
}

// browse runs headless Chromium once with a fresh profile on url and returns what it
// printed and logged. A page's console messages (a CSP violation, a script error) appear
// in the log as ":CONSOLE" lines.
func browse(t *testing.T, bin string, args ...string) (stdout, log string) {
	t.Helper()
	// A bound on a hung browser, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-extensions", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, tail(errb.String(), 4000))
	}
	return out.String(), errb.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func consoleLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, ":CONSOLE") {
			out = append(out, l)
		}
	}
	return out
}

func TestBrowser(t *testing.T) {
	bin := chromium(t)
	page := newPage(t)
	mux := http.NewServeMux()
	mux.Handle("/status/", http.StripPrefix("/status", page))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	t.Run("board", func(t *testing.T) {
		dom, log := browse(t, bin, "--dump-dom", srv.URL+"/status/")
		for _, want := range []string{"Active incidents", "orders-db CPU &gt; 95% &lt;b&gt;hot&lt;/b&gt;", "Commander: Dana Q",
			"FB-API-1", "FB-S3-1", "Recently resolved", "FB-FIX-1"} {
			if !strings.Contains(dom, want) {
				t.Errorf("the browser's DOM of the board lacks %q:\n%s", want, dom)
			}
		}
		if c := consoleLines(log); len(c) > 0 {
			t.Errorf("the board logged to the console (want nothing, e.g. no CSP violation):\n%s", strings.Join(c, "\n"))
		}
	})
	t.Run("incident", func(t *testing.T) {
		dom, log := browse(t, bin, "--dump-dom", srv.URL+"/status/incidents/FB-DB-1")
		for _, want := range []string{"Timeline", "triage succeeded: replica healthy", "Failover done; watching latency", `href="../"`} {
			if !strings.Contains(dom, want) {
				t.Errorf("the browser's DOM of the incident page lacks %q:\n%s", want, dom)
			}
		}
		if c := consoleLines(log); len(c) > 0 {
			t.Errorf("the incident page logged to the console:\n%s", strings.Join(c, "\n"))
		}
	})
	t.Run("screenshot on a phone", func(t *testing.T) {
		shot := filepath.Join(t.ArtifactDir(), "status-board-phone.png")
		_, log := browse(t, bin, "--window-size=412,915", "--hide-scrollbars", "--screenshot="+shot, srv.URL+"/status/")
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v\n%s", err, tail(log, 2000))
		}
		defer f.Close()
		cfg, err := png.DecodeConfig(f)
		if err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", shot, err)
		}
		if cfg.Width != 412 {
			t.Errorf("screenshot width = %d; want 412 (the phone's)", cfg.Width)
		}
		t.Logf("screenshot: %s (kept with go test -artifacts)", shot)
	})
}
