package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/heartbeat"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// BeatStore is what recording heartbeats needs of a store: one small item per heartbeat.
type BeatStore interface {
	Heartbeat(ctx context.Context, name string) (heartbeat.State, error)
	PutHeartbeat(ctx context.Context, s heartbeat.State) (bool, error)
}

var (
	_ BeatStore = (*store.Memory)(nil)
	_ BeatStore = (*store.Dynamo)(nil)
)

// Beats records the heartbeats (config heartbeats:) that the events of a batch beat.
// Each heartbeat costs at most one read and one conditional write per batch, for its
// latest beat in the batch, whatever the number of events that match it; a batch with
// no beats costs nothing but the match.
type Beats struct {
	Store   BeatStore
	Matcher *heartbeat.Matcher
}

// NewBeats returns the heartbeats of cfg to record in st (nil when cfg has none).
func NewBeats(st BeatStore, cfg *config.Config) (*Beats, error) {
	m, err := heartbeat.NewMatcher(cfg)
	if err != nil || m == nil {
		return nil, err
	}
	return &Beats{Store: st, Matcher: m}, nil
}

// beat is the latest beat of one heartbeat in a batch and the message it came in.
type beat struct {
	h   *config.Heartbeat
	ev  event.Event
	msg string
}

// latestOf adds e (of message msg), a beat of hs, to the batch's latest beats.
func (b *Beats) latestOf(beats map[string]*beat, msg string, e event.Event, hs []*config.Heartbeat) {
	for _, h := range hs {
		if cur := beats[h.Name]; cur == nil || before(cur.ev, e.Time, e.ID) {
			beats[h.Name] = &beat{h: h, ev: e, msg: msg}
		}
	}
}

// record stores one heartbeat's latest beat unless a later one is stored: a
// redelivered or late event changes nothing. A lost race reads again.
func (b *Beats) record(ctx context.Context, h *config.Heartbeat, at time.Time, id string) error {
	for range 5 {
		cur, err := b.Store.Heartbeat(ctx, h.Name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("record beat of %s: %w", h.Name, err)
		}
		next, changed := heartbeat.Beat(cur, h, at, id)
		if !changed {
			return nil
		}
		ok, err := b.Store.PutHeartbeat(ctx, next)
		if err != nil {
			return fmt.Errorf("record beat of %s: %w", h.Name, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("record beat of %s: the heartbeat kept changing under 5 attempts", h.Name)
}
