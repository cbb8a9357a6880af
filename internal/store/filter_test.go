package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// The filters dispatch's quiet check uses to fetch candidates only, on both stores.
func TestListFilters(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return store.NewMemory(now) },
		"dynamo": func(t *testing.T) store.Store {
			return dynamotest.Store(t, now)
		},
	}
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := mk(t)
			// Opened out of time order: the index must not depend on the order of Open.
			for _, i := range []int{3, 0, 4, 1, 2} {
				inc := incident.Incident{ID: fmt.Sprintf("FB-%d", i), Seq: 1, Fingerprint: fmt.Sprintf("fp-%d", i), Class: "ops.alarm",
					Title: "t", Severity: []incident.Severity{incident.Sev1, incident.Sev2, incident.Sev3}[i%3], Team: "platform",
					Status: incident.Open, Source: "aws.cloudwatch", Account: []string{"111111111111", "222222222222"}[i%2],
					Region: "eu-west-1", Resource: "r", OpenedBy: fmt.Sprintf("e%d", i), OpenedAt: t0.Add(time.Duration(i) * time.Minute), StateAt: t0}
				if _, _, err := s.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened"}); err != nil {
					t.Fatal(err)
				}
			}
			tests := []struct {
				name string
				f    store.Filter
				want []string
			}{
				{"opened since", store.Filter{OpenedSince: t0.Add(2 * time.Minute)}, []string{"FB-4", "FB-3", "FB-2"}},
				{"opened since, account", store.Filter{OpenedSince: t0.Add(time.Minute), Account: "222222222222"}, []string{"FB-3", "FB-1"}},
				{"severities", store.Filter{Severities: []incident.Severity{incident.Sev1, incident.Sev2}}, []string{"FB-4", "FB-3", "FB-1", "FB-0"}},
				{"severity, account, region", store.Filter{Severities: []incident.Severity{incident.Sev1}, Account: "111111111111", Region: "eu-west-1"}, []string{"FB-0"}},
				{"other region", store.Filter{Region: "us-east-1"}, nil},
				{"status and since", store.Filter{Status: []incident.Status{incident.Resolved}, OpenedSince: t0}, nil},
				{"opened in a window", store.Filter{OpenedSince: t0.Add(time.Minute), OpenedUntil: t0.Add(3 * time.Minute)}, []string{"FB-3", "FB-2", "FB-1"}},
				{"opened until", store.Filter{OpenedUntil: t0.Add(time.Minute)}, []string{"FB-1", "FB-0"}},
				{"window, account", store.Filter{OpenedSince: t0, OpenedUntil: t0.Add(2 * time.Minute), Account: "111111111111"}, []string{"FB-2", "FB-0"}},
			}
			check := func(tests []struct {
				name string
				f    store.Filter
				want []string
			}) {
				t.Helper()
				for _, tc := range tests {
					incs, err := s.List(ctx, tc.f)
					if err != nil {
						t.Fatalf("List(%s) = %v", tc.name, err)
					}
					var got []string
					for _, inc := range incs {
						got = append(got, inc.ID)
					}
					if !slices.Equal(got, tc.want) {
						t.Errorf("List(%s) = %v; want %v", tc.name, got, tc.want)
					}
				}
			}
			check(tests)
			// A late, earlier trigger moves FB-4's opening into the first minute: a window
			// finds it there, and no longer at its first opening time.
			if ok, err := s.OpenEarlier(ctx, "FB-4", "e-early", t0.Add(30*time.Second), incident.Entry{At: t0.Add(30 * time.Second),
				Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:e-early"}); err != nil || !ok {
				t.Fatalf("OpenEarlier(FB-4) = %v, %v; want true", ok, err)
			}
			check([]struct {
				name string
				f    store.Filter
				want []string
			}{
				{"window after an earlier opening", store.Filter{OpenedSince: t0, OpenedUntil: t0.Add(45 * time.Second)}, []string{"FB-4", "FB-0"}},
				{"window it left", store.Filter{OpenedSince: t0.Add(3 * time.Minute), OpenedUntil: t0.Add(5 * time.Minute)}, []string{"FB-3"}},
			})
		})
	}
}
