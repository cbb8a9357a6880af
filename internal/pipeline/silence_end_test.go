package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
)

const silenceEndConfig = `version: 1
defaults: {team: web, auto_resolve_after: 30m}
teams:
  web: {email: [web@example.com], secondary: backup}
  backup: {email: [backup@example.com]}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3:
    channels: [email]
    acknowledge_within: 30m
    escalation:
      - {after: 30m, notify: [secondary]}
  sev4: {channels: [email]}
silences:
  - id: nightly-deploys
    comment: nightly deploys restart the canary
    matchers: {class: "web.canary"}
    weekly: {days: [mon, tue, wed, thu, fri, sat, sun], start: "01:00", duration: 1h, time_zone: UTC}
taxonomy:
  - class: web.canary
    match: {"detail": {"alarmName": [{"prefix": "canary-"}]}}
    severity: sev3
`

// TestSilenceEnds: an incident a silence kept quiet pages when the silence ends if it is
// still open or acknowledged, and its clocks start then; one that recovered inside the
// silence pages nobody; once someone was paged, its recovery and resolution are told.
// Minutes count from 01:00, when the nightly window opens; it closes at 60m.
func TestSilenceEnds(t *testing.T) {
	base := time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)
	type step struct {
		at    int    // minutes after base
		alarm string // ALARM or OK; "" with ack: acknowledge
		ack   bool
	}
	tests := []struct {
		name     string
		steps    []step
		timeline []string
		sent     []string
	}{
		{"still open when the silence ends", []step{{at: 20, alarm: "ALARM"}},
			[]string{" 20m opened web", " 20m silenced ", " 60m notified web", " 90m objective-breached acknowledge", " 90m escalated backup"},
			[]string{"silence-ended → web", "escalation → backup"}},
		{"acknowledged inside the silence", []step{{at: 20, alarm: "ALARM"}, {at: 40, ack: true}},
			[]string{" 20m opened web", " 20m silenced ", " 40m acknowledged ", " 60m notified web"},
			[]string{"silence-ended → web"}},
		{"recovered inside the silence", []step{{at: 20, alarm: "ALARM"}, {at: 30, alarm: "OK"}},
			[]string{" 20m opened web", " 20m silenced ", " 30m mitigated ", " 60m resolved ", " 60m silence-ended "},
			nil},
		{"recovers after the page", []step{{at: 20, alarm: "ALARM"}, {at: 70, alarm: "OK"}},
			[]string{" 20m opened web", " 20m silenced ", " 60m notified web", " 70m mitigated ", " 70m notified web", "100m resolved ", "100m notified web"},
			[]string{"silence-ended → web", "mitigated → web", "resolved → web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("silence-end.yaml", []byte(silenceEndConfig))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			l, err := pipeline.New(pipeline.Options{Config: cfg, Start: base})
			if err != nil {
				t.Fatal(err)
			}
			var id string
			for i, s := range tt.steps {
				at := base.Add(time.Duration(s.at) * time.Minute)
				if err := l.AdvanceTo(ctx, at); err != nil {
					t.Fatal(err)
				}
				if s.ack {
					if err := l.Do(ctx, func(ctx context.Context) error {
						_, err := l.Lifecycle.Transition(ctx, lifecycle.Request{Incident: id, By: "sam", Key: "ack"}, incident.Acknowledged, "")
						return err
					}); err != nil {
						t.Fatal(err)
					}
					continue
				}
				msgID := fmt.Sprintf("e%d", i)
				rep, err := l.Ingest(ctx, []intake.Message{{ID: msgID, Body: eventtest.Alarm(t, msgID, "canary-checkout", s.alarm, at), ReceivedAt: at}})
				if err != nil || len(rep.Outcomes) != 1 {
					t.Fatalf("Ingest(%s) = %v, %v", msgID, rep.Outcomes, err)
				}
				if id == "" {
					id = rep.Outcomes[0].Incident
				}
			}
			if err := l.AdvanceTo(ctx, base.Add(6*time.Hour)); err != nil {
				t.Fatal(err)
			}
			tl, err := l.Store.Timeline(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range tl {
				got = append(got, fmt.Sprintf("%3.0fm %s %s", e.At.Sub(base).Minutes(), e.Kind, e.Data["teams"]+e.Data["team"]+e.Data["objective"]))
				if e.Kind == incident.KindNotified && e.Data["change"] == "silence-ended" &&
					e.Detail != "Silence nightly-deploys ended while the incident is still "+map[bool]string{true: "acknowledged", false: "open"}[len(tt.steps) > 1 && tt.steps[1].ack]+": told web." {
					t.Errorf("silence-ended entry = %q; want it to say the silence ended and who was told", e.Detail)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.timeline, "\n") {
				t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.timeline, "\n"))
			}
			var sent []string
			for _, s := range l.Outbox.Sent() {
				sent = append(sent, s.Attributes["kind"]+" → "+strings.TrimPrefix(s.Topic, "arn:aws:sns:local:000000000000:firebreak-"))
			}
			if strings.Join(sent, ", ") != strings.Join(tt.sent, ", ") {
				t.Errorf("notifications = %v; want %v", sent, tt.sent)
			}
		})
	}
}
