package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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
