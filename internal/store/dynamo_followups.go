package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/review"
)

// Item layout of reviews and actions (docs/table.md, "Reviews and actions"). The body
// attribute is the whole record as JSON; the index attributes are derived from it on
// every write, so they can never disagree with it.
const (
	pfxReview     = "REV#"
	skReview      = "R"
	pfxAction     = "ACT#"
	pfxActionItem = "A#"
	listReview    = "REVIEW#"    // list_pk REVIEW#<status>, list_sk <due>#<id>
	listAction    = "ACTION#"    // list_pk ACTION#<status>, list_sk <due>#<id>
	ownerAction   = "ACTION#"    // owner_pk ACTION#<team>, owner_sk <status>#<due>#<id>
	dueReview     = "DUE#REVIEW" // due_pk while a reminder is due
	dueAction     = "DUE#ACTION" // due_pk while a reminder is due
	// Index names (schema.go).
	ixList  = "list"
	ixDue   = "due"
	ixOwner = "owner"
	// Attributes beside the keys: the record as JSON, and its version for conditions.
	attrBody    = "body"
	attrVersion = "version"
	condNewItem = "attribute_not_exists(#pk)"
	condSameVer = "attribute_exists(#pk) AND #ver = :v"
)

func reviewKey(id string) map[string]types.AttributeValue { return itemKey(pfxReview+id, skReview) }

func actionKey(id string) (map[string]types.AttributeValue, error) {
	link, err := action.LinkOf(id)
	if err != nil {
		return nil, err
	}
	return itemKey(pfxAction+link, pfxActionItem+id), nil
}

func reviewItem(r review.Review) (map[string]types.AttributeValue, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode review %s: %w", r.ID, err)
	}
	it := reviewKey(r.ID)
	it[attrBody], it[attrVersion] = s(string(body)), n(int64(r.Version))
	it["list_pk"], it["list_sk"] = s(listReview+string(r.Status)), s(fmtTime(r.Due)+"#"+r.ID)
	if !r.NextRemind.IsZero() {
		it["due_pk"], it["due_sk"] = s(dueReview), s(fmtTime(r.NextRemind)+"#"+r.ID)
	}
	return it, nil
}

func actionItem(a action.Action) (map[string]types.AttributeValue, error) {
	it, err := actionKey(a.ID)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode action %s: %w", a.ID, err)
	}
	it[attrBody], it[attrVersion] = s(string(body)), n(int64(a.Version))
	it["list_pk"], it["list_sk"] = s(listAction+string(a.Status)), s(fmtTime(a.Due)+"#"+a.ID)
	it["owner_pk"], it["owner_sk"] = s(ownerAction+a.Owner), s(string(a.Status)+"#"+fmtTime(a.Due)+"#"+a.ID)
	if !a.NextRemind.IsZero() {
		it["due_pk"], it["due_sk"] = s(dueAction), s(fmtTime(a.NextRemind)+"#"+a.ID)
	}
	return it, nil
}

func decodeBody[T any](it map[string]types.AttributeValue, what string) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(str(it, attrBody)), &v); err != nil {
		return v, fmt.Errorf("%s %s/%s: stored body: %w", what, str(it, Table.PartitionKey), str(it, Table.SortKey), err)
	}
	return v, nil
}

