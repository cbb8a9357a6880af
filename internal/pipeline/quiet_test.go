package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

const quietConfig = `version: 1
defaults: {team: web}
teams:
  web: {email: [web@example.com]}
  db: {email: [db@example.com]}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
silences:
  - id: nightly-deploys
    comment: nightly deploys restart the canary
    matchers: {class: "web.canary"}
    weekly: {days: [mon, tue, wed, thu, fri, sat, sun], start: "01:00", duration: 1h, time_zone: UTC}
inhibit:
  - name: db-down
    source: {class: "db.down"}
    target: {class: "web.*"}
    equal: [account, region]
grouping:
  window: 10m
  by: [account, region, class]
taxonomy:
  - class: db.down
    match: {"detail": {"alarmName": [{"prefix": "db-"}]}}
    severity: sev1
    team: db
  - class: web.canary
    match: {"detail": {"alarmName": [{"prefix": "canary-"}]}}
    severity: sev3
  - class: web.latency
    match: {"detail": {"alarmName": [{"prefix": "web-"}]}}
    severity: sev3
`

type quietFixture struct {
	t   *testing.T
	l   *pipeline.Local
	ctx context.Context
}

func newQuiet(t *testing.T) *quietFixture {
	cfg, err := config.Parse("quiet.yaml", []byte(quietConfig))
	if err != nil {
		t.Fatal(err)
	}
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	return &quietFixture{t: t, l: l, ctx: context.Background()}
}

func (f *quietFixture) fire(id, alarm, state string, at time.Time) intake.Outcome {
	f.t.Helper()
	if err := f.l.AdvanceTo(f.ctx, at); err != nil {
		f.t.Fatal(err)
	}
	rep, err := f.l.Ingest(f.ctx, []intake.Message{{ID: id, Body: eventtest.Alarm(f.t, id, alarm, state, at), ReceivedAt: at}})
	if err != nil || len(rep.Outcomes) != 1 {
		f.t.Fatalf("Ingest(%s) = %v, %v", id, rep.Outcomes, err)
	}
	return rep.Outcomes[0]
}

func (f *quietFixture) sentFor(id string) []string {
	var out []string
	for _, s := range f.l.Outbox.Sent() {
		if s.Attributes["incident"] == id {
			out = append(out, s.Attributes["kind"])
		}
	}
	return out
}

