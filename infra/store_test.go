package infra

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// These tests check the DynamoDB grants at their source, without jsii: what each store
// method sends, and which methods each Lambda's handler can call.

// recordingDB is a store.DynamoDB that records each request's action and index and
// answers with an incident item, so that every method runs its whole path; with
// conflicts set, every conditional write fails, so that the paths reading what is
// there after a lost race run too.
type recordingDB struct {
	mu        sync.Mutex
	conflicts bool
	calls     map[tableCall]bool
}

var _ store.DynamoDB = (*recordingDB)(nil)

func (r *recordingDB) record(action string, index *string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[tableCall{"dynamodb:" + action, aws.ToString(index)}] = true
}

func (r *recordingDB) conflict(cond *string) error {
	if r.conflicts && cond != nil {
		return &types.ConditionalCheckFailedException{Message: aws.String("conflict")}
	}
	return nil
}

func incidentItem() map[string]types.AttributeValue {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	return map[string]types.AttributeValue{"pk": s("INC#FB-X-1"), "sk": s("META"), "id": s("FB-X-1"), "incident": s("FB-X-1"),
		"fingerprint": s("fp"), "status": s("open"), "version": &types.AttributeValueMemberN{Value: "1"}}
}

// ledgerHeadItem is a ledger head (internal/store/dynamo_ledger.go) full enough to roll, with
// everything rolled out up to far in the future, so that Record takes every path.
func ledgerHeadItem() map[string]types.AttributeValue {
	num := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "INC#FB-X-1"}, "sk": &types.AttributeValueMemberS{Value: "C"},
		"n": num("100000"), "sz": num("100000"), "fl": num("9999999999"), "first": num("1"), "last": num("2"),
		"i1": &types.AttributeValueMemberBS{Value: [][]byte{[]byte("123456789")}}, "i2": &types.AttributeValueMemberBS{Value: [][]byte{[]byte("abcdefghi")}}}
}

func itemFor(key map[string]types.AttributeValue) map[string]types.AttributeValue {
	if sk, ok := key["sk"].(*types.AttributeValueMemberS); ok && sk.Value == "C" {
		return ledgerHeadItem()
	}
	return incidentItem()
}

func (r *recordingDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.record("GetItem", nil)
	return &dynamodb.GetItemOutput{Item: itemFor(in.Key)}, nil
}

func (r *recordingDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.record("PutItem", nil)
	return &dynamodb.PutItemOutput{}, r.conflict(in.ConditionExpression)
}

func (r *recordingDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.record("UpdateItem", nil)
	return &dynamodb.UpdateItemOutput{Attributes: itemFor(in.Key)}, r.conflict(in.ConditionExpression)
}

func (r *recordingDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.record("DeleteItem", nil)
	return &dynamodb.DeleteItemOutput{}, r.conflict(in.ConditionExpression)
}

func (r *recordingDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.record("Query", in.IndexName)
	out := &dynamodb.QueryOutput{}
	if in.IndexName != nil { // an index lists incidents; the table's pages of them are read next
		out.Items = []map[string]types.AttributeValue{incidentItem()}
	}
	return out, nil
}

func (r *recordingDB) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	r.record("BatchGetItem", nil)
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table := range in.RequestItems {
		out.Responses[table] = []map[string]types.AttributeValue{incidentItem()}
	}
	return out, nil
}

