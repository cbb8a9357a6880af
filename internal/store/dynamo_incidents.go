package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Current returns the latest incident of each fingerprint that has one, without counters.
// It reads each fingerprint's head together with the incident this process last saw it
// point at, so that in the ordinary case (no new incident since) it is one request.
func (d *Dynamo) Current(ctx context.Context, fps []string) (map[string]incident.Incident, error) {
	keys := make([]map[string]types.AttributeValue, 0, 2*len(fps))
	seen := map[string]bool{}
	for _, fp := range fps {
		if !seen[fp] {
			seen[fp] = true
			keys = append(keys, itemKey(fingerPK(fp), skHead))
			if seq, ok := d.seqs.get(fp); ok {
				keys = append(keys, itemKey(incidentPK(incident.ID(fp, seq)), skMeta))
			}
		}
	}
	items, err := d.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read fingerprint heads: %w", err)
	}
	metas := map[string]incident.Incident{}
	var heads []map[string]types.AttributeValue
	for _, it := range items {
		if str(it, Table.SortKey) == skMeta {
			inc := fromMeta(it)
			metas[inc.ID] = inc
		} else {
			heads = append(heads, it)
		}
	}
	out := make(map[string]incident.Incident, len(heads))
	var missing []map[string]types.AttributeValue
	for _, h := range heads {
		id := str(h, "incident")
		if id == "" {
			continue
		}
		if inc, ok := metas[id]; ok {
			out[inc.Fingerprint] = inc
		} else {
			missing = append(missing, itemKey(incidentPK(id), skMeta))
		}
	}
	more, err := d.batchGet(ctx, missing)
	if err != nil {
		return nil, fmt.Errorf("read current incidents: %w", err)
	}
	for _, m := range more {
		inc := fromMeta(m)
		out[inc.Fingerprint] = inc
	}
	for fp, inc := range out {
		d.seqs.put(fp, inc.Seq)
		d.known.add(inc.ID)
	}
	return out, nil
}

const maxHints = 4096

// seqHints remembers the latest incident sequence seen per fingerprint. Only a hint:
// Current always reads the fingerprint's head and follows it when it moved on.
type seqHints struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *seqHints) get(fp string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, ok := c.m[fp]
	return seq, ok
}

func (c *seqHints) put(fp string, seq int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	if _, ok := c.m[fp]; !ok && len(c.m) >= maxHints {
		for k := range c.m { // evict one, at random
			delete(c.m, k)
			break
		}
	}
	c.m[fp] = seq
}

// Open creates inc unless an incident with its id exists, records the opening entry,
// and last points the fingerprint's head at it. Every step is idempotent, and until the
// last one Current does not return the incident, so intake opens it again on a retry
// and the retry completes every step (docs/table.md).
func (d *Dynamo) Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error) {
	if inc.ID == "" || inc.Fingerprint == "" {
		return incident.Incident{}, false, fmt.Errorf("open incident: id and fingerprint are required")
	}
	inc.Version = 1
	inc.UpdatedAt = d.now().UTC()
	inc.DueAt = inc.OpenedAt // the escalator works out the incident's clocks at once
	created := false
	if !d.known.has(inc.ID) { // one this process knows exists (its own retry): read it
		item := toMeta(inc)
		if opened.Key != "" { // kept until a change of the incident finds it written
			opened.Incident = inc.ID
			name, v := pendingOf(opened)
			item[name] = v
		}
		if d.sources != nil && d.sources(inc.Class) {
			item["owner_sk"] = s(sourceSK(inc))
		}
		_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(d.table),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
		})
		if err != nil && !isConditionFailed(err) {
			return incident.Incident{}, false, fmt.Errorf("open incident %s: %w", inc.ID, err)
		}
		if created = err == nil; created {
			d.known.add(inc.ID)
		}
	}
	if !created {
		item, err := d.getMetaItem(ctx, inc.ID)
		if err != nil {
			return incident.Incident{}, false, fmt.Errorf("open incident %s: read existing: %w", inc.ID, err)
		}
		inc = fromMeta(item)
		// The entries it keeps are its own opening's (an attempt that opened it with
		// another event, whose entry was lost) and its changes' since: written here.
		if err := d.writePending(ctx, inc.ID, item, nil); err != nil {
			return incident.Incident{}, false, fmt.Errorf("open incident %s: %w", inc.ID, err)
		}
		if ev := opened.Data[incident.DataEventID]; ev != "" && ev != inc.OpenedBy {
			opened.Key = "" // another event opened it: its entry is that event's
		}
	}
	if opened.Key != "" {
		if err := d.putEntry(ctx, opened); err != nil {
			return incident.Incident{}, false, fmt.Errorf("open incident %s: %w", inc.ID, err)
		}
		if created {
			name, _ := pendingOf(opened)
			d.written.add(inc.ID, name)
		}
	}
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(fingerPK(inc.Fingerprint), skHead),
		UpdateExpression:          aws.String("SET #seq = :seq, #inc = :inc, #fp = :fp"),
		ConditionExpression:       aws.String("attribute_not_exists(#seq) OR #seq < :seq"),
		ExpressionAttributeNames:  map[string]string{"#seq": "seq", "#inc": "incident", "#fp": "fingerprint"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":seq": n(int64(inc.Seq)), ":inc": s(inc.ID), ":fp": s(inc.Fingerprint)},
	})
	if err != nil && !isConditionFailed(err) {
		return incident.Incident{}, false, fmt.Errorf("open incident %s: update fingerprint head: %w", inc.ID, err)
	}
	return inc, created, nil
}

