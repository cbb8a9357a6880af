package runbooks_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/runbooks"
)

// TestDryRunFixturesCoverEveryRunbook runs each runbook in dry-run with its fixtures on
// its scenario input: every AWS call is answered, recorded and none is made, and the run
// ends as the remediation path would (the KMS runbook waits for its approval).
func TestDryRunFixturesCoverEveryRunbook(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	defs, err := runbooks.Definitions()
	if err != nil {
		t.Fatal(err)
	}
	machines, err := runbook.CompileLocal(defs)
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		t.Fatal(err)
	}
	for name := range cfg.Runbooks {
		t.Run(name, func(t *testing.T) {
			if _, ok := fixtures[name]; !ok {
				t.Fatalf("no dry-run fixtures for %s (runbooks/dryrun/%s.json)", name, name)
			}
			raw, err := os.ReadFile("testdata/" + name + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var sc struct {
				Input json.RawMessage `json:"input"`
			}
			if err := json.Unmarshal(raw, &sc); err != nil {
				t.Fatal(err)
			}
			var in struct {
				Incident struct{ ID, Team string } `json:"incident"`
			}
			if err := json.Unmarshal(sc.Input, &in); err != nil {
				t.Fatal(err)
			}
			now := func() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }
			st := store.NewMemory(now)
			inc := incident.Incident{ID: in.Incident.ID, Seq: 1, Fingerprint: "fp", Class: "c", Severity: incident.Sev2, Team: in.Incident.Team,
				Status: incident.Open, OpenedAt: now(), StateAt: now()}
			if _, _, err := st.Open(context.Background(), inc, incident.Entry{}); err != nil {
				t.Fatal(err)
			}
			outbox := &notify.Outbox{}
			r := &runbook.Runner{Machines: machines, Fixtures: fixtures, Now: now,
				Task: &runbook.Task{Store: st, Sender: notify.New(outbox, map[string]string{inc.Team: "arn:aws:sns:local:0:t"}), Config: cfg, Now: now, Lease: time.Minute}}
			ex, err := r.Start(context.Background(), name, "x-v1", sc.Input)
			if err != nil {
				t.Fatal(err)
			}
			want := "succeeded (dry-run)"
			if name == "kms-cancel-key-deletion" {
				want = "waiting for approval (dry-run)"
			}
			if ex.Status != want {
				t.Errorf("dry-run of %s = %s (%s); want %s", name, ex.Status, ex.Detail, want)
			}
			tl, err := st.Timeline(context.Background(), inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			for _, e := range tl {
				if e.Kind == incident.KindRunbookCall {
					calls++
					if e.Data["dry_run"] != "true" || e.Data["parameters"] == "" {
						t.Errorf("call entry %+v; want the dry-run flag and the parameters", e)
					}
				}
			}
			if calls == 0 {
				t.Errorf("dry-run of %s recorded no AWS call", name)
			}
		})
	}
}
