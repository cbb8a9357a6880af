package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
)

// oncallConfig: team web pages whoever is on call for web-primary, a weekly rotation of
// alice and bob handing off on Mondays at 09:00 Berlin time; a sev1 nobody acknowledges
// pages the schedule again after 5 minutes. Night watch covers only 22:00-06:00.
const oncallConfig = `version: 1
defaults: {team: web}
teams:
  web: {name: Web, email: [web@example.com], oncall: ["schedule:web-primary"]}
  night: {name: Night, email: [night@example.com], oncall: ["schedule:night-watch"]}
contacts:
  - {id: alice, name: Alice Schmidt, email: [alice@example.com], time_zone: Europe/Berlin}
  - {id: bob, name: Bob Jones, email: [bob@example.com], sms: ["+4915550100101"]}
  - {id: carol, name: Carol Diaz, email: [carol@example.com]}
schedules:
  web-primary:
    layers:
      - {members: [alice, bob], every: week, days: [mon], hand_off: "09:00", time_zone: Europe/Berlin, start: 2026-10-26}
  night-watch:
    layers:
      - members: [carol]
        every: week
        time_zone: Europe/Berlin
        start: 2026-10-26
        restrictions: [{days: [mon, tue, wed, thu, fri, sat, sun], from: "22:00", to: "06:00"}]
severities:
  sev1:
    channels: [email]
    escalation:
      - {after: 5m, notify: ["schedule:web-primary"]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - class: web.down
    match: {"source": ["aws.cloudwatch"], "detail": {"alarmName": [{"prefix": "web-"}]}}
    severity: sev1
    team: web
  - class: night.down
    match: {"source": ["aws.cloudwatch"], "detail": {"alarmName": [{"prefix": "night-"}]}}
    severity: sev1
    team: night
`

// berlin is 08:59 on Monday 2 November 2026 in Berlin (UTC+1): a minute before the
// weekly hand-off from alice to bob.
var berlin0859 = time.Date(2026, 11, 2, 7, 59, 0, 0, time.UTC)

func oncallPipeline(t *testing.T, edit ...func(*config.Config)) *pipeline.Local {
	t.Helper()
	cfg, err := config.Parse("oncall.yaml", []byte(oncallConfig))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edit {
		e(cfg)
	}
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: berlin0859})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func alarm(t *testing.T, l *pipeline.Local, id, name string) string {
	t.Helper()
	at := l.Clock.Now()
	rep, err := l.Ingest(context.Background(), []intake.Message{{ID: id, Body: eventtest.Alarm(t, id, name, "ALARM", at), ReceivedAt: at}})
	if err != nil || len(rep.Outcomes) != 1 || rep.Outcomes[0].Kind != intake.Opened {
		t.Fatalf("Ingest(%s) = %+v, %v; want an incident opened", id, rep.Outcomes, err)
	}
	return rep.Outcomes[0].Incident
}

func topicsOf(sent []notify.Sent) []string {
	var out []string
	for _, s := range sent {
		out = append(out, strings.TrimPrefix(s.Topic, pipeline.LocalTopic("")))
	}
	return out
}

