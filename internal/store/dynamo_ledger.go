package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// The DynamoDB ledger (docs/table.md has the whole design and the measurements behind it).
//
// Each ledger (an incident, or a fingerprint for events not part of one) has one small
// head item, <pk> / C, holding its counters (events, triggers, recoveries, first and
// last event second, latest trigger second) and the ids of its recent events: one binary-set attribute per
// event-time second ("i<unix second>"), each id as a 9-byte hash (idHash). Recording a batch is
// one conditional update of the head: the ids are added only if none of them is there
// yet, and the counters move with them, in the same write, so the counters are exact
// whatever fails and whenever it is retried.
//
// When the head holds more than ledgerCap ids (or fewer spread over a minute: see
// needsRoll), its older seconds are rolled out to page
// items <pk> / L#<minute>#<generation>#<head size>#<part> (at most ledgerCap ids each, written once,
// never changed, expiring after RetainLedger) and removed from the head, and the head's
// horizon (the newest second rolled out) moves up. Events at or before the horizon (late
// or redelivered after a roll) take the slow path: the pages of their minute are read
// and the head is updated on condition that no roll happened since.
//
// Reading counters is one read of the head, whatever the size of the storm.
const (
	skLedgerHead = "C"
	// ledgerCap: ids the head holds before it rolls older seconds out (9 bytes each).
	ledgerCap = 1024
	// ledgerKeep: seconds below the head's newest that a roll leaves in the head, so
	// that events arriving slightly out of order still take the fast path.
	ledgerKeep = 1
	hashLen    = 9
	// RetainLedger is how long rolled-out ledger pages are kept: far longer than any
	// redelivery (SQS keeps a message at most 14 days).
	RetainLedger = 30 * 24 * time.Hour
	// ledgerSpan: seconds of events a head over ledgerCap/8 ids may span before it rolls.
	ledgerSpan = 60
	// ledgerAttempts bounds the retries of a ledger update lost to a concurrent writer.
	ledgerAttempts = 12
)

// Ledger head attributes.
const (
	attrN, attrTrig, attrRec = "n", "trig", "rec"
	attrFirst, attrLast      = "first", "last" // unix seconds of the earliest and latest event
	attrSize                 = "sz"            // ids held in the head
	attrGen                  = "fg"            // roll generation: +1 per roll
	attrHorizon              = "fl"            // newest second rolled out to pages
	attrLastTrig             = "lt"            // unix second of the latest trigger
)

func ledgerPK(l Ledger) string {
	if l.Incident != "" {
		return incidentPK(l.Incident)
	}
	return fingerPK(l.Fingerprint)
}

// idHash is an event id's 63-bit hash: 9 bytes of 7 bits. Binary set members compare
// by their bytes in DynamoDB; dynalite compares them after decoding them as UTF-8, which
// maps every invalid byte alike, so only ASCII bytes compare exactly in both.
func idHash(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	out := make([]byte, hashLen)
	for i := range out {
		out[i] = sum[i] & 0x7f
	}
	return out
}

func secAttr(sec int64) string { return "i" + strconv.FormatInt(sec, 10) }

// secOfAttr parses "i<unix second>"; false for other attributes.
func secOfAttr(name string) (int64, bool) {
	if len(name) < 2 || name[0] != 'i' {
		return 0, false
	}
	sec, err := strconv.ParseInt(name[1:], 10, 64)
	return sec, err == nil
}

// pageMinute is the minute whose pages hold the ids of second sec once rolled out.
func pageMinute(sec int64) string { return fmt.Sprintf("%s%011d#", pfxLedger, sec-sec%60) }

// head is a ledger head as read or returned by an update.
type head struct {
	n, trig, rec int64
	first, last  int64 // 0: no event yet
	size, gen    int64
	horizon      int64 // 0: nothing rolled out
	lastTrig     int64 // 0: no trigger yet
	ids          map[int64]map[string]bool
	// pend is a roll whose pages are written but whose seconds are still in the head:
	// the next head update of this process removes them in the same write (rollFold).
	// Only this process knows it; a head read from the table has none.
	pend *rollFold
}

