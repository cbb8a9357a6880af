package infra

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/heartbeat"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// The heartbeat methods, run once each by TestStoreCalls.
func init() {
	t := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	for _, s := range []heartbeat.State{{Name: "nightly", LastBeat: t, Due: t, Check: t, Version: 1}} {
		for name, call := range map[string]func(context.Context, *store.Dynamo){
			"PutHeartbeat":  func(ctx context.Context, d *store.Dynamo) { d.PutHeartbeat(ctx, s) },
			"Heartbeat":     func(ctx context.Context, d *store.Dynamo) { d.Heartbeat(ctx, s.Name) },
			"HeartbeatsDue": func(ctx context.Context, d *store.Dynamo) { d.HeartbeatsDue(ctx, t, 10) },
		} {
			storeMethodCalls[name] = call
		}
	}
}
