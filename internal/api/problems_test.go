package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestProblemRoutes: a problem opened by hand links incidents of different
// fingerprints; it cannot be resolved while one is active; notes, root cause and status
// changes are kept on its timeline; the report counts it. Against both stores.
func TestProblemRoutes(t *testing.T) {
	for _, kind := range []string{"memory", "dynamodb"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t, kind)
			f.h.Problems = f.st.(api.Problems)
			decodeProblem := func(body string) api.ProblemResponse {
				t.Helper()
				var r api.ProblemResponse
				if err := json.Unmarshal([]byte(body), &r); err != nil {
					t.Fatalf("problem response %q: %v", body, err)
				}
				return r
			}
			resp := f.do(f.request("POST", "/problems", `{"title":"VPN firmware upgrade","team":"platform","reason":"tunnels flap since the upgrade","incidents":["FB-OPEN-1","FB-ACK-1"]}`, alice))
			if resp.StatusCode != 201 {
				t.Fatalf("POST /problems = %d %s; want 201", resp.StatusCode, resp.Body)
			}
			p := decodeProblem(resp.Body).Problem
			if p.Status != "open" || strings.Join(p.Incidents, ",") != "FB-ACK-1,FB-OPEN-1" || p.OpenedBy != alice {
				t.Errorf("opened problem = %+v; want open, both incidents, opened by alice", p)
			}
			tests := []struct {
				method, path, body string
				want               int
				contains           string
			}{
				{"POST", "/problems", `{"team":"platform"}`, 400, "title: required"},
				{"POST", "/problems", `{"title":"x","team":"platform","incidents":["FB-NONE-1"]}`, 400, "FB-NONE-1"},
				{"POST", "/problems", `{"title":"x","team":"platform","colour":"red"}`, 400, "unknown field"},
				{"GET", "/problems/PRB-NONE", "", 404, "PRB-NONE"},
				{"POST", "/problems/" + p.ID + "/status", `{"status":"resolved"}`, 409, "FB-OPEN-1 (open)"},
				{"POST", "/problems/" + p.ID + "/status", `{"status":"done"}`, 400, "is not one of open, investigating"},
				{"POST", "/problems/" + p.ID + "/note", `{}`, 400, "give a text"},
				{"POST", "/problems/" + p.ID + "/note", `{"text":"vendor ticket 42","root_cause":"firmware 7.2 drops keepalives","actions":["ACT-1"]}`, 200, "firmware 7.2"},
				{"POST", "/problems/" + p.ID + "/status", `{"status":"known-error","reason":"workaround: pin 7.1"}`, 200, "known-error"},
				{"POST", "/problems/" + p.ID + "/link", `{"incidents":["FB-RES-1"]}`, 200, "FB-RES-1"},
				{"GET", "/problems?status=known-error", "", 200, p.ID},
				{"GET", "/problems?status=nope", "", 400, "nope"},
				{"DELETE", "/problems", "", 405, "not allowed"},
				{"GET", "/report?since=7d&by=team", "", 200, `"problems_opened":1`},
				{"GET", "/report?since=yesterday", "", 400, "yesterday"},
				{"GET", "/report?by=colour", "", 400, "colour"},
			}
			for _, tt := range tests {
				resp := f.do(f.request(tt.method, tt.path, tt.body, alice))
				if resp.StatusCode != tt.want || !strings.Contains(resp.Body, tt.contains) {
					t.Errorf("%s %s %s = %d %s; want %d containing %q", tt.method, tt.path, tt.body, resp.StatusCode, resp.Body, tt.want, tt.contains)
				}
			}
			got := decodeProblem(f.do(f.request("GET", "/problems/"+p.ID, "", alice)).Body)
			if got.Problem.RootCause != "firmware 7.2 drops keepalives" || len(got.Problem.Actions) != 1 || len(got.Problem.Incidents) != 3 {
				t.Errorf("GET problem = %+v; want the root cause, one action, three incidents", got.Problem)
			}
			var kinds []string
			for _, e := range got.Timeline {
				kinds = append(kinds, string(e.Kind))
			}
			if s := strings.Join(kinds, " "); !strings.Contains(s, "problem-opened") || !strings.Contains(s, "problem-note") || !strings.Contains(s, "problem-status") {
				t.Errorf("timeline kinds = %s; want opened, note, status", s)
			}
			tl, err := f.st.Timeline(context.Background(), "FB-OPEN-1")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(func() string { b, _ := json.Marshal(tl); return string(b) }(), p.ID) {
				t.Errorf("incident timeline of FB-OPEN-1 does not name %s", p.ID)
			}
			if resp := f.do(f.request("GET", "/problems", "", "")); resp.StatusCode != 403 {
				t.Errorf("GET /problems without IAM = %d; want 403", resp.StatusCode)
			}
		})
	}
}

