package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

// Recorder is the outbound topic in local mode (replay, `firebreak serve`): it keeps
// the deliveries that would have been published, each with the number of pages the
// local outbox held when it came, so that the outbox folder lists every message in the
// order it would have gone.
type Recorder struct {
	Now   func() time.Time       // nil: deliveries carry no time
	Pages interface{ Len() int } // the local outbox of pages (*notify.Outbox)

	mu  sync.Mutex
	got []Recorded
}

var _ Publisher = (*Recorder)(nil)

// Recorded is one delivery as it would have gone out.
type Recorded struct {
	Delivery
	At    time.Time
	After int // how many pages went before it
}

// Publish keeps the delivery.
func (r *Recorder) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	var d Delivery
	if err := json.Unmarshal([]byte(aws.ToString(in.Message)), &d); err != nil {
		return nil, fmt.Errorf("outbound recorder: %w: %v", ErrMalformed, err)
	}
	rec := Recorded{Delivery: d}
	if r.Now != nil {
		rec.At = r.Now().UTC()
	}
	if r.Pages != nil {
		rec.After = r.Pages.Len()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rec)
	return &sns.PublishOutput{MessageId: aws.String(fmt.Sprintf("local-delivery-%d", len(r.got)))}, nil
}

// Recorded returns the deliveries kept so far, in order.
func (r *Recorder) Recorded() []Recorded {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Recorded(nil), r.got...)
}

// OutboxFiles are the deliveries as outbox files: the chat notification as its topic
// carries it, the webhook body exactly as POSTed (internal/notify.WriteOutboxWith).
func OutboxFiles(rs []Recorded) []notify.OutboxExtra {
	out := make([]notify.OutboxExtra, 0, len(rs))
	for _, r := range rs {
		out = append(out, notify.OutboxExtra{After: r.After, At: r.At, Protocol: r.Protocol, To: r.Protocol + " " + r.Target,
			Incident: r.Incident, Kind: r.Kind, Body: r.Body})
	}
	return out
}
