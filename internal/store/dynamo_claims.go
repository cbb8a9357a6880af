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
// change) for owner, so it runs once. The same owner claiming again takes it again (its
// earlier write may have happened with its answer lost). A claim not marked Done within
// lease can be taken by anyone: the attempt that held it crashed. When the claim is not
// taken, one consistent read tells an action done from one held by another attempt.
// An action this process saw done is Finished without a request (dynamo_known.go).
func (d *Dynamo) Claim(ctx context.Context, id, key, owner string, lease time.Duration) (ClaimState, error) {
	if d.done.has(id + "\x00" + key) {
		return Finished, nil
	}
	now := d.now().UTC()
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			Table.PartitionKey: s(incidentPK(id)), Table.SortKey: s(pfxClaim + key),
			"state": s("pending"), "owner": s(owner), "claimed_at": s(fmtTime(now)), "lease_until": s(fmtTime(now.Add(lease))),
		},
		// A released claim is taken by a claim made at or after its release: a claim write
		// made before it (its answer lost, the attempt gave up and released) that lands
		// late does not hold the action for a lease on behalf of an attempt that is gone.
		ConditionExpression: aws.String("attribute_not_exists(#pk) OR (#st = :pending AND (#lu < :now OR #ow = :owner)) OR " +
			"(#st = :released AND #ra <= :now)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey, "#st": "state", "#lu": "lease_until", "#ow": "owner", "#ra": "released_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pending": s("pending"), ":now": s(fmtTime(now)), ":owner": s(owner),
			":released": s("released")},
	})
	if err == nil {
		return Claimed, nil
	}
	if !isConditionFailed(err) {
		return Held, fmt.Errorf("claim %s of %s: %w", key, id, err)
	}
	out, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table), Key: itemKey(incidentPK(id), pfxClaim+key), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#st"), ExpressionAttributeNames: map[string]string{"#st": "state"},
	})
	if err != nil {
		return Held, fmt.Errorf("read claim %s of %s: %w", key, id, err)
	}
	if str(out.Item, "state") == "done" {
		d.done.add(id + "\x00" + key)
		return Finished, nil
	}
	return Held, nil // held, or given up since: the caller retries either way
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
	d.done.add(id + "\x00" + key)
	return nil
}

// Release gives up owner's unfinished claim so a retry can take it at once; a claim
// another attempt took over after owner's lease ran out, or one done, is left as it is.
// The claim is kept (or, if its write has not landed, made), marked released and when:
// a claim write owner made before (whose answer was lost) may still land, and must not
// take the action back (Claim).
func (d *Dynamo) Release(ctx context.Context, id, key, owner string) error {
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(d.table),
		Key:              itemKey(incidentPK(id), pfxClaim+key),
		UpdateExpression: aws.String("SET #st = :released, #ra = :now"),
		// No claim yet: its write may still be on its way; the mark stops it too.
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR (#st = :pending AND #ow = :owner)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#st": "state", "#ow": "owner", "#ra": "released_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pending": s("pending"), ":owner": s(owner), ":released": s("released"), ":now": s(fmtTime(d.now().UTC()))},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release %s of %s: %w", key, id, err)
	}
	return nil
}
