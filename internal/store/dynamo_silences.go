package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/silence"
)

// PutSilence adds or replaces a silence; it expires a week after it ends.
func (d *Dynamo) PutSilence(ctx context.Context, sl silence.Silence) error {
	if err := sl.Validate(); err != nil {
		return fmt.Errorf("silence %s: %w", sl.ID, err)
	}
	body, err := json.Marshal(sl)
	if err != nil {
		return fmt.Errorf("silence %s: %w", sl.ID, err)
	}
	item := map[string]types.AttributeValue{Table.PartitionKey: s(pkSilence), Table.SortKey: s(sl.ID), "body": s(string(body))}
	if !sl.Ends.IsZero() {
		item[Table.TTLAttribute] = n(sl.Ends.Add(7 * 24 * time.Hour).Unix())
	}
	if _, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item}); err != nil {
		return fmt.Errorf("silence %s: %w", sl.ID, err)
	}
	return nil
}

// Silences lists the stored silences, by id.
func (d *Dynamo) Silences(ctx context.Context) ([]silence.Silence, error) {
	var out []silence.Silence
	var bad error
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :p"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(pkSilence)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		var sl silence.Silence
		if err := json.Unmarshal([]byte(str(it, "body")), &sl); err != nil {
			bad = fmt.Errorf("silence %s: stored body: %w", str(it, Table.SortKey), err)
			return
		}
		out = append(out, sl)
	})
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out, bad
}
