package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A held opening is the item (INC#<id>, HOLD): until and state ("held", then
// "decided"). While held it is on the due index under its own partition (due_pk HOLD,
// due_sk <until>#<id>), so the escalator reads the held openings whose wait is over and
// nothing else; letting it go removes those keys and keeps the item.
const (
	skHold = "HOLD"
	holdPK = "HOLD"
)

// Hold holds id's opening until until, unless it is held or was decided already.
func (d *Dynamo) Hold(ctx context.Context, id string, until time.Time) (bool, error) {
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			Table.PartitionKey: s(incidentPK(id)), Table.SortKey: s(skHold),
			"state": s("held"), "until": s(fmtTime(until)),
			"due_pk": s(holdPK), "due_sk": s(fmtTime(until) + "#" + id),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("hold the opening of %s: %w", id, err)
	}
	return true, nil
}

// MoveHold moves a held opening's hold earlier, to until.
func (d *Dynamo) MoveHold(ctx context.Context, id string, until time.Time) (bool, error) {
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), skHold),
		UpdateExpression:          aws.String("SET #until = :until, #dsk = :dsk"),
		ConditionExpression:       aws.String("#st = :held AND #until > :until"),
		ExpressionAttributeNames:  map[string]string{"#st": "state", "#until": "until", "#dsk": "due_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":held": s("held"), ":until": s(fmtTime(until)), ":dsk": s(fmtTime(until) + "#" + id)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("move the hold of %s: %w", id, err)
	}
	return true, nil
}

// HeldUntil returns the held openings whose wait is over at now, from the due index's
// HOLD partition.
func (d *Dynamo) HeldUntil(ctx context.Context, now time.Time, limit int) ([]HeldOpening, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(d.table),
		IndexName:                 aws.String(Table.Indexes[1].Name),
		KeyConditionExpression:    aws.String("#dpk = :hold AND #dsk <= :upper"),
		ExpressionAttributeNames:  map[string]string{"#dpk": "due_pk", "#dsk": "due_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":hold": s(holdPK), ":upper": s(fmtTime(now) + "#\uffff")},
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	var out []HeldOpening
	for {
		res, err := d.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query held openings: %w", err)
		}
		for _, it := range res.Items {
			out = append(out, HeldOpening{Incident: strings.TrimPrefix(str(it, Table.PartitionKey), pfxIncident), Until: parseTime(str(it, "until"))})
		}
		if len(res.LastEvaluatedKey) == 0 || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// Held reports whether id's opening is held and not yet decided (a consistent read).
func (d *Dynamo) Held(ctx context.Context, id string) (bool, error) {
	out, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table), Key: itemKey(incidentPK(id), skHold), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#st"), ExpressionAttributeNames: map[string]string{"#st": "state"},
	})
	if err != nil {
		return false, fmt.Errorf("read the hold of %s: %w", id, err)
	}
	return str(out.Item, "state") == "held", nil
}

// LetGo marks id's opening decided and takes it off the due index.
func (d *Dynamo) LetGo(ctx context.Context, id string) error {
	_, err := d.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), skHold),
		UpdateExpression:          aws.String("SET #st = :decided REMOVE #dpk, #dsk"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#st": "state", "#dpk": "due_pk", "#dsk": "due_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":decided": s("decided")},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("let the opening of %s go: %w", id, err)
	}
	return nil
}