// storeMethodCalls runs each method of store.Dynamo once.
var storeMethodCalls = func() map[string]func(context.Context, *store.Dynamo) {
	t := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	entry := incident.Entry{Incident: "FB-X-1", At: t, Kind: incident.KindNote, Key: "k"}
	return map[string]func(context.Context, *store.Dynamo){
		"Current": func(ctx context.Context, d *store.Dynamo) { d.Current(ctx, []string{"fp"}) },
		"Open": func(ctx context.Context, d *store.Dynamo) {
			d.Open(ctx, incident.Incident{ID: "FB-X-1", Fingerprint: "fp", OpenedAt: t}, entry)
		},
		"KeepLoose": func(ctx context.Context, d *store.Dynamo) {
			d.KeepLoose(ctx, "fp", []store.Loose{{ID: "e1", Time: t}})
		},
		"LooseBetween": func(ctx context.Context, d *store.Dynamo) {
			d.LooseBetween(ctx, "fp", t, time.Time{})
		},
		"OpenEarlier": func(ctx context.Context, d *store.Dynamo) {
			d.OpenEarlier(ctx, "FB-X-1", "e0", t, entry)
		},
		"Record": func(ctx context.Context, d *store.Dynamo) {
			d.Record(ctx, store.Ledger{Incident: "FB-X-1"}, []store.EventRef{{ID: "e1", Time: t}})
		},
		"Change": func(ctx context.Context, d *store.Dynamo) {
			d.Change(ctx, store.Change{Incident: "FB-X-1", Touch: true, At: t, Entry: entry})
		},
		"Quarantine": func(ctx context.Context, d *store.Dynamo) {
			d.Quarantine(ctx, store.Quarantined{Payload: []byte("{"), ReceivedAt: t})
		},
		"QuarantinedSince": func(ctx context.Context, d *store.Dynamo) { d.QuarantinedSince(ctx, t) },
		"Get":              func(ctx context.Context, d *store.Dynamo) { d.Get(ctx, "FB-X-1") },
		"List": func(ctx context.Context, d *store.Dynamo) {
			d.List(ctx, store.Filter{})
			d.IndexSources(func(string) bool { return true }).List(ctx, store.Filter{Sources: true, ClassPrefix: "health."})
		},
		"IndexSources": func(ctx context.Context, d *store.Dynamo) { d.IndexSources(func(string) bool { return true }) },
		"NoteRepeat": func(ctx context.Context, d *store.Dynamo) {
			d.NoteRepeat(ctx, "FB-X-1", t, store.Repeat{ID: "e2", At: t.Add(time.Minute), Summary: "again", Actor: "a"})
		},
		"Timeline":   func(ctx context.Context, d *store.Dynamo) { d.Timeline(ctx, "FB-X-1") },
		"AddEntries": func(ctx context.Context, d *store.Dynamo) { d.AddEntries(ctx, entry) },
		"Claim":      func(ctx context.Context, d *store.Dynamo) { d.Claim(ctx, "FB-X-1", "k", "owner", time.Minute) },
		"Done":       func(ctx context.Context, d *store.Dynamo) { d.Done(ctx, "FB-X-1", "k", "ok") },
		"Release":    func(ctx context.Context, d *store.Dynamo) { d.Release(ctx, "FB-X-1", "k", "owner") },
		"PutApproval": func(ctx context.Context, d *store.Dynamo) {
			d.PutApproval(ctx, store.Approval{Incident: "FB-X-1", Key: "k", RequestedAt: t})
		},
		"Approvals": func(ctx context.Context, d *store.Dynamo) { d.Approvals(ctx, "FB-X-1") },
		"Decide":    func(ctx context.Context, d *store.Dynamo) { d.Decide(ctx, "FB-X-1", "k", "approved", "me", t) },
		"Due":       func(ctx context.Context, d *store.Dynamo) { d.Due(ctx, t, 10) },
		"SetDue":    func(ctx context.Context, d *store.Dynamo) { d.SetDue(ctx, "FB-X-1", t, 1) },
		"PutSilence": func(ctx context.Context, d *store.Dynamo) {
			d.PutSilence(ctx, silence.Silence{ID: "s1", Comment: "window", Matchers: silence.Matchers{Team: "platform"}, Ends: t.Add(time.Hour)})
		},
		"Silences": func(ctx context.Context, d *store.Dynamo) { d.Silences(ctx) },
		"UseToken": func(ctx context.Context, d *store.Dynamo) { d.UseToken(ctx, "nonce", t) },
		"PutOverride": func(ctx context.Context, d *store.Dynamo) {
			d.PutOverride(ctx, oncall.Override{Schedule: "primary", Contact: "bob", Start: t, End: t.Add(time.Hour)})
		},
		"Overrides": func(ctx context.Context, d *store.Dynamo) { d.Overrides(ctx, "primary", t, t.Add(time.Hour)) },
		"RemoveOverride": func(ctx context.Context, d *store.Dynamo) {
			d.RemoveOverride(ctx, "primary", "20261102T130000Z-0123abcd")
		},
	}
}()

