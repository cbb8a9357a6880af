package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Grouping by client (the account directory's): a client's incidents across its
// accounts page once; another client's, or an unlisted account's, do not join them. The
// candidates are asked of the store by client, so only that client's are read.
func TestGroupByClient(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	g := dispatch.Grouper{By: []string{incident.FieldClient, incident.FieldEnvironment}, Window: 15 * time.Minute}
	at := func(id, account, client, env string, m int) incident.Incident {
		return incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-" + id, Status: incident.Open, Severity: incident.Sev2, Account: account,
			Client: client, Environment: env, OpenedAt: t0.Add(time.Duration(m) * time.Minute), StateAt: t0}
	}
	st := store.NewMemory(func() time.Time { return t0 })
	ctx := context.Background()
	for _, inc := range []incident.Incident{
		at("FB-ACME-PROD-A", "111122223333", "acme", "production", 1),
		at("FB-GLOBEX-PROD", "555566667777", "globex", "production", 2),
		at("FB-ACME-STAGE", "111122224444", "acme", "staging", 3),
		at("FB-UNLISTED", "999999999999", "", "", 4),
	} {
		if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Key: "opened"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		inc  incident.Incident
		want string
	}{
		{at("FB-ACME-PROD-B", "111122225555", "acme", "production", 10), "FB-ACME-PROD-A"}, // another of acme's production accounts
		{at("FB-GLOBEX-2", "555566667777", "globex", "staging", 10), ""},
		{at("FB-UNLISTED-2", "888888888888", "", "", 10), "FB-UNLISTED"}, // unlisted accounts share the empty client
	}
	for _, tt := range tests {
		near, err := st.List(ctx, g.Candidates(tt.inc))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range near {
			if tt.inc.Client != "" && n.Client != tt.inc.Client {
				t.Errorf("Candidates(%s) read %s of client %q; want only client %q", tt.inc.ID, n.ID, n.Client, tt.inc.Client)
			}
		}
		p, ok := g.Parent(tt.inc, near)
		if got := map[bool]string{true: p.ID}[ok]; got != tt.want {
			t.Errorf("Parent(%s) = %q; want %q", tt.inc.ID, got, tt.want)
		}
	}
}
