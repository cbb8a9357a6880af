package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// A change's timeline entry is a second item, written after the change's update of the
// incident's META item. The update also keeps a copy of the entry on META, under an
// attribute named pendingPrefix + the entry's sort key, so the entry is not lost when
// the attempt that made the change fails before writing it and its retry decides
// something else (the incident moved on meanwhile: the retry's event no longer makes a
// change, and nothing would name the entry again). Every later change of the incident
// returns the copies it finds (ReturnValues ALL_OLD, no request of its own) and writes
// the entries this process does not know written, before its own; a retry of the same
// change reads them with META. A process removes the copies it knows written with its
// next change of the incident, so META keeps about one (docs/table.md "Change").
const pendingPrefix = "pend#"

// pendingOf is the META attribute that keeps e until it is known written.
func pendingOf(e incident.Entry) (string, types.AttributeValue) {
	item := entryItem(incidentPK(e.Incident), e)
	sk := str(item, Table.SortKey)
	delete(item, Table.PartitionKey)
	return pendingPrefix + sk, &types.AttributeValueMemberM{Value: item}
}

// pendingIn returns the entries kept on a META item (nil: none), with their attributes.
func pendingIn(id string, meta map[string]types.AttributeValue) (entries []incident.Entry, attrs []string) {
	for name, v := range meta {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok || !strings.HasPrefix(name, pendingPrefix) {
			continue
		}
		entries = append(entries, fromEntry(id, m.Value))
		attrs = append(attrs, name)
	}
	return entries, attrs
}

// writePending writes the entries kept on META item meta of incident id that this
// process does not know written (putEntry skips the known ones), except those removed
// (the update that returned meta removed them), and then, when they are all written,
// remembers their attributes for its next change to remove.
func (d *Dynamo) writePending(ctx context.Context, id string, meta map[string]types.AttributeValue, removed []string) error {
	entries, attrs := pendingIn(id, meta)
	var kept []string
	for i, e := range entries {
		if slices.Contains(removed, attrs[i]) { // this very update removed it: written
			continue
		}
		if err := d.putEntry(ctx, e); err != nil {
			return err
		}
		kept = append(kept, attrs[i])
	}
	d.written.add(id, kept...)
	if len(kept) >= maxPendingKept {
		d.dropPending(ctx, id, kept)
	}
	return nil
}

// maxPendingKept is how many copies written by others' changes a process leaves on
// META for its next change to remove: one change after another, each by a process that
// changes the incident once (many containers), would otherwise make META grow and
// each change write them all again.
const maxPendingKept = 2

// dropPending removes copies known written with an update of their own. Best effort:
// a failure leaves them for the next change, and removing what is written is always
// right, whenever it lands.
func (d *Dynamo) dropPending(ctx context.Context, id string, attrs []string) {
	names := map[string]string{"#pk": Table.PartitionKey}
	ph := make([]string, len(attrs))
	for i, a := range attrs {
		ph[i] = "#pw" + strconv.Itoa(i)
		names[ph[i]] = a
	}
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skMeta),
		UpdateExpression:         aws.String("REMOVE " + strings.Join(ph, ", ")),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: names,
	})
	if err == nil {
		d.written.forget(id, attrs)
	}
}

// keepPending makes u keep c's entry on META and remove the copies this process knows
// written (its own earlier changes' and those it completed), returned for forgetting
// once the update lands.
func (d *Dynamo) keepPending(u *changeUpdate, c Change) []string {
	name, v := pendingOf(c.Entry)
	u.names["#pend"], u.vals[":pend"] = name, v
	u.set = append(u.set, "#pend = :pend")
	var removed []string
	for _, old := range d.written.get(c.Incident) {
		if old == name { // the same entry made again: kept, not removed
			continue
		}
		ph := "#pw" + strconv.Itoa(len(removed))
		u.names[ph] = old
		u.remove = append(u.remove, ph)
		removed = append(removed, old)
	}
	return removed
}

// pendingWritten is, per incident, the META attributes keeping entries this process
// knows written, to remove with its next change of the incident. Bounded like knownSet:
// an incident evicted keeps its copies until another change removes them (a later
// change of another process writes them again, once, by condition). Safe for concurrent use.
type pendingWritten struct {
	mu sync.Mutex
	m  map[string][]string
}

func (p *pendingWritten) get(id string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.m[id]...)
}

func (p *pendingWritten) add(id string, attrs ...string) {
	if len(attrs) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string][]string{}
	}
	if _, ok := p.m[id]; !ok && len(p.m) >= maxKnown {
		for x := range p.m { // evict one, at random
			delete(p.m, x)
			break
		}
	}
	for _, a := range attrs {
		if !slices.Contains(p.m[id], a) {
			p.m[id] = append(p.m[id], a)
		}
	}
}

// forget drops attrs, removed from META by an update that landed.
func (p *pendingWritten) forget(id string, attrs []string) {
	if len(attrs) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.m[id][:0]
	for _, a := range p.m[id] {
		if !slices.Contains(attrs, a) {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		delete(p.m, id)
		return
	}
	p.m[id] = kept
}