func (d *Dynamo) getMeta(ctx context.Context, id string) (incident.Incident, error) {
	item, err := d.getMetaItem(ctx, id)
	if err != nil {
		return incident.Incident{}, err
	}
	return fromMeta(item), nil
}

// getMetaItem reads incident id's META item, consistently.
func (d *Dynamo) getMetaItem(ctx context.Context, id string) (map[string]types.AttributeValue, error) {
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skMeta), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if len(res.Item) == 0 {
		return nil, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	d.known.add(id)
	return res.Item, nil
}

// Change applies c with one conditional update. The update also stores the entry's key
// as the incident's last change, so a retry after a crash (the change applied, the entry
// not yet written) still writes the entry exactly once.
func (d *Dynamo) Change(ctx context.Context, c Change) (bool, error) {
	if c.Entry.Key == "" || c.Incident == "" {
		return false, fmt.Errorf("change incident %q: an incident and an entry key are required", c.Incident)
	}
	c.Entry.Incident = c.Incident
	u := newChangeUpdate(d.now(), c.Entry.Key)
	u.requirePreconditions(c)
	at := fmtTime(c.At)
	u.moveStatus(c, at)
	u.setSeverity(c, at)
	u.setFields(c, at)
	u.reschedule(c, at)
	removed := d.keepPending(u, c)
	in := u.input(d.table, c.Incident)
	in.ReturnValues = types.ReturnValueAllOld // the entries earlier changes kept: free
	res, err := d.db.UpdateItem(ctx, in)
	if err == nil {
		d.written.forget(c.Incident, removed)
		if err := d.writePending(ctx, c.Incident, res.Attributes, removed); err != nil {
			return true, fmt.Errorf("change incident %s: an earlier change's %w", c.Incident, err)
		}
		if err := d.putEntry(ctx, c.Entry); err != nil {
			return true, fmt.Errorf("change incident %s: %w", c.Incident, err)
		}
		name, _ := pendingOf(c.Entry)
		d.written.add(c.Incident, name)
		return true, nil
	}
	if !isConditionFailed(err) {
		return false, fmt.Errorf("change incident %s: %w", c.Incident, err)
	}
	if err := d.finishAppliedChange(ctx, c); err != nil {
		return false, fmt.Errorf("change incident %s: %w", c.Incident, err)
	}
	return false, nil
}

// finishAppliedChange is what is left when the update's condition failed: if the
// incident's last change is this one (applied by an attempt that crashed before writing
// its entry), it writes the entries kept on META (this one's, and those of earlier
// changes the attempt had to write first); otherwise a precondition does not hold and
// nothing is done. ErrNotFound if there is no such incident. The whole item is read: a
// projection costs the same read units.
func (d *Dynamo) finishAppliedChange(ctx context.Context, c Change) error {
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table), Key: itemKey(incidentPK(c.Incident), skMeta), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return err
	}
	if len(res.Item) == 0 {
		return ErrNotFound
	}
	d.known.add(c.Incident)
	if str(res.Item, "last_change") != c.Entry.Key {
		return nil
	}
	if err := d.writePending(ctx, c.Incident, res.Item, nil); err != nil {
		return err
	}
	return d.putEntry(ctx, c.Entry) // an incident written before entries were kept on META
}

// changeUpdate is the one conditional UpdateItem of an incident's META item that
// applies a Change: the attributes it sets and removes and the conditions it needs.
type changeUpdate struct {
	set, remove, cond []string
	names             map[string]string
	vals              map[string]types.AttributeValue
}

