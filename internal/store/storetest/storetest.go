// Package storetest is the contract every store implementation must satisfy. The same
// tests run against the in-memory store and against DynamoDB (dynalite).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Factory returns a new, empty store.
type Factory func(t *testing.T) store.Store

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newIncident(fp string, seq int) incident.Incident {
	return incident.Incident{
		ID: incident.ID(fp, seq), Seq: seq, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high",
		Severity: incident.Sev2, Team: "platform", Status: incident.Open, Source: "aws.cloudwatch",
		Account: "123456789012", Region: "eu-west-1", Resource: "i-0abc", OpenedBy: "evt-1",
		OpenedAt: t0, StateAt: t0, Actor: "arn:aws:iam::123456789012:user/sam",
		Attrs: map[string]string{"instance_id": "i-0abc", "alarm_name": "cpu"},
	}
}

func openedEntry(inc incident.Incident) incident.Entry {
	return incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Actor: "firebreak", Detail: "opened", Key: "opened:" + inc.OpenedBy}
}

func refs(prefix string, n int, at time.Time, sig event.Signal) []store.EventRef {
	out := make([]store.EventRef, n)
	for i := range out {
		out[i] = store.EventRef{ID: fmt.Sprintf("%s-%04d", prefix, i), Time: at.Add(time.Duration(i) * time.Second), Signal: sig}
	}
	return out
}

