package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// appEvent is a custom application event, as an application puts it on EventBridge.
func appEvent(id, source, detailType string, at time.Time) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":%q,"detail-type":%q,"source":%q,"account":"123456789012","time":%q,"region":"eu-west-1","resources":[],"detail":{"job":"backup"}}`,
		id, detailType, source, at.UTC().Format(time.RFC3339))
}

func TestHeartbeatBeats(t *testing.T) {
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg, err := firebreak.Config()
			if err != nil {
				t.Fatal(err)
			}
			hb := &config.Heartbeat{Name: "nightly-backup", Interval: config.Duration{Duration: time.Hour},
				Grace: &config.Duration{Duration: 10 * time.Minute}, Severity: "sev2", Team: cfg.Defaults.Team,
				Pattern: json.RawMessage(`{"source":["app.backup"],"detail-type":["Backup Succeeded"]}`)}
			cfg.Heartbeats = []*config.Heartbeat{hb}
			c, err := classify.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			st := newStore(t)
			p := intake.New(st, c, now, nil)
			if p.Beats, err = intake.NewBeats(st.(intake.BeatStore), cfg); err != nil || p.Beats == nil {
				t.Fatalf("NewBeats() = %v, %v; want beats", p.Beats, err)
			}
			process := func(msgs ...intake.Message) {
				t.Helper()
				rep, err := p.Process(ctx, msgs)
				if err != nil || len(rep.Retry) > 0 {
					t.Fatalf("Process() = retry %v, %v; want everything processed", rep.Retry, err)
				}
			}
			state := func() (time.Time, string, time.Time, int) {
				t.Helper()
				s, err := st.(intake.BeatStore).Heartbeat(ctx, hb.Name)
				if err != nil {
					t.Fatal(err)
				}
				return s.LastBeat, s.LastEvent, s.Due, s.Version
			}
			// One batch: two beats out of order, a failed job (not a beat), another source.
			process(msg("m1", appEvent("b2", "app.backup", "Backup Succeeded", t0.Add(2*time.Minute))),
				msg("m2", appEvent("b1", "app.backup", "Backup Succeeded", t0)),
				msg("m3", appEvent("f1", "app.backup", "Backup Failed", t0.Add(3*time.Minute))),
				msg("m4", appEvent("o1", "app.other", "Backup Succeeded", t0.Add(4*time.Minute))))
			at, id, due, v := state()
			if !at.Equal(t0.Add(2*time.Minute)) || id != "b2" || !due.Equal(t0.Add(72*time.Minute)) || v != 1 {
				t.Errorf("after a batch: last beat %v by %s, due %v, v%d; want %v by b2, due %v, v1 (one write a batch)",
					at, id, due, v, t0.Add(2*time.Minute), t0.Add(72*time.Minute))
			}
			// A redelivery and a late, earlier beat change nothing.
			process(msg("m1", appEvent("b2", "app.backup", "Backup Succeeded", t0.Add(2*time.Minute))))
			process(msg("m5", appEvent("b0", "app.backup", "Backup Succeeded", t0.Add(-time.Hour))))
			if at2, id2, _, v2 := state(); !at2.Equal(at) || id2 != id || v2 != v {
				t.Errorf("after a redelivery and a late beat: %v by %s v%d; want unchanged %v by %s v%d", at2, id2, v2, at, id, v)
			}
			process(msg("m6", appEvent("b3", "app.backup", "Backup Succeeded", t0.Add(time.Hour))))
			if at3, id3, due3, _ := state(); !at3.Equal(t0.Add(time.Hour)) || id3 != "b3" || !due3.Equal(t0.Add(130*time.Minute)) {
				t.Errorf("after the next beat: %v by %s due %v; want %v by b3 due %v", at3, id3, due3, t0.Add(time.Hour), t0.Add(130*time.Minute))
			}
		})
	}
}

// withHeartbeat is a processor on st whose configuration has one heartbeat every storm
// event beats (any CloudWatch alarm).
func withHeartbeat(t testing.TB, st intake.Store) *intake.Processor {
	t.Helper()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Heartbeats = []*config.Heartbeat{{Name: "alarms", Interval: config.Duration{Duration: time.Hour}, Severity: "sev3",
		Team: cfg.Defaults.Team, Pattern: json.RawMessage(`{"source":["aws.cloudwatch"]}`)}}
	c, err := classify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := intake.New(st, c, now, nil)
	if p.Beats, err = intake.NewBeats(st.(intake.BeatStore), cfg); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHeartbeatStormCostsPerBatch: when every event of the storm is a beat, the
// heartbeat costs at most one read and one write per batch, not per event.
func TestHeartbeatStormCostsPerBatch(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	batches := stormBatches(t)
	requests := func(beats bool) int {
		db, counter := srv.CountingClient()
		st := store.NewDynamo(db, dynamotest.NewTable(t, db), now)
		p := intake.New(st, classifier(t), now, nil)
		if beats {
			p = withHeartbeat(t, st)
		}
		counter.Reset()
		for _, b := range batches {
			if rep, err := p.Process(context.Background(), b); err != nil || len(rep.Retry) > 0 {
				t.Fatalf("Process() = retry %v, %v", rep.Retry, err)
			}
		}
		n, _ := counter.Requested()
		if beats {
			s, err := st.Heartbeat(context.Background(), "alarms")
			if err != nil || s.Version != len(batches) {
				t.Errorf("heartbeat after the storm: v%d, %v; want one write per batch (%d)", s.Version, err, len(batches))
			}
		}
		return n
	}
	without, with := requests(false), requests(true)
	// Per batch, not per event (that would be 10,000 more); the slack of a tenth of a
	// request per batch is for reads the code itself tries again in place when dynalite
	// hiccups on a loaded machine (Current), which the SDK's retry count does not show.
	if extra := with - without; extra > 2*len(batches)+len(batches)/10 {
		t.Errorf("storm of %d events in %d batches: %d requests (retries aside) with a heartbeat, %d without; want at most 2 more per batch",
			stormEvents, len(batches), with, without)
	}
}

// BenchmarkIntakeHeartbeatMatch is the matching cost of one heartbeat every event beats,
// on the in-memory store: compare its ns/op with BenchmarkIntakeNoHeartbeat's (same run).
func BenchmarkIntakeHeartbeatMatch(b *testing.B) { benchIntake(b, true) }

// BenchmarkIntakeNoHeartbeat is the baseline of BenchmarkIntakeHeartbeatMatch.
func BenchmarkIntakeNoHeartbeat(b *testing.B) { benchIntake(b, false) }

func benchIntake(b *testing.B, beats bool) {
	batches := stormBatches(b)
	for b.Loop() {
		st := store.NewMemory(now)
		p := intake.New(st, classifier(b), now, nil)
		if beats {
			p = withHeartbeat(b, st)
		}
		for _, batch := range batches {
			if _, err := p.Process(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
		}
	}
}
