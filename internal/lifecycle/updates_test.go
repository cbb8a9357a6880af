package lifecycle_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestPostUpdate(t *testing.T) {
	for _, name := range []string{"memory", "dynamodb"} {
		t.Run(name, func(t *testing.T) {
			clock := t0
			now := func() time.Time { return clock }
			var st testStore = store.NewMemory(now)
			if name == "dynamodb" {
				st = dynamotest.Store(t, now)
			}
			ctx := context.Background()
			inc := incident.Incident{ID: "FB-UPD-1", Seq: 1, Fingerprint: "fp-upd", Class: "ops.alarm", Title: "cpu", Severity: incident.Sev1,
				Team: "platform", Status: incident.Open, OpenedAt: t0, StateAt: t0}
			if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
				t.Fatal(err)
			}
			s := &lifecycle.Service{Store: st, Now: now}
			req := func(key string) lifecycle.Request {
				return lifecycle.Request{Incident: inc.ID, By: "lee", Key: key}
			}
			clock = t0.Add(10 * time.Minute)
			got, err := s.PostUpdate(ctx, req("u1"), "", "Checkout is failing for some EU customers; failing over the database.", 2*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if !got.LastUpdateAt.Equal(clock) {
				t.Errorf("last update %v; want %v (a posted update is an update)", got.LastUpdateAt, clock)
			}
			if _, err := s.PostUpdate(ctx, req("u1"), "", "Checkout is failing for some EU customers; failing over the database.", 2*time.Hour); err != nil {
				t.Errorf("retried update: %v", err)
			}
			clock = t0.Add(20 * time.Minute)
			if _, err := s.PostUpdate(ctx, req("u2"), "executives", "Revenue impact under review.", 0); err != nil {
				t.Fatal(err)
			}
			refusals := []struct {
				name, audience, text string
				eta                  time.Duration
				want                 string
			}{
				{"bad audience", "Big Bosses", "x", 0, `audience "Big Bosses"`},
				{"empty text", "", "  ", 0, "an update is 1 to"},
				{"too long", "", strings.Repeat("x", lifecycle.MaxUpdate+1), 0, "an update is 1 to"},
				{"eta too far", "", "x", lifecycle.MaxETA + time.Hour, "eta"},
				{"negative eta", "", "x", -time.Hour, "eta"},
			}
			for _, r := range refusals {
				if _, err := s.PostUpdate(ctx, req("bad-"+r.name), r.audience, r.text, r.eta); !errors.Is(err, lifecycle.ErrInvalid) || !strings.Contains(err.Error(), r.want) {
					t.Errorf("PostUpdate(%s) = %v; want ErrInvalid mentioning %q", r.name, err, r.want)
				}
			}
			tl, err := st.Timeline(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			var posted []incident.Entry
			for _, e := range tl {
				if e.Kind == incident.KindUpdatePosted {
					posted = append(posted, e)
				}
			}
			if len(posted) != 2 {
				t.Fatalf("timeline holds %d posted updates; want 2 (the retry applied once): %+v", len(posted), posted)
			}
			if a, eta := posted[0].Data[incident.DataAudience], posted[0].Data[incident.DataETA]; a != "stakeholders" || eta != "2026-11-02T11:10:00Z" {
				t.Errorf("first update: audience %q eta %q; want stakeholders 2026-11-02T11:10:00Z", a, eta)
			}
			if a, eta := posted[1].Data[incident.DataAudience], posted[1].Data[incident.DataETA]; a != "executives" || eta != "" {
				t.Errorf("second update: audience %q eta %q; want executives and no eta", a, eta)
			}
			if _, err := s.Transition(ctx, req("r"), incident.Resolved, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Transition(ctx, req("c"), incident.Closed, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.PostUpdate(ctx, req("late"), "", "too late", 0); !errors.Is(err, lifecycle.ErrConflict) {
				t.Errorf("PostUpdate on a closed incident = %v; want ErrConflict", err)
			}
		})
	}
}