// rollFold is the removal half of a roll, carried to the next head update: the seconds
// rolled out to pages, the size of each written there, their ids in all (moved), and
// the new horizon.
type rollFold struct {
	secs    []int64
	sizes   map[int64]int64
	moved   int64
	horizon int64
}

// clauses adds to names and vals what removing the rolled-out seconds needs (#fl, :fl,
// :one, and a placeholder per second) and returns its conditions (each second still the
// size written to the pages) and the attributes to remove.
func (p *rollFold) clauses(names map[string]string, vals map[string]types.AttributeValue) (cond, remove []string) {
	names["#fl"], vals[":fl"], vals[":one"] = attrHorizon, n(p.horizon), n(1)
	for i, sec := range p.secs {
		k := strconv.Itoa(i)
		names["#r"+k], vals[":rc"+k] = secAttr(sec), n(p.sizes[sec])
		cond = append(cond, "size(#r"+k+") = :rc"+k)
		remove = append(remove, "#r"+k)
	}
	return cond, remove
}

// needsRoll: the head holds more than ledgerCap ids, or more than an eighth of that
// spread over a minute or more. Every write rewrites the whole head, so a slow ledger
// (a few events a batch) keeps a small one; a storm keeps up to ledgerCap ids, the
// last second's, so that its batches rarely take the slow path.
func (h head) needsRoll() bool {
	if h.size > ledgerCap {
		return true
	}
	if h.size <= ledgerCap/8 {
		return false
	}
	oldest, newest := int64(0), int64(0)
	for sec := range h.ids {
		if oldest == 0 || sec < oldest {
			oldest = sec
		}
		newest = max(newest, sec)
	}
	return newest-oldest >= ledgerSpan
}

func parseHead(it map[string]types.AttributeValue) head {
	h := head{ids: map[int64]map[string]bool{}}
	for name, v := range it {
		if sec, ok := secOfAttr(name); ok {
			if bs, ok := v.(*types.AttributeValueMemberBS); ok {
				set := make(map[string]bool, len(bs.Value))
				for _, b := range bs.Value {
					set[string(b)] = true
				}
				h.ids[sec] = set
			}
		}
	}
	n64 := func(k string) int64 {
		if v, ok := it[k].(*types.AttributeValueMemberN); ok {
			x, _ := strconv.ParseInt(v.Value, 10, 64)
			return x
		}
		return 0
	}
	h.n, h.trig, h.rec = n64(attrN), n64(attrTrig), n64(attrRec)
	h.first, h.last, h.size, h.gen, h.horizon = n64(attrFirst), n64(attrLast), n64(attrSize), n64(attrGen), n64(attrHorizon)
	h.lastTrig = n64(attrLastTrig)
	return h
}

func (h head) apply(inc *incident.Incident) {
	inc.Events, inc.Count, inc.Recoveries = int(h.n), int(h.trig), int(h.rec)
	inc.FirstSeen, inc.LastSeen, inc.LastTrigger = time.Time{}, time.Time{}, time.Time{}
	if h.n > 0 {
		inc.FirstSeen, inc.LastSeen = time.Unix(h.first, 0).UTC(), time.Unix(h.last, 0).UTC()
	}
	if h.lastTrig > 0 {
		inc.LastTrigger = time.Unix(h.lastTrig, 0).UTC()
	}
}

type hashedRef struct {
	EventRef
	sec  int64
	hash []byte
}

// Record adds the events not yet on the ledger and returns them, in at most
// maxIDsPerUpdate ids per conditional update of the ledger head (see above).
func (d *Dynamo) Record(ctx context.Context, l Ledger, refs []EventRef) ([]EventRef, error) {
	if l.Incident == "" && l.Fingerprint == "" {
		return nil, fmt.Errorf("record events: ledger has neither incident nor fingerprint")
	}
	var list []hashedRef
	dedup := map[string]bool{}
	for _, r := range refs {
		if r.ID == "" || dedup[r.ID] {
			continue
		}
		dedup[r.ID] = true
		list = append(list, hashedRef{EventRef: r, sec: r.Time.Unix(), hash: idHash(r.ID)})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].sec < list[j].sec })
	pk := ledgerPK(l)
	var added []EventRef
	for start := 0; start < len(list); start += maxIDsPerUpdate {
		a, err := d.recordChunk(ctx, pk, l.Incident == "", list[start:min(start+maxIDsPerUpdate, len(list))])
		if err != nil {
			return added, fmt.Errorf("record %d events on %s: %w", len(list), pk, err)
		}
		added = append(added, a...)
	}
	return added, nil
}

