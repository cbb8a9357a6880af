package dynamotest

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// FailFirstReads wraps a client and, once armed, fails each read (GetItem, Query,
// BatchGetItem) the first time it sees that very request (a batch read: those keys, in
// any order), before it reaches the table,
// with ErrInjected; writes pass. A caller that begins again from its first read after
// each failure gets one read further per try; one that makes the failed read again
// where it is gets through on the second try of each.
type FailFirstReads struct {
	store.DynamoDB
	// Every > 1 fails only the first of every Every new requests (the others pass the
	// first time too): a call of several requests then gets further each try.
	Every int

	mu     sync.Mutex
	seen   map[string]bool
	news   int
	failed int
}

// Arm starts failing reads (those before pass).
func (f *FailFirstReads) Arm() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = map[string]bool{}
}

// Failed is the number of reads it failed.
func (f *FailFirstReads) Failed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *FailFirstReads) fail(op string, in any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := op + string(b)
	if f.seen == nil || f.seen[key] {
		return nil
	}
	f.seen[key] = true
	if f.news++; f.Every > 1 && (f.news-1)%f.Every != 0 {
		return nil
	}
	f.failed++
	return ErrInjected
}

// GetItem fails the first of each request once armed, or forwards it.
func (f *FailFirstReads) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := f.fail("GetItem", in); err != nil {
		return nil, err
	}
	return f.DynamoDB.GetItem(ctx, in, opts...)
}

// Query fails the first of each request once armed, or forwards it.
func (f *FailFirstReads) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := f.fail("Query", in); err != nil {
		return nil, err
	}
	return f.DynamoDB.Query(ctx, in, opts...)
}

// BatchGetItem fails the first of each request once armed, or forwards it.
func (f *FailFirstReads) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	var keys []string // one request whatever the order of its keys
	for table, ka := range in.RequestItems {
		for _, k := range ka.Keys {
			b, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			keys = append(keys, table+string(b))
		}
	}
	slices.Sort(keys)
	if err := f.fail("BatchGetItem", keys); err != nil {
		return nil, err
	}
	return f.DynamoDB.BatchGetItem(ctx, in, opts...)
}
