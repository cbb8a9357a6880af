package replay_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/status"
)

// origin is an event's account and region, as EventBridge keeps them when a forwarder
// puts the event on the central bus (docs/organizations.md).
type origin struct{ account, region string }

// fromOrigin is a sample as it would arrive from another account and region: the same
// event, its own id, account and region.
func fromOrigin(t *testing.T, sample, id string, o origin) replay.Input {
	t.Helper()
	raw, err := events.ReadSample(sample)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", sample, err)
	}
	ev["id"], ev["account"], ev["region"] = id, o.account, o.region
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return replay.Input{Origin: "test:" + id, File: "test", Raw: out}
}

// TestOriginKeptThroughout: the same event from two accounts (a global service's, seen
// in us-east-1) and from two regions of one account opens one incident per origin, and
// each incident, its notices, its status page and the report by account show where it
// happened.
func TestOriginKeptThroughout(t *testing.T) {
	cfg, b := setup(t)
	for _, tc := range []struct {
		name, sample string
		origins      []origin
	}{
		{"two accounts", "cloudtrail/iam-attach-admin-policy.json", []origin{{"111122223333", "us-east-1"}, {"444455556666", "us-east-1"}}},
		{"two regions", "ec2/instance-stopped.json", []origin{{"111122223333", "eu-west-1"}, {"111122223333", "eu-central-1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []replay.Input
			for _, o := range tc.origins {
				in = append(in, fromOrigin(t, tc.sample, tc.name+"-"+o.account+"-"+o.region, o))
			}
			res, err := replay.Run(context.Background(), in, replay.Options{Config: cfg, Bus: b})
			if err != nil {
				t.Fatal(err)
			}
			incs := incidents(t, res)
			if len(incs) != len(tc.origins) {
				t.Fatalf("%d incidents from %d origins of one event; want one each (%+v)", len(incs), len(tc.origins), res.Summary)
			}
			fps := map[string]bool{}
			page := &status.Page{Store: res.Store, Now: func() time.Time { return res.Summary.Last.Add(time.Minute) }}
			for _, o := range tc.origins {
				var inc *incident.Incident
				for i := range incs {
					if incs[i].Account == o.account && incs[i].Region == o.region {
						inc = &incs[i]
					}
				}
				if inc == nil {
					t.Errorf("no incident with account %s and region %s", o.account, o.region)
					continue
				}
				fps[inc.Fingerprint] = true
				if !strings.Contains(inc.Fingerprint, o.account) || !strings.Contains(inc.Fingerprint, o.region) {
					t.Errorf("incident %s: Fingerprint %q; want it to hold %s and %s", inc.ID, inc.Fingerprint, o.account, o.region)
				}

				notices := 0
				for _, s := range res.Notifications {
					if s.Attributes["incident"] != inc.ID {
						continue
					}
					if s.Attributes["audience"] != "" { // stakeholders are told what happened, not where in AWS
						continue
					}
					notices++
					if s.Attributes["account"] != o.account {
						t.Errorf("notice on %s: account attribute %q; want %s", inc.ID, s.Attributes["account"], o.account)
					}
					if !strings.Contains(s.Email, o.account) || !strings.Contains(s.Email, " / "+o.region) { // a listed account has its name between
						t.Errorf("notice on %s: e-mail does not say %s / %s:\n%s", inc.ID, o.account, o.region, s.Email)
					}
					if s.SMS != "" && (!strings.Contains(s.SMS, o.account) || !strings.Contains(s.SMS, o.region)) {
						t.Errorf("notice on %s: SMS %q; want it to name %s %s", inc.ID, s.SMS, o.account, o.region)
					}
				}
				if notices == 0 {
					t.Errorf("incident %s (%s): no notice", inc.ID, inc.Severity)
				}

				one := page.Render(context.Background(), status.Request{Path: "incidents/" + inc.ID})
				if want := o.account + " " + o.region; one.Status != 200 || !strings.Contains(string(one.Body), want) {
					t.Errorf("status page of %s: %d, want it to show %q", inc.ID, one.Status, want)
				}
				board := page.Render(context.Background(), status.Request{Account: o.account})
				if !strings.Contains(string(board.Body), inc.ID) {
					t.Errorf("status board ?account=%s does not list %s", o.account, inc.ID)
				}
			}
			if len(fps) != len(tc.origins) {
				t.Errorf("%d fingerprints for %d origins; want one each", len(fps), len(tc.origins))
			}

			rep, err := report.Build(context.Background(), report.Input{
				Since: res.Summary.First.Add(-time.Hour), Until: res.Summary.Last.Add(time.Hour),
				By: report.ByAccount, Incidents: incs, Config: cfg,
			})
			if err != nil {
				t.Fatal(err)
			}
			byAccount := map[string]int{}
			for _, g := range rep.Groups {
				byAccount[g.Key] = g.Incidents
			}
			want := map[string]int{}
			for _, o := range tc.origins {
				want[o.account]++
			}
			for a, n := range want {
				if byAccount[a] != n {
					t.Errorf("report by account: %s has %d incidents; want %d (groups %v)", a, byAccount[a], n, byAccount)
				}
			}
		})
	}
}
