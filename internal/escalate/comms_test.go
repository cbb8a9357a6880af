package escalate_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// commsYAML: stakeholders hear of sev1 incidents and are due an update every 30m, missed
// 30m after it is due (the default grace: one more cadence step).
const commsYAML = `version: 1
defaults: {team: web}
teams:
  web: {email: [web@example.com]}
contacts:
  - {id: dana, name: Dana Q, email: [dana@example.com]}
communication:
  audiences:
    stakeholders: {email: [biz@example.com]}
  severities:
    sev1: {stakeholders: {every: 30m}}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - {class: x, match: {"source": ["x"]}, severity: sev1}
`

// TestCadenceClock runs the audiences' cadence clock on DynamoDB (dynalite): the
// commander (a contact: their topic; a free name or none: the owner team) is reminded
// once when the update is due, however often the schedule fires; the miss is recorded
// and counted once after the grace; a tick that comes only after the grace records the
// miss without a moot reminder; an incident no audience was told of has no clock.
func TestCadenceClock(t *testing.T) {
	c, err := config.Parse("comms.yaml", []byte(commsYAML))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		commander string  // "": none
		told      bool    // the first notice is on the timeline
		ticks     []int   // minutes after the opening
		sent      string  // topic/kind of each message
		timeline  string  // the clock's entries: minute kind
		nextDue   float64 // minutes after the opening the incident is due next (-1: never)
	}{
		{"contact commander", "contact:dana", true, []int{0, 29, 30, 30, 45, 60, 60, 90, 200},
			"contact:dana/update-due", "30 audience-update-due; 60 audience-update-missed", -1},
		{"free-name commander", "Dana Q", true, []int{0, 30, 60},
			"web/update-due", "30 audience-update-due; 60 audience-update-missed", -1},
		{"no commander", "", true, []int{0, 30},
			"web/update-due", "30 audience-update-due", 60},
		{"late tick", "", true, []int{0, 75, 80},
			"", "60 audience-update-missed", -1},
		{"never told", "", false, []int{0},
			"", "", 30},
		{"never told, looked again", "", false, []int{0, 30, 90},
			"", "", -1},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			clock := t0
			now := func() time.Time { return clock }
			st := dynamotest.Store(t, now)
			id := fmt.Sprintf("FB-C-%d", i+1)
			inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp" + id, Class: "x", Title: "down", Severity: incident.Sev1, Team: "web",
				Status: incident.Open, OpenedAt: t0, StateAt: t0}
			if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: id, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
				t.Fatal(err)
			}
			var entries []incident.Entry
			if tt.told {
				entries = append(entries, incident.Entry{Incident: id, At: t0, Kind: incident.KindAudienceNotified, Key: "audience:first:stakeholders",
					Data: map[string]string{incident.DataAudience: "stakeholders", incident.DataNotice: incident.NoticeFirst}})
			}
			if tt.commander != "" {
				entries = append(entries, incident.Entry{Incident: id, At: t0.Add(time.Second), Kind: incident.KindRoleSet, Key: "role",
					Data: map[string]string{incident.DataRole: incident.RoleCommander, incident.DataName: tt.commander}})
			}
			if len(entries) > 0 {
				if err := st.AddEntries(ctx, entries...); err != nil {
					t.Fatal(err)
				}
			}
			out := &notify.Outbox{}
			var emf bytes.Buffer
			e := &escalate.Escalator{Store: st, Config: c, Now: now, Lease: time.Minute, Metrics: metrics.New(&emf),
				Sender: notify.New(out, map[string]string{"web": "web", "contact:dana": "contact:dana"})}
			for _, m := range tt.ticks {
				clock = t0.Add(time.Duration(m) * time.Minute)
				if _, err := e.Tick(ctx); err != nil {
					t.Fatalf("Tick(+%dm) = %v", m, err)
				}
			}
			var sent []string
			for _, s := range out.Sent() {
				sent = append(sent, s.Topic+"/"+s.Attributes["kind"])
			}
			if got := strings.Join(sent, " "); got != tt.sent {
				t.Errorf("sent = %q; want %q", got, tt.sent)
			}
			tl, err := st.Timeline(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, en := range tl {
				if en.Kind == incident.KindUpdateReminded || en.Kind == incident.KindUpdateMissed {
					got = append(got, fmt.Sprintf("%d %s", int(en.At.Sub(t0)/time.Minute), en.Kind))
				}
			}
			if s := strings.Join(got, "; "); s != tt.timeline {
				t.Errorf("timeline = %q; want %q", s, tt.timeline)
			}
			missed := strings.Contains(tt.timeline, "missed")
			if n := strings.Count(emf.String(), `"UpdatesMissed":1`); (n == 1) != missed || n > 1 {
				t.Errorf("UpdatesMissed records = %d; want %v", n, missed)
			}
			cur, err := st.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			wantDue := time.Time{}
			if tt.nextDue >= 0 {
				wantDue = t0.Add(time.Duration(tt.nextDue * float64(time.Minute)))
			}
			if !cur.DueAt.Equal(wantDue) {
				t.Errorf("due at %s; want %s", cur.DueAt, wantDue)
			}
		})
	}
}
