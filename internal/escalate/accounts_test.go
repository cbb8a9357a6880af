package escalate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// The escalator holds an incident to its business tier's objectives (the client's SLA,
// config.PolicyFor) in place of its severity's, and says so when one is missed.
func TestPlanTierObjectives(t *testing.T) {
	c, err := config.Parse("c.yaml", []byte(cfgYAML+`tiers:
  gold: {objectives: {acknowledge_within: 2m, resolve_within: 1h}}
  late: {objectives: {resolve_within: 6h}}
  plain: {}
`))
	if err != nil {
		t.Fatal(err)
	}
	open := incident.Incident{ID: "FB-X-1", Severity: incident.Sev1, Team: "web", Status: incident.Open, OpenedAt: t0, StateAt: t0}
	tests := []struct {
		tier, due string
	}{
		{"", "escalate@5m0s[web+backup] breach@5m0s[acknowledge] escalate@45m0s[boss]"},
		{"gold", "breach@2m0s[acknowledge] escalate@5m0s[web+backup] escalate@45m0s[boss] breach@1h0m0s[resolve]"},
		{"late", "escalate@5m0s[web+backup] breach@5m0s[acknowledge] escalate@45m0s[boss]"},
		{"plain", "escalate@5m0s[web+backup] breach@5m0s[acknowledge] escalate@45m0s[boss]"},
	}
	for _, tt := range tests {
		inc := open
		inc.Tier = tt.tier
		due, _ := escalate.Plan(c, inc, min(61)) // before sev1's 4h and late's 6h to resolve
		if got := keys(due); got != tt.due {
			t.Errorf("Plan(sev1 of tier %q at 61m; the latest step of each clock) = due [%s]; want [%s]", tt.tier, got, tt.due)
		}
	}

	st := store.NewMemory(func() time.Time { return t0 })
	ctx := context.Background()
	inc := open
	inc.Seq, inc.Fingerprint, inc.Class, inc.Title, inc.Tier = 1, "fp", "x", "down", "gold"
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
		t.Fatal(err)
	}
	e := &escalate.Escalator{Store: st, Config: c, Now: func() time.Time { return min(61) }, Lease: time.Minute, Sender: nopSender{}}
	if _, err := e.Process(ctx, inc, min(61)); err != nil {
		t.Fatal(err)
	}
	tl, err := st.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var breaches []string
	for _, en := range tl {
		if en.Kind == incident.KindObjectiveBreached {
			breaches = append(breaches, en.Detail)
		}
	}
	want := "Missed the acknowledge objective for sev1 of tier gold: acknowledge within 2m. | Missed the resolve objective for sev1 of tier gold: resolve within 1h."
	if got := strings.Join(breaches, " | "); got != want {
		t.Errorf("breach entries = %q; want %q", got, want)
	}
}

// nopSender tells nobody and says so.
type nopSender struct{}

func (nopSender) Send(context.Context, string, notify.Notice) (string, error) { return "msg", nil }