// TestSev1PagesWhoeverIsOnCallAcrossTheHandOff is the proof: a sev1 at 08:59
// pages the person on call then (alice, until the 09:00 hand-off); nobody acknowledges;
// at 09:04 the next tier pages the schedule again and reaches bob, who took over at 09:00.
func TestSev1PagesWhoeverIsOnCallAcrossTheHandOff(t *testing.T) {
	ctx := context.Background()
	l := oncallPipeline(t)
	id := alarm(t, l, "alarm-1", "web-checkout-5xx")

	sent := l.Outbox.Sent()
	if got := topicsOf(sent); len(got) != 1 || got[0] != "contact-alice" {
		t.Fatalf("paged at 08:59 = %v; want [contact-alice]", got)
	}
	wantWhy := "Paged           Alice Schmidt, on call for web-primary until Mon 09:00 Europe/Berlin"
	if !strings.Contains(sent[0].Email, wantWhy) {
		t.Errorf("alice's page does not say who and why (%q):\n%s", wantWhy, sent[0].Email)
	}

	if err := l.AdvanceTo(ctx, berlin0859.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	sent = l.Outbox.Sent()
	if got := topicsOf(sent); len(got) != 2 || got[1] != "contact-bob" {
		t.Fatalf("paged by 09:09 = %v; want [contact-alice contact-bob]", got)
	}
	wantWhy = "Paged           Bob Jones, on call for web-primary until Mon 9 Nov 09:00 Europe/Berlin"
	if !strings.Contains(sent[1].Email, wantWhy) {
		t.Errorf("bob's escalation does not say who and why (%q):\n%s", wantWhy, sent[1].Email)
	}

	tl, err := l.Store.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var notified, escalated *incident.Entry
	for i, e := range tl {
		switch e.Kind {
		case "notified":
			notified = &tl[i]
		case "escalated":
			escalated = &tl[i]
		case incident.KindOncallGap:
			t.Errorf("timeline has a gap entry %q; want none (someone is always on call)", e.Detail)
		}
	}
	if notified == nil || notified.Data["contact"] != "alice" || notified.Data["schedule"] != "web-primary" {
		t.Errorf("notified entry = %+v; want contact alice on call for web-primary", notified)
	}
	if escalated == nil || escalated.Data["teams"] != "contact:bob" || !escalated.At.Equal(berlin0859.Add(5*time.Minute)) {
		t.Errorf("escalated entry = %+v; want contact:bob told at 09:04", escalated)
	}
}

// TestStoredOverrideIsPaged: an override stored through the API puts its contact on
// call; the page goes to them.
func TestStoredOverrideIsPaged(t *testing.T) {
	l := oncallPipeline(t)
	if _, err := l.Store.PutOverride(context.Background(), oncall.Override{Schedule: "web-primary", Contact: "carol",
		Start: berlin0859.Add(-time.Hour), End: berlin0859.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	alarm(t, l, "alarm-1", "web-checkout-5xx")
	if got := topicsOf(l.Outbox.Sent()); len(got) != 1 || got[0] != "contact-carol" {
		t.Errorf("paged with carol's override = %v; want [contact-carol]", got)
	}
}

// TestNobodyOnCallFallsThroughToTheTeam: at 08:59 the night watch has nobody (it covers
// 22:00-06:00); the page goes to team night's addresses and the gap is recorded.
func TestNobodyOnCallFallsThroughToTheTeam(t *testing.T) {
	ctx := context.Background()
	l := oncallPipeline(t)
	id := alarm(t, l, "alarm-1", "night-batch-failed")
	if got := topicsOf(l.Outbox.Sent()); len(got) != 1 || got[0] != "night" {
		t.Errorf("paged with nobody on call = %v; want [night] (the team's addresses)", got)
	}
	tl, err := l.Store.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var gaps int
	for _, e := range tl {
		if e.Kind == incident.KindOncallGap {
			gaps++
			if e.Data["schedule"] != "night-watch" || e.Data["team"] != "night" {
				t.Errorf("gap entry data = %v; want schedule night-watch, team night", e.Data)
			}
		}
	}
	if gaps != 1 {
		t.Errorf("gap entries = %d; want 1", gaps)
	}
}

// TestReminderGoesToWhoAcknowledged: bob acknowledges through the link sent to him; the
// update reminder 30 minutes later goes to bob, not to the team.
func TestReminderGoesToWhoAcknowledged(t *testing.T) {
	ctx := context.Background()
	l := oncallPipeline(t, func(c *config.Config) { c.Severities["sev1"].UpdateEvery = config.Duration{Duration: 30 * time.Minute} })
	id := alarm(t, l, "alarm-1", "web-checkout-5xx")
	if err := l.AdvanceTo(ctx, berlin0859.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := l.Do(ctx, func(ctx context.Context) error {
		_, err := l.Lifecycle.Transition(ctx, lifecycle.Request{Incident: id, By: "contact:bob via signed link", Key: "ack-bob"}, incident.Acknowledged, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := len(l.Outbox.Sent())
	if err := l.AdvanceTo(ctx, berlin0859.Add(40*time.Minute)); err != nil {
		t.Fatal(err)
	}
	sent := l.Outbox.Sent()[before:]
	if got := topicsOf(sent); len(got) != 1 || got[0] != "contact-bob" {
		t.Fatalf("reminders = %v; want [contact-bob]", got)
	}
	if !strings.Contains(sent[0].Email, "Paged           Bob Jones, who acknowledged it") {
		t.Errorf("the reminder does not say why bob gets it:\n%s", sent[0].Email)
	}
}
