package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

// DynamoDB is the part of the DynamoDB API the store uses, with the SDK's signatures.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var (
	_ DynamoDB = (*dynamodb.Client)(nil)
	_ Store    = (*Dynamo)(nil)
)

// Dynamo is the DynamoDB store.
type Dynamo struct {
	db    DynamoDB
	table string
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	heads headCache // ledger heads as last seen (ledger.go)
	seqs  seqHints  // latest incident sequence per fingerprint, as last seen (Current)
}

// NewDynamo returns a store on the named table (created from Table).
func NewDynamo(db DynamoDB, table string, now func() time.Time) *Dynamo {
	return &Dynamo{db: db, table: table, now: now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Key prefixes and sort keys of the item layout (see schema.go).
const (
	pfxIncident   = "INC#"
	pfxFinger     = "FP#"
	pfxQuarantine = "Q#"
	pfxLedger     = "L#"
	pfxTimeline   = "T#"
	pfxClaim      = "D#"
	pfxApproval   = "A#"
	skMeta        = "META"
	skHead        = "HEAD"
	skQuarantine  = "Q"
	listIncident  = "INCIDENT#"
	duePK         = "DUE"
	pkSilence     = "SILENCE"
	pfxToken      = "TOKEN#"
	listQuarant   = "QUARANTINE"
	// maxIDsPerUpdate keeps a ledger update's condition under DynamoDB's 4 KB expression limit.
	maxIDsPerUpdate = 100
	batchGetMax     = 100
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{Table.PartitionKey: s(pk), Table.SortKey: s(sk)}
}

func incidentPK(id string) string { return pfxIncident + id }
func fingerPK(fp string) string   { return pfxFinger + incident.FingerprintKey(fp) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(keyTime)
}

func parseTime(v string) time.Time {
	t, err := time.Parse(keyTime, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

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

// batchGet reads the keys with strongly consistent reads, retrying unprocessed keys.
func (d *Dynamo) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	for start := 0; start < len(keys); start += batchGetMax {
		pending := keys[start:min(start+batchGetMax, len(keys))]
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > 0 {
				if attempt > 8 {
					return nil, fmt.Errorf("batch get: %d keys still unprocessed after %d attempts", len(pending), attempt)
				}
				if err := d.sleep(ctx, backoff(attempt)); err != nil {
					return nil, err
				}
			}
			res, err := d.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
				RequestItems: map[string]types.KeysAndAttributes{d.table: {Keys: pending, ConsistentRead: aws.Bool(true)}},
			})
			if err != nil {
				return nil, err
			}
			out = append(out, res.Responses[d.table]...)
			pending = res.UnprocessedKeys[d.table].Keys
		}
	}
	return out, nil
}

func backoff(attempt int) time.Duration {
	return min(time.Duration(1<<min(attempt, 6))*25*time.Millisecond, 2*time.Second)
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
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(d.table),
		Item:                     toMeta(inc),
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	created := err == nil
	if err != nil && !isConditionFailed(err) {
		return incident.Incident{}, false, fmt.Errorf("open incident %s: %w", inc.ID, err)
	}
	if !created {
		existing, err := d.getMeta(ctx, inc.ID)
		if err != nil {
			return incident.Incident{}, false, fmt.Errorf("open incident %s: read existing: %w", inc.ID, err)
		}
		inc = existing
	}
	if opened.Key != "" {
		if err := d.putEntry(ctx, opened); err != nil {
			return incident.Incident{}, false, fmt.Errorf("open incident %s: %w", inc.ID, err)
		}
	}
	_, err = d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
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
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skMeta), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return incident.Incident{}, err
	}
	if len(res.Item) == 0 {
		return incident.Incident{}, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	return fromMeta(res.Item), nil
}