func (d *Dynamo) recordChunk(ctx context.Context, pk string, expires bool, refs []hashedRef) ([]EventRef, error) {
	img, known := d.heads.get(pk) // nil and unknown: assume the ledger is new
	for attempt := 0; attempt < ledgerAttempts; attempt++ {
		if attempt > 1 { // writers that collided wait different times (jitter)
			b := backoff(attempt - 1)
			if err := d.sleep(ctx, b/2+rand.N(b/2+1)); err != nil {
				return nil, err
			}
		}
		// Keep only the events not on the ledger as img shows it. What img shows stays
		// true: ids never leave a ledger (a roll moves them to pages), so a stale img can
		// only miss ids, and then the update's condition fails.
		if img != nil && img.pend != nil && minSecOf(refs) <= img.pend.horizon {
			// The batch reaches back to rolled-out seconds: remove them first, as a roll
			// without folding does, so that the pages are what the batch is checked on.
			h, err := d.removeRolled(ctx, pk, *img)
			if err != nil {
				return nil, err
			}
			img = &h
		}
		if img != nil {
			have, err := d.rolledOut(ctx, pk, *img, refs)
			if err != nil {
				return nil, err
			}
			rest := refs[:0:0]
			for _, r := range refs {
				if !img.ids[r.sec][string(r.hash)] && !have[string(r.hash)] {
					rest = append(rest, r)
				}
			}
			if len(rest) == 0 {
				return nil, nil
			}
			refs = rest
		}
		res, err := d.db.UpdateItem(ctx, d.headUpdate(pk, expires, refs, img))
		if err == nil {
			h := parseHead(res.Attributes)
			if h.needsRoll() {
				var rerr error
				if h, rerr = d.roll(ctx, pk, expires, h); rerr != nil && h.size > 8*ledgerCap {
					// Rolls are retried by the next write; only a head that keeps growing
					// (every roll failing) stops intake before the item gets large.
					return nil, fmt.Errorf("roll ledger head: %w", rerr)
				}
			}
			d.heads.put(pk, &h)
			out := make([]EventRef, len(refs))
			for i, r := range refs {
				out[i] = r.EventRef
			}
			return out, nil
		}
		if !isConditionFailed(err) {
			return nil, err
		}
		// The head changed since img (another writer, a roll, or no img yet): read it.
		h, err := d.readHead(ctx, pk)
		if err != nil {
			return nil, err
		}
		img, known = &h, true
	}
	_ = known
	return nil, fmt.Errorf("ledger head still contended after %d attempts", ledgerAttempts)
}

