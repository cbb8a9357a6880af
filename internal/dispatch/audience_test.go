package dispatch_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// audienceFixture is dispatch over the memory store and the shipped configuration, whose
// communication plan tells stakeholders and executives of sev1 incidents.
type audienceFixture struct {
	st     *store.Memory
	d      *dispatch.Dispatcher
	life   *lifecycle.Service
	outbox *notify.Outbox
	now    time.Time
}

func newAudienceFixture(t *testing.T, audiences ...string) *audienceFixture {
	t.Helper()
	c, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	// customers: an audience no severity's plan names, told only what is posted to it.
	c.Communication.Audiences["customers"] = &config.Audience{Name: "Customers"}
	c.Communication.AudienceNames = append(c.Communication.AudienceNames, "customers")
	f := &audienceFixture{now: t0}
	clock := func() time.Time { return f.now }
	f.st = store.NewMemory(clock)
	f.outbox = &notify.Outbox{Now: clock}
	topics := map[string]string{}
	for _, team := range c.TeamNames {
		topics[team] = "arn:aws:sns:eu-west-1:123456789012:firebreak-" + team
	}
	for _, a := range audiences {
		topics[config.AudienceTarget(a)] = "arn:aws:sns:eu-west-1:123456789012:firebreak-audience-" + a
	}
	f.d = &dispatch.Dispatcher{Store: f.st, Quiet: f.st, Sender: notify.New(f.outbox, topics), Config: c, Now: clock, Lease: time.Minute}
	f.life = &lifecycle.Service{Store: f.st, Config: c, Now: clock}
	return f
}

// drain feeds the memory store's stream to dispatch, each record twice (as a stream
// may deliver it): nothing must be told twice.
func (f *audienceFixture) drain(t *testing.T) {
	t.Helper()
	for {
		recs := f.st.DrainStream()
		if len(recs) == 0 {
			return
		}
		for _, r := range recs {
			for range 2 {
				if err := f.d.Handle(context.Background(), r); err != nil {
					t.Fatalf("Handle(%s) = %v", r.New.ID, err)
				}
			}
		}
	}
}

func (f *audienceFixture) open(t *testing.T, sev incident.Severity) incident.Incident {
	t.Helper()
	inc := incident.Incident{ID: "FB-AUD-1", Fingerprint: "web.down|123456789012|eu-west-1|web", Class: "ops.alarm", Title: "Checkout is failing",
		Severity: sev, Team: "platform", Status: incident.Open, Account: "123456789012", Region: "eu-west-1", OpenedAt: f.now, StateAt: f.now,
		FirstSeen: f.now, LastSeen: f.now, Count: 1}
	if _, _, err := f.st.Open(context.Background(), inc, incident.Entry{Incident: inc.ID, At: f.now, Kind: incident.KindOpened, Actor: "test", Key: "opened",
		Data: map[string]string{incident.DataSeverity: string(sev)}}); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	return inc
}

// audienceMessages lists the messages to audiences as audience/kind.
func (f *audienceFixture) audienceMessages() []string {
	var out []string
	for _, s := range f.outbox.Sent() {
		if a := s.Attributes["audience"]; a != "" {
			out = append(out, a+"/"+s.Attributes["kind"])
		}
	}
	return out
}

