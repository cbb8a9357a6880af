package infra

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// The review and action methods, run once each by TestStoreCalls.
func init() {
	t := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	r := review.Review{ID: "FB-X-1", Owner: "platform", Status: review.Open, Due: t, NextRemind: t}
	a := action.Action{ID: action.ID("FB-X-1", "fix it"), Title: "fix it", Owner: "platform", Due: t, Status: action.Open,
		LinkKind: action.LinkReview, Link: "FB-X-1", NextRemind: t}
	for name, call := range map[string]func(context.Context, *store.Dynamo){
		"OpenReview":     func(ctx context.Context, d *store.Dynamo) { d.OpenReview(ctx, r) },
		"GetReview":      func(ctx context.Context, d *store.Dynamo) { d.GetReview(ctx, r.ID) },
		"UpdateReview":   func(ctx context.Context, d *store.Dynamo) { d.UpdateReview(ctx, r) },
		"ReviewsDue":     func(ctx context.Context, d *store.Dynamo) { d.ReviewsDue(ctx, t, 10) },
		"ReviewsByDue":   func(ctx context.Context, d *store.Dynamo) { d.ReviewsByDue(ctx, review.Open, t, t) },
		"AddAction":      func(ctx context.Context, d *store.Dynamo) { d.AddAction(ctx, a) },
		"GetAction":      func(ctx context.Context, d *store.Dynamo) { d.GetAction(ctx, a.ID) },
		"UpdateAction":   func(ctx context.Context, d *store.Dynamo) { d.UpdateAction(ctx, a) },
		"ActionsDue":     func(ctx context.Context, d *store.Dynamo) { d.ActionsDue(ctx, t, 10) },
		"ActionsByDue":   func(ctx context.Context, d *store.Dynamo) { d.ActionsByDue(ctx, action.Open, time.Time{}, t) },
		"ActionsByOwner": func(ctx context.Context, d *store.Dynamo) { d.ActionsByOwner(ctx, "platform", action.Open) },
		"ActionsOf":      func(ctx context.Context, d *store.Dynamo) { d.ActionsOf(ctx, "FB-X-1") },
	} {
		storeMethodCalls[name] = call
	}
}