// newChangeUpdate starts the update every change makes: one more version, updated now,
// key as the last change, on an incident that exists and did not make this change yet.
func newChangeUpdate(now time.Time, key string) *changeUpdate {
	return &changeUpdate{
		set:   []string{"#ver = #ver + :one", "#upd = :upd", "#lc = :lc"},
		cond:  []string{"attribute_exists(#pk)", "(attribute_not_exists(#lc) OR #lc <> :lc)"},
		names: map[string]string{"#pk": Table.PartitionKey, "#ver": "version", "#upd": "updated_at", "#lc": "last_change"},
		vals:  map[string]types.AttributeValue{":one": n(1), ":upd": s(fmtTime(now)), ":lc": s(key)},
	}
}

// assign sets attr to a string value, with placeholders named after attr.
func (u *changeUpdate) assign(attr, value string) {
	ph := strings.ReplaceAll(attr, "_", "")
	u.names["#"+ph], u.vals[":"+ph] = attr, s(value)
	u.set = append(u.set, "#"+ph+" = :"+ph)
}

// drop removes attr.
func (u *changeUpdate) drop(attr string) {
	ph := strings.ReplaceAll(attr, "_", "")
	u.names["#"+ph] = attr
	u.remove = append(u.remove, "#"+ph)
}

// requirePreconditions adds c's conditions on the incident as stored: its status is one
// of IfStatus, its state is not newer than NotBefore, and newer than StateAfter.
func (u *changeUpdate) requirePreconditions(c Change) {
	if len(c.IfStatus) > 0 {
		ph := make([]string, len(c.IfStatus))
		for i, st := range c.IfStatus {
			ph[i] = ":if" + strconv.Itoa(i)
			u.vals[ph[i]] = s(string(st))
		}
		u.names["#st"] = "status"
		u.cond = append(u.cond, "#st IN ("+strings.Join(ph, ", ")+")")
	}
	if !c.NotBefore.IsZero() {
		u.names["#sat"] = "state_at"
		u.vals[":nb"] = s(fmtTime(c.NotBefore))
		u.cond = append(u.cond, "#sat <= :nb")
	}
	if !c.StateAfter.IsZero() {
		u.names["#sat"] = "state_at"
		u.vals[":sa"] = s(fmtTime(c.StateAfter))
		u.cond = append(u.cond, "#sat > :sa")
	}
}

// moveStatus sets the new status, when it changes, with the time of the state, the
// list index key and the status's own stamps (re-opening clears them).
func (u *changeUpdate) moveStatus(c Change, at string) {
	if c.Status == "" {
		return
	}
	u.names["#st"] = "status"
	u.vals[":st"] = s(string(c.Status))
	u.set = append(u.set, "#st = :st")
	u.assign("state_at", at)
	u.assign("list_pk", listIncident+string(c.Status))
	u.assign("owner_pk", listIncident+string(c.Status)) // moves a source in the owner index (IndexSources)
	switch c.Status {
	case incident.Acknowledged:
		u.assign("acknowledged_at", at)
		if c.By != "" {
			u.assign("acknowledged_by", c.By)
		}
	case incident.Mitigated:
		u.assign("mitigated_at", at)
	case incident.Resolved:
		u.assign("resolved_at", at)
		u.names["#mat"] = "mitigated_at" // resolved without a recovery: mitigated then
		u.set = append(u.set, "#mat = if_not_exists(#mat, :resolvedat)")
	case incident.Open:
		u.drop("resolved_at")
		u.drop("mitigated_at")
		u.drop("acknowledged_at")
		u.drop("acknowledged_by")
	}
}

// setSeverity sets the new severity and its rank; with RaiseOnly only if it is more
// severe than the stored one.
func (u *changeUpdate) setSeverity(c Change, at string) {
	if c.Severity == "" {
		return
	}
	u.names["#sev"], u.names["#rank"] = "severity", "sev_rank"
	u.vals[":sev"], u.vals[":rank"] = s(string(c.Severity)), n(int64(c.Severity.Rank()))
	u.set = append(u.set, "#sev = :sev", "#rank = :rank")
	u.assign("severity_at", at)
	if c.RaiseOnly {
		u.cond = append(u.cond, "#rank > :rank")
	}
}

// setFields sets the owner, the parent, the silence and a person's last update, those
// the change gives.
func (u *changeUpdate) setFields(c Change, at string) {
	if c.Team != "" {
		u.assign("team", c.Team)
	}
	if c.Parent != "" {
		u.assign("parent", c.Parent)
		u.assign("parent_reason", c.ParentReason)
	}
	if c.SilencedBy != "" {
		u.assign("silenced_by", c.SilencedBy)
	}
	if c.Touch {
		u.assign("last_update_at", at)
	}
}

