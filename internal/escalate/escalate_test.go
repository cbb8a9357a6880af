package escalate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const cfgYAML = `version: 1
defaults: {team: web, auto_resolve_after: 30m}
teams:
  web: {email: [web@example.com], secondary: backup}
  backup: {email: [b@example.com]}
  boss: {email: [boss@example.com]}
severities:
  sev1:
    channels: [email]
    acknowledge_within: 5m
    update_every: 30m
    resolve_within: 4h
    escalation:
      - {after: 5m, notify: [owner, secondary]}
      - {after: 15m, notify: [boss], repeat: 2, every: 15m}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - {class: x, match: {"source": ["x"]}, severity: sev1}
`

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func cfg(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Parse("c.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func min(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

func keys(steps []escalate.Step) string {
	var out []string
	for _, s := range steps {
		out = append(out, fmt.Sprintf("%s@%s[%s]", s.Kind, s.At.Sub(t0), strings.Join(s.Teams, "+")+s.Objective))
	}
	return strings.Join(out, " ")
}

func TestPlan(t *testing.T) {
	c := cfg(t)
	open := incident.Incident{ID: "FB-X-1", Severity: incident.Sev1, Team: "web", Status: incident.Open, OpenedAt: t0, StateAt: t0}
	acked := open
	acked.Status, acked.AcknowledgedAt = incident.Acknowledged, min(7)
	noted := acked
	noted.LastUpdateAt = min(50)
	mitigated := open
	mitigated.Status, mitigated.StateAt = incident.Mitigated, min(20)
	child := open
	child.Parent, child.ParentReason = "FB-P-1", "grouped"
	silenced := open
	silenced.SilencedBy = "maint"
	raised := open
	raised.SeverityAt = min(40)
	raisedLate := open
	raisedLate.SeverityAt = min(250)
	tests := []struct {
		name      string
		inc       incident.Incident
		now       time.Time
		due, next string
	}{
		{"just opened", open, min(0), "", "escalate@5m0s[web+backup]"},
		{"tier 1 due", open, min(5), "escalate@5m0s[web+backup] breach@5m0s[acknowledge]", "escalate@15m0s[boss]"},
		{"all tiers late: the latest step of each", open, min(60), "escalate@5m0s[web+backup] breach@5m0s[acknowledge] escalate@45m0s[boss]", "breach@4h0m0s[resolve]"},
		{"between repeats", open, min(20), "escalate@5m0s[web+backup] breach@5m0s[acknowledge] escalate@15m0s[boss]", "escalate@30m0s[boss]"},
		{"raised to sev1 at 40m: nothing of its policy until just after", raised, min(40), "", "escalate@40m0.000000001s[web+backup]"},
		{"raised to sev1 at 40m, looked at a minute later", raised, min(41), "escalate@40m0.000000001s[web+backup] escalate@40m0.000000001s[boss] breach@40m0.000000001s[acknowledge]", "escalate@45m0s[boss]"},
		{"raised to sev1 after the resolve objective", raisedLate, min(300), "escalate@4h10m0.000000001s[web+backup] escalate@4h10m0.000000001s[boss] breach@4h10m0.000000001s[acknowledge] breach@4h10m0.000000001s[resolve]", ""},
		{"acknowledged: no escalation, reminders", acked, min(10), "", "remind@37m0s[web]"},
		{"reminder missed twice: only the latest", acked, min(100), "remind@1h37m0s[web]", "remind@2h7m0s[web]"},
		{"a note moves the reminder", noted, min(60), "", "remind@1h20m0s[web]"},
		{"mitigated auto-resolves after the quiet period", mitigated, min(49), "", "auto-resolve@50m0s[]"},
		{"grouped child: no pages", child, min(60), "", ""},
		{"silenced: no pages", silenced, min(60), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, next := escalate.Plan(c, tt.inc, tt.now)
			n := ""
			if next != nil {
				n = keys([]escalate.Step{*next})
			}
			if keys(due) != tt.due || n != tt.next {
				t.Errorf("Plan(%s at %s) = due [%s] next [%s]; want due [%s] next [%s]", tt.name, tt.now.Sub(t0), keys(due), n, tt.due, tt.next)
			}
		})
	}
}

// TestTickOnDynamoDB runs the escalator against DynamoDB (dynalite) through the real
// clients: it reads only the due index, does each step once across repeated ticks, and
// publishes escalations through the real SNS client.
func TestTickOnDynamoDB(t *testing.T) {
	clock := t0
	now := func() time.Time { return clock }
	st := dynamotest.Store(t, now)
	sns := awstest.New()
	defer sns.Close()
	ctx := context.Background()
	inc := incident.Incident{ID: "FB-X-1", Seq: 1, Fingerprint: "fp", Class: "x", Title: "down", Severity: incident.Sev1, Team: "web",
		Status: incident.Open, OpenedAt: t0, StateAt: t0}
	if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	e := &escalate.Escalator{Store: st, Config: cfg(t), Now: now, Lease: time.Minute,
		Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web", "backup": "arn:aws:sns:eu-west-1:1:backup", "boss": "arn:aws:sns:eu-west-1:1:boss"})}
	var total escalate.Report
	for _, m := range []int{0, 1, 5, 5, 16, 16, 31} {
		clock = min(m)
		rep, err := e.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total.Escalations += rep.Escalations
		total.Breaches += rep.Breaches
	}
	if total.Escalations != 3 || total.Breaches != 1 {
		t.Errorf("ticks did %d escalations, %d breaches; want 3 (5m, 15m, 30m) and 1", total.Escalations, total.Breaches)
	}
	var topics []string
	for _, p := range sns.Of("Publish") {
		topics = append(topics, p.Form.Get("TopicArn")[len("arn:aws:sns:eu-west-1:1:"):])
	}
	if strings.Join(topics, ",") != "web,backup,boss,boss" {
		t.Errorf("published to %v; want web,backup (tier 1), boss (15m), boss (30m)", topics)
	}
	got, err := st.Get(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.DueAt.Equal(min(45)) {
		t.Errorf("DueAt = %v; want the next step at 45m", got.DueAt.Sub(t0))
	}
	if due, err := st.Due(ctx, min(44), 0); err != nil || len(due) != 0 {
		t.Errorf("Due(44m) = %d, %v; want nothing until the next step", len(due), err)
	}
}

// TestPlanLargeRepeat: a tier's repeat costs nothing until its steps are due, however
// large it is (config caps it; Plan does not rely on that), and a tick years late does the
// latest repeat only.
func TestPlanLargeRepeat(t *testing.T) {
	c := cfg(t)
	c.Severities["sev1"].Escalation[1].Repeat = 1 << 40
	open := incident.Incident{ID: "FB-X-1", Severity: incident.Sev1, Team: "web", Status: incident.Open, OpenedAt: t0, StateAt: t0}
	tests := []struct {
		now        time.Time
		wantRepeat int // of the due tier-2 step (-1: none due)
		next       time.Time
	}{
		{min(10), -1, min(15)},
		{min(15), 0, min(30)},
		{min(61), 3, min(75)},
		{t0.Add(10 * 365 * 24 * time.Hour), (10*365*24*60 - 15) / 15, t0.Add(10*365*24*time.Hour + 15*time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.now.Sub(t0).String(), func(t *testing.T) {
			due, next := escalate.Plan(c, open, tt.now)
			if len(due) > 4 {
				t.Fatalf("Plan(%s) = %d due steps; want at most one per clock (4)", tt.now.Sub(t0), len(due))
			}
			got := -1
			for _, st := range due {
				if st.Kind == escalate.Escalate && st.Tier == 2 {
					got = st.Repeat
				}
			}
			if got != tt.wantRepeat {
				t.Errorf("Plan(%s): due tier-2 repeat %d; want %d", tt.now.Sub(t0), got, tt.wantRepeat)
			}
			if next == nil || !next.At.Equal(tt.next) {
				t.Errorf("Plan(%s): next %+v; want a step at %s", tt.now.Sub(t0), next, tt.next.Sub(t0))
			}
		})
	}
}
