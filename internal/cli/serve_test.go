package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/cli"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/review"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// served is a running `firebreak serve`.
type served struct {
	base   string
	banner string // what it printed before serving
}

// serve starts `firebreak serve --addr 127.0.0.1:0 args...` and stops it when the test ends.
func serve(t *testing.T, args ...string) served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		code := cli.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), cli.Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: stderr,
			Getenv: func(k string) string {
				if k == "USER" {
					return "tester"
				}
				return ""
			}})
		_ = pw.CloseWithError(io.EOF)
		done <- code
	}()
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Ctrl-C stops it") {
			break
		}
	}
	rest := &lockedBuffer{}
	go func() { _, _ = io.Copy(rest, pr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exit %d; stderr %s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Errorf("serve did not stop within 10s of its context ending")
		}
	})
	m := regexp.MustCompile(`Firebreak API on (http://127\.0\.0\.1:\d+) `).FindStringSubmatch(banner.String())
	if m == nil {
		t.Fatalf("serve printed %q (stderr %q); want the API's URL", banner.String(), stderr.String())
	}
	return served{base: m[1], banner: banner.String()}
}

func (s served) cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return run(t, "", append([]string{"incidents", "--api", s.base}, args...)...)
}

func (s served) ok(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := s.cli(t, args...)
	if code != 0 {
		t.Fatalf("firebreak incidents %s: exit %d, stderr %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func (s served) show(t *testing.T, id string) api.IncidentResponse {
	t.Helper()
	var r api.IncidentResponse
	if err := json.Unmarshal([]byte(s.ok(t, "--json", "show", id)), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func hasEntry(tl []incident.Entry, kind incident.Kind, actor, detail string) bool {
	for _, e := range tl {
		if e.Kind == kind && (actor == "" || e.Actor == actor) && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

func TestServeAndIncidents(t *testing.T) {
	s := serve(t, samples)
	var list api.ListResponse
	if err := json.Unmarshal([]byte(s.ok(t, "list", "--json", "--status", "all", "--limit", "1000")), &list); err != nil {
		t.Fatal(err)
	}
	if list.Count < 10 {
		t.Fatalf("list --json found %d incidents; want the replayed samples' incidents", list.Count)
	}
	linked := regexp.MustCompile(`Acknowledge link of (FB-\S+) \(one use\)`).FindStringSubmatch(s.banner)
	if linked == nil {
		t.Fatalf("serve printed no acknowledge link: %s", s.banner)
	}
	var open string
	for _, inc := range list.Incidents {
		if inc.Status == incident.Open && inc.Runbook == "" && inc.ID != linked[1] && open == "" {
			open = inc.ID
		}
	}
	if open == "" {
		t.Fatalf("no open incident without a runbook among %d", list.Count)
	}

	t.Run("list", func(t *testing.T) {
		out := s.ok(t, "list")
		if !strings.HasPrefix(out, "ID ") || !strings.Contains(out, "STATUS") || !strings.Contains(out, open) {
			t.Errorf("list = %q; want a table with %s", out, open)
		}
		out = s.ok(t, "list", "--status", "closed")
		if out != "No incidents.\n" {
			t.Errorf("list --status closed = %q; want none", out)
		}
		if code, _, errs := s.cli(t, "list", "--status", "asleep"); code != 1 || !strings.Contains(errs, `status "asleep" is not one of`) || !strings.Contains(errs, "HTTP 400") {
			t.Errorf("list --status asleep = exit %d, %q; want 1 with the API's message", code, errs)
		}
	})
	t.Run("show", func(t *testing.T) {
		out := s.ok(t, "show", open)
		for _, want := range []string{open, "Timeline", "opened", "Account/region"} {
			if !strings.Contains(out, want) {
				t.Errorf("show %s = %q; want %q", open, out, want)
			}
		}
		code, _, errs := s.cli(t, "show", "FB-NOPE-1")
		if code != 1 || !strings.Contains(errs, "incident FB-NOPE-1 not found (HTTP 404)") {
			t.Errorf("show FB-NOPE-1 = exit %d, %q; want 1, not found", code, errs)
		}
	})
	t.Run("ack note resolve", func(t *testing.T) {
		if out := s.ok(t, "ack", open, "--note", "on it"); !strings.Contains(out, open+" acknowledged: acknowledged") {
			t.Errorf("ack = %q; want acknowledged", out)
		}
		code, _, errs := s.cli(t, "ack", open)
		if code != 1 || !strings.Contains(errs, "incident is already acknowledged (HTTP 409)") {
			t.Errorf("ack again = exit %d, %q; want 1 with the conflict", code, errs)
		}
		if out := s.ok(t, "note", open, "restarted", "the", "pods"); !strings.Contains(out, "note added") {
			t.Errorf("note = %q; want note added", out)
		}
		if out := s.ok(t, "severity", open, "sev1", "--reason", "customers see it"); !strings.Contains(out, "sev1") {
			t.Errorf("severity = %q; want sev1", out)
		}
		if out := s.ok(t, "resolve", open, "--note", "fixed"); !strings.Contains(out, open+" resolved: resolved") {
			t.Errorf("resolve = %q; want resolved", out)
		}
		r := s.show(t, open)
		if r.Incident.Status != incident.Resolved || r.Incident.AcknowledgedBy != "local:tester" {
			t.Errorf("show %s = %s acknowledged by %q; want resolved, acknowledged by local:tester", open, r.Incident.Status, r.Incident.AcknowledgedBy)
		}
		for _, e := range []struct {
			kind          incident.Kind
			actor, detail string
		}{{incident.KindAcknowledged, "local:tester", "on it"}, {incident.KindNote, "local:tester", "restarted the pods"},
			{incident.KindSeverityChanged, "local:tester", "customers see it"}, {incident.KindResolved, "local:tester", "fixed"}} {
			if !hasEntry(r.Timeline, e.kind, e.actor, e.detail) {
				t.Errorf("timeline of %s lacks %v: %+v", open, e, r.Timeline)
			}
		}
	})
	t.Run("silences", func(t *testing.T) {
		out := s.ok(t, "silence", "add", "--match", "team=platform", "--match", "class=ops.*", "--for", "2h", "--comment", "deploy window")
		m := regexp.MustCompile(`^Silence (sil-[a-z2-7]+): class=ops\.\* team=platform from `).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("silence add = %q; want the new silence", out)
		}
		if out := s.ok(t, "silence", "list"); !strings.Contains(out, m[1]) || !strings.Contains(out, "active") || !strings.Contains(out, "local:tester") {
			t.Errorf("silence list = %q; want %s active, by local:tester", out, m[1])
		}
		if out := s.ok(t, "silence", "end", m[1]); !strings.Contains(out, "Silence "+m[1]+" ended at") {
			t.Errorf("silence end = %q; want ended", out)
		}
		if out := s.ok(t, "silence", "list"); !strings.Contains(out, "ended") {
			t.Errorf("silence list after end = %q; want it ended", out)
		}
		code, _, errs := s.cli(t, "silence", "add", "--match", "team=platform", "--comment", "x")
		if code != 2 || !strings.Contains(errs, "--for DURATION or --until TIME") {
			t.Errorf("silence add without a duration = exit %d, %q; want a usage error", code, errs)
		}
		code, _, errs = s.cli(t, "silence", "add", "--match", "colour=red", "--for", "1h", "--comment", "x")
		if code != 2 || !strings.Contains(errs, "key is one of class, team") {
			t.Errorf("silence add --match colour=red = exit %d, %q; want a usage error", code, errs)
		}
	})
	t.Run("approve", func(t *testing.T) {
		m := regexp.MustCompile(`approve (FB-\S+) (\S+/\S+)\n`).FindStringSubmatch(s.banner)
		if m == nil {
			t.Fatalf("serve printed no waiting approval: %s", s.banner)
		}
		id, key := m[1], m[2]
		if out := s.ok(t, "approve", id, key, "--note", "key is in use"); !strings.Contains(out, key+" approved by local:tester") {
			t.Errorf("approve = %q; want approved", out)
		}
		r := s.show(t, id)
		if len(r.Approvals) != 1 || r.Approvals[0].Decision != "approved" {
			t.Errorf("approvals of %s = %+v; want approved", id, r.Approvals)
		}
		if !hasEntry(r.Timeline, incident.KindApprovalApproved, "local:tester", "key is in use") || !hasEntry(r.Timeline, incident.KindRunbookDocument, "", "succeeded") {
			t.Errorf("timeline of %s lacks the approval and the runbook finishing: %+v", id, r.Timeline)
		}
		code, _, errs := s.cli(t, "reject", id, key)
		if code != 1 || !strings.Contains(errs, "was already approved by local:tester") {
			t.Errorf("reject after approve = exit %d, %q; want 1, already approved", code, errs)
		}
	})
	t.Run("signed link", func(t *testing.T) {
		m := regexp.MustCompile(`Acknowledge link of (FB-\S+) \(one use\):\n\s+(\S+)\n`).FindStringSubmatch(s.banner)
		if m == nil {
			t.Fatalf("serve printed no acknowledge link: %s", s.banner)
		}
		id, link := m[1], m[2]
		if !strings.HasPrefix(link, s.base+"/t/") {
			t.Fatalf("link %q is not on %s", link, s.base)
		}
		before := s.show(t, id).Incident.Version
		for i, step := range []struct {
			method  string
			status  int
			version int
		}{{"GET", 200, before}, {"POST", 200, before + 1}, {"POST", 403, before + 1}} {
			req, err := http.NewRequest(step.method, link, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if v := s.show(t, id).Incident.Version; resp.StatusCode != step.status || v != step.version {
				t.Errorf("step %d: %s link = %d, version %d; want %d, version %d", i+1, step.method, resp.StatusCode, v, step.status, step.version)
			}
		}
		r := s.show(t, id)
		if r.Incident.Status != incident.Acknowledged || r.Incident.Version != before+1 || r.Incident.AcknowledgedBy != "link:ack via signed link" {
			t.Errorf("after the link: %s v%d by %q; want acknowledged once (v%d) by the link", r.Incident.Status, r.Incident.Version, r.Incident.AcknowledgedBy, before+1)
		}
	})
	t.Run("json", func(t *testing.T) {
		var v map[string]any
		if err := json.Unmarshal([]byte(s.ok(t, "silence", "list", "--json")), &v); err != nil || v["silences"] == nil {
			t.Errorf("silence list --json = %v, %v; want the API's JSON", v, err)
		}
	})
}

func TestServeRefusesOtherInterfaces(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "192.0.2.1:0", ":8080"} {
		code, _, errs := run(t, "", "serve", "--addr", addr)
		if code != 2 || !strings.Contains(errs, "loopback interface only") {
			t.Errorf("serve --addr %s = exit %d, %q; want 2, loopback only", addr, code, errs)
		}
	}
}

func TestIncidentsUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"incidents", "list"}, 2, "no API: give --api URL or set FIREBREAK_API"},
		{[]string{"incidents", "--api", "http://203.0.113.5:8080", "list"}, 2, "use https (a Function URL) or http://127.0.0.1:PORT"},
		{[]string{"incidents", "--api", "https://example.com", "list"}, 2, "must be a Function URL"},
		{[]string{"incidents", "--api", "http://127.0.0.1:1", "show"}, 2, "show takes ID"},
		{[]string{"incidents", "--api", "http://127.0.0.1:1", "frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"incidents"}, 2, "name a command"},
		{[]string{"incidents", "--api", "http://127.0.0.1:1", "silence"}, 2, "silence add|list|end"},
	} {
		code, _, errs := run(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("firebreak %s = exit %d, %q; want %d and %q", strings.Join(tc.args, " "), code, errs, tc.code, tc.want)
		}
	}
	code, out, _ := run(t, "", "incidents", "help")
	if code != 0 || !strings.Contains(out, "silence add --match K=V") {
		t.Errorf("incidents help = exit %d, %q; want the commands", code, out)
	}
}

// TestServeReport: firebreak report against firebreak serve carries the follow-ups
// section serve wires in (actions and reviews by outcome), in JSON and in words.
func TestServeReport(t *testing.T) {
	s := serve(t)
	code, out, errs := run(t, "", "report", "--api", s.base, "--json")
	var rep struct {
		Sections map[string]json.RawMessage `json:"sections"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Sections[review.SectionName] == nil {
		t.Fatalf("report --json = exit %d %s %s; want a %s section", code, out, errs, review.SectionName)
	}
	code, out, errs = run(t, "", "report", "--api", s.base)
	if code != 0 || !strings.Contains(out, "Actions due: 0 done on time") || !strings.Contains(out, "Reviews due: 0 completed on time") {
		t.Errorf("report = exit %d %s %s; want the actions and reviews due", code, out, errs)
	}
}