// putNew writes item unless its key exists; false when it did.
func (d *Dynamo) putNew(ctx context.Context, item map[string]types.AttributeValue) (bool, error) {
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item,
		ConditionExpression: aws.String(condNewItem), ExpressionAttributeNames: map[string]string{"#pk": Table.PartitionKey}})
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// putVersion replaces item if the stored one is at version; false when it is not.
func (d *Dynamo) putVersion(ctx context.Context, item map[string]types.AttributeValue, version int) (bool, error) {
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item,
		ConditionExpression:       aws.String(condSameVer),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#ver": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(int64(version))}})
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

func (d *Dynamo) getItem(ctx context.Context, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	res, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if len(res.Item) == 0 {
		return nil, ErrNotFound
	}
	return res.Item, nil
}

// OpenReview stores a new review unless its incident has one (one conditional PutItem;
// a GetItem of the stored one when it exists).
func (d *Dynamo) OpenReview(ctx context.Context, r review.Review) (review.Review, bool, error) {
	r.Version = 1
	it, err := reviewItem(r)
	if err != nil {
		return r, false, err
	}
	ok, err := d.putNew(ctx, it)
	if err != nil {
		return r, false, fmt.Errorf("open review %s: %w", r.ID, err)
	}
	if ok {
		return r, true, nil
	}
	got, err := d.GetReview(ctx, r.ID)
	return got, false, err
}

// GetReview reads a review (one GetItem).
func (d *Dynamo) GetReview(ctx context.Context, id string) (review.Review, error) {
	it, err := d.getItem(ctx, reviewKey(id))
	if err != nil {
		return review.Review{}, fmt.Errorf("review %s: %w", id, err)
	}
	return decodeBody[review.Review](it, "review")
}

// UpdateReview replaces a review at r.Version (one conditional PutItem).
func (d *Dynamo) UpdateReview(ctx context.Context, r review.Review) (bool, error) {
	was := r.Version
	r.Version++
	it, err := reviewItem(r)
	if err != nil {
		return false, err
	}
	ok, err := d.putVersion(ctx, it, was)
	if err != nil {
		return false, fmt.Errorf("update review %s: %w", r.ID, err)
	}
	if !ok {
		if _, err := d.getItem(ctx, reviewKey(r.ID)); err != nil {
			return false, fmt.Errorf("update review %s: %w", r.ID, err)
		}
	}
	return ok, nil
}

// ReviewsDue queries the "due" index's DUE#REVIEW partition up to now.
func (d *Dynamo) ReviewsDue(ctx context.Context, now time.Time, limit int) ([]review.Review, error) {
	return queryBodies[review.Review](ctx, d, ixDue, "due_pk", "due_sk", dueReview, "", upper(now), limit, "reviews due")
}

// ReviewsByDue queries the "list" index's REVIEW#<status> partition between from and to.
func (d *Dynamo) ReviewsByDue(ctx context.Context, status review.Status, from, to time.Time) ([]review.Review, error) {
	return queryBodies[review.Review](ctx, d, ixList, "list_pk", "list_sk", listReview+string(status), fmtTime(from), upper(to), 0, "reviews by due time")
}

// AddAction stores a new action unless its id exists (one conditional PutItem; a
// GetItem of the stored one when it exists).
func (d *Dynamo) AddAction(ctx context.Context, a action.Action) (action.Action, bool, error) {
	a.Version = 1
	it, err := actionItem(a)
	if err != nil {
		return a, false, err
	}
	ok, err := d.putNew(ctx, it)
	if err != nil {
		return a, false, fmt.Errorf("add action %s: %w", a.ID, err)
	}
	if ok {
		return a, true, nil
	}
	got, err := d.GetAction(ctx, a.ID)
	return got, false, err
}

// GetAction reads an action (one GetItem: its key follows from its id).
func (d *Dynamo) GetAction(ctx context.Context, id string) (action.Action, error) {
	key, err := actionKey(id)
	if err != nil {
		return action.Action{}, fmt.Errorf("action %s: %w", id, ErrNotFound)
	}
	it, err := d.getItem(ctx, key)
	if err != nil {
		return action.Action{}, fmt.Errorf("action %s: %w", id, err)
	}
	return decodeBody[action.Action](it, "action")
}

// UpdateAction replaces an action at a.Version (one conditional PutItem).
func (d *Dynamo) UpdateAction(ctx context.Context, a action.Action) (bool, error) {
	was := a.Version
	a.Version++
	it, err := actionItem(a)
	if err != nil {
		return false, err
	}
	ok, err := d.putVersion(ctx, it, was)
	if err != nil {
		return false, fmt.Errorf("update action %s: %w", a.ID, err)
	}
	if !ok {
		key, _ := actionKey(a.ID) // valid: actionItem built it
		if _, err := d.getItem(ctx, key); err != nil {
			return false, fmt.Errorf("update action %s: %w", a.ID, err)
		}
	}
	return ok, nil
}

// ActionsDue queries the "due" index's DUE#ACTION partition up to now.
func (d *Dynamo) ActionsDue(ctx context.Context, now time.Time, limit int) ([]action.Action, error) {
	return queryBodies[action.Action](ctx, d, ixDue, "due_pk", "due_sk", dueAction, "", upper(now), limit, "actions due")
}

// ActionsByDue queries the "list" index's ACTION#<status> partition between from and to.
func (d *Dynamo) ActionsByDue(ctx context.Context, status action.Status, from, to time.Time) ([]action.Action, error) {
	return queryBodies[action.Action](ctx, d, ixList, "list_pk", "list_sk", listAction+string(status), fmtTime(from), upper(to), 0, "actions by due time")
}

// ActionsByOwner queries the "owner" index: the team's partition, the status's range.
func (d *Dynamo) ActionsByOwner(ctx context.Context, owner string, status action.Status) ([]action.Action, error) {
	return queryBodies[action.Action](ctx, d, ixOwner, "owner_pk", "owner_sk", ownerAction+owner, string(status)+"#", string(status)+"#\uffff", 0, "actions of "+owner)
}

// ActionsOf queries the link's partition (ACT#<link>).
func (d *Dynamo) ActionsOf(ctx context.Context, link string) ([]action.Action, error) {
	var out []action.Action
	var bad error
	err := d.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :a)"),
		ExpressionAttributeNames:  map[string]string{"#pk": Table.PartitionKey, "#sk": Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pfxAction + link), ":a": s(pfxActionItem)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) {
		a, err := decodeBody[action.Action](it, "action")
		if err != nil {
			bad = err
			return
		}
		out = append(out, a)
	})
	if err != nil {
		return nil, fmt.Errorf("actions of %s: %w", link, err)
	}
	sortActions(out)
	return out, bad
}

// queryBodies reads the bodies of an index partition's items with sort keys in
// [lo, hi], in key order, at most limit (0: all).
func queryBodies[T any](ctx context.Context, d *Dynamo, index, pkAttr, skAttr, pk, lo, hi string, limit int, what string) ([]T, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(d.table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#p = :p AND #s BETWEEN :lo AND :hi"),
		ExpressionAttributeNames:  map[string]string{"#p": pkAttr, "#s": skAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(pk), ":lo": s(lo), ":hi": s(hi)},
	}
	if lo == "" { // BETWEEN needs a non-empty bound
		in.KeyConditionExpression = aws.String("#p = :p AND #s <= :hi")
		delete(in.ExpressionAttributeValues, ":lo")
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(limit))
	}
	var out []T
	for {
		res, err := d.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", what, err)
		}
		for _, it := range res.Items {
			v, err := decodeBody[T](it, what)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if len(res.LastEvaluatedKey) == 0 || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
