package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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