// Run runs the contract against stores made by f.
func Run(t *testing.T, f Factory) {
	runClaimsAndApprovals(t, f)
	runLifecycleAndClocks(t, f)
	runSeverityAt(t, f)
	runEarly(t, f)
	runLedger(t, f)
	RunFollowups(t, f)
	runOverrides(t, f)
	runClassFilter(t, f)
	ctx := context.Background()
	fp := "ops.alarm|123456789012|eu-west-1|arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cpu"

	t.Run("OpenOnce", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		got, created, err := st.Open(ctx, inc, openedEntry(inc))
		if err != nil || !created {
			t.Fatalf("Open() = created %v, err %v; want created", created, err)
		}
		if got.ID != inc.ID || got.Status != incident.Open || got.Severity != incident.Sev2 {
			t.Errorf("Open() = %+v; want id %s open sev2", got, inc.ID)
		}
		if stored, err := st.Get(ctx, inc.ID); err != nil || stored.Actor != inc.Actor || fmt.Sprint(stored.Attrs) != fmt.Sprint(inc.Attrs) {
			t.Errorf("Get() = actor %q attrs %v, %v; want %q %v", stored.Actor, stored.Attrs, err, inc.Actor, inc.Attrs)
		}
		again := inc
		again.Title = "a different title from a racing writer"
		got, created, err = st.Open(ctx, again, openedEntry(again))
		if err != nil || created {
			t.Fatalf("second Open() = created %v, err %v; want not created", created, err)
		}
		if got.Title != "cpu high" {
			t.Errorf("second Open() title = %q; want the stored %q", got.Title, "cpu high")
		}
		cur, err := st.Current(ctx, []string{fp, "other|fp"})
		if err != nil {
			t.Fatal(err)
		}
		if len(cur) != 1 || cur[fp].ID != inc.ID {
			t.Errorf("Current() = %v; want only %s", cur, inc.ID)
		}
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 1 || tl[0].Kind != incident.KindOpened {
			t.Errorf("Timeline() = %+v; want one opened entry", tl)
		}
	})

	t.Run("CurrentFollowsNewestSeq", func(t *testing.T) {
		st := f(t)
		for seq := 1; seq <= 3; seq++ {
			inc := newIncident(fp, seq)
			inc.OpenedAt = t0.Add(time.Duration(seq) * time.Hour)
			if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
				t.Fatal(err)
			}
		}
		// An older sequence opened late (a slow writer) must not move the head back.
		if _, _, err := st.Open(ctx, newIncident(fp, 2), incident.Entry{}); err != nil {
			t.Fatal(err)
		}
		cur, err := st.Current(ctx, []string{fp})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cur[fp].ID, incident.ID(fp, 3); got != want {
			t.Errorf("Current()[fp].ID = %s; want %s", got, want)
		}
	})

	t.Run("RecordCountsEachEventOnce", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		l := store.Ledger{Incident: inc.ID}
		trig := refs("trig", 5, t0, event.Trigger)                    // 09:00:00..04
		rec := refs("rec", 2, t0.Add(90*time.Second), event.Recovery) // next minute page
		info := refs("info", 1, t0.Add(3*time.Minute), event.Info)    // a third page
		all := append(append(append([]store.EventRef{}, trig...), rec...), info...)
		added, err := st.Record(ctx, l, all)
		if err != nil || len(added) != 8 {
			t.Fatalf("Record() added %d, err %v; want 8", len(added), err)
		}
		// Redelivery of everything, plus one new event: only the new one is added.
		more := append(all, store.EventRef{ID: "trig-new", Time: t0.Add(10 * time.Second), Signal: event.Trigger})
		added, err = st.Record(ctx, l, more)
		if err != nil {
			t.Fatal(err)
		}
		if len(added) != 1 || added[0].ID != "trig-new" {
			t.Errorf("Record(redelivery) added %v; want only trig-new", added)
		}
		added, err = st.Record(ctx, l, all)
		if err != nil || len(added) != 0 {
			t.Errorf("Record(pure redelivery) added %v, err %v; want none", added, err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Count != 6 || got.Recoveries != 2 || got.Events != 9 {
			t.Errorf("Get() counters = count %d recoveries %d events %d; want 6 2 9", got.Count, got.Recoveries, got.Events)
		}
		if !got.FirstSeen.Equal(t0) || !got.LastSeen.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("Get() seen = %v..%v; want %v..%v", got.FirstSeen, got.LastSeen, t0, t0.Add(3*time.Minute))
		}
	})

	t.Run("RecordDuplicatesWithinOneCall", func(t *testing.T) {
		st := f(t)
		l := store.Ledger{Fingerprint: fp}
		r := refs("dup", 3, t0, event.Info)
		added, err := st.Record(ctx, l, append(r, r...))
		if err != nil || len(added) != 3 {
			t.Errorf("Record(each twice) added %d, err %v; want 3", len(added), err)
		}
	})

	t.Run("RecordManyOnOnePage", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		many := make([]store.EventRef, 250) // more than one conditional update can carry
		for i := range many {
			many[i] = store.EventRef{ID: fmt.Sprintf("storm-%03d", i), Time: t0.Add(time.Duration(i%60) * time.Second), Signal: event.Trigger}
		}
		if added, err := st.Record(ctx, store.Ledger{Incident: inc.ID}, many); err != nil || len(added) != 250 {
			t.Fatalf("Record(250) added %d, err %v; want 250", len(added), err)
		}
		if added, err := st.Record(ctx, store.Ledger{Incident: inc.ID}, many[100:130]); err != nil || len(added) != 0 {
			t.Errorf("Record(30 redelivered) added %d, err %v; want 0", len(added), err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil || got.Count != 250 {
			t.Errorf("Get().Count = %d, err %v; want 250", got.Count, err)
		}
	})

	t.Run("ConcurrentOpenMakesOneIncident", func(t *testing.T) {
		st := f(t)
		const writers = 8
		var wg sync.WaitGroup
		created := make(chan bool, writers)
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				inc := newIncident(fp, 1)
				inc.OpenedBy = fmt.Sprintf("evt-%d", w)
				_, c, err := st.Open(ctx, inc, openedEntry(inc))
				created <- c
				errs <- err
			}()
		}
		wg.Wait()
		close(created)
		close(errs)
		n := 0
		for c := range created {
			if c {
				n++
			}
		}
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n != 1 {
			t.Errorf("%d concurrent Open() calls created %d incidents; want 1", writers, n)
		}
	})

	t.Run("ConcurrentRecordCountsExactly", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		// Four writers, overlapping sets of 40 events on the same page: 100 distinct.
		all := refs("c", 100, t0, event.Trigger)
		for i := range all {
			all[i].Time = t0.Add(time.Duration(i%50) * time.Second)
		}
		var wg sync.WaitGroup
		addedTotal := make(chan int, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				part := append([]store.EventRef{}, all[w*20:w*20+40]...) // w=3 takes 60..99
				if w == 3 {
					part = append(part, all[:20]...)
				}
				a, err := st.Record(ctx, store.Ledger{Incident: inc.ID}, part)
				if err != nil {
					t.Error(err)
				}
				addedTotal <- len(a)
			}()
		}
		wg.Wait()
		close(addedTotal)
		sum := 0
		for a := range addedTotal {
			sum += a
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum != 100 || got.Count != 100 {
			t.Errorf("concurrent Record() added %d, Count %d; want 100 and 100", sum, got.Count)
		}
	})

	t.Run("ChangeIsConditionalAndOnce", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		mitigate := store.Change{
			Incident: inc.ID, IfStatus: []incident.Status{incident.Open, incident.Acknowledged},
			NotBefore: t0.Add(time.Minute), Status: incident.Mitigated, At: t0.Add(time.Minute),
			Entry: incident.Entry{At: t0.Add(time.Minute), Kind: incident.KindMitigated, Actor: "aws.cloudwatch", Key: "mitigated:ok-1"},
		}
		ok, err := st.Change(ctx, mitigate)
		if err != nil || !ok {
			t.Fatalf("Change(mitigate) = %v, %v; want applied", ok, err)
		}
		ok, err = st.Change(ctx, mitigate)
		if err != nil || ok {
			t.Errorf("Change(mitigate again) = %v, %v; want not applied", ok, err)
		}
		// A late trigger older than the mitigation must not re-open it.
		late := store.Change{
			Incident: inc.ID, IfStatus: []incident.Status{incident.Mitigated}, NotBefore: t0.Add(30 * time.Second),
			Status: incident.Open, At: t0.Add(30 * time.Second),
			Entry: incident.Entry{At: t0.Add(30 * time.Second), Kind: incident.KindRetriggered, Key: "retriggered:late"},
		}
		if ok, err := st.Change(ctx, late); err != nil || ok {
			t.Errorf("Change(older event) = %v, %v; want not applied", ok, err)
		}
		// Severity only ever goes up with RaiseOnly.
		lower := store.Change{Incident: inc.ID, Severity: incident.Sev3, RaiseOnly: true, At: t0.Add(2 * time.Minute),
			Entry: incident.Entry{At: t0.Add(2 * time.Minute), Kind: incident.KindSeverityRaised, Key: "sev:lower"}}
		if ok, err := st.Change(ctx, lower); err != nil || ok {
			t.Errorf("Change(lower severity, RaiseOnly) = %v, %v; want not applied", ok, err)
		}
		raise := store.Change{Incident: inc.ID, Severity: incident.Sev1, RaiseOnly: true, At: t0.Add(3 * time.Minute),
			Entry: incident.Entry{At: t0.Add(3 * time.Minute), Kind: incident.KindSeverityRaised, Key: "sev:raise"}}
		if ok, err := st.Change(ctx, raise); err != nil || !ok {
			t.Errorf("Change(higher severity, RaiseOnly) = %v, %v; want applied", ok, err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != incident.Mitigated || got.Severity != incident.Sev1 || !got.StateAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("Get() = status %s severity %s state_at %v; want mitigated sev1 %v", got.Status, got.Severity, got.StateAt, t0.Add(time.Minute))
		}
		if got.Version != 3 {
			t.Errorf("Get().Version = %d; want 3 (open, mitigated, raised)", got.Version)
		}
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tl {
			kinds = append(kinds, string(e.Kind))
		}
		if fmt.Sprint(kinds) != "[opened mitigated severity-raised]" {
			t.Errorf("Timeline() kinds = %v; want [opened mitigated severity-raised]", kinds)
		}
	})

	t.Run("TimelineAppendOnlyOrderedIdempotent", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		note := func(min int, key string) incident.Entry {
			return incident.Entry{Incident: inc.ID, At: t0.Add(time.Duration(min) * time.Minute), Kind: incident.KindNote, Actor: "sam", Detail: key, Key: key,
				Data: map[string]string{"link": "https://wiki.example.com/" + key}}
		}
		if err := st.AddEntries(ctx, note(5, "b"), note(2, "a")); err != nil {
			t.Fatal(err)
		}
		if err := st.AddEntries(ctx, note(2, "a"), note(9, "c")); err != nil {
			t.Fatal(err)
		}
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range tl {
			keys = append(keys, e.Key)
		}
		if fmt.Sprint(keys) != "[opened:evt-1 a b c]" {
			t.Errorf("Timeline() keys = %v; want [opened:evt-1 a b c]", keys)
		}
		if tl[1].Data["link"] != "https://wiki.example.com/a" || tl[1].Actor != "sam" {
			t.Errorf("Timeline()[1] = %+v; want actor sam and its link", tl[1])
		}
		if err := st.AddEntries(ctx, incident.Entry{Incident: "FB-NOPE-1", At: t0, Kind: incident.KindNote, Key: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AddEntries(unknown incident) = %v; want ErrNotFound", err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		st := f(t)
		if _, err := st.Get(ctx, "FB-NOPE-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(unknown) = %v; want ErrNotFound", err)
		}
		_, err := st.Change(ctx, store.Change{Incident: "FB-NOPE-1", Status: incident.Resolved, Entry: incident.Entry{Key: "k"}})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Change(unknown) = %v; want ErrNotFound", err)
		}
		if _, err := st.Timeline(ctx, "FB-NOPE-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Timeline(unknown) = %v; want ErrNotFound", err)
		}
	})

	t.Run("ListByStatusAndTeam", func(t *testing.T) {
		st := f(t)
		for i, team := range []string{"platform", "security", "platform"} {
			inc := newIncident(fmt.Sprintf("fp-%d", i), 1)
			inc.Team = team
			inc.OpenedAt = t0.Add(time.Duration(i) * time.Minute)
			if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
				t.Fatal(err)
			}
		}
		first := incident.ID("fp-0", 1)
		if _, err := st.Change(ctx, store.Change{Incident: first, Status: incident.Resolved, At: t0.Add(time.Hour),
			Entry: incident.Entry{At: t0.Add(time.Hour), Kind: incident.KindResolved, Key: "resolved"}}); err != nil {
			t.Fatal(err)
		}
		open, err := st.List(ctx, store.Filter{Status: []incident.Status{incident.Open}})
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 2 || open[0].ID != incident.ID("fp-2", 1) {
			t.Errorf("List(open) = %v; want fp-2 then fp-1", ids(open))
		}
		plat, err := st.List(ctx, store.Filter{Team: "platform"})
		if err != nil {
			t.Fatal(err)
		}
		if len(plat) != 2 {
			t.Errorf("List(team platform) = %v; want 2 incidents", ids(plat))
		}
		all, err := st.List(ctx, store.Filter{Limit: 1})
		if err != nil || len(all) != 1 {
			t.Errorf("List(limit 1) = %v, %v; want 1 incident", ids(all), err)
		}
	})

	t.Run("QuarantineKeepsPayloadOnce", func(t *testing.T) {
		st := f(t)
		payload := []byte("{\"id\": \"truncated\", \"detail\": {\xff")
		q := store.Quarantined{MessageID: "m-1", ReceivedAt: t0, Reason: "event: not a JSON object", Payload: payload}
		if err := st.Quarantine(ctx, q); err != nil {
			t.Fatal(err)
		}
		q.MessageID, q.ReceivedAt = "m-1-redelivered", t0.Add(time.Minute)
		if err := st.Quarantine(ctx, q); err != nil {
			t.Fatal(err)
		}
		got, err := st.QuarantinedSince(ctx, t0.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || string(got[0].Payload) != string(payload) || got[0].MessageID != "m-1" || got[0].Reason != q.Reason {
			t.Errorf("QuarantinedSince() = %+v; want the payload byte for byte, once, from m-1", got)
		}
	})
}

