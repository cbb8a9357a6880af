package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
)

// commsConfig: a sev1 tells stakeholders (an update every 30m, missed 30m after it is
// due) and executives (every 1h, missed 30m after); Dana is a contact who can command.
const commsConfig = `version: 1
defaults: {team: web}
teams:
  web: {name: Web, email: [web@example.com]}
contacts:
  - {id: dana, name: Dana Q, email: [dana@example.com]}
communication:
  audiences:
    stakeholders: {name: Business stakeholders, email: [biz@example.com]}
    executives: {name: Executives, sms: ["+15555550199"]}
  severities:
    sev1:
      stakeholders: {every: 30m}
      executives: {every: 1h, grace: 30m}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - class: web.down
    match: {"source": ["aws.cloudwatch"]}
    severity: sev1
`

// TestCommunicationPlanScenario is issue #12's proof, through the local pipeline replay
// and serve run on, on its virtual clock: a sev1 opens (first notice to stakeholders and
// executives), the commander is set, two updates go to stakeholders on cadence, the
// third is missed (the commander is reminded when it is due, and the miss is recorded
// and counted once the grace has passed), and the resolution is announced to every
// audience that heard the first notice.
func TestCommunicationPlanScenario(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Parse("comms.yaml", []byte(commsConfig))
	if err != nil {
		t.Fatal(err)
	}
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	var emf bytes.Buffer
	l.Escalator.Metrics = metrics.New(&emf)
	rep, err := l.Ingest(ctx, []intake.Message{{ID: "a", Body: eventtest.Alarm(t, "a", "web-checkout", "ALARM", t0), ReceivedAt: t0}})
	if err != nil || len(rep.Outcomes) != 1 || rep.Outcomes[0].Kind != intake.Opened {
		t.Fatalf("Ingest() = %v, %v; want an incident opened", rep.Outcomes, err)
	}
	id := rep.Outcomes[0].Incident
	as := lifecycle.Request{Incident: id, By: "dana"}
	// at runs the clocks to d after the opening, then does what a person does then.
	at := func(d time.Duration, what string, f func(ctx context.Context) error) {
		t.Helper()
		if err := l.AdvanceTo(ctx, t0.Add(d)); err != nil {
			t.Fatalf("AdvanceTo(+%s) = %v", d, err)
		}
		if f == nil {
			return
		}
		if err := l.Do(ctx, f); err != nil {
			t.Fatalf("+%s %s: %v", d, what, err)
		}
	}
	update := func(audience, text string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := l.Lifecycle.PostUpdate(ctx, as, audience, text, time.Hour)
			return err
		}
	}
	at(2*time.Minute, "acknowledge", func(ctx context.Context) error {
		_, err := l.Lifecycle.Transition(ctx, as, incident.Acknowledged, "")
		return err
	})
	at(3*time.Minute, "set the commander", func(ctx context.Context) error {
		_, err := l.Lifecycle.SetRole(ctx, as, incident.RoleCommander, "contact:dana")
		return err
	})
	at(25*time.Minute, "first update", update("stakeholders", "Checkout fails for some customers; failing over."))
	at(50*time.Minute, "second update", update("stakeholders", "Failover done; watching error rates."))
	// Executives are due at +60m: Dana is reminded, and posts at +70m, within the grace.
	at(70*time.Minute, "executives' update", update("executives", "Customer impact contained."))
	// Stakeholders' third update is due at +80m (50m + 30m); none comes: Dana is
	// reminded then, and at +110m (+30m grace) the miss is recorded.
	at(2*time.Hour, "resolve", func(ctx context.Context) error {
		_, err := l.Lifecycle.Transition(ctx, as, incident.Resolved, "error rates normal")
		return err
	})
	at(6*time.Hour, "", nil) // nothing more is due once it is resolved

	tl, err := l.Store.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		switch e.Kind {
		case incident.KindAudienceNotified, incident.KindAudienceNotNotified, incident.KindUpdateReminded, incident.KindUpdateMissed,
			incident.KindUpdatePosted, incident.KindRoleSet, incident.KindResolved:
			s := fmt.Sprintf("+%s %s", e.At.Sub(t0).Truncate(time.Second), e.Kind)
			if a := e.Data[incident.DataAudience]; a != "" {
				s += " " + a
			}
			if n := e.Data[incident.DataNotice]; n != "" {
				s += " " + n
			}
			got = append(got, s)
		}
	}
	want := []string{
		"+0s audience-notified executives first",
		"+0s audience-notified stakeholders first",
		"+3m0s role-set",
		"+25m0s update-posted stakeholders",
		"+25m0s audience-notified stakeholders update",
		"+50m0s update-posted stakeholders",
		"+50m0s audience-notified stakeholders update",
		"+1h0m0s audience-update-due executives",
		"+1h10m0s update-posted executives",
		"+1h10m0s audience-notified executives update",
		"+1h20m0s audience-update-due stakeholders",
		"+1h50m0s audience-update-missed stakeholders",
		"+2h0m0s resolved",
		"+2h0m0s audience-notified executives resolved",
		"+2h0m0s audience-notified stakeholders resolved",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if errs := incident.Causality(tl, nil); len(errs) > 0 {
		t.Errorf("Causality(timeline) = %v; want none", errs)
	}
	if l.Escalation.AudienceReminders != 2 || l.Escalation.UpdatesMissed != 1 {
		t.Errorf("escalation report = %+v; want 2 audience reminders and 1 update missed", l.Escalation)
	}
	if !strings.Contains(emf.String(), `"UpdatesMissed":1`) || !strings.Contains(emf.String(), `"Audience":"stakeholders"`) || strings.Count(emf.String(), "UpdatesMissed\":") != 1 {
		t.Errorf("metrics = %s; want one UpdatesMissed record for stakeholders", emf.String())
	}

	// The outbox, as replay --outbox writes it: messages by topic and kind.
	dir := t.TempDir()
	if _, err := notify.WriteOutbox(dir, l.Outbox.Sent()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, notify.OutboxIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	var idx notify.OutboxIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, m := range idx.Messages {
		counts[m.To+" "+m.Kind]++
	}
	var byTopic []string
	for k, n := range counts {
		byTopic = append(byTopic, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(byTopic)
	wantTopics := []string{
		"firebreak-audience-executives audience-first ×1",
		"firebreak-audience-executives audience-resolved ×1",
		"firebreak-audience-executives audience-update ×1",
		"firebreak-audience-stakeholders audience-first ×1",
		"firebreak-audience-stakeholders audience-resolved ×1",
		"firebreak-audience-stakeholders audience-update ×2",
		"firebreak-contact-dana update-due ×2",
		"firebreak-web opened ×1",
		"firebreak-web resolved ×1",
	}
	if strings.Join(byTopic, "\n") != strings.Join(wantTopics, "\n") {
		t.Errorf("outbox by topic and kind:\n%s\nwant:\n%s", strings.Join(byTopic, "\n"), strings.Join(wantTopics, "\n"))
	}
	for _, s := range l.Outbox.Sent() {
		if s.Attributes["audience"] != "" && (strings.Contains(s.Email, "/t/") || strings.Contains(s.Email, "incidents ack")) {
			t.Errorf("the message to %s carries a responder's action:\n%s", s.Attributes["audience"], s.Email)
		}
		if s.Attributes["kind"] == string(notify.Reminder) && !strings.Contains(s.Email, "--audience") {
			t.Errorf("the commander's reminder does not say how to post the update:\n%s", s.Email)
		}
	}
}