// Change applies c with one conditional update. The update also stores the entry's key
// as the incident's last change, so a retry after a crash (the change applied, the entry
// not yet written) still writes the entry exactly once.
func (d *Dynamo) Change(ctx context.Context, c Change) (bool, error) {
	if c.Entry.Key == "" || c.Incident == "" {
		return false, fmt.Errorf("change incident %q: an incident and an entry key are required", c.Incident)
	}
	c.Entry.Incident = c.Incident
	set := []string{"#ver = #ver + :one", "#upd = :upd", "#lc = :lc"}
	var remove []string
	names := map[string]string{"#pk": Table.PartitionKey, "#ver": "version", "#upd": "updated_at", "#lc": "last_change"}
	vals := map[string]types.AttributeValue{":one": n(1), ":upd": s(fmtTime(d.now())), ":lc": s(c.Entry.Key)}
	assign := func(attr, value string) {
		ph := strings.ReplaceAll(attr, "_", "")
		names["#"+ph], vals[":"+ph] = attr, s(value)
		set = append(set, "#"+ph+" = :"+ph)
	}
	drop := func(attr string) {
		ph := strings.ReplaceAll(attr, "_", "")
		names["#"+ph] = attr
		remove = append(remove, "#"+ph)
	}
	cond := []string{"attribute_exists(#pk)", "(attribute_not_exists(#lc) OR #lc <> :lc)"}
	if len(c.IfStatus) > 0 {
		ph := make([]string, len(c.IfStatus))
		for i, st := range c.IfStatus {
			ph[i] = ":if" + strconv.Itoa(i)
			vals[ph[i]] = s(string(st))
		}
		names["#st"] = "status"
		cond = append(cond, "#st IN ("+strings.Join(ph, ", ")+")")
	}
	if !c.NotBefore.IsZero() {
		names["#sat"] = "state_at"
		vals[":nb"] = s(fmtTime(c.NotBefore))
		cond = append(cond, "#sat <= :nb")
	}
	at := fmtTime(c.At)
	if c.Status != "" {
		names["#st"] = "status"
		vals[":st"] = s(string(c.Status))
		set = append(set, "#st = :st")
		assign("state_at", at)
		assign("list_pk", listIncident+string(c.Status))
		switch c.Status {
		case incident.Acknowledged:
			assign("acknowledged_at", at)
			if c.By != "" {
				assign("acknowledged_by", c.By)
			}
		case incident.Mitigated:
			assign("mitigated_at", at)
		case incident.Resolved:
			assign("resolved_at", at)
			names["#mat"] = "mitigated_at" // resolved without a recovery: mitigated then
			set = append(set, "#mat = if_not_exists(#mat, :resolvedat)")
		case incident.Open:
			drop("resolved_at")
			drop("mitigated_at")
			drop("acknowledged_at")
			drop("acknowledged_by")
		}
	}
	if c.Severity != "" {
		names["#sev"], names["#rank"] = "severity", "sev_rank"
		vals[":sev"], vals[":rank"] = s(string(c.Severity)), n(int64(c.Severity.Rank()))
		set = append(set, "#sev = :sev", "#rank = :rank")
		assign("severity_at", at)
		if c.RaiseOnly {
			cond = append(cond, "#rank > :rank")
		}
	}
	if c.Team != "" {
		assign("team", c.Team)
	}
	if c.Parent != "" {
		assign("parent", c.Parent)
		assign("parent_reason", c.ParentReason)
	}
	if c.SilencedBy != "" {
		assign("silenced_by", c.SilencedBy)
	}
	if c.Touch {
		assign("last_update_at", at)
	}
	if c.Status == incident.Closed {
		drop("due_pk")
		drop("due_sk")
		drop("due_at")
	} else {
		assign("due_pk", duePK)
		assign("due_sk", at+"#"+c.Incident)
		assign("due_at", at)
	}
	update := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(c.Incident), skMeta),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(strings.Join(cond, " AND ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	})
	if err == nil {
		if err := d.putEntry(ctx, c.Entry); err != nil {
			return true, fmt.Errorf("change incident %s: %w", c.Incident, err)
		}
		return true, nil
	}
	if !isConditionFailed(err) {
		return false, fmt.Errorf("change incident %s: %w", c.Incident, err)
	}
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table), Key: itemKey(incidentPK(c.Incident), skMeta), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#lc"), ExpressionAttributeNames: map[string]string{"#lc": "last_change"},
	})
	if err != nil {
		return false, fmt.Errorf("change incident %s: %w", c.Incident, err)
	}
	if len(res.Item) == 0 {
		return false, fmt.Errorf("change incident %s: %w", c.Incident, ErrNotFound)
	}
	if str(res.Item, "last_change") == c.Entry.Key {
		if err := d.putEntry(ctx, c.Entry); err != nil {
			return false, fmt.Errorf("change incident %s: %w", c.Incident, err)
		}
	}
	return false, nil
}