// headUpdate builds the conditional update that adds refs (none of them on the ledger
// as img shows it) to the head. Its condition is that the head is still as img shows it
// for every second refs touch: the same roll generation, and each of those seconds
// holding as many ids as in img (within a generation the sets only grow, so the same
// size is the same set). Without img, that there is no head yet. When img carries a
// roll whose pages are written (img.pend; refs are all newer than its seconds), the same
// write removes the rolled-out seconds, on condition that each still has the size
// written to the pages, and moves the generation and the horizon up: the roll costs no
// write of its own.
func (d *Dynamo) headUpdate(pk string, expires bool, refs []hashedRef, img *head) *dynamodb.UpdateItemInput {
	names := map[string]string{"#n": attrN, "#trig": attrTrig, "#rec": attrRec, "#sz": attrSize, "#first": attrFirst, "#last": attrLast}
	vals := map[string]types.AttributeValue{}
	var trig, rec, lastTrig int64
	secs := map[int64][][]byte{}
	var order []int64
	minSec, maxSec := refs[0].sec, refs[0].sec
	for _, r := range refs {
		switch r.Signal {
		case event.Trigger:
			trig++
			lastTrig = max(lastTrig, r.sec)
		case event.Recovery:
			rec++
		}
		if _, ok := secs[r.sec]; !ok {
			order = append(order, r.sec)
		}
		secs[r.sec] = append(secs[r.sec], r.hash)
		minSec, maxSec = min(minSec, r.sec), max(maxSec, r.sec)
	}
	add := []string{"#n :n", "#trig :t", "#rec :r", "#sz :sz"}
	vals[":n"], vals[":t"], vals[":r"], vals[":sz"] = n(int64(len(refs))), n(trig), n(rec), n(int64(len(refs)))
	vals[":min"], vals[":max"] = n(minSec), n(maxSec)
	var set, cond []string
	if img == nil {
		names["#pk"] = Table.PartitionKey
		cond = append(cond, "attribute_not_exists(#pk)")
		set = append(set, "#first = :min", "#last = :max")
	} else {
		names["#fg"] = attrGen
		if img.gen == 0 {
			cond = append(cond, "attribute_not_exists(#fg)")
		} else {
			vals[":fg"] = n(img.gen)
			cond = append(cond, "#fg = :fg")
		}
		// first and last only ever move outwards; these conditions fail (and the update
		// is retried from a fresh read) only if a racing writer moved them further.
		if img.n == 0 || minSec < img.first {
			set = append(set, "#first = :min")
			cond = append(cond, "(attribute_not_exists(#first) OR #first > :min)")
		}
		if img.n == 0 || maxSec > img.last {
			set = append(set, "#last = :max")
			cond = append(cond, "(attribute_not_exists(#last) OR #last < :max)")
		}
	}
	// The latest trigger's second only moves up, like last (intake's late recoveries:
	// internal/intake/correlate.go, mitigateEarlier).
	if lastTrig > 0 && (img == nil || lastTrig > img.lastTrig) {
		names["#lt"], vals[":lt"] = attrLastTrig, n(lastTrig)
		set = append(set, "#lt = :lt")
		if img != nil {
			cond = append(cond, "(attribute_not_exists(#lt) OR #lt < :lt)")
		}
	}
	for i, sec := range order {
		k := strconv.Itoa(i)
		names["#i"+k] = secAttr(sec)
		vals[":i"+k] = &types.AttributeValueMemberBS{Value: secs[sec]}
		add = append(add, "#i"+k+" :i"+k)
		if img == nil {
			continue
		}
		if c := len(img.ids[sec]); c > 0 {
			vals[":c"+k] = n(int64(c))
			cond = append(cond, "size(#i"+k+") = :c"+k)
		} else {
			cond = append(cond, "attribute_not_exists(#i"+k+")")
		}
	}
	var remove []string
	if img != nil && img.pend != nil {
		vals[":sz"] = n(int64(len(refs)) - img.pend.moved)
		add = append(add, "#fg :one")
		set = append(set, "#fl = :fl")
		var c []string
		c, remove = img.pend.clauses(names, vals)
		cond = append(cond, c...)
	}
	if expires {
		names["#exp"] = Table.TTLAttribute
		vals[":exp"] = n(d.now().Add(RetainUnattached).Unix())
		set = append(set, "#exp = :exp")
	}
	update := "ADD " + strings.Join(add, ", ")
	if len(set) > 0 {
		update += " SET " + strings.Join(set, ", ")
	}
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	condition := strings.Join(cond, " AND ")
	pruneUnused(names, update, condition)
	pruneUnused(vals, update, condition)
	return &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(pk, skLedgerHead),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
		ReturnValues:              types.ReturnValueAllNew,
	}
}

// headCache keeps, per ledger, the head this process last wrote or read, so that the
// next batch is one conditional update. Only a hint: a stale one fails the condition.
type headCache struct {
	mu sync.Mutex
	m  map[string]*head
}

// maxCachedHeads: a storm's head is about 10 KB, a quiet ledger's a few hundred bytes.
const maxCachedHeads = 4096

func (c *headCache) get(pk string) (*head, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[pk]
	return h, ok
}

func (c *headCache) put(pk string, h *head) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*head{}
	}
	if _, ok := c.m[pk]; !ok && len(c.m) >= maxCachedHeads {
		for k := range c.m { // evict one, at random
			delete(c.m, k)
			break
		}
	}
	c.m[pk] = h
}