// reschedule puts the incident on the due index at once, so the escalator works out its
// clocks after the change; a closed incident leaves the index.
func (u *changeUpdate) reschedule(c Change, at string) {
	if c.Status == incident.Closed {
		u.drop("due_pk")
		u.drop("due_sk")
		u.drop("due_at")
		return
	}
	u.assign("due_pk", duePK)
	u.assign("due_sk", at+"#"+c.Incident)
	u.assign("due_at", at)
}

// input is the UpdateItem request on the incident's META item.
func (u *changeUpdate) input(table, id string) *dynamodb.UpdateItemInput {
	update := "SET " + strings.Join(u.set, ", ")
	if len(u.remove) > 0 {
		update += " REMOVE " + strings.Join(u.remove, ", ")
	}
	return &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       itemKey(incidentPK(id), skMeta),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(strings.Join(u.cond, " AND ")),
		ExpressionAttributeNames:  u.names,
		ExpressionAttributeValues: u.vals,
	}
}

// latestOnly keeps one copy of each incident, its latest version: the status
// partitions are queried one after the other, so an incident whose status changes
// meanwhile is found in both (and a batch read of its counters with the same key
// twice is refused).
func latestOnly(incs []incident.Incident) []incident.Incident {
	at := make(map[string]int, len(incs))
	out := incs[:0]
	for _, inc := range incs {
		i, seen := at[inc.ID]
		switch {
		case !seen:
			at[inc.ID] = len(out)
			out = append(out, inc)
		case inc.Version > out[i].Version:
			out[i] = inc
		}
	}
	return out
}

// List returns incidents matching f, most recently opened first.
func (d *Dynamo) List(ctx context.Context, f Filter) ([]incident.Incident, error) {
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = incident.Statuses
	}
	var out []incident.Incident
	for _, st := range statuses {
		if f.Sources && d.sources != nil {
			if err := d.listSources(ctx, st, f, func(inc incident.Incident) { out = append(out, inc) }); err != nil {
				return nil, err
			}
			continue
		}
		in := &dynamodb.QueryInput{
			IndexName:                 aws.String(Table.Indexes[0].Name),
			KeyConditionExpression:    aws.String("#lpk = :p"),
			ExpressionAttributeNames:  map[string]string{"#lpk": "list_pk"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(listIncident + string(st))},
			ScanIndexForward:          aws.Bool(false),
		}
		// list_sk is <opened at>#<id>: "~" sorts after every id.
		since, until := s(fmtTime(f.OpenedSince)), s(fmtTime(f.OpenedUntil)+"#~")
		switch {
		case !f.OpenedSince.IsZero() && !f.OpenedUntil.IsZero():
			in.KeyConditionExpression = aws.String("#lpk = :p AND #lsk BETWEEN :since AND :until")
			in.ExpressionAttributeValues[":since"], in.ExpressionAttributeValues[":until"] = since, until
		case !f.OpenedSince.IsZero():
			in.KeyConditionExpression = aws.String("#lpk = :p AND #lsk >= :since")
			in.ExpressionAttributeValues[":since"] = since
		case !f.OpenedUntil.IsZero():
			in.KeyConditionExpression = aws.String("#lpk = :p AND #lsk <= :until")
			in.ExpressionAttributeValues[":until"] = until
		}
		if !f.OpenedSince.IsZero() || !f.OpenedUntil.IsZero() {
			in.ExpressionAttributeNames["#lsk"] = "list_sk"
		}
		in.FilterExpression = f.conditions(in, true)
		if err := d.query(ctx, in, func(it map[string]types.AttributeValue) { out = append(out, fromMeta(it)) }); err != nil {
			return nil, fmt.Errorf("list %s incidents: %w", st, err)
		}
	}
	out = latestOnly(out)
	sortIncidents(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	if err := d.withCounters(ctx, out); err != nil {
		return nil, fmt.Errorf("list incidents: counters: %w", err)
	}
	return out, nil
}

// sourceSK is an inhibit source's key in the owner index: by class, then id.
func sourceSK(inc incident.Incident) string { return inc.Class + "#" + inc.ID }

