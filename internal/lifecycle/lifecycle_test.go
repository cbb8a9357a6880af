package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type testStore interface {
	lifecycle.Store
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

func TestLifecycle(t *testing.T) {
	for _, name := range []string{"memory", "dynamodb"} {
		t.Run(name, func(t *testing.T) {
			clock := t0
			now := func() time.Time { return clock }
			var st testStore = store.NewMemory(now)
			if name == "dynamodb" {
				st = dynamotest.Store(t, now)
			}
			cfg, err := firebreak.Config()
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			inc := incident.Incident{ID: "FB-LIFE-1", Seq: 1, Fingerprint: "fp", Class: "ops.alarm", Title: "cpu", Severity: incident.Sev3,
				Team: "platform", Status: incident.Open, OpenedAt: t0, StateAt: t0}
			if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
				t.Fatal(err)
			}
			s := &lifecycle.Service{Store: st, Config: cfg, Now: now}
			req := func(key string) lifecycle.Request {
				return lifecycle.Request{Incident: inc.ID, By: "arn:aws:iam::123456789012:user/sam", Key: key}
			}

			clock = t0.Add(2 * time.Minute)
			got, err := s.Transition(ctx, req("k1"), incident.Acknowledged, "looking")
			if err != nil || got.Status != incident.Acknowledged || got.AcknowledgedBy != "arn:aws:iam::123456789012:user/sam" || !got.AcknowledgedAt.Equal(clock) {
				t.Fatalf("ack = %+v, %v", got, err)
			}
			// The same request again (a retry) is a no-op; a new ack is a conflict.
			if again, err := s.Transition(ctx, req("k1"), incident.Acknowledged, "looking"); err != nil || again.Version != got.Version {
				t.Errorf("retried ack = version %d, %v; want %d and no error", again.Version, err, got.Version)
			}
			if _, err := s.Transition(ctx, req("k2"), incident.Acknowledged, ""); !errors.Is(err, lifecycle.ErrConflict) {
				t.Errorf("second ack = %v; want ErrConflict", err)
			}
			clock = t0.Add(5 * time.Minute)
			if got, err = s.SetSeverity(ctx, req("k3"), incident.Sev1, "customers affected"); err != nil || got.Severity != incident.Sev1 {
				t.Errorf("severity = %s, %v; want sev1", got.Severity, err)
			}
			if _, err := s.SetSeverity(ctx, req("k4"), "p0", ""); !errors.Is(err, lifecycle.ErrInvalid) {
				t.Errorf("severity p0 = %v; want ErrInvalid", err)
			}
			clock = clock.Add(time.Second)
			if got, err = s.SetOwner(ctx, req("k5"), "security", "it is a breach"); err != nil || got.Team != "security" {
				t.Errorf("owner = %s, %v; want security", got.Team, err)
			}
			if _, err := s.SetOwner(ctx, req("k6"), "nobody", ""); !errors.Is(err, lifecycle.ErrInvalid) || !strings.Contains(err.Error(), `team "nobody"`) {
				t.Errorf("owner nobody = %v; want ErrInvalid naming the team", err)
			}
			clock = t0.Add(7 * time.Minute)
			if got, err = s.Note(ctx, req("k7"), "rolled back deploy 4711"); err != nil || !got.LastUpdateAt.Equal(clock) {
				t.Errorf("note = last update %v, %v; want %v", got.LastUpdateAt, err, clock)
			}
			if _, err := s.Note(ctx, req("k8"), "   "); !errors.Is(err, lifecycle.ErrInvalid) {
				t.Errorf("empty note = %v; want ErrInvalid", err)
			}
			clock = clock.Add(time.Second)
			if _, err := s.Link(ctx, req("k9"), "https://grafana.example.com/d/api", "API dashboard"); err != nil {
				t.Error(err)
			}
			if _, err := s.Link(ctx, req("k10"), "javascript:alert(1)", ""); !errors.Is(err, lifecycle.ErrInvalid) {
				t.Errorf("javascript link = %v; want ErrInvalid", err)
			}
			clock = t0.Add(30 * time.Minute)
			if got, err = s.Transition(ctx, req("k11"), incident.Resolved, "rollback fixed it"); err != nil || got.Status != incident.Resolved || !got.ResolvedAt.Equal(clock) {
				t.Errorf("resolve = %+v, %v", got, err)
			}
			clock = clock.Add(time.Second)
			if got, err = s.Transition(ctx, req("k12"), incident.Closed, ""); err != nil || got.Status != incident.Closed {
				t.Errorf("close = %s, %v", got.Status, err)
			}
			if _, err := s.Transition(ctx, req("k13"), incident.Open, ""); !errors.Is(err, lifecycle.ErrConflict) || !errors.Is(err, incident.ErrTransition) {
				t.Errorf("re-open a closed incident = %v; want ErrConflict wrapping ErrTransition", err)
			}
			if _, err := s.SetSeverity(ctx, req("k14"), incident.Sev2, ""); !errors.Is(err, lifecycle.ErrConflict) {
				t.Errorf("severity of a closed incident = %v; want ErrConflict", err)
			}
			if _, err := s.Transition(ctx, lifecycle.Request{Incident: "FB-NOPE-1", By: "sam"}, incident.Acknowledged, ""); !errors.Is(err, lifecycle.ErrNotFound) {
				t.Errorf("ack unknown = %v; want ErrNotFound", err)
			}

			tl, err := st.Timeline(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, e := range tl {
				lines = append(lines, fmt.Sprintf("%s %s", e.At.Sub(t0), e.Kind))
				if e.Actor != "arn:aws:iam::123456789012:user/sam" {
					t.Errorf("entry %s actor = %q; want sam's ARN", e.Kind, e.Actor)
				}
			}
			want := "2m0s acknowledged|5m0s severity-changed|5m1s owner-changed|7m0s note|7m1s link|30m0s resolved|30m1s closed"
			if strings.Join(lines, "|") != want {
				t.Errorf("timeline = %s; want %s", strings.Join(lines, "|"), want)
			}
		})
	}
}