func audienceKinds(t *testing.T, st *store.Memory, id string, of ...incident.Kind) []string {
	t.Helper()
	tl, err := st.Timeline(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range tl {
		for _, k := range of {
			if e.Kind == k {
				out = append(out, string(e.Kind)+":"+e.Data[incident.DataAudience]+":"+e.Data[incident.DataNotice])
			}
		}
	}
	return out
}

// TestAudiencesHearFirstNoticeUpdatesAndResolution: a sev1 gives each audience of its
// plan a first notice; an update goes to its audience alone; the resolution goes to every
// audience that heard of it, read from the timeline; redeliveries tell nobody twice.
func TestAudiencesHearFirstNoticeUpdatesAndResolution(t *testing.T) {
	ctx := context.Background()
	f := newAudienceFixture(t, "stakeholders", "executives", "customers")
	inc := f.open(t, incident.Sev1)
	if got, want := strings.Join(f.audienceMessages(), " "), "executives/audience-first stakeholders/audience-first"; got != want {
		t.Fatalf("after opening, audience messages = %q; want %q", got, want)
	}
	f.now = f.now.Add(10 * time.Minute)
	if _, err := f.life.PostUpdate(ctx, lifecycle.Request{Incident: inc.ID, By: "dana"}, "stakeholders", "Failing over the database.", time.Hour); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	f.now = f.now.Add(5 * time.Minute)
	if _, err := f.life.PostUpdate(ctx, lifecycle.Request{Incident: inc.ID, By: "dana"}, "customers", "Checkout may fail; we are on it.", 0); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	sent := f.outbox.Sent()
	upd := sent[len(sent)-2]
	if upd.Attributes["audience"] != "stakeholders" || !strings.Contains(upd.Email, "Failing over the database.\n") ||
		!strings.Contains(upd.Email, "Estimated fix   2026-11-02 12:08:00 UTC") || strings.Contains(upd.Email, "Update to stakeholders") {
		t.Errorf("update message = %+v; want the text alone and the estimated fix, to stakeholders", upd)
	}
	f.now = f.now.Add(time.Hour)
	if _, err := f.life.Transition(ctx, lifecycle.Request{Incident: inc.ID, By: "dana"}, incident.Resolved, "fixed"); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	want := "executives/audience-first stakeholders/audience-first stakeholders/audience-update customers/audience-update " +
		"executives/audience-resolved stakeholders/audience-resolved customers/audience-resolved"
	if got := strings.Join(f.audienceMessages(), " "); got != want {
		t.Errorf("audience messages = %q; want %q", got, want)
	}
	for _, s := range f.outbox.Sent() {
		if s.Attributes["audience"] != "" && (strings.Contains(s.Email, "/t/") || strings.Contains(s.Email, "incidents ack")) {
			t.Errorf("message to %s carries a responder's action: %s", s.Attributes["audience"], s.Email)
		}
	}
	wantTL := "audience-notified:executives:first audience-notified:stakeholders:first audience-notified:stakeholders:update audience-notified:customers:update " +
		"audience-notified:executives:resolved audience-notified:stakeholders:resolved audience-notified:customers:resolved"
	if got := strings.Join(audienceKinds(t, f.st, inc.ID, incident.KindAudienceNotified, incident.KindAudienceNotNotified), " "); got != wantTL {
		t.Errorf("timeline = %q; want %q", got, wantTL)
	}
}

// TestAudiencesQuietAndUnplanned: a sev3 (no audiences in the plan) tells nobody; an
// update to an audience the plan does not name is refused; an audience with no topic is
// recorded as not told, once, and does not hold the stream.
func TestAudiencesQuietAndUnplanned(t *testing.T) {
	ctx := context.Background()
	f := newAudienceFixture(t, "stakeholders")
	inc := f.open(t, incident.Sev3)
	if got := f.audienceMessages(); len(got) != 0 {
		t.Errorf("a sev3 told audiences %v; want none", got)
	}
	_, err := f.life.PostUpdate(ctx, lifecycle.Request{Incident: inc.ID, By: "dana"}, "board", "hello", 0)
	if !errors.Is(err, lifecycle.ErrInvalid) || !strings.Contains(err.Error(), `audience "board" is not in the communication plan (communication.audiences: executives, stakeholders, customers)`) {
		t.Errorf("PostUpdate(board) = %v; want ErrInvalid naming the planned audiences", err)
	}
	sev1 := newAudienceFixture(t, "stakeholders") // executives has no topic here
	sev1.open(t, incident.Sev1)
	if got := strings.Join(audienceKinds(t, sev1.st, "FB-AUD-1", incident.KindAudienceNotified, incident.KindAudienceNotNotified), " "); got !=
		"audience-not-notified:executives:first audience-notified:stakeholders:first" {
		t.Errorf("timeline = %q; want executives not told (no topic) and stakeholders told", got)
	}
}

// TestViewerLinks: with signed links, an audience's message carries a viewer link to the
// incident as that audience sees it, and the responders' notice a viewer link scoped to
// the incident's account; both verify as read-only "view" tokens and neither is an action.
func TestViewerLinks(t *testing.T) {
	f := newAudienceFixture(t, "stakeholders", "executives")
	ring, err := token.NewRing(bytes.NewReader(bytes.Repeat([]byte{7}, token.KeySize)), "k1")
	if err != nil {
		t.Fatal(err)
	}
	signer := &token.Signer{Keys: token.Static{Ring: ring}, Now: func() time.Time { return f.now }}
	f.d.Links = &token.Links{Signer: signer, Base: "https://links.example.com/"}
	inc := f.open(t, incident.Sev1)
	linkRe := regexp.MustCompile(`https://links\.example\.com/status/([^/\s]+)/incidents/` + regexp.QuoteMeta(inc.ID) + `\b`)
	scopes := map[string]string{}
	for _, s := range f.outbox.Sent() {
		m := linkRe.FindStringSubmatch(s.Email)
		if m == nil {
			t.Errorf("message to %s (%s) has no viewer link to the incident:\n%s", s.Topic, s.Attributes["kind"], s.Email)
			continue
		}
		scope, _, err := signer.VerifyView(context.Background(), m[1])
		if err != nil {
			t.Errorf("viewer link of the message to %s does not verify: %v", s.Topic, err)
			continue
		}
		scopes[s.Attributes["audience"]+"/"+s.Attributes["kind"]] = scope.String()
	}
	want := map[string]string{"/opened": "account:123456789012", "stakeholders/audience-first": "audience:stakeholders",
		"executives/audience-first": "audience:executives"}
	for k, w := range want {
		if scopes[k] != w {
			t.Errorf("viewer link scope of %s = %q; want %q", k, scopes[k], w)
		}
	}
}

// TestRaisedSeverityTellsNewAudiences: a sev2 tells stakeholders; raised to sev1, it
// tells executives (newly in the plan) its first notice, and stakeholders nothing again.
func TestRaisedSeverityTellsNewAudiences(t *testing.T) {
	ctx := context.Background()
	f := newAudienceFixture(t, "stakeholders", "executives")
	inc := f.open(t, incident.Sev2)
	f.now = f.now.Add(20 * time.Minute)
	if _, err := f.st.Change(ctx, store.Change{Incident: inc.ID, Severity: incident.Sev1, RaiseOnly: true, At: f.now,
		Entry: incident.Entry{At: f.now, Kind: incident.KindSeverityRaised, Actor: "test", Key: "raise", Data: map[string]string{"to": "sev1"}}}); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	if got, want := strings.Join(f.audienceMessages(), " "), "stakeholders/audience-first executives/audience-first"; got != want {
		t.Errorf("audience messages = %q; want %q", got, want)
	}
	sent := f.outbox.Sent()
	if last := sent[len(sent)-1]; !strings.Contains(last.Email, "Next update by  2026-11-02 12:18:00 UTC (every 1h)") {
		t.Errorf("executives' first notice does not give their cadence (every 1h from the raise):\n%s", last.Email)
	}
}

// TestAudiencesOnDynamoDB: the same story on DynamoDB (dynalite), with the stream
// records made from the item before and after each change as the table's stream carries
// them: the first notice, an update (found on the timeline at the incident's new
// LastUpdateAt, as DynamoDB stores both) and the resolution, each once.
func TestAudiencesOnDynamoDB(t *testing.T) {
	ctx := context.Background()
	f := newAudienceFixture(t, "stakeholders", "executives")
	clock := func() time.Time { return f.now }
	db := dynamotest.Store(t, clock)
	f.d.Store, f.d.Quiet = db, db
	f.life = &lifecycle.Service{Store: db, Config: f.d.Config, Now: clock}
	handle := func(old *incident.Incident, id string) incident.Incident {
		t.Helper()
		cur, err := db.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // delivered twice
			if err := f.d.Handle(ctx, store.StreamRecord{Old: old, New: cur}); err != nil {
				t.Fatalf("Handle = %v", err)
			}
		}
		return cur
	}
	inc := incident.Incident{ID: "FB-AUD-D", Fingerprint: "fp-d", Class: "ops.alarm", Title: "Checkout is failing", Severity: incident.Sev1, Team: "platform",
		Status: incident.Open, Account: "123456789012", Region: "eu-west-1", OpenedAt: f.now, StateAt: f.now}
	if _, _, err := db.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: f.now, Kind: incident.KindOpened, Key: "opened"}); err != nil {
		t.Fatal(err)
	}
	cur := handle(nil, inc.ID)
	f.now = f.now.Add(10 * time.Minute)
	if _, err := f.life.PostUpdate(ctx, lifecycle.Request{Incident: inc.ID, By: "dana"}, "stakeholders", "Failing over.", 0); err != nil {
		t.Fatal(err)
	}
	cur = handle(&cur, inc.ID)
	f.now = f.now.Add(time.Hour)
	if _, err := f.life.Transition(ctx, lifecycle.Request{Incident: inc.ID, By: "dana"}, incident.Resolved, ""); err != nil {
		t.Fatal(err)
	}
	handle(&cur, inc.ID)
	want := "executives/audience-first stakeholders/audience-first stakeholders/audience-update executives/audience-resolved stakeholders/audience-resolved"
	if got := strings.Join(f.audienceMessages(), " "); got != want {
		t.Errorf("audience messages = %q; want %q", got, want)
	}
}