// pruneUnused deletes the placeholders no expression uses (DynamoDB rejects them).
func pruneUnused[V any](m map[string]V, exprs ...string) {
	for k := range m {
		used := false
		for _, e := range exprs {
			for i := strings.Index(e, k); i >= 0 && !used; {
				end := i + len(k)
				if end == len(e) || !isPlaceholderChar(e[end]) {
					used = true
					break
				}
				next := strings.Index(e[end:], k)
				if next < 0 {
					break
				}
				i = end + next
			}
		}
		if !used {
			delete(m, k)
		}
	}
}

func isPlaceholderChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func minSecOf(refs []hashedRef) int64 { return refs[0].sec } // refs are sorted by second

func (d *Dynamo) readHead(ctx context.Context, pk string) (head, error) {
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: itemKey(pk, skLedgerHead), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return head{}, fmt.Errorf("read ledger head: %w", err)
	}
	return parseHead(res.Item), nil
}

// rolledOut returns the hashes of refs found on the pages of the head's rolled-out
// seconds (refs at or before its horizon): one query per minute concerned.
func (d *Dynamo) rolledOut(ctx context.Context, pk string, h head, refs []hashedRef) (map[string]bool, error) {
	have := map[string]bool{}
	minutes := map[string]bool{}
	for _, r := range refs {
		if h.horizon > 0 && r.sec <= h.horizon {
			minutes[pageMinute(r.sec)] = true
		}
	}
	for m := range minutes {
		err := d.query(ctx, &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :m)"),
			ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":m": s(m)},
			ConsistentRead:            aws.Bool(true),
		}, func(it map[string]types.AttributeValue) {
			for name, v := range it {
				if _, ok := secOfAttr(name); ok {
					if bs, ok := v.(*types.AttributeValueMemberBS); ok {
						for _, b := range bs.Value {
							have[string(b)] = true
						}
					}
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("read ledger pages %s: %w", m, err)
		}
	}
	return have, nil
}

// roll moves the head's older seconds to pages. The pages are written here (whole,
// once: a retry writes the same items again); the seconds are removed from the head
// by the next head update, in the same write (h.pend; headUpdate), or alone by
// removeRolled when the next batch reaches back to them. Either removal is on condition
// that nothing was added to those seconds and no other roll happened since h was read.
// A failure before the removal leaves the ids in both places, which is harmless; the
// next roll finishes it.
func (d *Dynamo) roll(ctx context.Context, pk string, expires bool, h head) (head, error) {
	var secs []int64
	for sec := range h.ids {
		secs = append(secs, sec)
	}
	if len(secs) == 0 {
		return h, nil
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
	newest := secs[len(secs)-1]
	cut := newest - ledgerKeep // roll out seconds <= cut
	kept := func(cut int64) int64 {
		var k int64
		for _, sec := range secs {
			if sec > cut {
				k += int64(len(h.ids[sec]))
			}
		}
		return k
	}
	for cut < newest && kept(cut) > ledgerCap/2 { // a storm faster than ledgerCap a second
		cut++
	}
	var out []int64
	for _, sec := range secs {
		if sec <= cut {
			out = append(out, sec)
		}
	}
	if len(out) == 0 {
		return h, nil
	}
	// Pages: one item per minute and part, at most ledgerCap ids each.
	exp := n(d.now().Add(RetainLedger).Unix())
	if expires {
		exp = n(d.now().Add(RetainUnattached).Unix())
	}
	var pages []map[string]types.AttributeValue
	var cur map[string]types.AttributeValue
	curMinute, curIDs, part := "", 0, 0
	for _, sec := range out {
		ids := sortedHashes(h.ids[sec])
		for len(ids) > 0 {
			m := pageMinute(sec)
			if cur == nil || m != curMinute || curIDs >= ledgerCap {
				if m != curMinute {
					part = 0
				}
				cur = map[string]types.AttributeValue{
					Table.PartitionKey: s(pk), Table.SortKey: s(fmt.Sprintf("%s%d#%d#%d", m, h.gen, h.size, part)), Table.TTLAttribute: exp,
				}
				pages = append(pages, cur)
				curMinute, curIDs = m, 0
				part++
			}
			take := min(len(ids), ledgerCap-curIDs)
			prev, _ := cur[secAttr(sec)].(*types.AttributeValueMemberBS)
			var vals [][]byte
			if prev != nil {
				vals = prev.Value
			}
			cur[secAttr(sec)] = &types.AttributeValueMemberBS{Value: append(vals, ids[:take]...)}
			ids, curIDs = ids[take:], curIDs+take
		}
	}
	for _, p := range pages {
		if _, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: p}); err != nil {
			return h, fmt.Errorf("write ledger page %s: %w", str(p, Table.SortKey), err)
		}
	}
	f := &rollFold{secs: out, sizes: make(map[int64]int64, len(out)), horizon: max(cut, h.horizon)}
	for _, sec := range out {
		f.sizes[sec] = int64(len(h.ids[sec]))
		f.moved += f.sizes[sec]
	}
	h.pend = f
	return h, nil
}