func (f *quietFixture) get(id string) incident.Incident {
	inc, err := f.l.Store.Get(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

func TestSilenceWindowKeepsQuiet(t *testing.T) {
	f := newQuiet(t)
	night := time.Date(2026, 11, 3, 1, 20, 0, 0, time.UTC) // inside the nightly window
	o := f.fire("c1", "canary-checkout", "ALARM", night)
	if inc := f.get(o.Incident); inc.SilencedBy != "nightly-deploys" || o.Kind != intake.Opened {
		t.Errorf("incident in the window = %+v; want recorded and silenced by nightly-deploys", inc)
	}
	// It recovers inside the window: nobody is paged when the window ends either.
	f.fire("c1-ok", "canary-checkout", "OK", night.Add(10*time.Minute))
	day := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	o2 := f.fire("c2", "canary-search", "ALARM", day)
	if got := f.sentFor(o2.Incident); strings.Join(got, ",") != "opened" {
		t.Errorf("outside the window: sent %v; want opened", got)
	}
	if got := f.sentFor(o.Incident); len(got) != 0 {
		t.Errorf("silenced incident sent %v; want nothing, not even its recovery (nobody was paged)", got)
	}
}

func TestResolveNoticeGoesOutIfSomeoneWasPagedBeforeASilence(t *testing.T) {
	f := newQuiet(t)
	o := f.fire("w1", "web-latency", "ALARM", t0)
	if err := f.l.Store.PutSilence(f.ctx, silence.Silence{ID: "maint", Comment: "maintenance", Matchers: silence.Matchers{Class: "web.*"},
		Starts: t0, Ends: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.fire("w1-ok", "web-latency", "OK", t0.Add(5*time.Minute))
	if got := f.sentFor(o.Incident); strings.Join(got, ",") != "opened,mitigated" {
		t.Errorf("sent %v; want opened then mitigated: the team was paged before the silence", got)
	}
	o2 := f.fire("w2", "web-other", "ALARM", t0.Add(20*time.Minute))
	if got := f.sentFor(o2.Incident); len(got) != 0 || f.get(o2.Incident).SilencedBy != "maint" {
		t.Errorf("new incident during the API silence sent %v; want none, silenced by maint", got)
	}
}

func TestInhibitedByAMoreSevereIncident(t *testing.T) {
	f := newQuiet(t)
	db := f.fire("d1", "db-primary", "ALARM", t0)
	web := f.fire("w1", "web-latency", "ALARM", t0.Add(2*time.Minute))
	inc := f.get(web.Incident)
	if inc.Parent != db.Incident || inc.ParentReason != string(incident.KindInhibited) {
		t.Errorf("web incident parent = %q (%s); want inhibited by %s", inc.Parent, inc.ParentReason, db.Incident)
	}
	if got := f.sentFor(web.Incident); len(got) != 0 {
		t.Errorf("inhibited incident sent %v; want nothing", got)
	}
	tl, _ := f.l.Store.Timeline(f.ctx, db.Incident)
	if tl[len(tl)-1].Kind != incident.KindChildInhibited {
		t.Errorf("parent's timeline ends %q; want the child-inhibited link", tl[len(tl)-1].Kind)
	}
	// Once the database incident is over, web incidents page again.
	if err := f.l.Do(f.ctx, func(ctx context.Context) error {
		_, err := f.l.Lifecycle.Transition(ctx, lifecycle.Request{Incident: db.Incident, By: "sam", Key: "r"}, incident.Resolved, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	later := f.fire("w2", "web-cache", "ALARM", t0.Add(30*time.Minute))
	if got := f.sentFor(later.Incident); strings.Join(got, ",") != "opened" {
		t.Errorf("after the source resolved: sent %v; want opened", got)
	}
}

func TestGroupedIncidentsPageOnce(t *testing.T) {
	f := newQuiet(t)
	first := f.fire("w1", "web-a", "ALARM", t0)
	var children []string
	for i, name := range []string{"web-b", "web-c", "web-d"} {
		o := f.fire("w"+name, name, "ALARM", t0.Add(time.Duration(i+1)*2*time.Minute))
		children = append(children, o.Incident)
	}
	late := f.fire("w-late", "web-e", "ALARM", t0.Add(25*time.Minute)) // outside the 10m window
	if got := f.sentFor(first.Incident); strings.Join(got, ",") != "opened" {
		t.Errorf("group parent sent %v; want one opened page", got)
	}
	for _, c := range children {
		if inc := f.get(c); inc.Parent != first.Incident || inc.ParentReason != string(incident.KindGrouped) || len(f.sentFor(c)) != 0 {
			t.Errorf("child %s: parent %q (%s), sent %v; want grouped under %s, unpaged", c, inc.Parent, inc.ParentReason, f.sentFor(c), first.Incident)
		}
	}
	if inc := f.get(late.Incident); inc.Parent != "" || len(f.sentFor(late.Incident)) != 1 {
		t.Errorf("incident outside the window: parent %q, sent %v; want its own page", inc.Parent, f.sentFor(late.Incident))
	}
}

func TestOwnerChangeTellsTheNewOwner(t *testing.T) {
	f := newQuiet(t)
	o := f.fire("w1", "web-latency", "ALARM", t0)
	if err := f.l.Do(f.ctx, func(ctx context.Context) error {
		_, err := f.l.Lifecycle.SetOwner(ctx, lifecycle.Request{Incident: o.Incident, By: "sam", Key: "o"}, "db", "slow queries")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sent := f.l.Outbox.Sent()
	last := sent[len(sent)-1]
	if last.Attributes["kind"] != "reassigned" || !strings.HasSuffix(last.Topic, "firebreak-db") {
		t.Errorf("last notice = %s to %s; want reassigned to db", last.Attributes["kind"], last.Topic)
	}
}