// Quarantine keeps an unparseable payload whole; the same payload is kept once.
func (d *Dynamo) Quarantine(ctx context.Context, q Quarantined) error {
	qk := quarantineKey(q.Payload)
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			Table.PartitionKey: s(pfxQuarantine + qk), Table.SortKey: s(skQuarantine),
			"message_id": s(q.MessageID), "received_at": s(fmtTime(q.ReceivedAt)), "reason": s(q.Reason),
			"payload": &types.AttributeValueMemberB{Value: q.Payload},
			"list_pk": s(listQuarant), "list_sk": s(fmtTime(q.ReceivedAt) + "#" + qk),
			Table.TTLAttribute: n(d.now().Add(RetainUnattached).Unix()),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("quarantine message %s: %w", q.MessageID, err)
	}
	return nil
}

// QuarantinedSince lists quarantined payloads received at or after t, oldest first.
func (d *Dynamo) QuarantinedSince(ctx context.Context, t time.Time) ([]Quarantined, error) {
	var out []Quarantined
	err := d.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(Table.Indexes[0].Name),
		KeyConditionExpression:    aws.String("#lpk = :q AND #lsk >= :t"),
		ExpressionAttributeNames:  map[string]string{"#lpk": "list_pk", "#lsk": "list_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":q": s(listQuarant), ":t": s(fmtTime(t))},
	}, func(it map[string]types.AttributeValue) {
		var p []byte
		if b, ok := it["payload"].(*types.AttributeValueMemberB); ok {
			p = b.Value
		}
		out = append(out, Quarantined{MessageID: str(it, "message_id"), ReceivedAt: parseTime(str(it, "received_at")), Reason: str(it, "reason"), Payload: p})
	})
	if err != nil {
		return nil, fmt.Errorf("list quarantine: %w", err)
	}
	return out, nil
}

// List returns incidents matching f, most recently opened first.
func (d *Dynamo) List(ctx context.Context, f Filter) ([]incident.Incident, error) {
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = incident.Statuses
	}
	var out []incident.Incident
	for _, st := range statuses {
		in := &dynamodb.QueryInput{
			IndexName:                 aws.String(Table.Indexes[0].Name),
			KeyConditionExpression:    aws.String("#lpk = :p"),
			ExpressionAttributeNames:  map[string]string{"#lpk": "list_pk"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(listIncident + string(st))},
			ScanIndexForward:          aws.Bool(false),
		}
		if !f.OpenedSince.IsZero() {
			in.KeyConditionExpression = aws.String("#lpk = :p AND #lsk >= :since")
			in.ExpressionAttributeNames["#lsk"] = "list_sk"
			in.ExpressionAttributeValues[":since"] = s(fmtTime(f.OpenedSince))
		}
		var conds []string
		for _, eq := range [][2]string{{"team", f.Team}, {"account", f.Account}, {"region", f.Region}} {
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
		if len(conds) > 0 {
			in.FilterExpression = aws.String(strings.Join(conds, " AND "))
		}
		if err := d.query(ctx, in, func(it map[string]types.AttributeValue) { out = append(out, fromMeta(it)) }); err != nil {
			return nil, fmt.Errorf("list %s incidents: %w", st, err)
		}
	}
	sortIncidents(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	if err := d.withCounters(ctx, out); err != nil {
		return nil, fmt.Errorf("list incidents: counters: %w", err)
	}
	return out, nil
}

// Timeline returns an incident's entries in time order.
func (d *Dynamo) Timeline(ctx context.Context, id string) ([]incident.Entry, error) {
	if _, err := d.getMeta(ctx, id); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	var out []incident.Entry
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :t)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(incidentPK(id)), ":t": s(pfxTimeline)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) { out = append(out, fromEntry(id, it)) })
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", id, err)
	}
	return out, nil
}

