package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Timeline returns an incident's entries in time order. One query reads the incident's
// META item with its timeline (no sort key of the partition falls between them): META
// answers whether the incident exists, and the entries a change keeps on it until they
// are known written (dynamo_pending.go) are returned with the others, so a change's entry
// is in the timeline from the moment the change is, whether or not the process that made
// it lived to write the entry's own item.
func (d *Dynamo) Timeline(ctx context.Context, id string) ([]incident.Entry, error) {
	var (
		out  []incident.Entry
		sks  = map[string]bool{}
		meta map[string]types.AttributeValue
	)
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :meta AND :end"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(incidentPK(id)), ":meta": s(skMeta), ":end": s(pfxTimelineEnd)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		switch sk := str(it, Table.SortKey); {
		case sk == skMeta:
			meta = it
		case strings.HasPrefix(sk, pfxTimeline):
			sks[sk] = true
			out = append(out, fromEntry(id, it))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", id, err)
	}
	if meta == nil {
		return nil, fmt.Errorf("timeline: incident %s: %w", id, ErrNotFound)
	}
	d.known.add(id)
	kept, _ := pendingIn(id, meta)
	added := false
	for _, e := range kept {
		if sk := entrySK(e); !sks[sk] {
			sks[sk] = true
			out = append(out, e)
			added = true
		}
	}
	if added {
		slices.SortStableFunc(out, func(a, b incident.Entry) int { return strings.Compare(entrySK(a), entrySK(b)) })
	}
	return out, nil
}

// AddEntries appends timeline entries; an entry already recorded is not added again.
func (d *Dynamo) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	checked := map[string]bool{}
	for _, e := range entries {
		if !checked[e.Incident] {
			if err := d.exists(ctx, e.Incident); err != nil {
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

// entrySK is a timeline entry's sort key: entries in time order, the key makes it once.
func entrySK(e incident.Entry) string { return pfxTimeline + fmtTime(e.At) + "#" + e.Key }

// entryItem is the item of a timeline entry under pk: an incident's (INC#) or a
// problem's (PRB#); the sort key orders entries by time, the entry's key makes it once.
func entryItem(pk string, e incident.Entry) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		Table.PartitionKey: s(pk), Table.SortKey: s(entrySK(e)),
		"at": s(fmtTime(e.At)), "kind": s(string(e.Kind)), "actor": s(e.Actor), "detail": s(e.Detail), "key": s(e.Key),
	}
	if len(e.Data) > 0 {
		m := make(map[string]types.AttributeValue, len(e.Data))
		for k, v := range e.Data {
			m[k] = s(v)
		}
		item["data"] = &types.AttributeValueMemberM{Value: m}
	}
	return item
}

func (d *Dynamo) putEntry(ctx context.Context, e incident.Entry) error {
	if e.Incident == "" || e.Key == "" {
		return nil
	}
	item := entryItem(incidentPK(e.Incident), e)
	written := e.Incident + "\x00" + str(item, Table.SortKey)
	if d.entries.has(written) { // this process wrote it, or found it written: entries stay
		return nil
	}
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("timeline entry %q of %s: %w", e.Key, e.Incident, err)
	}
	d.entries.add(written)
	return nil
}

// exists returns ErrNotFound unless incident id exists: one read, unless this process
// has seen it already (incidents are never deleted; dynamo_known.go).
func (d *Dynamo) exists(ctx context.Context, id string) error {
	if d.known.has(id) {
		return nil
	}
	_, err := d.getMeta(ctx, id)
	return err
}
