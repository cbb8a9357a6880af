package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Timeline returns an incident's entries in time order.
func (d *Dynamo) Timeline(ctx context.Context, id string) ([]incident.Entry, error) {
	if err := d.exists(ctx, id); err != nil {
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

// entryItem is the item of a timeline entry under pk: an incident's (INC#) or a
// problem's (PRB#); the sort key orders entries by time, the entry's key makes it once.
func entryItem(pk string, e incident.Entry) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		Table.PartitionKey: s(pk), Table.SortKey: s(pfxTimeline + fmtTime(e.At) + "#" + e.Key),
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
