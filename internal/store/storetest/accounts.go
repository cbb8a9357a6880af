package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// RunAccounts checks what the account directory puts on an incident (internal/accounts):
// the account's name, client, environment, tier and the reason are kept as opened, and
// survive a change; List filters by client and environment.
func RunAccounts(t *testing.T, f Factory) {
	ctx := context.Background()
	t.Run("AccountFieldsKept", func(t *testing.T) {
		st := f(t)
		inc := newIncident("ops.alarm|111122223333|eu-west-1|cpu", 1)
		inc.Account, inc.AccountName, inc.Client, inc.Environment, inc.Tier = "111122223333", "Acme production", "acme", "production", "gold"
		inc.AccountReason = "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold"
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Change(ctx, store.Change{Incident: inc.ID, Status: incident.Acknowledged, By: "sam", At: t0.Add(1),
			Entry: incident.Entry{Incident: inc.ID, At: t0.Add(1), Kind: incident.KindAcknowledged, Actor: "sam", Key: "ack"}}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := [5]string{inc.AccountName, inc.Client, inc.Environment, inc.Tier, inc.AccountReason}
		if have := [5]string{got.AccountName, got.Client, got.Environment, got.Tier, got.AccountReason}; have != want {
			t.Errorf("Get(%s) account fields = %q; want %q", inc.ID, have, want)
		}
	})
	t.Run("ListByClientAndEnvironment", func(t *testing.T) {
		st := f(t)
		for i, a := range []struct{ account, client, env string }{
			{"111122223333", "acme", "production"},
			{"111122224444", "acme", "staging"},
			{"555566667777", "globex", "production"},
			{"999999999999", "", ""}, // not in the directory
		} {
			inc := newIncident("ops.alarm|"+a.account+"|eu-west-1|cpu", 1)
			inc.Account, inc.Client, inc.Environment = a.account, a.client, a.env
			inc.OpenedAt = t0.Add(time.Duration(i) * time.Minute)
			if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name string
			f    store.Filter
			want []string // accounts, most recently opened first
		}{
			{"client", store.Filter{Client: "acme"}, []string{"111122224444", "111122223333"}},
			{"environment", store.Filter{Environment: "production"}, []string{"555566667777", "111122223333"}},
			{"client and environment", store.Filter{Client: "acme", Environment: "production"}, []string{"111122223333"}},
			{"client, opened since", store.Filter{Client: "acme", OpenedSince: t0.Add(time.Minute)}, []string{"111122224444"}},
			{"client, active", store.Filter{Client: "globex", Status: incident.ActiveStatuses}, []string{"555566667777"}},
			{"unknown client", store.Filter{Client: "initech"}, nil},
		}
		for _, tc := range tests {
			incs, err := st.List(ctx, tc.f)
			if err != nil {
				t.Fatalf("List(%s) = %v", tc.name, err)
			}
			var got []string
			for _, inc := range incs {
				got = append(got, inc.Account)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("List(%s) = %v; want %v", tc.name, got, tc.want)
			}
		}
	})
}
