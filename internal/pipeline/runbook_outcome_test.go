package pipeline_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/runbooks"
)

// TestRunbookOutcomeEndToEnd: the world-open SSH sample through the whole pipeline with
// the shipped configuration and runbook in dry-run. When the runbook verifies its fix the
// incident is mitigated at once, nobody is escalated to, and it resolves after the quiet
// period; when verification fails the owner is told at once, with what failed, and the
// incident escalates as any unacknowledged one.
func TestRunbookOutcomeEndToEnd(t *testing.T) {
	body, err := os.ReadFile("../../events/samples/cloudtrail/sg-ingress-open-world.json")
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		t.Fatal(err)
	}
	stillThere := json.RawMessage(`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-0a1b2c3d4e5f67890", "CidrIpv4": "0.0.0.0/0"}]}`)
	tests := []struct {
		name        string
		verify      []runbook.Answer // nil: the shipped fixture
		status      incident.Status
		sent        []string // the first notifications, in order
		escalations bool
		entry       string // a timeline entry that must be there, at the event's time
	}{
		{"verified", nil, incident.Resolved,
			[]string{"opened → security", "mitigated → security", "resolved → security"}, false,
			"mitigated: Mitigated by runbook sg-revoke-world-ingress, verified: DescribeSecurityGroupRules no longer lists"},
		{"verification fails", []runbook.Answer{{Output: stillThere}}, incident.Open,
			// In dry-run the runbook has run by the time the opened notice (which says what
			// it did) goes out, so its failure notice comes first.
			[]string{"runbook → security", "opened → security", "escalation → security", "escalation → secondary"}, true,
			"runbook-notified: Told security: Incident FB-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
			if tt.verify != nil {
				sg := runbook.Fixtures{}
				for state, a := range fixtures["sg-revoke-world-ingress"] {
					sg[state] = a
				}
				sg["VerifyRules"] = tt.verify
				fixtures["sg-revoke-world-ingress"] = sg
			}
			ctx := context.Background()
			l, err := pipeline.New(pipeline.Options{Config: cfg, Start: head.Time, Runbooks: machines, Fixtures: fixtures})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := l.Ingest(ctx, []intake.Message{{ID: "m1", Body: body, ReceivedAt: head.Time}})
			if err != nil || len(rep.Outcomes) != 1 || rep.Outcomes[0].Incident == "" {
				t.Fatalf("Ingest(sample) = %+v, %v; want one incident", rep.Outcomes, err)
			}
			id := rep.Outcomes[0].Incident
			if err := l.AdvanceTo(ctx, head.Time.Add(6*time.Hour)); err != nil {
				t.Fatal(err)
			}
			inc, err := l.Store.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if inc.Status != tt.status {
				t.Errorf("status after 6h = %s; want %s", inc.Status, tt.status)
			}
			if got := l.Escalation.Escalations > 0; got != tt.escalations {
				t.Errorf("escalations = %d; want some: %v", l.Escalation.Escalations, tt.escalations)
			}
			var sent []string
			for _, s := range l.Outbox.Sent() {
				if s.Attributes["audience"] != "" {
					continue // the communication plan's messages: internal/dispatch/audience_test.go
				}
				sent = append(sent, s.Attributes["kind"]+" → "+strings.TrimPrefix(s.Topic, "arn:aws:sns:local:000000000000:firebreak-"))
			}
			if len(sent) < len(tt.sent) || strings.Join(sent[:len(tt.sent)], ", ") != strings.Join(tt.sent, ", ") {
				t.Errorf("notifications = %v; want them to begin %v", sent, tt.sent)
			}
			tl, err := l.Store.Timeline(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range tl {
				if strings.HasPrefix(string(e.Kind)+": "+e.Detail, tt.entry) {
					found = true
					if e.At.Sub(head.Time) >= time.Second {
						t.Errorf("%s at %s; want it at once (the event's time %s)", e.Kind, e.At, head.Time)
					}
				}
			}
			if !found {
				t.Errorf("timeline has no entry starting %q", tt.entry)
			}
		})
	}
}
