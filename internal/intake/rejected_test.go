package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// failingLedger is a memory store whose Record fails with err for one incident's or
// fingerprint's events (its alarm name appears in the fingerprint).
type failingLedger struct {
	*store.Memory
	alarm string
	err   error
}

func (f *failingLedger) Record(ctx context.Context, l store.Ledger, refs []store.EventRef) ([]store.EventRef, error) {
	fp := l.Fingerprint
	if l.Incident != "" {
		inc, err := f.Memory.Get(ctx, l.Incident)
		if err != nil {
			return nil, err
		}
		fp = inc.Fingerprint
	}
	if strings.Contains(fp, f.alarm) {
		return nil, fmt.Errorf("record %d events on %s: %w", len(refs), fp, f.err)
	}
	return f.Memory.Record(ctx, l, refs)
}

// realDynamoError returns the error dynalite answers to a write the test provokes.
func realDynamoError(t *testing.T, item map[string]types.AttributeValue) error {
	t.Helper()
	db, table := dynamotest.ForTest(t)
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
	if err == nil {
		t.Fatal("PutItem() = nil; want the error the test provokes")
	}
	return err
}

// TestDeterministicStoreFailureIsRejectedNotRetried: a store failure that would fail the
// same way on every delivery ("item too large", any request DynamoDB calls invalid) is
// quarantined whole, counted and not retried, and the rest of the batch proceeds; a
// failure that may pass (throttling, the service failing) retries the messages.
func TestDeterministicStoreFailureIsRejectedNotRetried(t *testing.T) {
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}, "sk": &types.AttributeValueMemberS{Value: "y"}}
	tooLarge := map[string]types.AttributeValue{"blob": &types.AttributeValueMemberB{Value: bytes.Repeat([]byte{'a'}, 410*1024)}}
	for k, v := range key {
		tooLarge[k] = v
	}
	for _, tc := range []struct {
		name      string
		err       error
		wantRetry bool
	}{
		{"item too large (dynalite)", realDynamoError(t, tooLarge), false},
		{"missing key attribute (dynalite)", realDynamoError(t, map[string]types.AttributeValue{"pk": key["pk"]}), false},
		{"throttled", &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}, true},
		{"internal server error", &types.InternalServerError{Message: aws.String("oops")}, true},
		{"not an API error", errors.New("ledger head still contended after 8 attempts"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &failingLedger{Memory: store.NewMemory(now), alarm: "prod-bad", err: tc.err}
			var emf bytes.Buffer
			h := &intake.Handler{Processor: intake.New(st, classifier(t), now, nil), Now: now, Metrics: metrics.New(&emf), Log: slog.New(slog.DiscardHandler)}
			in := events.SQSEvent{Records: []events.SQSMessage{
				{MessageId: "good", Body: string(eventtest.Alarm(t, "e1", "prod-good", "ALARM", t0))},
				{MessageId: "bad", Body: string(eventtest.Alarm(t, "e2", "prod-bad", "ALARM", t0))},
			}}
			resp, err := h.Handle(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			var retried []string
			for _, f := range resp.BatchItemFailures {
				retried = append(retried, f.ItemIdentifier)
			}
			want := "[]"
			if tc.wantRetry {
				want = "[bad]"
			}
			if fmt.Sprint(retried) != want {
				t.Errorf("Handle() retries %v; want %s", retried, want)
			}
			incs, err := st.List(context.Background(), store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(incs) == 0 || !strings.Contains(incs[len(incs)-1].Fingerprint+incs[0].Fingerprint, "prod-good") {
				t.Errorf("List() = %v; want the good alarm's incident recorded whatever happened to the other", incs)
			}
			q, err := st.QuarantinedSince(context.Background(), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var totals map[string]any
			if err := json.Unmarshal([]byte(strings.SplitN(emf.String(), "\n", 2)[0]), &totals); err != nil {
				t.Fatal(err)
			}
			if tc.wantRetry {
				if len(q) != 0 || totals["Rejected"] != 0.0 {
					t.Errorf("quarantine %d, Rejected metric %v; want neither for a failure that may pass", len(q), totals["Rejected"])
				}
				return
			}
			if len(q) != 1 || q[0].MessageID != "bad" || !strings.Contains(q[0].Reason, "store rejected") || !bytes.Equal(q[0].Payload, []byte(in.Records[1].Body)) {
				t.Errorf("quarantine = %+v; want message bad kept whole with the store's reason", q)
			}
			if totals["Rejected"] != 1.0 {
				t.Errorf("EMF Rejected = %v; want 1", totals["Rejected"])
			}
		})
	}
}
