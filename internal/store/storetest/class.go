package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// runClassFilter: List with a class prefix (dispatch's inhibition asks for its rules'
// source classes) returns exactly the incidents whose class begins with it, with the
// other conditions, in whatever status they are now.
func runClassFilter(t *testing.T, f Factory) {
	ctx := context.Background()
	t.Run("ListByClassPrefix", func(t *testing.T) {
		st := f(t)
		type open struct {
			class   string
			sev     incident.Severity
			account string
		}
		opens := []open{
			{"health.issue", incident.Sev1, "111111111111"},
			{"health.issue", incident.Sev2, "222222222222"},
			{"health.scheduled", incident.Sev3, "111111111111"},
			{"guardduty.finding", incident.Sev1, "111111111111"},
			{"ops.alarm", incident.Sev2, "111111111111"},
			{"healthcheck.failed", incident.Sev1, "111111111111"},
		}
		for i, o := range opens {
			inc := newIncident(fmt.Sprintf("class-fp-%d", i), 1)
			inc.Class, inc.Severity, inc.Account = o.class, o.sev, o.account
			inc.OpenedAt = t0.Add(time.Duration(i) * time.Minute)
			if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
				t.Fatal(err)
			}
		}
		id := func(i int) string { return incident.ID(fmt.Sprintf("class-fp-%d", i), 1) }
		// The first health.issue resolves: a filter on active statuses no longer sees it.
		if _, err := st.Change(ctx, store.Change{Incident: id(0), Status: incident.Resolved, At: t0.Add(time.Hour),
			Entry: incident.Entry{At: t0.Add(time.Hour), Kind: incident.KindResolved, Key: "resolved"}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    store.Filter
			want []string // most recently opened first
		}{
			{"exact class", store.Filter{ClassPrefix: "health.issue"}, []string{id(1), id(0)}},
			{"prefix with its dot", store.Filter{ClassPrefix: "health."}, []string{id(2), id(1), id(0)}},
			{"prefix without the dot", store.Filter{ClassPrefix: "health"}, []string{id(5), id(2), id(1), id(0)}},
			{"active only", store.Filter{ClassPrefix: "health.", Status: incident.ActiveStatuses}, []string{id(2), id(1)}},
			{"account and region", store.Filter{ClassPrefix: "health.", Account: "111111111111", Region: "eu-west-1"}, []string{id(2), id(0)}},
			{"as inhibition asks", store.Filter{ClassPrefix: "health.", Status: incident.ActiveStatuses, Account: "111111111111", Region: "eu-west-1",
				Severities: []incident.Severity{incident.Sev1, incident.Sev2, incident.Sev3}}, []string{id(2)}},
			{"severity", store.Filter{ClassPrefix: "health", Severities: []incident.Severity{incident.Sev1}}, []string{id(5), id(0)}},
			{"no such class", store.Filter{ClassPrefix: "config."}, nil},
		}
		for _, tc := range tests {
			got, err := st.List(ctx, tc.f)
			if err != nil {
				t.Fatalf("List(%s) = %v", tc.name, err)
			}
			if !slices.Equal(ids(got), tc.want) {
				t.Errorf("List(%s) = %v; want %v", tc.name, ids(got), tc.want)
			}
		}
	})
}