// AddEntries appends timeline entries; an entry already recorded is not added again.
func (d *Dynamo) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	checked := map[string]bool{}
	for _, e := range entries {
		if !checked[e.Incident] {
			if _, err := d.getMeta(ctx, e.Incident); err != nil {
				return fmt.Errorf("timeline entry %q: %w", e.Key, err)
			}
			checked[e.Incident] = true
		}
		if err := d.putEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dynamo) putEntry(ctx context.Context, e incident.Entry) error {
	if e.Incident == "" || e.Key == "" {
		return nil
	}
	item := map[string]types.AttributeValue{
		Table.PartitionKey: s(incidentPK(e.Incident)), Table.SortKey: s(pfxTimeline + fmtTime(e.At) + "#" + e.Key),
		"at": s(fmtTime(e.At)), "kind": s(e.Kind), "actor": s(e.Actor), "detail": s(e.Detail), "key": s(e.Key),
	}
	if len(e.Data) > 0 {
		m := make(map[string]types.AttributeValue, len(e.Data))
		for k, v := range e.Data {
			m[k] = s(v)
		}
		item["data"] = &types.AttributeValueMemberM{Value: m}
	}
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("timeline entry %q of %s: %w", e.Key, e.Incident, err)
	}
	return nil
}

func (d *Dynamo) query(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue)) error {
	in.TableName = aws.String(d.table)
	for {
		res, err := d.db.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, it := range res.Items {
			each(it)
		}
		if len(res.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

func toMeta(inc incident.Incident) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		Table.PartitionKey: s(incidentPK(inc.ID)), Table.SortKey: s(skMeta),
		"id": s(inc.ID), "seq": n(int64(inc.Seq)), "fingerprint": s(inc.Fingerprint), "class": s(inc.Class),
		"title": s(inc.Title), "severity": s(string(inc.Severity)), "sev_rank": n(int64(inc.Severity.Rank())),
		"team": s(inc.Team), "impact": s(inc.Impact), "runbook": s(inc.Runbook), "status": s(string(inc.Status)),
		"source": s(inc.Source), "account": s(inc.Account), "region": s(inc.Region), "resource": s(inc.Resource),
		"opened_by": s(inc.OpenedBy), "opened_at": s(fmtTime(inc.OpenedAt)), "state_at": s(fmtTime(inc.StateAt)),
		"updated_at": s(fmtTime(inc.UpdatedAt)), "version": n(int64(inc.Version)),
		"list_pk": s(listIncident + string(inc.Status)), "list_sk": s(fmtTime(inc.OpenedAt) + "#" + inc.ID),
	}
	it["actor"] = s(inc.Actor)
	for name, m := range map[string]map[string]string{"attrs": inc.Attrs, "tags": inc.Tags} {
		if len(m) > 0 {
			av := make(map[string]types.AttributeValue, len(m))
			for k, v := range m {
				av[k] = s(v)
			}
			it[name] = &types.AttributeValueMemberM{Value: av}
		}
	}
	for k, v := range map[string]string{"acknowledged_at": fmtTime(inc.AcknowledgedAt), "acknowledged_by": inc.AcknowledgedBy,
		"resolved_at": fmtTime(inc.ResolvedAt), "mitigated_at": fmtTime(inc.MitigatedAt), "severity_at": fmtTime(inc.SeverityAt), "last_update_at": fmtTime(inc.LastUpdateAt), "parent": inc.Parent,
		"parent_reason": inc.ParentReason, "silenced_by": inc.SilencedBy} {
		it[k] = s(v)
	}
	if !inc.DueAt.IsZero() {
		it["due_pk"], it["due_sk"], it["due_at"] = s(duePK), s(fmtTime(inc.DueAt)+"#"+inc.ID), s(fmtTime(inc.DueAt))
	}
	for k, v := range it { // absent rather than empty: one meaning for "not set"
		if sv, ok := v.(*types.AttributeValueMemberS); ok && sv.Value == "" {
			delete(it, k)
		}
	}
	return it
}

func fromMeta(it map[string]types.AttributeValue) incident.Incident {
	inc := incident.Incident{
		ID: str(it, "id"), Seq: num(it, "seq"), Fingerprint: str(it, "fingerprint"), Class: str(it, "class"),
		Title: str(it, "title"), Severity: incident.Severity(str(it, "severity")), Team: str(it, "team"),
		Impact: str(it, "impact"), Runbook: str(it, "runbook"), Status: incident.Status(str(it, "status")),
		Source: str(it, "source"), Account: str(it, "account"), Region: str(it, "region"), Resource: str(it, "resource"),
		OpenedBy: str(it, "opened_by"), OpenedAt: parseTime(str(it, "opened_at")), StateAt: parseTime(str(it, "state_at")),
		UpdatedAt: parseTime(str(it, "updated_at")), Version: num(it, "version"), Actor: str(it, "actor"),
	}
	inc.Attrs, inc.Tags = strMap(it["attrs"]), strMap(it["tags"])
	inc.AcknowledgedAt, inc.AcknowledgedBy = parseTime(str(it, "acknowledged_at")), str(it, "acknowledged_by")
	inc.ResolvedAt, inc.LastUpdateAt, inc.DueAt = parseTime(str(it, "resolved_at")), parseTime(str(it, "last_update_at")), parseTime(str(it, "due_at"))
	inc.Parent, inc.ParentReason, inc.SilencedBy = str(it, "parent"), str(it, "parent_reason"), str(it, "silenced_by")
	inc.SeverityAt, inc.MitigatedAt = parseTime(str(it, "severity_at")), parseTime(str(it, "mitigated_at"))
	return inc
}

func fromEntry(id string, it map[string]types.AttributeValue) incident.Entry {
	e := incident.Entry{Incident: id, At: parseTime(str(it, "at")), Kind: str(it, "kind"), Actor: str(it, "actor"),
		Detail: str(it, "detail"), Key: str(it, "key")}
	if m, ok := it["data"].(*types.AttributeValueMemberM); ok {
		e.Data = make(map[string]string, len(m.Value))
		for k, v := range m.Value {
			if sv, ok := v.(*types.AttributeValueMemberS); ok {
				e.Data[k] = sv.Value
			}
		}
	}
	return e
}

func str(it map[string]types.AttributeValue, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(it map[string]types.AttributeValue, k string) int {
	if v, ok := it[k].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.Atoi(v.Value)
		return i
	}
	return 0
}

// Claim reserves the action key of an incident (a notification or a runbook start of one
// change) so it runs once. A claim not marked Done within lease can be taken again: the
// attempt that held it crashed.
func (d *Dynamo) Claim(ctx context.Context, id, key string, lease time.Duration) (bool, error) {
	now := d.now().UTC()
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			Table.PartitionKey: s(incidentPK(id)), Table.SortKey: s(pfxClaim + key),
			"state": s("pending"), "claimed_at": s(fmtTime(now)), "lease_until": s(fmtTime(now.Add(lease))),
		},
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR (#st = :pending AND #lu < :now)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#st": "state", "#lu": "lease_until"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pending": s("pending"), ":now": s(fmtTime(now))},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim %s of %s: %w", key, id, err)
	}
	return true, nil
}