func runClaimsAndApprovals(t *testing.T, f Factory) {
	ctx := context.Background()
	fp := "ops.alarm|1|r|x"
	claim := func(t *testing.T, st store.Store, id, key, owner string, lease time.Duration, want store.ClaimState) {
		t.Helper()
		if got, err := st.Claim(ctx, id, key, owner, lease); err != nil || got != want {
			t.Errorf("Claim(%s, owner %s) = %v, %v; want %v", key, owner, got, err, want)
		}
	}
	t.Run("ClaimOnceThenDone", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "notify:1:platform", "a", time.Minute, store.Claimed)
		claim(t, st, inc.ID, "notify:1:platform", "b", time.Minute, store.Held)
		claim(t, st, inc.ID, "notify:1:security", "b", time.Minute, store.Claimed)
		if err := st.Release(ctx, inc.ID, "notify:1:security", "b"); err != nil {
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "notify:1:security", "c", time.Minute, store.Claimed)
		if err := st.Done(ctx, inc.ID, "notify:1:platform", "message-id-1"); err != nil {
			t.Fatal(err)
		}
		if err := st.Release(ctx, inc.ID, "notify:1:platform", "a"); err != nil {
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "notify:1:platform", "a", 0, store.Finished)
		claim(t, st, inc.ID, "notify:1:platform", "d", 0, store.Finished)
	})
	t.Run("SameOwnerTakesItsClaimAgain", func(t *testing.T) {
		// The claim's write happened but its answer was lost: the owner's retry takes it.
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "runbook:1", "a", time.Minute, store.Claimed)
		claim(t, st, inc.ID, "runbook:1", "a", time.Minute, store.Claimed)
		claim(t, st, inc.ID, "runbook:1", "b", time.Minute, store.Held)
	})
	t.Run("ReleaseOnlyByItsOwner", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "runbook:1", "a", -time.Second, store.Claimed) // a lease already over
		claim(t, st, inc.ID, "runbook:1", "b", time.Minute, store.Claimed)  // taken over
		if err := st.Release(ctx, inc.ID, "runbook:1", "a"); err != nil {   // the late first attempt gives up
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "runbook:1", "c", time.Minute, store.Held) // b still holds it
	})
	t.Run("ExpiredLeaseCanBeTaken", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		claim(t, st, inc.ID, "runbook:1", "a", -time.Second, store.Claimed) // a lease already over
		claim(t, st, inc.ID, "runbook:1", "b", time.Minute, store.Claimed)
	})
	t.Run("ApprovalDecidedOnce", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		a := store.Approval{Incident: inc.ID, Key: "exec-1/Approve", Runbook: "kms-cancel-key-deletion", Execution: "exec-1",
			Request: "Cancel the deletion of key k?", Token: "tok-secret", RequestedAt: t0}
		if err := st.PutApproval(ctx, a); err != nil {
			t.Fatal(err)
		}
		b := a
		b.Token = "another"
		if err := st.PutApproval(ctx, b); err != nil {
			t.Fatal(err)
		}
		list, err := st.Approvals(ctx, inc.ID)
		if err != nil || len(list) != 1 || list[0].Token != "tok-secret" || list[0].Decision != "" {
			t.Fatalf("Approvals() = %+v, %v; want the first request, undecided", list, err)
		}
		got, err := st.Decide(ctx, inc.ID, a.Key, "approved", "sam", t0.Add(time.Hour))
		if err != nil || got.Token != "tok-secret" || got.Decision != "approved" || got.By != "sam" {
			t.Errorf("Decide() = %+v, %v; want approved by sam with its token", got, err)
		}
		if _, err := st.Decide(ctx, inc.ID, a.Key, "rejected", "eve", t0.Add(2*time.Hour)); !errors.Is(err, store.ErrDecided) {
			t.Errorf("second Decide() = %v; want ErrDecided", err)
		}
		if _, err := st.Decide(ctx, inc.ID, "nope", "approved", "sam", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Decide(unknown) = %v; want ErrNotFound", err)
		}
		if err := st.PutApproval(ctx, store.Approval{Incident: "FB-NOPE-1", Key: "k"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutApproval(unknown incident) = %v; want ErrNotFound", err)
		}
	})
}

