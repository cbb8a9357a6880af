package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/firebreak-ops/firebreak/internal/chaos"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// client is a DynamoDB client through the proxy, without SDK retries unless attempts > 1.
// Backoff between retries is short, so that tests do not wait out AWS's.
func client(p *chaos.Proxy, attempts int, timeout time.Duration) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(p.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.MaxBackoff = 20 * time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
		HTTPClient: awshttp.NewBuildableClient().WithTimeout(timeout),
	})
}

func put(ctx context.Context, db *dynamodb.Client, table, pk string) error {
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: "META"}}})
	return err
}

func exists(t *testing.T, db *dynamodb.Client, table, pk string) bool {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: "META"}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item != nil
}

// TestEachFault: every kind of fault, at rate 1, as the real SDK client sees it, and
// whether the write landed anyway.
func TestEachFault(t *testing.T) {
	direct, table := dynamotest.ForTest(t)
	srv := dynamotest.SharedForTest(t)
	apiCode := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}
	status := func(err error) int {
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}
	cases := []struct {
		kind   chaos.Kind
		check  func(err error) bool
		want   string
		landed bool
	}{
		{chaos.Throttling, func(err error) bool { return apiCode(err) == "ThrottlingException" }, "ThrottlingException", false},
		{chaos.ProvisionedThroughput, func(err error) bool {
			var pe *types.ProvisionedThroughputExceededException
			return errors.As(err, &pe)
		}, "ProvisionedThroughputExceededException", false},
		{chaos.InternalError, func(err error) bool { return status(err) == http.StatusInternalServerError }, "HTTP 500", false},
		{chaos.Unavailable, func(err error) bool { return status(err) == http.StatusServiceUnavailable }, "HTTP 503", false},
		{chaos.Dropped, func(err error) bool { return err != nil && status(err) == 0 }, "a transport error", false},
		{chaos.Slow, func(err error) bool { return err != nil && status(err) == 0 }, "a client timeout", true},
		{chaos.AfterWrite, func(err error) bool { return status(err) == http.StatusInternalServerError }, "HTTP 500", true},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			p, err := chaos.Start(srv.Endpoint, chaos.Options{Rate: 1, Seed: 1, Kinds: []chaos.Kind{tc.kind}, Slow: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			pk := "CHAOS#" + string(tc.kind)
			err = put(context.Background(), client(p, 1, 100*time.Millisecond), table, pk)
			p.Close() // waits for a late request to land
			if !tc.check(err) {
				t.Errorf("PutItem through %s = %v; want %s", tc.kind, err, tc.want)
			}
			if got := exists(t, direct, table, pk); got != tc.landed {
				t.Errorf("item written through %s exists = %v; want %v", tc.kind, got, tc.landed)
			}
			if got := p.Faults()[tc.kind]; got != 1 {
				t.Errorf("Faults()[%s] = %d; want 1", tc.kind, got)
			}
		})
	}
}

// TestSeededFaults: the same seed and rate inject the same faults into the same
// sequence of requests; SDK retries carry every write through throttling.
func TestSeededFaults(t *testing.T) {
	direct, table := dynamotest.ForTest(t)
	srv := dynamotest.SharedForTest(t)
	run := func(attempts int) (map[chaos.Kind]int, int) {
		p, err := chaos.Start(srv.Endpoint, chaos.Options{Rate: 0.3, Seed: 42, Kinds: []chaos.Kind{chaos.Throttling, chaos.ProvisionedThroughput}})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		db := client(p, attempts, 5*time.Second)
		failed := 0
		for i := range 60 {
			if err := put(context.Background(), db, table, fmt.Sprintf("SEED#%d#%d", attempts, i)); err != nil {
				failed++
			}
		}
		return p.Faults(), failed
	}
	a, failedA := run(1)
	b, failedB := run(1)
	if fmt.Sprint(a) != fmt.Sprint(b) || failedA != failedB {
		t.Errorf("two runs of seed 42: faults %v then %v, failures %d then %d; want the same", a, b, failedA, failedB)
	}
	if n := a[chaos.Throttling] + a[chaos.ProvisionedThroughput]; n == 0 || failedA != n {
		t.Errorf("without retries: %d faults, %d failed writes; want some faults, each failing its write", n, failedA)
	}
	faults, failed := run(10)
	if failed != 0 || faults[chaos.Throttling]+faults[chaos.ProvisionedThroughput] == 0 {
		t.Errorf("with SDK retries: faults %v, %d writes failed; want faults and every write through", faults, failed)
	}
	for i := range 60 {
		if !exists(t, direct, table, fmt.Sprintf("SEED#10#%d", i)) {
			t.Fatalf("write %d with retries is missing", i)
		}
	}
}