// Done marks a claimed action finished, with its result; it is never claimed again.
func (d *Dynamo) Done(ctx context.Context, id, key, result string) error {
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), pfxClaim+key),
		UpdateExpression:          aws.String("SET #st = :done, #res = :res, #at = :at"),
		ExpressionAttributeNames:  map[string]string{"#st": "state", "#res": "result", "#at": "done_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": s("done"), ":res": s(result), ":at": s(fmtTime(d.now()))},
	})
	if err != nil {
		return fmt.Errorf("mark %s of %s done: %w", key, id, err)
	}
	return nil
}

// Release gives up an unfinished claim so a retry can take it at once.
func (d *Dynamo) Release(ctx context.Context, id, key string) error {
	_, err := d.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), pfxClaim+key),
		ConditionExpression:       aws.String("#st = :pending"),
		ExpressionAttributeNames:  map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pending": s("pending")},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release %s of %s: %w", key, id, err)
	}
	return nil
}

// PutApproval records a pending approval; recording the same key again changes nothing.
func (d *Dynamo) PutApproval(ctx context.Context, a Approval) error {
	if _, err := d.getMeta(ctx, a.Incident); err != nil {
		return fmt.Errorf("approval %s: %w", a.Key, err)
	}
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			Table.PartitionKey: s(incidentPK(a.Incident)), Table.SortKey: s(pfxApproval + a.Key),
			"key": s(a.Key), "runbook": s(a.Runbook), "execution": s(a.Execution), "request": s(a.Request),
			"token": s(a.Token), "requested_at": s(fmtTime(a.RequestedAt)),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("approval %s of %s: %w", a.Key, a.Incident, err)
	}
	return nil
}

