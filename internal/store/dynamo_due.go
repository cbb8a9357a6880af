package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Due returns incidents whose due time is at or before now, earliest first, from the
// "due" index: the escalator's only read.
func (d *Dynamo) Due(ctx context.Context, now time.Time, limit int) ([]incident.Incident, error) {
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(Table.Indexes[1].Name),
		KeyConditionExpression:    aws.String("#dpk = :due AND #dsk <= :upper"),
		ExpressionAttributeNames:  map[string]string{"#dpk": "due_pk", "#dsk": "due_sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":due": s(duePK), ":upper": s(fmtTime(now) + "#\uffff")},
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	var out []incident.Incident
	for {
		in.TableName = aws.String(d.table)
		res, err := d.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query due incidents: %w", err)
		}
		for _, it := range res.Items {
			out = append(out, fromMeta(it))
		}
		if len(res.LastEvaluatedKey) == 0 || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// SetDue sets when the escalator next looks at the incident, unless it changed since
// the escalator read it (version); a zero due removes it from the index.
func (d *Dynamo) SetDue(ctx context.Context, id string, due time.Time, version int) (bool, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       itemKey(incidentPK(id), skMeta),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND #ver = :v"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#ver": "version", "#dpk": "due_pk", "#dsk": "due_sk", "#dat": "due_at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(int64(version))},
	}
	if due.IsZero() {
		in.UpdateExpression = aws.String("REMOVE #dpk, #dsk, #dat")
	} else {
		in.UpdateExpression = aws.String("SET #dpk = :due, #dsk = :dsk, #dat = :dat")
		in.ExpressionAttributeValues[":due"] = s(duePK)
		in.ExpressionAttributeValues[":dsk"] = s(fmtTime(due) + "#" + id)
		in.ExpressionAttributeValues[":dat"] = s(fmtTime(due))
	}
	_, err := d.db.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		if _, gerr := d.getMeta(ctx, id); gerr != nil {
			return false, fmt.Errorf("set due of %s: %w", id, gerr)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("set due of %s: %w", id, err)
	}
	return true, nil
}
