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

const scenarioConfig = `version: 1
defaults: {team: web, reopen_within: 1h, auto_resolve_after: 30m}
teams:
  web: {name: Web, email: [web@example.com], sms: ["+15555550100"], secondary: backup}
  backup: {name: Backup on-call, email: [backup@example.com]}
  management: {name: Management, email: [mgmt@example.com]}
severities:
  sev1:
    channels: [email, sms]
    acknowledge_within: 5m
    update_every: 30m
    resolve_within: 4h
    escalation:
      - {after: 5m, notify: [owner]}
      - {after: 10m, notify: [secondary]}
      - {after: 20m, notify: [management], repeat: 1, every: 10m}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - class: web.down
    match: {"source": ["aws.cloudwatch"], "detail": {"alarmName": [{"prefix": "web-"}]}}
    severity: sev1
    team: web
    title: "{{index .Attrs \"alarm_name\"}} is {{index .Attrs \"state\"}}"
`

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// TestSev1NobodyAcknowledges is the clocks end to end: a SEV1 alarm that nobody
// acknowledges escalates through every tier on time, is acknowledged, is reminded when
// its update is due, is mitigated by the OK event and resolved after the quiet period.
// The expected times come from the policy above, worked out by hand.
func TestSev1NobodyAcknowledges(t *testing.T) {
	cfg, err := config.Parse("scenario.yaml", []byte(scenarioConfig))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ingest := func(id, state string, m int) intake.Outcome {
		t.Helper()
		if err := l.AdvanceTo(ctx, at(m)); err != nil {
			t.Fatal(err)
		}
		rep, err := l.Ingest(ctx, []intake.Message{{ID: id, Body: eventtest.Alarm(t, id, "web-frontend-5xx", state, at(m)), ReceivedAt: at(m)}})
		if err != nil || len(rep.Outcomes) != 1 {
			t.Fatalf("Ingest(%s) = %v, %v", id, rep.Outcomes, err)
		}
		return rep.Outcomes[0]
	}

	opened := ingest("alarm-1", "ALARM", 0)
	if opened.Kind != intake.Opened || opened.Severity != incident.Sev1 {
		t.Fatalf("first ALARM = %s %s; want a sev1 incident opened", opened.Kind, opened.Severity)
	}
	id := opened.Incident

	// Nobody acknowledges for 35 minutes.
	if err := l.AdvanceTo(ctx, at(35)); err != nil {
		t.Fatal(err)
	}
	if err := l.Do(ctx, func(ctx context.Context) error {
		_, err := l.Lifecycle.Transition(ctx, lifecycle.Request{Incident: id, By: "sam", Key: "ack-1"}, incident.Acknowledged, "on it")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// No update for 30 minutes after the acknowledgement: a reminder at 35+30 = 65m.
	ok := ingest("ok-1", "OK", 70)
	if ok.Kind != intake.Mitigated {
		t.Fatalf("OK = %s; want it to mitigate", ok.Kind)
	}
	// Quiet for 30 minutes after the recovery: resolved at 100m, not closed, ever.
	if err := l.AdvanceTo(ctx, at(24*60)); err != nil {
		t.Fatal(err)
	}

	inc, err := l.Store.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != incident.Resolved || !inc.ResolvedAt.Equal(at(100)) || inc.AcknowledgedBy != "sam" {
		t.Errorf("incident = %s resolved at %v acknowledged by %q; want resolved at %v by the clock, acknowledged by sam", inc.Status, inc.ResolvedAt, inc.AcknowledgedBy, at(100))
	}

	tl, err := l.Store.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		got = append(got, fmt.Sprintf("%3.0fm %s %s", e.At.Sub(t0).Minutes(), e.Kind, e.Data["teams"]+e.Data["team"]+e.Data["objective"]))
	}
	want := []string{
		"  0m opened web",
		"  0m notified web",
		"  5m objective-breached acknowledge", // the objective is missed, so the tier is told
		"  5m escalated web",
		" 10m escalated backup",
		" 20m escalated management",
		" 30m escalated management",
		" 35m acknowledged ",
		" 65m update-due ",
		" 70m mitigated ",
		" 70m notified web",
		"100m resolved ",
		"100m notified web",
		"100m review-opened ", // a sev1 resolved opens its post-incident review
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var sent []string
	for _, s := range l.Outbox.Sent() {
		sent = append(sent, s.Attributes["kind"]+" → "+strings.TrimPrefix(s.Topic, "arn:aws:sns:local:000000000000:firebreak-"))
	}
	wantSent := []string{"opened → web", "escalation → web", "escalation → backup", "escalation → management",
		"escalation → management", "update-due → web", "mitigated → web", "resolved → web"}
	if strings.Join(sent, ", ") != strings.Join(wantSent, ", ") {
		t.Errorf("notifications = %v; want %v", sent, wantSent)
	}
	if r := l.Escalation; r.Escalations != 4 || r.Breaches != 1 || r.Reminders != 1 || r.AutoResolved != 1 {
		t.Errorf("clock report = %+v; want 4 escalations, 1 breach, 1 reminder, 1 auto-resolved", r)
	}
}

// TestClocksOnceWhenTheScheduleFiresLateTwiceOrConcurrently ticks the escalator late
// (every tier overdue at once), then again, then from two goroutines.
func TestClocksOnceWhenTheScheduleFiresLateTwiceOrConcurrently(t *testing.T) {
	cfg, err := config.Parse("scenario.yaml", []byte(scenarioConfig))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Ingest(ctx, []intake.Message{{ID: "a", Body: eventtest.Alarm(t, "a", "web-x", "ALARM", t0)}}); err != nil {
		t.Fatal(err)
	}
	l.Clock.Set(t0.Add(45 * time.Minute)) // the schedule was down: everything is overdue
	done := make(chan error, 3)
	tick := func() {
		_, err := l.Escalator.Tick(ctx)
		done <- err
	}
	tick()
	go tick()
	go tick()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, s := range l.Outbox.Sent() {
		if s.Attributes["kind"] == "escalation" {
			n++
		}
	}
	// Notices are sent by the escalator directly (Outbox), not through the stream.
	// Tiers 1 and 2 once each; tier 3's latest repeat (30m) once: the 20m notice it
	// missed is not sent in a burst.
	if n != 3 {
		t.Errorf("escalation notices = %d after a late tick, a second and two concurrent ones; want 3 (each tier's latest step once)", n)
	}
}
