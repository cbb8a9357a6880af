package escalate_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// loseEntry fails the first write of a timeline entry whose key starts with prefix, as
// a request whose connection dropped does: the change before it is written, the entry not.
type loseEntry struct {
	store.DynamoDB
	prefix string
	lost   bool
}

func (l *loseEntry) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if k, ok := in.Item["key"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(k.Value, l.prefix) && !l.lost {
		l.lost = true
		return nil, errors.New("connection reset by peer")
	}
	return l.DynamoDB.PutItem(ctx, in, opts...)
}

// autoResolveFixture is a sev1 incident opened at t0 and mitigated at 20m, on dynalite
// behind lossy, and an escalator over it whose clock is *clock.
func autoResolveFixture(t *testing.T, lossy *loseEntry, clock *func() int) (*escalate.Escalator, *store.Dynamo, string) {
	t.Helper()
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	lossy.DynamoDB = db
	now := func() time.Time { return min((*clock)()) }
	st := store.NewDynamo(lossy, table, now)
	ctx := context.Background()
	inc := incident.Incident{ID: "FB-X-1", Seq: 1, Fingerprint: "fp", Class: "x", Title: "down", Severity: incident.Sev1, Team: "web",
		Status: incident.Open, OpenedAt: t0, StateAt: t0}
	if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Change(ctx, store.Change{Incident: inc.ID, IfStatus: []incident.Status{incident.Open}, Status: incident.Mitigated, At: min(20),
		Entry: incident.Entry{At: min(20), Kind: incident.KindMitigated, Key: "mitigated:ok"}}); err != nil {
		t.Fatal(err)
	}
	sns := awstest.New()
	t.Cleanup(sns.Close)
	e := &escalate.Escalator{Store: st, Config: cfg(t), Now: now, Lease: time.Minute,
		Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web", "backup": "arn:aws:sns:eu-west-1:1:backup", "boss": "arn:aws:sns:eu-west-1:1:boss"})}
	return e, store.NewDynamo(db, table, now), inc.ID
}

// entries lists an incident's timeline entries as "kind key".
func entries(t *testing.T, st *store.Dynamo, id string) []string {
	t.Helper()
	tl, err := st.Timeline(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range tl {
		out = append(out, string(e.Kind)+" "+e.Key)
	}
	return out
}

// TestAutoResolveCompleteAfterRetry: the auto-resolve step resolves the incident and
// then writes its entry; when the entry's write fails, the next tick (the change left
// the incident due) finds it resolved and writes the entry, once.
func TestAutoResolveCompleteAfterRetry(t *testing.T) {
	m := 0
	clock := func() int { return m }
	lossy := &loseEntry{prefix: "auto-resolve:"}
	e, st, id := autoResolveFixture(t, lossy, &clock)
	ctx := context.Background()
	m = 51 // auto-resolve due at 20m + 30m
	if _, err := e.Tick(ctx); err == nil || !lossy.lost {
		t.Fatalf("Tick with the resolved entry lost = %v (lost %v); want the failure", err, lossy.lost)
	}
	for _, at := range []int{52, 53} {
		m = at
		if _, err := e.Tick(ctx); err != nil {
			t.Fatalf("Tick(%dm) after the lost entry: %v", at, err)
		}
	}
	got, err := st.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != incident.Resolved {
		t.Errorf("status = %s; want resolved", got.Status)
	}
	n := 0
	for _, x := range entries(t, st, id) {
		if strings.HasPrefix(x, string(incident.KindResolved)+" auto-resolve:") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("timeline %v has %d auto-resolve entries; want 1", entries(t, st, id), n)
	}
	if due, err := st.Due(ctx, min(60), 0); err != nil || len(due) != 0 {
		t.Errorf("Due(60m) = %d incidents, %v; want none: resolved, nothing left to do", len(due), err)
	}
}

// TestAutoResolveEndsTheTick: a tick that comes late, after both the auto-resolve (50m)
// and the resolve objective (4h) of a mitigated incident, resolves it and records no
// missed objective: it was resolved at 50m, as a tick on time would have found. A tick
// that fails after the resolution does the same on its retry.
func TestAutoResolveEndsTheTick(t *testing.T) {
	for _, lose := range []bool{false, true} {
		name := "no failure"
		if lose {
			name = "resolved entry lost"
		}
		t.Run(name, func(t *testing.T) {
			m := 0
			clock := func() int { return m }
			lossy := &loseEntry{prefix: "auto-resolve:", lost: !lose}
			e, st, id := autoResolveFixture(t, lossy, &clock)
			ctx := context.Background()
			for _, at := range []int{300, 301, 302} {
				m = at
				_, _ = e.Tick(ctx) // the first fails when the entry is lost
			}
			var got []string
			for _, x := range entries(t, st, id) {
				if !strings.HasPrefix(x, string(incident.KindMitigated)) {
					got = append(got, x)
				}
			}
			if want := string(incident.KindResolved) + " auto-resolve:" + strconv.FormatInt(min(20).Unix(), 10); strings.Join(got, ",") != want {
				t.Errorf("timeline after the mitigation = %v; want [%s] only (resolved at 50m, before the 4h objective)", got, want)
			}
		})
	}
}
