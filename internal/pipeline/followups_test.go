package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestSev1ReviewAndLateAction is the learning loop on the virtual clock: a sev1 that
// recovers and is resolved opens a review due five days later owned by its team; the
// owner is reminded a day before and at the due time; an action filed on the review is
// done a day late and counted late. Redelivering the resolution and ticking again
// change nothing. The times come from the default reviews policy (due 120h, reminders
// 24h before and at due), worked out by hand.
func TestSev1ReviewAndLateAction(t *testing.T) {
	cfg, err := config.Parse("scenario.yaml", []byte(scenarioConfig))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	ingest := func(id, state string, at time.Time) intake.Outcome {
		t.Helper()
		if err := l.AdvanceTo(ctx, at); err != nil {
			t.Fatal(err)
		}
		rep, err := l.Ingest(ctx, []intake.Message{{ID: id, Body: eventtest.Alarm(t, id, "web-frontend-5xx", state, at), ReceivedAt: at}})
		if err != nil || len(rep.Outcomes) != 1 {
			t.Fatalf("Ingest(%s) = %v, %v", id, rep.Outcomes, err)
		}
		return rep.Outcomes[0]
	}
	id := ingest("alarm-1", "ALARM", t0).Incident
	ingest("ok-1", "OK", t0.Add(2*time.Minute)) // mitigated; quiet 30m: resolved at 32m
	resolvedAt := t0.Add(32 * time.Minute)
	if err := l.AdvanceTo(ctx, resolvedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	rv, err := l.Store.GetReview(ctx, id)
	if err != nil {
		t.Fatalf("GetReview(%s) after the sev1 was resolved: %v; want a review", id, err)
	}
	due := resolvedAt.Add(5 * day)
	if rv.Owner != "web" || rv.Status != review.Open || !rv.Due.Equal(due) {
		t.Errorf("review = owner %s, %s, due %v; want web, open, due %v (five days after the resolution)", rv.Owner, rv.Status, rv.Due, due)
	}

	// Redelivered resolution: nothing new.
	inc, err := l.Store.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := l.Store.Timeline(ctx, id)
	if err := l.Dispatcher.Handle(ctx, store.StreamRecord{Old: &incident.Incident{ID: id, Status: incident.Mitigated}, New: inc}); err != nil {
		t.Fatal(err)
	}
	if again, _ := l.Store.GetReview(ctx, id); again.Version != rv.Version || !again.Due.Equal(rv.Due) {
		t.Errorf("review after a redelivered resolution = v%d due %v; want it unchanged (v%d due %v)", again.Version, again.Due, rv.Version, rv.Due)
	}

	// A day in, the owner files an action due on day 3.
	if err := l.AdvanceTo(ctx, t0.Add(day)); err != nil {
		t.Fatal(err)
	}
	var act action.Action
	if err := l.Do(ctx, func(ctx context.Context) error {
		var err error
		act, _, err = l.Actions.Add(ctx, action.Action{Title: "Raise the restart timeout", Owner: "web", Due: t0.Add(3 * day),
			LinkKind: action.LinkReview, Link: id}, "sam")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Day 4: done, a day late.
	if err := l.AdvanceTo(ctx, t0.Add(4*day)); err != nil {
		t.Fatal(err)
	}
	if err := l.Do(ctx, func(ctx context.Context) error {
		var err error
		act, err = l.Actions.Close(ctx, act.ID, action.Done, "", "sam")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !act.Late() {
		t.Errorf("action done on day 4, due day 3: Late() = false; want true")
	}
	// Past the review's due time; then it is completed, late.
	if err := l.AdvanceTo(ctx, due.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reviews.Complete(ctx, id, "sam", false); err != nil {
		t.Fatalf("Complete(%s) with an action filed: %v", id, err)
	}
	if _, err := l.Followups.Tick(ctx); err != nil { // a second tick at the same time does nothing
		t.Fatal(err)
	}

	var sent []string
	for _, s := range l.Outbox.Sent() {
		if s.Attributes["kind"] == "followup-due" {
			sent = append(sent, strings.TrimPrefix(s.Topic, "arn:aws:sns:local:000000000000:firebreak-")+" "+s.Attributes["incident"])
		}
	}
	wantSent := []string{
		"web " + id, // action, a day before its due time (day 2): its notice is about its review's incident
		"web " + id, // action at its due time (day 3)
		"web " + id, // review, a day before its due time
		"web " + id, // review at its due time
	}
	if strings.Join(sent, "\n") != strings.Join(wantSent, "\n") {
		t.Errorf("follow-up reminders sent:\n%s\nwant:\n%s", strings.Join(sent, "\n"), strings.Join(wantSent, "\n"))
	}
	if l.Followup.ActionsOverdue != 1 || l.Followup.ReviewsOverdue != 1 {
		t.Errorf("clocks counted %d overdue actions, %d overdue reviews; want 1 and 1", l.Followup.ActionsOverdue, l.Followup.ReviewsOverdue)
	}

	tl, err := l.Store.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) <= len(before) {
		t.Fatalf("timeline did not grow after the resolution")
	}
	var got []string
	for _, e := range tl[len(before):] {
		got = append(got, fmt.Sprintf("%s %s %s", e.At.Sub(t0).Truncate(time.Minute), e.Kind, e.Data["stage"]))
	}
	want := []string{
		"24h0m0s action-filed ",         // day 1
		"48h0m0s action-reminded near",  // a day before its due time (day 3)
		"72h0m0s action-reminded due",   // at it: overdue
		"96h0m0s action-done ",          // day 4: late
		"96h32m0s review-reminded near", // a day before the review's due time (resolved at 32m + 120h)
		"120h32m0s review-reminded due", // at it: overdue
		"121h32m0s review-completed ",   // an hour late
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline after the resolution:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	out, err := review.CountOutcomes(ctx, l.Store, t0, time.Time{}, l.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if out.ActionsDoneLate != 1 || out.ActionsDoneOnTime != 0 || out.ReviewsLate != 1 || out.ReviewsOverdue != 0 {
		t.Errorf("CountOutcomes() = %+v; want 1 action done late, 1 review completed late", out)
	}
}
