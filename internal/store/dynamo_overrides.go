package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// pfxOverride is the partition of a schedule's stored overrides; the sort key is the
// override's id, which begins with its end time (OverrideID).
const pfxOverride = "OVR#"

var _ Overrides = (*Dynamo)(nil)

// PutOverride stores an override (see Overrides); it expires a week after it ends.
func (d *Dynamo) PutOverride(ctx context.Context, o oncall.Override) (oncall.Override, error) {
	o, err := checkOverride(o)
	if err != nil {
		return o, fmt.Errorf("put override: %w", err)
	}
	body, err := json.Marshal(o)
	if err != nil {
		return o, fmt.Errorf("put override %s: %w", o.ID, err)
	}
	item := itemKey(pfxOverride+o.Schedule, o.ID)
	item["body"] = s(string(body))
	item[Table.TTLAttribute] = n(o.End.Add(overrideTTL).Unix())
	if _, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item}); err != nil {
		return o, fmt.Errorf("put override %s of %s: %w", o.ID, o.Schedule, err)
	}
	return o, nil
}

// Overrides lists a schedule's overrides that end after from and start before to, by
// end: one query of the items whose id (their end) is at or after from.
func (d *Dynamo) Overrides(ctx context.Context, schedule string, from, to time.Time) ([]oncall.Override, error) {
	var out []oncall.Override
	var bad error
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:   aws.String("#pk = :p AND #sk >= :from"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(pfxOverride + schedule),
			":from": s(from.UTC().Format(overrideIDTime))},
		ConsistentRead: aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		var o oncall.Override
		if err := json.Unmarshal([]byte(str(it, "body")), &o); err != nil {
			bad = fmt.Errorf("override %s of %s: stored body: %w", str(it, Table.SortKey), schedule, err)
			return
		}
		if o.End.After(from) && o.Start.Before(to) {
			out = append(out, o)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list overrides of %s: %w", schedule, err)
	}
	return out, bad
}

// RemoveOverride deletes an override; ErrNotFound when there is none.
func (d *Dynamo) RemoveOverride(ctx context.Context, schedule, id string) error {
	if err := checkOverrideID(id); err != nil {
		return fmt.Errorf("remove override: %w", err)
	}
	_, err := d.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(d.table),
		Key:                      itemKey(pfxOverride+schedule, id),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if isConditionFailed(err) {
		return fmt.Errorf("remove override %s of %s: %w", id, schedule, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("remove override %s of %s: %w", id, schedule, err)
	}
	return nil
}
