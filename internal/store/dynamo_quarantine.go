package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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