func runLifecycleAndClocks(t *testing.T, f Factory) {
	ctx := context.Background()
	t.Run("ChangeRecordsWhoAndWhen", func(t *testing.T) {
		st := f(t)
		inc := newIncident("fp-life", 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		ack := store.Change{Incident: inc.ID, IfStatus: []incident.Status{incident.Open}, Status: incident.Acknowledged, By: "sam",
			Touch: true, At: t0.Add(3 * time.Minute), Entry: incident.Entry{At: t0.Add(3 * time.Minute), Kind: incident.KindAcknowledged, Actor: "sam", Key: "ack:1"}}
		if ok, err := st.Change(ctx, ack); err != nil || !ok {
			t.Fatalf("Change(ack) = %v, %v", ok, err)
		}
		owner := store.Change{Incident: inc.ID, Team: "security", Parent: "FB-PARENT-1", ParentReason: "grouped", SilencedBy: "sil-1",
			At: t0.Add(4 * time.Minute), Entry: incident.Entry{At: t0.Add(4 * time.Minute), Kind: incident.KindOwnerChanged, Key: "owner:1"}}
		if ok, err := st.Change(ctx, owner); err != nil || !ok {
			t.Fatalf("Change(owner) = %v, %v", ok, err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != incident.Acknowledged || got.AcknowledgedBy != "sam" || !got.AcknowledgedAt.Equal(t0.Add(3*time.Minute)) ||
			!got.LastUpdateAt.Equal(t0.Add(3*time.Minute)) || got.Team != "security" || got.Parent != "FB-PARENT-1" ||
			got.ParentReason != "grouped" || got.SilencedBy != "sil-1" || !got.DueAt.Equal(t0.Add(4*time.Minute)) {
			t.Errorf("after ack and owner change: %+v", got)
		}
		reopen := store.Change{Incident: inc.ID, Status: incident.Resolved, At: t0.Add(time.Hour), Entry: incident.Entry{At: t0.Add(time.Hour), Kind: incident.KindResolved, Key: "res:1"}}
		if _, err := st.Change(ctx, reopen); err != nil {
			t.Fatal(err)
		}
		reopen = store.Change{Incident: inc.ID, Status: incident.Open, At: t0.Add(2 * time.Hour), Entry: incident.Entry{At: t0.Add(2 * time.Hour), Kind: incident.KindReopened, Key: "reopen:1"}}
		if _, err := st.Change(ctx, reopen); err != nil {
			t.Fatal(err)
		}
		got, err = st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != incident.Open || !got.AcknowledgedAt.IsZero() || got.AcknowledgedBy != "" || !got.ResolvedAt.IsZero() {
			t.Errorf("re-opened incident = %+v; want open, unacknowledged, not resolved", got)
		}
	})
	t.Run("DueIndex", func(t *testing.T) {
		st := f(t)
		var incs []incident.Incident
		for i := range 3 {
			inc := newIncident(fmt.Sprintf("fp-due-%d", i), 1)
			inc.OpenedAt = t0.Add(time.Duration(i) * time.Minute)
			got, _, err := st.Open(ctx, inc, openedEntry(inc))
			if err != nil {
				t.Fatal(err)
			}
			incs = append(incs, got)
		}
		due, err := st.Due(ctx, t0.Add(time.Minute), 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(due)) != fmt.Sprint([]string{incs[0].ID, incs[1].ID}) {
			t.Errorf("Due(t0+1m) = %v; want the two opened by then, earliest first", ids(due))
		}
		if ok, err := st.SetDue(ctx, incs[0].ID, t0.Add(time.Hour), incs[0].Version); err != nil || !ok {
			t.Fatalf("SetDue() = %v, %v", ok, err)
		}
		if ok, err := st.SetDue(ctx, incs[1].ID, time.Time{}, incs[1].Version); err != nil || !ok {
			t.Fatalf("SetDue(never) = %v, %v", ok, err)
		}
		if ok, err := st.SetDue(ctx, incs[2].ID, t0, incs[2].Version+1); err != nil || ok {
			t.Errorf("SetDue(stale version) = %v, %v; want refused", ok, err)
		}
		due, err = st.Due(ctx, t0.Add(30*time.Minute), 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(due)) != fmt.Sprint([]string{incs[2].ID}) {
			t.Errorf("Due(t0+30m) = %v; want only %s", ids(due), incs[2].ID)
		}
		if due, err := st.Due(ctx, t0.Add(2*time.Hour), 1); err != nil || len(due) != 1 || due[0].ID != incs[2].ID {
			t.Errorf("Due(limit 1) = %v, %v; want %s", ids(due), err, incs[2].ID)
		}
		// A change makes the incident due at the change time: the escalator looks again.
		if _, err := st.Change(ctx, store.Change{Incident: incs[0].ID, Severity: incident.Sev1, At: t0.Add(5 * time.Minute),
			Entry: incident.Entry{At: t0.Add(5 * time.Minute), Kind: incident.KindSeverityChanged, Key: "sev:1"}}); err != nil {
			t.Fatal(err)
		}
		due, err = st.Due(ctx, t0.Add(10*time.Minute), 0)
		if err != nil || len(due) != 2 || due[0].ID != incs[2].ID || due[1].ID != incs[0].ID {
			t.Errorf("Due() after a change = %v, %v; want %s then %s", ids(due), err, incs[2].ID, incs[0].ID)
		}
	})
	t.Run("SilencesAndTokens", func(t *testing.T) {
		st := f(t)
		sl := silence.Silence{ID: "sil-1", Comment: "db maintenance", Matchers: silence.Matchers{Team: "platform", Resource: "i-*"},
			Starts: t0, Ends: t0.Add(2 * time.Hour), CreatedBy: "sam"}
		if err := st.PutSilence(ctx, sl); err != nil {
			t.Fatal(err)
		}
		if err := st.PutSilence(ctx, silence.Silence{ID: "bad"}); err == nil {
			t.Error("PutSilence(invalid) = nil; want the validation error")
		}
		got, err := st.Silences(ctx)
		if err != nil || len(got) != 1 || got[0].Matchers.Resource != "i-*" || !got[0].Ends.Equal(sl.Ends) {
			t.Errorf("Silences() = %+v, %v; want the one stored", got, err)
		}
		if ok, err := st.UseToken(ctx, "nonce-1", t0.Add(time.Hour)); err != nil || !ok {
			t.Errorf("UseToken(first) = %v, %v; want true", ok, err)
		}
		if ok, err := st.UseToken(ctx, "nonce-1", t0.Add(time.Hour)); err != nil || ok {
			t.Errorf("UseToken(replay) = %v, %v; want false", ok, err)
		}
	})
}

func ids(incs []incident.Incident) []string {
	out := make([]string, len(incs))
	for i, inc := range incs {
		out[i] = inc.ID
	}
	return out
}
