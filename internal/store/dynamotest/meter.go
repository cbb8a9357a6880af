package dynamotest

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// Meter is a store.DynamoDB that asks for ReturnConsumedCapacity TOTAL on every request
// and adds up what the server answers: read and write capacity units of the table.
//
// dynalite answers table units by DynamoDB's rules (1 write unit per KB written, the
// larger of the item before and after; 1 read unit per 4 KB read strongly consistently;
// BatchGetItem and Query summed) but leaves out global secondary index writes. Meter
// adds those itself from the item before and after each write, read through an
// unmetered client: an index entry written costs 1 unit per KB of the item (every index
// projects all attributes), a changed index key costs the old entry's delete too. Only
// the item families that carry index keys are read back (incident items and quarantined
// payloads, docs/table.md); a write to any other item whose image is known is checked
// to carry none. It also tracks the largest item written whose image it knows.
type Meter struct {
	db, images *dynamodb.Client
	table      string

	mu                 sync.Mutex
	read, write, index float64
	requests           map[string]int
	unindexedWithKeys  int
	largestItem        int
	largestItemKey     string
}

var _ store.DynamoDB = (*Meter)(nil)

// NewMeter meters requests to table through db; it reads item images through images
// (a client whose requests nobody counts).
func NewMeter(db, images *dynamodb.Client, table string) *Meter {
	return &Meter{db: db, images: images, table: table, requests: map[string]int{}}
}

// Usage is what a Meter counted.
type Usage struct {
	ReadUnits, WriteUnits, IndexWriteUnits float64
	Requests                               map[string]int
	// LargestItem is the largest item written (bytes by DynamoDB's rules) and its key.
	LargestItem    int
	LargestItemKey string
	// IndexKeysOffFamily counts writes of items outside the indexed families that
	// carried index keys anyway (always 0 unless the table layout changed).
	IndexKeysOffFamily int
}

// TotalRequests is the number of requests sent.
func (u Usage) TotalRequests() int {
	n := 0
	for _, v := range u.Requests {
		n += v
	}
	return n
}

// Usage returns the totals so far.
func (m *Meter) Usage() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	req := make(map[string]int, len(m.requests))
	for k, v := range m.requests {
		req[k] = v
	}
	return Usage{ReadUnits: m.read, WriteUnits: m.write, IndexWriteUnits: m.index, Requests: req,
		LargestItem: m.largestItem, LargestItemKey: m.largestItemKey, IndexKeysOffFamily: m.unindexedWithKeys}
}

// Reset zeroes the totals.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read, m.write, m.index, m.requests = 0, 0, 0, map[string]int{}
	m.largestItem, m.largestItemKey, m.unindexedWithKeys = 0, "", 0
}

func (m *Meter) add(op string, read bool, cc ...*types.ConsumedCapacity) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[op]++
	for _, c := range cc {
		if c == nil || c.CapacityUnits == nil {
			continue
		}
		if read {
			m.read += *c.CapacityUnits
		} else {
			m.write += *c.CapacityUnits
		}
	}
}

func (m *Meter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.db.GetItem(ctx, in, optFns...)
	if err == nil {
		m.add("GetItem", true, out.ConsumedCapacity)
	} else {
		m.add("GetItem", true)
	}
	return out, err
}

func (m *Meter) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.db.Query(ctx, in, optFns...)
	if err == nil {
		m.add("Query", true, out.ConsumedCapacity)
	} else {
		m.add("Query", true)
	}
	return out, err
}

func (m *Meter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.db.BatchGetItem(ctx, in, optFns...)
	if err == nil {
		cc := make([]*types.ConsumedCapacity, len(out.ConsumedCapacity))
		for i := range out.ConsumedCapacity {
			cc[i] = &out.ConsumedCapacity[i]
		}
		m.add("BatchGetItem", true, cc...)
	} else {
		m.add("BatchGetItem", true)
	}
	return out, err
}

func (m *Meter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	key := map[string]types.AttributeValue{store.Table.PartitionKey: in.Item[store.Table.PartitionKey], store.Table.SortKey: in.Item[store.Table.SortKey]}
	before := m.before(ctx, key)
	out, err := m.db.PutItem(ctx, in, optFns...)
	m.after(ctx, key, before, err, in.Item)
	if err == nil {
		m.add("PutItem", false, out.ConsumedCapacity)
	} else {
		m.add("PutItem", false)
	}
	return out, err
}

func (m *Meter) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	before := m.before(ctx, in.Key)
	out, err := m.db.UpdateItem(ctx, in, optFns...)
	var known map[string]types.AttributeValue
	if err == nil && in.ReturnValues == types.ReturnValueAllNew {
		known = out.Attributes
	}
	m.after(ctx, in.Key, before, err, known)
	if err == nil {
		m.add("UpdateItem", false, out.ConsumedCapacity)
	} else {
		m.add("UpdateItem", false)
	}
	return out, err
}

