package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestProblemsAndReportCommands runs firebreak problems and firebreak report against a
// local API over the in-memory store.
func TestProblemsAndReportCommands(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return t0.Add(2 * time.Hour) }
	st := store.NewMemory(now)
	for i, id := range []string{"FB-A-1", "FB-B-1"} {
		inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-" + id, Class: "ops.vpn-tunnel", Title: "tunnel down", Severity: incident.Sev2,
			Team: "network", Status: incident.Open, OpenedAt: t0.Add(time.Duration(i) * time.Minute), StateAt: t0}
		if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.AddAction(ctx, action.Action{ID: action.ID("FB-A-1", "pin the firmware"), Title: "pin the firmware", Owner: "network",
		Due: t0.Add(time.Hour), Status: action.Open, LinkKind: action.LinkIncident, Link: "FB-A-1", CreatedAt: t0, CreatedBy: "sam"}); err != nil {
		t.Fatal(err)
	}
	h := &api.Loopback{Handler: &api.Handler{Store: st, Problems: st, Lifecycle: &lifecycle.Service{Store: st, Now: now}, Now: now,
		ReportSections: []report.Contributor{review.Section{Store: st}}}, Actor: "local:tester"}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	run := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errs, Getenv: func(k string) string {
			if k == "FIREBREAK_API" {
				return srv.URL
			}
			return ""
		}}
		c := map[string]func(context.Context, Env, []string) error{"problems": runProblems, "report": runReport}[args[0]]
		err := c(ctx, env, args[1:])
		return out.String() + errs.String(), err
	}
	out, err := run("problems", "open", "--title", "VPN firmware upgrade", "--team", "network", "FB-A-1", "FB-B-1")
	if err != nil || !strings.Contains(out, "FB-A-1, FB-B-1") || !strings.Contains(out, "by local:tester") {
		t.Fatalf("problems open = %v\n%s\nwant the problem with both incidents", err, out)
	}
	id := strings.Fields(out)[0]
	pin := action.ID(id, "Pin firmware 7.1 on every tunnel endpoint")
	if _, _, err := st.AddAction(ctx, action.Action{ID: pin, Title: "Pin firmware 7.1 on every tunnel endpoint", Owner: "network",
		Due: t0.Add(time.Hour), Status: action.Open, LinkKind: action.LinkProblem, Link: id, CreatedAt: t0, CreatedBy: "sam"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		wantErr string
		want    string
	}{
		{[]string{"problems", "list"}, "", id},
		{[]string{"problems", "list"}, "", "1 open, 1 overdue"},
		{[]string{"problems", "show", id}, "", "  " + pin + "  open (overdue)  network  due 2026-11-02 13:00  Pin firmware 7.1"},
		{[]string{"problems", "status", id, "resolved"}, "FB-A-1 (open)", ""},
		{[]string{"problems", "note", id, "vendor", "ticket", "--root-cause", "firmware 7.2", "--action", "ACT-9"}, "", "firmware 7.2"},
		{[]string{"problems", "status", id, "known-error"}, "", "known-error"},
		{[]string{"problems", "link", id}, "takes ID INCIDENT...", ""},
		{[]string{"problems", "show", id}, "", "problem-note"},
		{[]string{"problems", "show", id}, "", "Not filed   ACT-9"},
		{[]string{"problems", "frobnicate"}, "unknown command", ""},
		{[]string{"report", "--since", "1d", "--by", "team"}, "", "Problems: 1 opened, 0 resolved, 1 open now"},
		{[]string{"report", "--since", "1d"}, "", "Actions due: 0 done on time, 0 done late, 0 won't do, 2 overdue, 0 open; 2 overdue now"},
		{[]string{"report", "--since", "1d"}, "", "Reviews due: 0 completed on time, 0 completed late, 0 overdue, 0 open"},
		{[]string{"report", "--by", "colour"}, "colour", ""},
	}
	for _, tt := range tests {
		out, err := run(tt.args...)
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%v = %v; want an error containing %q", tt.args, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || !strings.Contains(out, tt.want)):
			t.Errorf("%v = %v\n%s\nwant output containing %q", tt.args, err, out, tt.want)
		}
		for _, l := range strings.Split(out, "\n") {
			if n := len([]rune(l)); n > 120 {
				t.Errorf("%v: a line is %d columns; want at most 120: %q", tt.args, n, l)
			}
		}
	}
	out, err = run("report", "--json", "--since", "1d")
	var rep report.Report
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.Total.Incidents != 2 || rep.ProblemsOpened != 1 {
		t.Errorf("report --json = %v %+v\n%s\nwant 2 incidents and 1 problem opened", err, rep, out)
	}
}
