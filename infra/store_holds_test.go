package infra

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// The held-opening methods, run once each by TestStoreCalls.
func init() {
	t := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	for name, call := range map[string]func(context.Context, *store.Dynamo){
		"Hold":      func(ctx context.Context, d *store.Dynamo) { d.Hold(ctx, "FB-X-1", t) },
		"MoveHold":  func(ctx context.Context, d *store.Dynamo) { d.MoveHold(ctx, "FB-X-1", t) },
		"HeldUntil": func(ctx context.Context, d *store.Dynamo) { d.HeldUntil(ctx, t, 10) },
		"Held":      func(ctx context.Context, d *store.Dynamo) { d.Held(ctx, "FB-X-1") },
		"LetGo":     func(ctx context.Context, d *store.Dynamo) { d.LetGo(ctx, "FB-X-1") },
	} {
		storeMethodCalls[name] = call
	}
}