// TestProblemActions: a problem shows its tracked actions with their status (GET
// /problems/{id} and GET /problems); resolving it is refused with 409 naming the open
// ones until they are closed. Against both stores.
func TestProblemActions(t *testing.T) {
	for _, kind := range []string{"memory", "dynamodb"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t, kind)
			cfg, err := firebreak.Config()
			if err != nil {
				t.Fatal(err)
			}
			st := f.st.(store.Store)
			f.h.Problems = st
			f.h.Reviews = &review.Service{Store: st, Config: cfg, Now: f.clock}
			f.h.Actions = &action.Service{Store: st, Lister: st, Timeline: st, Schedule: review.Schedule(cfg), Teams: cfg.TeamNames, Now: f.clock}
			resp := f.do(f.request("POST", "/problems", `{"title":"Disk fills","team":"platform","incidents":["FB-RES-1"]}`, alice))
			if resp.StatusCode != 201 {
				t.Fatalf("POST /problems = %d %s; want 201", resp.StatusCode, resp.Body)
			}
			var p api.ProblemResponse
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
			id := p.Problem.ID
			rotate, clean := action.ID(id, "Rotate logs hourly"), action.ID(id, "Clean the tmp volume")
			steps := []struct {
				method, path, body string
				want               int
				contains           []string
			}{
				{"POST", "/actions", `{"title":"x","owner":"platform","due":"` + t0.Format(time.RFC3339) + `","link_kind":"problem","link":"PRB-NONE"}`, 404, []string{"problem PRB-NONE: there is no such problem"}},
				{"POST", "/actions", `{"title":"Rotate logs hourly","owner":"platform","due":"` + t0.Add(-time.Hour).Format(time.RFC3339) + `","link_kind":"problem","link":"` + id + `"}`, 201, nil},
				{"POST", "/actions", `{"title":"Clean the tmp volume","owner":"platform","due":"` + t0.Add(48*time.Hour).Format(time.RFC3339) + `","link_kind":"problem","link":"` + id + `"}`, 201, nil},
				{"GET", "/problems/" + id, "", 200, []string{`"id":"` + rotate + `"`, `"status":"open","link_kind":"problem"`, `"overdue":true`, `"overdue":false`}},
				{"GET", "/problems", "", 200, []string{`"actions":{"` + id + `":[{"id":"` + rotate + `"`}},
				{"POST", "/problems/" + id + "/status", `{"status":"resolved"}`, 409, []string{"2 of its actions are open", rotate, clean, "overdue since"}},
				{"POST", "/actions/" + rotate + "/done", `{}`, 200, nil},
				{"POST", "/problems/" + id + "/status", `{"status":"resolved"}`, 409, []string{"1 of its actions are open", clean}},
				{"POST", "/actions/" + clean + "/wontdo", `{"reason":"the volume is gone"}`, 200, nil},
				{"POST", "/problems/" + id + "/status", `{"status":"resolved"}`, 200, []string{`"status":"resolved"`, `"status":"done"`, `"status":"wont-do"`}},
			}
			for _, s := range steps {
				resp := f.do(f.request(s.method, s.path, s.body, alice))
				if resp.StatusCode != s.want {
					t.Errorf("%s %s %s = %d %s; want %d", s.method, s.path, s.body, resp.StatusCode, resp.Body, s.want)
					continue
				}
				for _, c := range s.contains {
					if !strings.Contains(resp.Body, c) {
						t.Errorf("%s %s = %s; want it containing %q", s.method, s.path, resp.Body, c)
					}
				}
			}
		})
	}
}
