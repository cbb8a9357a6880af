package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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