// TestStoreCalls: storeCalls lists exactly the requests each method of store.Dynamo
// sends, on the table or on which index, in the ordinary case and after lost races.
func TestStoreCalls(t *testing.T) {
	typ := reflect.TypeOf((*store.Dynamo)(nil))
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if _, ok := storeCalls[name]; !ok {
			t.Errorf("store.Dynamo.%s: not in storeCalls (infra/store.go)", name)
		}
		if _, ok := storeMethodCalls[name]; !ok {
			t.Errorf("store.Dynamo.%s: TestStoreCalls does not call it", name)
		}
	}
	for name, call := range storeMethodCalls {
		t.Run(name, func(t *testing.T) {
			db := &recordingDB{calls: map[tableCall]bool{}}
			for _, conflicts := range []bool{false, true} {
				db.conflicts = conflicts
				call(context.Background(), store.NewDynamo(db, "firebreak", func() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }))
			}
			var got, want []string
			for c := range db.calls {
				got = append(got, c.Action+" "+c.Index)
			}
			for _, c := range storeCalls[name] {
				want = append(want, c.Action+" "+c.Index)
			}
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("store.Dynamo.%s sends %q; storeCalls says %q", name, got, want)
			}
		})
	}
}

// TestTableAccess: what each Lambda may do to the table and its indexes, stated here
// on its own and compared with what the grants derive from the handlers' store
// interfaces.
func TestTableAccess(t *testing.T) {
	// Only the API deletes (on-call overrides and silences it removes); a released claim is
	// kept, marked (store.Dynamo.Release).
	rw := "dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem"
	want := map[string]map[string]string{
		"intake": {"": rw},
		// owner: the inhibit check's sources (store.Filter.Sources), in dispatch and in the
		// escalator's decisions of held openings.
		"dispatch":   {"": rw, "list": "dynamodb:Query", "owner": "dynamodb:Query"},
		"escalate":   {"": rw, "due": "dynamodb:Query", "list": "dynamodb:Query", "owner": "dynamodb:Query"}, // Query: the stored on-call overrides; list: the open-problems gauge
		TaskFunction: {"": rw},                                                                               // Query: the timeline it reads to tell a verified remediation
		APIFunction:  {"": "dynamodb:BatchGetItem dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem", "list": "dynamodb:Query", "owner": "dynamodb:Query"},
		// RotateFunction: no table access at all.
	}
	for name, spec := range functionSpecs {
		access, err := tableAccess(spec.Store)
		if err != nil {
			t.Errorf("functions/%s: %v", name, err)
			continue
		}
		got := map[string]string{}
		for target, actions := range access {
			got[target] = strings.Join(actions, " ")
		}
		if w := want[name]; !reflect.DeepEqual(got, w) && !(len(got) == 0 && len(w) == 0) {
			t.Errorf("functions/%s table access = %v; want %v", name, got, w)
		}
	}
}

func TestStoreMethods(t *testing.T) {
	type two interface {
		Get(ctx context.Context, id string) (incident.Incident, error)
		Done(ctx context.Context, id, key, result string) error
	}
	type one interface {
		Get(ctx context.Context, id string) (incident.Incident, error)
	}
	if got := strings.Join(storeMethods(reflect.TypeFor[two](), reflect.TypeFor[one]()), ","); got != "Done,Get" {
		t.Errorf("storeMethods(two, one) = %s; want Done,Get", got)
	}
	if _, err := tableAccess([]string{"Get", "Scan"}); err == nil || !strings.Contains(err.Error(), "[Scan]") {
		t.Errorf("tableAccess(Get, Scan) = %v; want an error naming Scan", err)
	}
}