// Approvals lists an incident's approvals, oldest first.
func (d *Dynamo) Approvals(ctx context.Context, id string) ([]Approval, error) {
	var out []Approval
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :a)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(incidentPK(id)), ":a": s(pfxApproval)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) { out = append(out, fromApproval(id, it)) })
	if err != nil {
		return nil, fmt.Errorf("approvals of %s: %w", id, err)
	}
	sortApprovals(out)
	return out, nil
}

// Decide records the decision on a pending approval and returns it with its token.
func (d *Dynamo) Decide(ctx context.Context, id, key, decision, by string, at time.Time) (Approval, error) {
	res, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), pfxApproval+key),
		UpdateExpression:          aws.String("SET #dec = :dec, #by = :by, #dat = :at"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND attribute_not_exists(#dec)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#dec": "decision", "#by": "by", "#dat": "decided_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":dec": s(decision), ":by": s(by), ":at": s(fmtTime(at))},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err == nil {
		return fromApproval(id, res.Attributes), nil
	}
	if !isConditionFailed(err) {
		return Approval{}, fmt.Errorf("decide approval %s of %s: %w", key, id, err)
	}
	got, gerr := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: itemKey(incidentPK(id), pfxApproval+key), ConsistentRead: aws.Bool(true)})
	if gerr != nil {
		return Approval{}, fmt.Errorf("decide approval %s of %s: %w", key, id, gerr)
	}
	if len(got.Item) == 0 {
		return Approval{}, fmt.Errorf("approval %s of %s: %w", key, id, ErrNotFound)
	}
	a := fromApproval(id, got.Item)
	return a, fmt.Errorf("approval %s of %s: %w (%s by %s)", key, id, ErrDecided, a.Decision, a.By)
}

func fromApproval(id string, it map[string]types.AttributeValue) Approval {
	return Approval{Incident: id, Key: str(it, "key"), Runbook: str(it, "runbook"), Execution: str(it, "execution"),
		Request: str(it, "request"), Token: str(it, "token"), RequestedAt: parseTime(str(it, "requested_at")),
		Decision: str(it, "decision"), By: str(it, "by"), DecidedAt: parseTime(str(it, "decided_at"))}
}

// IncidentFromStream converts a DynamoDB stream image to an incident. It reports false
// for images of other items (ledger pages, timeline entries, claims …).
func IncidentFromStream(image map[string]events.DynamoDBAttributeValue) (incident.Incident, bool) {
	if len(image) == 0 {
		return incident.Incident{}, false
	}
	pk, sk := image[Table.PartitionKey], image[Table.SortKey]
	if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString ||
		!strings.HasPrefix(pk.String(), pfxIncident) || sk.String() != skMeta {
		return incident.Incident{}, false
	}
	it := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		if av := fromStreamValue(v); av != nil {
			it[k] = av
		}
	}
	return fromMeta(it), true
}

func fromStreamValue(v events.DynamoDBAttributeValue) types.AttributeValue {
	switch v.DataType() {
	case events.DataTypeString:
		return s(v.String())
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case events.DataTypeMap:
		m := map[string]types.AttributeValue{}
		for k, x := range v.Map() {
			if av := fromStreamValue(x); av != nil {
				m[k] = av
			}
		}
		return &types.AttributeValueMemberM{Value: m}
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	}
	return nil
}

