package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// KeepLoose keeps events of fingerprint fp that no incident took: one item per
// event-time minute and up to looseChunk events, so a storm costs a write per fingerprint,
// minute and batch, not per event. A redelivery may put an event in a second item;
// LooseBetween reports it once.
func (d *Dynamo) KeepLoose(ctx context.Context, fp string, evs []Loose) error {
	exp := n(d.now().Add(RetainUnattached).Unix())
	byMinute := map[string][]Loose{}
	for _, e := range evs {
		m := pageOf(e.Time)
		byMinute[m] = append(byMinute[m], e)
	}
	for minute, list := range byMinute {
		sortLoose(list)
		for start := 0; start < len(list); start += looseChunk {
			chunk := list[start:min(start+looseChunk, len(list))]
			recs := make([]looseRecord, len(chunk))
			for i, e := range chunk {
				recs[i] = looseRecord{ID: e.ID, At: fmtTime(e.Time), Signal: string(e.Signal), Summary: clipSummary(e.Summary), Actor: e.Actor}
			}
			body, err := json.Marshal(recs)
			if err != nil {
				return fmt.Errorf("keep loose events of %s: %w", incident.FingerprintKey(fp), err)
			}
			item := map[string]types.AttributeValue{
				Table.PartitionKey: s(fingerPK(fp)), Table.SortKey: s(pfxLoose + minute + "#" + chunk[0].ID + "#" + strconv.Itoa(len(chunk))),
				"events": s(string(body)), Table.TTLAttribute: exp,
			}
			if _, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item}); err != nil {
				return fmt.Errorf("keep %d loose events of %s: %w", len(chunk), incident.FingerprintKey(fp), err)
			}
		}
	}
	return nil
}

// looseChunk bounds the events of one loose item (with summaries, well inside 400 KB).
const looseChunk = 200

type looseRecord struct {
	ID      string `json:"id"`
	At      string `json:"at"`
	Signal  string `json:"signal,omitempty"`
	Summary string `json:"summary,omitempty"`
	Actor   string `json:"actor,omitempty"`
}

// LooseBetween returns the loose events of fingerprint fp with from <= time < to (zero
// to: no upper bound), in event-time order: one query over the fingerprint's items of
// those minutes.
func (d *Dynamo) LooseBetween(ctx context.Context, fp string, from, to time.Time) ([]Loose, error) {
	hi := pfxLoose + "~"
	if !to.IsZero() {
		hi = pfxLoose + pageOf(to) + "#~"
	}
	seen := map[string]bool{}
	var out []Loose
	var bad error
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(fingerPK(fp)),
			":lo": s(pfxLoose + pageOf(from)), ":hi": s(hi)},
		ConsistentRead: aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		var recs []looseRecord
		if err := json.Unmarshal([]byte(str(it, "events")), &recs); err != nil {
			bad = fmt.Errorf("loose events item %s: %w", str(it, Table.SortKey), err)
			return
		}
		for _, r := range recs {
			e := Loose{ID: r.ID, Time: parseTime(r.At), Signal: event.Signal(r.Signal), Summary: r.Summary, Actor: r.Actor}
			if !seen[e.ID] && !e.Time.Before(from) && (to.IsZero() || e.Time.Before(to)) {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, fmt.Errorf("read loose events of %s: %w", incident.FingerprintKey(fp), err)
	}
	sortLoose(out)
	return out, nil
}

// OpenEarlier moves an active incident's opening to the earlier event by at at (one
// conditional update), then writes the entry; false if it opened at or before at already
// (at the same time, by an event whose id sorts first: intake's event-time order). Its
// clocks (state_at) move too while the escalator has not looked at it (open, unchanged,
// still due at its opening): a first update tries that, a second moves the opening alone.
func (d *Dynamo) OpenEarlier(ctx context.Context, id, by string, at time.Time, entry incident.Entry) (bool, error) {
	t := fmtTime(at)
	move := func(clocks bool) error {
		update := "SET #oat = :at, #oby = :by, #lsk = :lsk, #ver = #ver + :one, #upd = :upd, #dpk = :dpk, #dsk = :dsk, #dat = :at"
		cond := "attribute_exists(#pk) AND (#oat > :at OR (#oat = :at AND #oby > :by)) AND #st IN (:open, :ack, :mit)"
		names := map[string]string{"#pk": Table.PartitionKey, "#oat": "opened_at", "#oby": "opened_by",
			"#lsk": "list_sk", "#ver": "version", "#upd": "updated_at", "#dpk": "due_pk", "#dsk": "due_sk", "#dat": "due_at", "#st": "status"}
		if clocks { // the escalator has not looked at it yet: its clocks start at the opening
			update += ", #sat = :at"
			cond += " AND #st = :open AND #sat = #oat AND #dat = #oat"
			names["#sat"] = "state_at"
		}
		_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skMeta),
			UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond), ExpressionAttributeNames: names,
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(t), ":by": s(by), ":lsk": s(t + "#" + id),
				":one": n(1), ":upd": s(fmtTime(d.now())), ":dpk": s(duePK), ":dsk": s(t + "#" + id),
				":open": s(string(incident.Open)), ":ack": s(string(incident.Acknowledged)), ":mit": s(string(incident.Mitigated))},
		})
		return err
	}
	err := move(true)
	if isConditionFailed(err) { // looked at already (or not open, or not later): the opening alone
		err = move(false)
	}
	if isConditionFailed(err) {
		// Opened at or before at already. If by this very event, another delivery of it
		// moved the opening (two workers, one message delivered twice) and may have lost
		// the entry after its update: the entry is this opening's either way.
		res, gerr := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skMeta),
			ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#oby, #oat"),
			ExpressionAttributeNames: map[string]string{"#oby": "opened_by", "#oat": "opened_at"}})
		if gerr != nil {
			return false, fmt.Errorf("open %s earlier: read its opening: %w", id, gerr)
		}
		if str(res.Item, "opened_by") == by && str(res.Item, "opened_at") == t {
			entry.Incident = id
			if err := d.putEntry(ctx, entry); err != nil {
				return false, fmt.Errorf("open %s earlier: %w", id, err)
			}
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %s earlier: %w", id, err)
	}
	entry.Incident = id
	if err := d.putEntry(ctx, entry); err != nil {
		return true, fmt.Errorf("open %s earlier: %w", id, err)
	}
	return true, nil
}
