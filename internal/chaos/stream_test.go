package chaos_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/chaos"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestStreamRecordsWriteWhoseClientGaveUp: a write that reaches the table after its
// client timed out still changes the item, so the stream records it, as DynamoDB's does.
// (The recorder used to forward with the client's context: a timeout cancelled the
// forward after the write had landed, and the run's dispatch never saw that change.)
func TestStreamRecordsWriteWhoseClientGaveUp(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	direct := srv.Client()
	table := dynamotest.NewTable(t, direct)
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	fwd := httputil.NewSingleHostReverseProxy(target)
	// The table answers only after the client's timeout: the write lands, the answer is lost.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		fwd.ServeHTTP(w, r)
	}))
	defer slow.Close()
	stream, err := chaos.StartStream(slow.URL, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(stream.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), Retryer: aws.NopRetryer{},
		HTTPClient: awshttp.NewBuildableClient().WithTimeout(100 * time.Millisecond)})
	key := map[string]types.AttributeValue{
		store.Table.PartitionKey: &types.AttributeValueMemberS{Value: store.IncidentKeyPrefix + "FB-TEST-1"},
		store.Table.SortKey:      &types.AttributeValueMemberS{Value: store.IncidentSortKey},
	}
	item := map[string]types.AttributeValue{"status": &types.AttributeValueMemberS{Value: "open"}}
	for k, v := range key {
		item[k] = v
	}
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err == nil {
		t.Fatal("PutItem answered before the client's timeout; want a timeout (the test's slow table)")
	}
	var recs int
	for range 100 { // the recorder finishes the write after the client has gone
		if r, _ := stream.Since(0); len(r) > 0 {
			recs = len(r)
			if r[0].EventName != "INSERT" {
				t.Errorf("record %s; want INSERT", r[0].EventName)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if recs != 1 {
		t.Fatalf("stream records after a write whose client timed out: %d; want 1", recs)
	}
	out, err := direct.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item == nil {
		t.Fatal("the item is not in the table; want the write landed")
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
}
