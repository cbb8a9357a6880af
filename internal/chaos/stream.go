package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// Stream sits between the clients and dynalite (which has no streams) and keeps what a
// DynamoDB stream would: for every write that changed an incident item, its image
// before and after, in the order the writes happened. Incident writes pass one at a
// time, each read before and after; every other request passes straight through.
type Stream struct {
	URL string

	direct  *dynamodb.Client // to dynalite, for the images
	forward *httputil.ReverseProxy
	srv     *http.Server

	writes  sync.Mutex // one incident write at a time: its images are its own
	mu      sync.Mutex
	records []events.DynamoDBEventRecord
	err     error // the first write whose image after could not be read
}

// Err reports a write the stream could not record (its record would be missing).
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// StartStream listens on 127.0.0.1 in front of the dynalite at endpoint; direct is a
// client of that dynalite.
func StartStream(endpoint string, direct *dynamodb.Client) (*Stream, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("chaos stream: endpoint %q: want http://host:port", endpoint)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("chaos stream: %w", err)
	}
	s := &Stream{URL: "http://" + lis.Addr().String(), direct: direct,
		forward: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u); r.Out.Host = u.Host }}}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(lis) }()
	return s, nil
}

// Close stops the stream's listener.
func (s *Stream) Close() { _ = s.srv.Close() }

// Since returns the records from position i on, and the position after them.
func (s *Stream) Since(i int) ([]events.DynamoDBEventRecord, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.records) {
		return nil, len(s.records)
	}
	return append([]events.DynamoDBEventRecord(nil), s.records[i:]...), len(s.records)
}

// writeRequest is the part of a PutItem, UpdateItem or DeleteItem body that names the item.
type writeRequest struct {
	TableName string
	Key       map[string]map[string]any
	Item      map[string]map[string]any
}

func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	table, key, ok := incidentWrite(r, body)
	if !ok {
		s.forward.ServeHTTP(w, r)
		return
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	// A write that reached the table is finished and recorded even when its client has
	// given up on the answer (a timeout): DynamoDB completes it, and its stream never
	// misses it. Whether it changed the item, the images tell, whatever the answer was.
	// (A context that has a Done channel: with none, the reverse proxy would cancel the
	// forward when the client goes, through http.CloseNotifier.)
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	before, err := s.image(ctx, table, key)
	if err != nil {
		http.Error(w, "chaos stream: image before: "+err.Error(), http.StatusInternalServerError)
		return
	}
	s.forward.ServeHTTP(w, r.WithContext(ctx))
	after, err := s.image(ctx, table, key)
	if err != nil { // the write happened and a stream never loses it: the run is void
		s.mu.Lock()
		if s.err == nil {
			s.err = fmt.Errorf("chaos stream: image after a write: %w", err)
		}
		s.mu.Unlock()
		return
	}
	s.record(key, before, after)
}

// incidentWrite reports the table and key of a write to an incident item.
func incidentWrite(r *http.Request, body []byte) (string, map[string]types.AttributeValue, bool) {
	op := operation(r, body)
	if op != "PutItem" && op != "UpdateItem" && op != "DeleteItem" {
		return "", nil, false
	}
	var req writeRequest
	if json.Unmarshal(body, &req) != nil {
		return "", nil, false
	}
	k := req.Key
	if k == nil {
		k = req.Item
	}
	pk, _ := k[store.Table.PartitionKey]["S"].(string)
	sk, _ := k[store.Table.SortKey]["S"].(string)
	if !strings.HasPrefix(pk, store.IncidentKeyPrefix) || sk != store.IncidentSortKey {
		return "", nil, false
	}
	return req.TableName, map[string]types.AttributeValue{
		store.Table.PartitionKey: &types.AttributeValueMemberS{Value: pk},
		store.Table.SortKey:      &types.AttributeValueMemberS{Value: sk},
	}, true
}

func (s *Stream) image(ctx context.Context, table string, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	var err error
	for range 5 { // the direct client has no faults; dynalite can still be busy
		var out *dynamodb.GetItemOutput
		out, err = s.direct.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err == nil {
			return out.Item, nil
		}
	}
	return nil, err
}

// record appends the stream record of one write, if it changed the item.
func (s *Stream) record(key, before, after map[string]types.AttributeValue) {
	old, nu := streamImage(before), streamImage(after)
	name := "MODIFY"
	switch {
	case len(before) == 0 && len(after) == 0:
		return
	case len(before) == 0:
		name = "INSERT"
	case len(after) == 0:
		name = "REMOVE"
	}
	ob, _ := json.Marshal(old)
	nb, _ := json.Marshal(nu)
	if bytes.Equal(ob, nb) {
		return // a conditional write that changed nothing leaves no record
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := fmt.Sprintf("%021d", len(s.records)+1)
	s.records = append(s.records, events.DynamoDBEventRecord{EventName: name,
		Change: events.DynamoDBStreamRecord{SequenceNumber: seq, Keys: streamImage(key), OldImage: old, NewImage: nu, StreamViewType: "NEW_AND_OLD_IMAGES"}})
}

// streamImage converts an item as the SDK reads it to an image as a stream carries it.
func streamImage(item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if len(item) == 0 {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		out[k] = streamValue(v)
	}
	return out
}

func streamValue(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(streamImage(v.Value))
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = streamValue(x)
		}
		return events.NewListAttribute(l)
	}
	return events.NewNullAttribute()
}
