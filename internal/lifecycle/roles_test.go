package lifecycle_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestSetRole(t *testing.T) {
	for _, name := range []string{"memory", "dynamodb"} {
		t.Run(name, func(t *testing.T) {
			clock := t0
			now := func() time.Time { return clock }
			var st testStore = store.NewMemory(now)
			if name == "dynamodb" {
				st = dynamotest.Store(t, now)
			}
			ctx := context.Background()
			inc := incident.Incident{ID: "FB-ROLE-1", Seq: 1, Fingerprint: "fp-role", Class: "ops.alarm", Title: "cpu", Severity: incident.Sev1,
				Team: "platform", Status: incident.Open, OpenedAt: t0, StateAt: t0}
			if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
				t.Fatal(err)
			}
			s := &lifecycle.Service{Store: st, Now: now}
			req := func(key string) lifecycle.Request {
				return lifecycle.Request{Incident: inc.ID, By: "arn:aws:iam::123456789012:user/sam", Key: key}
			}
			steps := []struct {
				name, role, who, key string
				wantErr              error
				want                 map[string]string // roles after the step
			}{
				{"commander", incident.RoleCommander, "  Dana   Q ", "k1", nil, map[string]string{"commander": "Dana Q"}},
				{"retried: applied once", incident.RoleCommander, "Dana Q", "k1", nil, map[string]string{"commander": "Dana Q"}},
				{"comms lead, a contact id", incident.RoleComms, "contact:lee", "k2", nil, map[string]string{"commander": "Dana Q", "comms": "contact:lee"}},
				{"handover", incident.RoleCommander, "Ravi", "k3", nil, map[string]string{"commander": "Ravi", "comms": "contact:lee"}},
				{"cleared", incident.RoleComms, "", "k4", nil, map[string]string{"commander": "Ravi"}},
				{"unknown role", "scribe", "x", "k5", lifecycle.ErrInvalid, map[string]string{"commander": "Ravi"}},
				{"name too long", incident.RoleCommander, strings.Repeat("x", lifecycle.MaxRoleName+1), "k6", lifecycle.ErrInvalid, map[string]string{"commander": "Ravi"}},
				{"control characters", incident.RoleCommander, "a\x07b", "k7", lifecycle.ErrInvalid, map[string]string{"commander": "Ravi"}},
			}
			for i, step := range steps {
				clock = t0.Add(time.Duration(i+1) * time.Minute)
				got, err := s.SetRole(ctx, req(step.key), step.role, step.who)
				if !errors.Is(err, step.wantErr) {
					t.Fatalf("%s: SetRole(%q, %q) = %v; want %v", step.name, step.role, step.who, err, step.wantErr)
				}
				if err == nil && step.key == "k1" && !got.LastUpdateAt.Equal(t0.Add(time.Minute)) {
					t.Errorf("%s: last update %v; want %v (naming a role is an update)", step.name, got.LastUpdateAt, t0.Add(time.Minute))
				}
				tl, err := st.Timeline(ctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if roles := incident.Roles(tl); !maps.Equal(roles, step.want) {
					t.Errorf("%s: Roles = %v; want %v", step.name, roles, step.want)
				}
			}
			if _, err := s.Transition(ctx, req("r"), incident.Resolved, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Transition(ctx, req("c"), incident.Closed, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.SetRole(ctx, req("k9"), incident.RoleCommander, "Late"); !errors.Is(err, lifecycle.ErrConflict) {
				t.Errorf("SetRole on a closed incident = %v; want ErrConflict", err)
			}
		})
	}
}
