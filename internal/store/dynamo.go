package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB is the part of the DynamoDB API the store uses, with the SDK's signatures.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var (
	_ DynamoDB = (*dynamodb.Client)(nil)
	_ Store    = (*Dynamo)(nil)
)

// Dynamo is the DynamoDB store.
type Dynamo struct {
	db    DynamoDB
	table string
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	heads headCache // ledger heads as last seen (dynamo_ledger.go)
	seqs  seqHints  // latest incident sequence per fingerprint, as last seen (Current)
	// known are incidents this process saw exist, done the actions it saw done, entries
	// the timeline entries it wrote or found written (dynamo_known.go): facts that stay
	// true, so a retry does not send their requests again.
	known, done, entries knownSet
	// written: per incident, the entries kept on META this process knows written, for
	// its next change to remove (dynamo_pending.go).
	written pendingWritten
	// sources: the classes whose incidents may inhibit others (IndexSources); nil: none
	// indexed, and List with Sources reads every active incident of its statuses.
	sources func(class string) bool
}

// NewDynamo returns a store on the named table (created from Table).
func NewDynamo(db DynamoDB, table string, now func() time.Time) *Dynamo {
	return &Dynamo{db: db, table: table, now: now, sleep: sleepCtx}
}

// IndexSources makes the store index the incidents of the classes isSource reports
// (config.InhibitSource: those an inhibit rule's source may select) by class, in the
// sparse owner index (owner_pk INCIDENT#<status>, owner_sk <class>#<id>: only they carry
// owner_sk), and answer List with Sources from it: the inhibit check of an opening reads
// the few incidents that can inhibit it, not every active one. Every writer of the table
// must be given the same function (lambdaenv.Env.Store does): an incident opened by a
// store without it is not found as a source. Incidents opened before a rule named
// their class are not indexed either (docs/table.md).
func (d *Dynamo) IndexSources(isSource func(class string) bool) *Dynamo {
	d.sources = isSource
	return d
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Key prefixes and sort keys of the item layout (see schema.go).
const (
	pfxIncident   = "INC#"
	pfxFinger     = "FP#"
	pfxQuarantine = "Q#"
	pfxLedger     = "L#"
	pfxTimeline   = "T#"
	// pfxTimelineEnd bounds the timeline's sort keys from above ('$' follows '#'), for
	// the query that reads META ("META" < "T#", nothing between) with the timeline.
	pfxTimelineEnd = "T$"
	pfxClaim       = "D#"
	pfxApproval    = "A#"
	skMeta         = "META"
	skHead         = "HEAD"
	skQuarantine   = "Q"
	listIncident   = "INCIDENT#"
	duePK          = "DUE"
	pkSilence      = "SILENCE"
	pfxToken       = "TOKEN#"
	listQuarant    = "QUARANTINE"
	// maxIDsPerUpdate keeps a ledger update's condition under DynamoDB's 4 KB expression limit.
	maxIDsPerUpdate = 100
	batchGetMax     = 100
)

func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// batchGet reads the keys with strongly consistent reads, retrying unprocessed keys.
func (d *Dynamo) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	for start := 0; start < len(keys); start += batchGetMax {
		pending := keys[start:min(start+batchGetMax, len(keys))]
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > 0 {
				if attempt > 8 {
					return nil, fmt.Errorf("batch get: %d keys still unprocessed after %d attempts", len(pending), attempt)
				}
				if err := d.sleep(ctx, backoff(attempt)); err != nil {
					return nil, err
				}
			}
			res, err := d.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
				RequestItems: map[string]types.KeysAndAttributes{d.table: {Keys: pending, ConsistentRead: aws.Bool(true)}},
			})
			if err != nil {
				return nil, err
			}
			out = append(out, res.Responses[d.table]...)
			pending = res.UnprocessedKeys[d.table].Keys
		}
	}
	return out, nil
}

func backoff(attempt int) time.Duration {
	return min(time.Duration(1<<min(attempt, 6))*25*time.Millisecond, 2*time.Second)
}

func (d *Dynamo) query(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue)) error {
	in.TableName = aws.String(d.table)
	for {
		res, err := d.db.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, it := range res.Items {
			each(it)
		}
		if len(res.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
