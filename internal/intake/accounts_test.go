package intake_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
)

// The account directory at intake, on both stores: a gold account's incident opens
// raised, for the account's team, with its client and reason on the incident and on the
// opened entry; under unknown_accounts: refuse, an unlisted account's message is
// quarantined whole with the reason, and a redelivery changes nothing.
func TestIntakeAccounts(t *testing.T) {
	raw, err := catalog.ReadSample("cloudwatch/alarm-state-alarm.json")
	if err != nil {
		t.Fatal(err)
	}
	as := func(account string) []byte { return bytes.ReplaceAll(raw, []byte("123456789012"), []byte(account)) }
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	refusing := *cfg
	refusing.UnknownAccounts = config.UnknownRefuse
	c, err := classify.New(&refusing)
	if err != nil {
		t.Fatal(err)
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := mk(t)
			p := intake.New(st, c, now, nil)
			for range 2 { // delivered twice
				rep, err := p.Process(ctx, []intake.Message{msg("m-acme", as("111122223333")), msg("m-unknown", as("777788889999"))})
				if err != nil || len(rep.Retry) > 0 {
					t.Fatalf("Process() = %+v, %v; want every message processed", rep, err)
				}
			}
			inc := only(t, st)
			reason := "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold; owner payments: the account belongs to payments; objectives of tier gold: acknowledge within 5m, resolve within 2h"
			if inc.Severity != incident.Sev1 || inc.Team != "payments" || inc.Client != "acme" || inc.Environment != "production" ||
				inc.Tier != "gold" || inc.AccountName != "Acme production" || inc.AccountReason != reason {
				t.Errorf("incident = %s %s client %q env %q tier %q name %q reason %q; want sev1 payments acme production gold, Acme production, %q",
					inc.Severity, inc.Team, inc.Client, inc.Environment, inc.Tier, inc.AccountName, inc.AccountReason, reason)
			}
			tl, err := st.Timeline(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(tl) == 0 || tl[0].Kind != incident.KindOpened || tl[0].Data[incident.DataAccountReason] != reason || !strings.HasSuffix(tl[0].Detail, "("+reason+")") {
				t.Errorf("opened entry = %+v; want the reason in its detail and data", tl)
			}
			q, err := st.QuarantinedSince(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			want := "event 61a017f5-5136-40cf-baa9-b5f36227a4d5: account refused: account 777788889999 is not in the account directory (unknown_accounts: refuse)"
			if len(q) != 1 || q[0].MessageID != "m-unknown" || !bytes.Equal(q[0].Payload, as("777788889999")) || q[0].Reason != want {
				for _, x := range q {
					t.Logf("quarantined %s (%d bytes): %s", x.MessageID, len(x.Payload), x.Reason)
				}
				t.Errorf("quarantined %d; want the unknown account's message once, whole, with the reason %q", len(q), want)
			}
		})
	}
}