func (m *Meter) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	before := m.before(ctx, in.Key)
	out, err := m.db.DeleteItem(ctx, in, optFns...)
	m.after(ctx, in.Key, before, err, map[string]types.AttributeValue{})
	if err == nil {
		m.add("DeleteItem", false, out.ConsumedCapacity)
	} else {
		m.add("DeleteItem", false)
	}
	return out, err
}

// indexedFamily says whether items with this key may carry index keys.
func indexedFamily(key map[string]types.AttributeValue) bool {
	pk, _ := key[store.Table.PartitionKey].(*types.AttributeValueMemberS)
	sk, _ := key[store.Table.SortKey].(*types.AttributeValueMemberS)
	return (sk != nil && sk.Value == "META") || (pk != nil && strings.HasPrefix(pk.Value, "Q#"))
}

type image struct {
	item    map[string]types.AttributeValue
	checked bool
}

func (m *Meter) read1(ctx context.Context, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	res, err := m.images.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(m.table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil
	}
	return res.Item
}

func (m *Meter) before(ctx context.Context, key map[string]types.AttributeValue) image {
	if !indexedFamily(key) {
		return image{}
	}
	return image{item: m.read1(ctx, key), checked: true}
}

// after accounts for a write: known is the item after it when the request or response
// says (a Put's item, an update's ALL_NEW, {} after a delete); otherwise items of the
// indexed families are read back, and others (small bookkeeping items) are not sized.
func (m *Meter) after(ctx context.Context, key map[string]types.AttributeValue, before image, err error, known map[string]types.AttributeValue) {
	if err != nil {
		return
	}
	after := known
	if after == nil && before.checked {
		after = m.read1(ctx, key)
	}
	size := ItemSize(after)
	m.mu.Lock()
	defer m.mu.Unlock()
	if size > m.largestItem {
		m.largestItem = size
		m.largestItemKey = keyString(key)
	}
	if !before.checked {
		if hasIndexKeys(after) {
			m.unindexedWithKeys++
		}
		return
	}
	m.index += indexWriteUnits(before.item, after)
}

func keyString(key map[string]types.AttributeValue) string {
	pk, _ := key[store.Table.PartitionKey].(*types.AttributeValueMemberS)
	sk, _ := key[store.Table.SortKey].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return "?"
	}
	return pk.Value + " / " + sk.Value
}

func hasIndexKeys(it map[string]types.AttributeValue) bool {
	for _, ix := range store.Table.Indexes {
		if it[ix.PartitionKey] != nil && it[ix.SortKey] != nil {
			return true
		}
	}
	return false
}

func kb(size int) float64 { return float64((size + 1023) / 1024) }

// indexWriteUnits is what DynamoDB charges the indexes for one write that turned before
// into after (nil: no item).
func indexWriteUnits(before, after map[string]types.AttributeValue) float64 {
	var units float64
	for _, ix := range store.Table.Indexes {
		bk, ak := indexKey(before, ix), indexKey(after, ix)
		switch {
		case bk == "" && ak == "":
		case bk == "":
			units += kb(ItemSize(after))
		case ak == "":
			units += kb(ItemSize(before))
		case bk != ak:
			units += kb(ItemSize(before)) + kb(ItemSize(after))
		case !sameItem(before, after):
			units += kb(ItemSize(after))
		}
	}
	return units
}

func indexKey(it map[string]types.AttributeValue, ix store.Index) string {
	p, _ := it[ix.PartitionKey].(*types.AttributeValueMemberS)
	s, _ := it[ix.SortKey].(*types.AttributeValueMemberS)
	if p == nil || s == nil {
		return ""
	}
	return p.Value + "\x00" + s.Value
}

func sameItem(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !sameValue(v, b[k]) {
			return false
		}
	}
	return true
}

func sameValue(a, b types.AttributeValue) bool {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		y, ok := b.(*types.AttributeValueMemberS)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberN:
		y, ok := b.(*types.AttributeValueMemberN)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberM:
		y, ok := b.(*types.AttributeValueMemberM)
		return ok && sameItem(x.Value, y.Value)
	}
	return false // other types do not occur in indexed items; count them as changed
}

// ItemSize is an item's size by DynamoDB's rules: the UTF-8 length of every attribute
// name plus its value (strings by UTF-8 length, binary by length, numbers about one byte
// per two significant digits plus one, sets as the sum of their members, maps and lists
// 3 bytes plus 1 per element plus their contents).
func ItemSize(it map[string]types.AttributeValue) int {
	size := 0
	for name, v := range it {
		size += len(name) + valueSize(v)
	}
	return size
}

func numberSize(v string) int {
	digits := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(v), "0")
	digits = strings.TrimRight(digits, "0")
	return (len(digits)+1)/2 + 1
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return numberSize(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range x.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	}
	return 0
}