// listSources lists the indexed inhibit sources of status st that f admits, from the
// owner index by class prefix (f's opening window and other fields filtered).
func (d *Dynamo) listSources(ctx context.Context, st incident.Status, f Filter, add func(incident.Incident)) error {
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(ixOwner),
		KeyConditionExpression:    aws.String("#opk = :p AND begins_with(#osk, :classprefix)"),
		ExpressionAttributeNames:  map[string]string{"#opk": "owner_pk", "#osk": "owner_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(listIncident + string(st)), ":classprefix": s(f.ClassPrefix)},
	}
	if f.ClassPrefix == "" {
		in.KeyConditionExpression = aws.String("#opk = :p")
		delete(in.ExpressionAttributeNames, "#osk")
		delete(in.ExpressionAttributeValues, ":classprefix")
	}
	in.FilterExpression = f.conditions(in, false)
	err := d.query(ctx, in, func(it map[string]types.AttributeValue) {
		if inc := fromMeta(it); (f.OpenedSince.IsZero() || !inc.OpenedAt.Before(f.OpenedSince)) && (f.OpenedUntil.IsZero() || !inc.OpenedAt.After(f.OpenedUntil)) {
			add(inc)
		}
	})
	if err != nil {
		return fmt.Errorf("list %s inhibit sources: %w", st, err)
	}
	return nil
}

// conditions is f's filter expression for a query of the incidents (nil: none), its
// names and values added to in; withClass: the class prefix is filtered too (the list
// index does not key incidents by class).
func (f Filter) conditions(in *dynamodb.QueryInput, withClass bool) *string {
	var conds []string
	for _, eq := range [][2]string{{"team", f.Team}, {"account", f.Account}, {"region", f.Region}, {"client", f.Client}, {"environment", f.Environment}} {
		if eq[1] != "" {
			conds = append(conds, fmt.Sprintf("#%s = :%s", eq[0], eq[0]))
			in.ExpressionAttributeNames["#"+eq[0]] = eq[0]
			in.ExpressionAttributeValues[":"+eq[0]] = s(eq[1])
		}
	}
	if len(f.Severities) > 0 {
		var vs []string
		for i, sev := range f.Severities {
			k := fmt.Sprintf(":sev%d", i)
			vs = append(vs, k)
			in.ExpressionAttributeValues[k] = s(string(sev))
		}
		conds = append(conds, "#sev IN ("+strings.Join(vs, ", ")+")")
		in.ExpressionAttributeNames["#sev"] = "severity"
	}
	if f.ClassPrefix != "" && withClass {
		conds = append(conds, "begins_with(#class, :classprefix)")
		in.ExpressionAttributeNames["#class"] = "class"
		in.ExpressionAttributeValues[":classprefix"] = s(f.ClassPrefix)
	}
	if len(conds) == 0 {
		return nil
	}
	return aws.String(strings.Join(conds, " AND "))
}

// The incident's repeat (incident.Incident.Repeat): the earliest trigger recorded after
// its state_at while open or acknowledged.
const attrRepeatID, attrRepeatAt, attrRepeatSummary, attrRepeatActor = "rp_id", "rp_at", "rp_summary", "rp_actor"

// NoteRepeat records r as incident id's repeat if the incident is still open or
// acknowledged since stateAt and holds no earlier repeat after it (one at or before its
// state_at is an earlier state's, and is replaced): one conditional update, which
// changes nothing else (not its version: no person's change conflicts with it). False
// when a condition did not hold.
func (d *Dynamo) NoteRepeat(ctx context.Context, id string, stateAt time.Time, r Repeat) (bool, error) {
	names := map[string]string{"#pk": Table.PartitionKey, "#sat": "state_at", "#st": "status", "#rid": attrRepeatID, "#rat": attrRepeatAt}
	vals := map[string]types.AttributeValue{":sat": s(fmtTime(stateAt)), ":rid": s(r.ID), ":rat": s(fmtTime(r.At)),
		":open": s(string(incident.Open)), ":ack": s(string(incident.Acknowledged))}
	set, remove := []string{"#rid = :rid", "#rat = :rat"}, []string(nil)
	for _, f := range []struct{ attr, ph, value string }{{attrRepeatSummary, "rsum", clipSummary(r.Summary)}, {attrRepeatActor, "ract", r.Actor}} {
		names["#"+f.ph] = f.attr
		if f.value == "" { // absent rather than empty, and not an earlier repeat's
			remove = append(remove, "#"+f.ph)
			continue
		}
		vals[":"+f.ph] = s(f.value)
		set = append(set, "#"+f.ph+" = :"+f.ph)
	}
	update := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skMeta), UpdateExpression: aws.String(update),
		ConditionExpression: aws.String("attribute_exists(#pk) AND #sat = :sat AND #st IN (:open, :ack) AND " +
			"(attribute_not_exists(#rat) OR #rat > :rat OR #rat <= #sat)"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("note a repeat of %s: %w", id, err)
	}
	return true, nil
}
