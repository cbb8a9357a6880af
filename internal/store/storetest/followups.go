package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// RunFollowups is the contract of reviews and tracked actions (store.Followups).
func RunFollowups(t *testing.T, f Factory) {
	ctx := context.Background()
	newReview := func(id string, due time.Time) review.Review {
		return review.Review{ID: id, Title: "cpu high", Class: "ops.alarm", Severity: incident.Sev1, Owner: "platform",
			Status: review.Open, OpenedAt: t0, Due: due, NextRemind: due.Add(-24 * time.Hour)}
	}
	newAction := func(link, title, owner string, due time.Time) action.Action {
		return action.Action{ID: action.ID(link, title), Title: title, Owner: owner, Due: due, Status: action.Open,
			LinkKind: action.LinkReview, Link: link, CreatedAt: t0, CreatedBy: "sam", NextRemind: due}
	}

	t.Run("ReviewOpensOnce", func(t *testing.T) {
		st := f(t)
		r := newReview("FB-AAAAAAAA-1", t0.Add(120*time.Hour))
		got, created, err := st.OpenReview(ctx, r)
		if err != nil || !created || got.Version != 1 {
			t.Fatalf("OpenReview() = v%d created %v, %v; want v1 created", got.Version, created, err)
		}
		again := r
		again.Owner = "a racing writer's owner"
		got, created, err = st.OpenReview(ctx, again)
		if err != nil || created || got.Owner != "platform" {
			t.Errorf("second OpenReview() = owner %q created %v, %v; want the stored platform, not created", got.Owner, created, err)
		}
		if _, err := st.GetReview(ctx, "FB-NOPE-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetReview(unknown) error = %v; want ErrNotFound", err)
		}
	})

	t.Run("ReviewUpdateIsConditional", func(t *testing.T) {
		st := f(t)
		r, _, err := st.OpenReview(ctx, newReview("FB-AAAAAAAA-2", t0.Add(120*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		edited, err := r.Edit(review.SectionLessons, "Alarms need runbooks.")
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := st.UpdateReview(ctx, edited); err != nil || !ok {
			t.Fatalf("UpdateReview(v1) = %v, %v; want applied", ok, err)
		}
		if ok, err := st.UpdateReview(ctx, edited); err != nil || ok {
			t.Errorf("UpdateReview(stale v1) = %v, %v; want refused", ok, err)
		}
		got, err := st.GetReview(ctx, r.ID)
		if err != nil || got.Version != 2 || got.Sections[review.SectionLessons] != "Alarms need runbooks." {
			t.Errorf("GetReview() = v%d %v, %v; want v2 with the lesson", got.Version, got.Sections, err)
		}
		missing := edited
		missing.ID = "FB-NOPE-2"
		if _, err := st.UpdateReview(ctx, missing); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateReview(unknown) error = %v; want ErrNotFound", err)
		}
	})

	t.Run("ReviewsDueAndByDue", func(t *testing.T) {
		st := f(t)
		for i, d := range []time.Duration{48, 120, 24} {
			if _, _, err := st.OpenReview(ctx, newReview(fmt.Sprintf("FB-BBBBBBBB-%d", i+1), t0.Add(d*time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
		due, err := st.ReviewsDue(ctx, t0.Add(30*time.Hour), 0) // reminders at 0h and 24h
		if err != nil || fids(due) != "FB-BBBBBBBB-3,FB-BBBBBBBB-1" {
			t.Errorf("ReviewsDue(+30h) = %s, %v; want FB-BBBBBBBB-3,FB-BBBBBBBB-1 (earliest first)", fids(due), err)
		}
		if one, _ := st.ReviewsDue(ctx, t0.Add(30*time.Hour), 1); len(one) != 1 {
			t.Errorf("ReviewsDue(limit 1) = %d reviews; want 1", len(one))
		}
		// Done reminding: off the due index.
		r := due[0]
		r.NextRemind = time.Time{}
		if ok, err := st.UpdateReview(ctx, r); err != nil || !ok {
			t.Fatalf("UpdateReview() = %v, %v", ok, err)
		}
		if due, _ := st.ReviewsDue(ctx, t0.Add(30*time.Hour), 0); fids(due) != "FB-BBBBBBBB-1" {
			t.Errorf("ReviewsDue() after the last reminder = %s; want FB-BBBBBBBB-1", fids(due))
		}
		open, err := st.ReviewsByDue(ctx, review.Open, time.Time{}, t0.Add(48*time.Hour))
		if err != nil || fids(open) != "FB-BBBBBBBB-3,FB-BBBBBBBB-1" {
			t.Errorf("ReviewsByDue(open, ..48h) = %s, %v; want FB-BBBBBBBB-3,FB-BBBBBBBB-1 (by due, inclusive)", fids(open), err)
		}
		if done, err := st.ReviewsByDue(ctx, review.Complete, time.Time{}, time.Time{}); err != nil || len(done) != 0 {
			t.Errorf("ReviewsByDue(complete) = %s, %v; want none", fids(done), err)
		}
	})

	t.Run("ActionsFiledOnceAndQueried", func(t *testing.T) {
		st := f(t)
		link := "FB-CCCCCCCC-1"
		a1 := newAction(link, "Add a runbook for cpu alarms", "platform", t0.Add(72*time.Hour))
		a2 := newAction(link, "Raise the alarm threshold", "payments", t0.Add(24*time.Hour))
		a3 := newAction("PB-0001", "Upgrade the VPN firmware", "platform", t0.Add(48*time.Hour))
		for _, a := range []action.Action{a1, a2, a3} {
			if got, created, err := st.AddAction(ctx, a); err != nil || !created || got.Version != 1 {
				t.Fatalf("AddAction(%s) = v%d created %v, %v; want v1 created", a.ID, got.Version, created, err)
			}
		}
		dup := a1
		dup.Owner = "someone else"
		if got, created, err := st.AddAction(ctx, dup); err != nil || created || got.Owner != "platform" {
			t.Errorf("AddAction(again) = owner %q created %v, %v; want the stored one, not created", got.Owner, created, err)
		}
		of, err := st.ActionsOf(ctx, link)
		if err != nil || len(of) != 2 {
			t.Errorf("ActionsOf(%s) = %s, %v; want its two actions", link, fids(of), err)
		}
		mine, err := st.ActionsByOwner(ctx, "platform", action.Open)
		if err != nil || fids(mine) != a3.ID+","+a1.ID {
			t.Errorf("ActionsByOwner(platform, open) = %s, %v; want %s,%s (by due)", fids(mine), err, a3.ID, a1.ID)
		}
		overdue, err := st.ActionsByDue(ctx, action.Open, time.Time{}, t0.Add(50*time.Hour))
		if err != nil || fids(overdue) != a2.ID+","+a3.ID {
			t.Errorf("ActionsByDue(open, ..50h) = %s, %v; want %s,%s", fids(overdue), err, a2.ID, a3.ID)
		}
		due, err := st.ActionsDue(ctx, t0.Add(48*time.Hour), 0)
		if err != nil || fids(due) != a2.ID+","+a3.ID {
			t.Errorf("ActionsDue(+48h) = %s, %v; want %s,%s", fids(due), err, a2.ID, a3.ID)
		}

		// Done: it leaves the open lists and the due index, and joins the done ones.
		got, err := st.GetAction(ctx, a2.ID)
		if err != nil {
			t.Fatal(err)
		}
		done, err := got.Close(action.Done, "", "sam", t0.Add(30*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := st.UpdateAction(ctx, done); err != nil || !ok {
			t.Fatalf("UpdateAction(done) = %v, %v; want applied", ok, err)
		}
		if ok, err := st.UpdateAction(ctx, done); err != nil || ok {
			t.Errorf("UpdateAction(stale) = %v, %v; want refused", ok, err)
		}
		if due, _ := st.ActionsDue(ctx, t0.Add(48*time.Hour), 0); fids(due) != a3.ID {
			t.Errorf("ActionsDue() after done = %s; want %s", fids(due), a3.ID)
		}
		if open, _ := st.ActionsByOwner(ctx, "payments", action.Open); len(open) != 0 {
			t.Errorf("ActionsByOwner(payments, open) after done = %s; want none", fids(open))
		}
		closed, err := st.ActionsByDue(ctx, action.Done, t0, t0.Add(24*time.Hour))
		if err != nil || fids(closed) != a2.ID || !closed[0].Late() {
			t.Errorf("ActionsByDue(done, 0..24h) = %s, %v; want %s, late", fids(closed), err, a2.ID)
		}
		for _, bad := range []string{"FB-NOPE-1.aaaaaaaaa", "not-an-action-id"} {
			if _, err := st.GetAction(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetAction(%q) error = %v; want ErrNotFound", bad, err)
			}
		}
	})
}

// fids lists the ids of reviews or actions, comma-separated, in order.
func fids(list any) string {
	var out []string
	switch l := list.(type) {
	case []review.Review:
		for _, r := range l {
			out = append(out, r.ID)
		}
	case []action.Action:
		for _, a := range l {
			out = append(out, a.ID)
		}
	}
	return strings.Join(out, ",")
}
