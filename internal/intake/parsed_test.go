package intake_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestProcessParsed checks that messages parsed and prepared ahead, on another
// goroutine, or only parsed, or neither, come out of ProcessParsed as Process makes them.
func TestProcessParsed(t *testing.T) {
	batch := func() []intake.Message {
		return []intake.Message{
			msg("m1", eventtest.Alarm(t, "e1", "prod-web-cpu", "ALARM", t0)),
			msg("m2", eventtest.GuardDuty(t, "e2", "f-1", 8.0, t0.Add(time.Second))),
			msg("m3", []byte(`{"id":"e3","source":"aws.cloudwatch"`)),
			msg("m4", eventtest.Alarm(t, "e4", "prod-web-cpu", "OK", t0.Add(2*time.Second))),
			msg("m5", []byte(`{"id":"e5","source":"aws.ec2","detail-type":"x","account":"123456789012"}`)),
		}
	}
	ctx := context.Background()
	want, err := intake.New(store.NewMemory(now), classifier(t), now, nil).Process(ctx, batch())
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Outcomes) != 5 {
		t.Fatalf("Process = %d outcomes; want 5 (one per message)", len(want.Outcomes))
	}
	tests := []struct {
		name string
		prep func(p *intake.Processor, m intake.Message) intake.Parsed
	}{
		{"prepared", func(p *intake.Processor, m intake.Message) intake.Parsed { return p.Prepare(intake.Parse(m)) }},
		{"parsed", func(_ *intake.Processor, m intake.Message) intake.Parsed { return intake.Parse(m) }},
		{"neither", func(_ *intake.Processor, m intake.Message) intake.Parsed { return intake.Parsed{Message: m} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := intake.New(store.NewMemory(now), classifier(t), now, nil)
			msgs := batch()
			ps := make([]intake.Parsed, len(msgs))
			done := make(chan struct{})
			go func() { // ahead of intake, as replay prepares them
				defer close(done)
				for i, m := range msgs {
					ps[i] = tt.prep(p, m)
				}
			}()
			<-done
			got, err := p.ProcessParsed(ctx, ps)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ProcessParsed(%s) = %+v; want %+v", tt.name, got, want)
			}
		})
	}
}