// removeRolled removes h's rolled-out seconds (h.pend, written to pages) from the head
// in a write of its own and returns the head without them; if the head changed since h
// (another roll, or a late write to those seconds), nothing is removed and h is
// returned without its pending roll (the next roll covers it).
func (d *Dynamo) removeRolled(ctx context.Context, pk string, h head) (head, error) {
	p := h.pend
	h.pend = nil
	names := map[string]string{"#fg": attrGen, "#sz": attrSize}
	vals := map[string]types.AttributeValue{":moved": n(-p.moved)}
	cond := []string{"attribute_not_exists(#fg)"}
	if h.gen > 0 {
		vals[":fg"] = n(h.gen)
		cond = []string{"#fg = :fg"}
	}
	c, remove := p.clauses(names, vals)
	cond = append(cond, c...)
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(pk, skLedgerHead),
		UpdateExpression:          aws.String("ADD #fg :one, #sz :moved SET #fl = :fl REMOVE " + strings.Join(remove, ", ")),
		ConditionExpression:       aws.String(strings.Join(cond, " AND ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	})
	if isConditionFailed(err) { // another roll, or a late write to those seconds
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("remove rolled-out seconds from the head: %w", err)
	}
	rolled := head{n: h.n, trig: h.trig, rec: h.rec, first: h.first, last: h.last, lastTrig: h.lastTrig, size: h.size - p.moved, gen: h.gen + 1,
		horizon: p.horizon, ids: map[int64]map[string]bool{}}
	for sec, ids := range h.ids {
		if _, out := p.sizes[sec]; !out {
			rolled.ids[sec] = ids
		}
	}
	return rolled, nil
}

func sortedHashes(set map[string]bool) [][]byte {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(k)
	}
	return out
}

// Get returns an incident with its counters: two items, whatever its storm.
func (d *Dynamo) Get(ctx context.Context, id string) (incident.Incident, error) {
	items, err := d.batchGet(ctx, []map[string]types.AttributeValue{itemKey(incidentPK(id), skMeta), itemKey(incidentPK(id), skLedgerHead)})
	if err != nil {
		return incident.Incident{}, fmt.Errorf("get incident %s: %w", id, err)
	}
	var inc incident.Incident
	var h head
	found := false
	for _, it := range items {
		switch str(it, Table.SortKey) {
		case skMeta:
			inc, found = fromMeta(it), true
		case skLedgerHead:
			h = parseHead(it)
		}
	}
	if !found {
		return incident.Incident{}, fmt.Errorf("get incident: incident %s: %w", id, ErrNotFound)
	}
	d.known.add(id)
	h.apply(&inc)
	return inc, nil
}

// withCounters fills in the counters of incs from their ledger heads, batched.
func (d *Dynamo) withCounters(ctx context.Context, incs []incident.Incident) error {
	keys := make([]map[string]types.AttributeValue, len(incs))
	for i, inc := range incs {
		keys[i] = itemKey(incidentPK(inc.ID), skLedgerHead)
	}
	items, err := d.batchGet(ctx, keys)
	if err != nil {
		return err
	}
	heads := make(map[string]head, len(items))
	for _, it := range items {
		heads[strings.TrimPrefix(str(it, Table.PartitionKey), pfxIncident)] = parseHead(it)
	}
	for i := range incs {
		heads[incs[i].ID].apply(&incs[i])
	}
	return nil
}
