package dispatch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestForcedSilenceNamesWhoForcedIt: an incident quieted by a silence someone forced
// (it selects everything) says on its timeline who forced it and why; nobody is paged.
func TestForcedSilenceNamesWhoForcedIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.(*store.Memory).PutSilence(ctx, silence.Silence{ID: "sil-all", Comment: "region evacuation", CreatedBy: "alice",
		Matchers: silence.Matchers{Class: "*"}, Starts: t0.Add(-time.Hour), Ends: t0.Add(time.Hour),
		Forced: &silence.Forced{By: "alice", Reasons: []string{"its matchers select every incident"}}}); err != nil {
		t.Fatal(err)
	}
	inc := incident.Incident{ID: "FB-ALL-1", Seq: 1, Fingerprint: "fp-all", Class: "ops.alarm-prod", Title: "alarm", Severity: incident.Sev2,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", Account: "123456789012", Region: "eu-west-1",
		OpenedBy: "evt-all", OpenedAt: t0, StateAt: t0}
	if _, _, err := f.st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:evt-all"}); err != nil {
		t.Fatal(err)
	}
	if err := f.d.Handle(ctx, store.StreamRecord{New: inc}); err != nil {
		t.Fatalf("Handle(opened) error %v", err)
	}
	tl, err := f.st.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var silenced *incident.Entry
	for i, e := range tl {
		if e.Kind == incident.KindNotified {
			t.Errorf("timeline has %s %s; want nobody paged under a silence", e.Kind, e.Key)
		}
		if e.Kind == incident.KindSilenced {
			silenced = &tl[i]
		}
	}
	if silenced == nil {
		t.Fatalf("timeline has no %s entry", incident.KindSilenced)
	}
	if silenced.Data["forced_by"] != "alice" || !strings.Contains(silenced.Detail, "forced by alice: its matchers select every incident") {
		t.Errorf("silenced entry = %q %v; want it to name alice, who forced the silence, and why", silenced.Detail, silenced.Data)
	}
}