func strMap(v types.AttributeValue) map[string]string {
	m, ok := v.(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m.Value))
	for k, x := range m.Value {
		if sv, ok := x.(*types.AttributeValueMemberS); ok {
			out[k] = sv.Value
		}
	}
	return out
}

// Due returns incidents whose due time is at or before now, earliest first, from the
// "due" index: the escalator's only read.
func (d *Dynamo) Due(ctx context.Context, now time.Time, limit int) ([]incident.Incident, error) {
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(Table.Indexes[1].Name),
		KeyConditionExpression:    aws.String("#dpk = :due AND #dsk <= :upper"),
		ExpressionAttributeNames:  map[string]string{"#dpk": "due_pk", "#dsk": "due_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":due": s(duePK), ":upper": s(fmtTime(now) + "#\uffff")},
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	var out []incident.Incident
	for {
		in.TableName = aws.String(d.table)
		res, err := d.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query due incidents: %w", err)
		}
		for _, it := range res.Items {
			out = append(out, fromMeta(it))
		}
		if len(res.LastEvaluatedKey) == 0 || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// SetDue sets when the escalator next looks at the incident, unless it changed since
// the escalator read it (version); a zero due removes it from the index.
func (d *Dynamo) SetDue(ctx context.Context, id string, due time.Time, version int) (bool, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), skMeta),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #ver = :v"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#ver": "version", "#dpk": "due_pk", "#dsk": "due_sk", "#dat": "due_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(int64(version))},
	}
	if due.IsZero() {
		in.UpdateExpression = aws.String("REMOVE #dpk, #dsk, #dat")
	} else {
		in.UpdateExpression = aws.String("SET #dpk = :due, #dsk = :dsk, #dat = :dat")
		in.ExpressionAttributeValues[":due"] = s(duePK)
		in.ExpressionAttributeValues[":dsk"] = s(fmtTime(due) + "#" + id)
		in.ExpressionAttributeValues[":dat"] = s(fmtTime(due))
	}
	_, err := d.db.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		if _, gerr := d.getMeta(ctx, id); gerr != nil {
			return false, fmt.Errorf("set due of %s: %w", id, gerr)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("set due of %s: %w", id, err)
	}
	return true, nil
}

// PutSilence adds or replaces a silence; it expires a week after it ends.
func (d *Dynamo) PutSilence(ctx context.Context, sl silence.Silence) error {
	if err := sl.Validate(); err != nil {
		return fmt.Errorf("silence %s: %w", sl.ID, err)
	}
	body, err := json.Marshal(sl)
	if err != nil {
		return fmt.Errorf("silence %s: %w", sl.ID, err)
	}
	item := map[string]types.AttributeValue{Table.PartitionKey: s(pkSilence), Table.SortKey: s(sl.ID), "body": s(string(body))}
	if !sl.Ends.IsZero() {
		item[Table.TTLAttribute] = n(sl.Ends.Add(7 * 24 * time.Hour).Unix())
	}
	if _, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item}); err != nil {
		return fmt.Errorf("silence %s: %w", sl.ID, err)
	}
	return nil
}

// Silences lists the stored silences, by id.
func (d *Dynamo) Silences(ctx context.Context) ([]silence.Silence, error) {
	var out []silence.Silence
	var bad error
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :p"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(pkSilence)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		var sl silence.Silence
		if err := json.Unmarshal([]byte(str(it, "body")), &sl); err != nil {
			bad = fmt.Errorf("silence %s: stored body: %w", str(it, Table.SortKey), err)
			return
		}
		out = append(out, sl)
	})
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out, bad
}

// UseToken records a one-click token as used; false if it was used before.
func (d *Dynamo) UseToken(ctx context.Context, nonce string, expires time.Time) (bool, error) {
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{Table.PartitionKey: s(pfxToken + nonce), Table.SortKey: s("T"),
			"used_at": s(fmtTime(d.now())), Table.TTLAttribute: n(expires.Add(time.Hour).Unix())},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("use token: %w", err)
	}
	return true, nil
}
