package escalate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/heartbeat"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// HeartbeatStore is what the heartbeat clock needs: the heartbeats due (the due index),
// their updates, opening and mitigating incidents, once-only claims.
type HeartbeatStore interface {
	HeartbeatsDue(ctx context.Context, now time.Time, limit int) ([]heartbeat.State, error)
	Heartbeat(ctx context.Context, name string) (heartbeat.State, error)
	PutHeartbeat(ctx context.Context, s heartbeat.State) (bool, error)
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
	Change(ctx context.Context, c store.Change) (bool, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
	store.Claims
}

var (
	_ HeartbeatStore = (*store.Memory)(nil)
	_ HeartbeatStore = (*store.Dynamo)(nil)
)

// Heartbeats is the heartbeat clock (package heartbeat). It reads only the heartbeats
// the due index holds at or before now: one that stayed silent past interval + grace
// opens a heartbeat.missed incident (severity and team from the configuration), once per
// miss (store.Once), stamped at the time it was missed, however late the tick; one that
// beat again after a miss has its incident mitigated, stamped at the beat.
type Heartbeats struct {
	Store   HeartbeatStore
	Config  *config.Config
	Metrics *metrics.Writer
	Now     func() time.Time
	Log     *slog.Logger
	Lease   time.Duration // zero: store.Lease
	Batch   int           // per tick (default 500)
}

// HeartbeatReport counts what a tick did.
type HeartbeatReport struct {
	Due     int `json:"due"`     // due heartbeats looked at
	Missed  int `json:"missed"`  // heartbeat.missed incidents opened
	Resumed int `json:"resumed"` // incidents mitigated by a beat
}

// Tick handles the heartbeats due now. Failures of one do not stop the others; it stays
// due and is tried again next tick.
func (h *Heartbeats) Tick(ctx context.Context) (HeartbeatReport, error) {
	now := h.Now().UTC()
	batch := h.Batch
	if batch <= 0 {
		batch = 500
	}
	var rep HeartbeatReport
	due, err := h.Store.HeartbeatsDue(ctx, now, batch)
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, s := range due {
		rep.Due++
		if err := h.step(ctx, s, &rep); failed(err) {
			errs = append(errs, fmt.Errorf("heartbeat %s: %w", s.Name, err))
		}
	}
	counts := map[string]int{}
	if rep.Missed > 0 {
		counts["HeartbeatsMissed"] = rep.Missed
	}
	if err := h.Metrics.Emit(now, nil, counts); err != nil {
		h.log().WarnContext(ctx, "metrics not written", "error", err)
	}
	return rep, errors.Join(errs...)
}

func (h *Heartbeats) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

func (h *Heartbeats) step(ctx context.Context, s heartbeat.State, rep *HeartbeatReport) error {
	hb := h.Config.Heartbeat(s.Name)
	switch {
	case hb == nil: // no longer configured: stop watching it
		return h.update(ctx, s.Name, func(cur *heartbeat.State) bool {
			cur.Check = time.Time{}
			return true
		})
	case s.Missed == "":
		return h.missed(ctx, hb, s, rep)
	}
	return h.resumed(ctx, s, rep)
}

// missed opens the incident of s's next miss, then records it on the heartbeat.
func (h *Heartbeats) missed(ctx context.Context, hb *config.Heartbeat, s heartbeat.State, rep *HeartbeatReport) error {
	n := s.Misses + 1
	fp := heartbeat.Fingerprint(hb.Name)
	id := heartbeat.Incident(hb.Name, n)
	at := s.Due
	since := fmtWhen(s.LastBeat)
	ran, err := store.Once{Claims: h.Store, Lease: h.Lease}.Do(ctx, id, "heartbeat:missed", func(ctx context.Context) (string, error) {
		inc := incident.Incident{ID: id, Seq: n, Fingerprint: fp, Class: config.HeartbeatClass,
			Title:    fmt.Sprintf("Heartbeat %s missed: no beat since %s", hb.Name, since),
			Severity: hb.Sev, Team: hb.Team, Impact: hb.Description, Status: incident.Open, Source: "firebreak",
			OpenedBy: fmt.Sprintf("heartbeat:%s:%d", hb.Name, n), OpenedAt: at, StateAt: at, Actor: "firebreak",
			Attrs: map[string]string{"heartbeat": hb.Name, "last_beat": s.LastBeat.Format(time.RFC3339Nano), "last_event": s.LastEvent}}
		opened := incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Actor: "firebreak",
			Detail: fmt.Sprintf("Opened %s %s for %s: no beat of %s since %s", hb.Sev, config.HeartbeatClass, hb.Team, hb.Name, since),
			Key:    string(incident.KindOpened) + ":" + inc.OpenedBy,
			Data:   map[string]string{incident.DataSeverity: string(hb.Sev), "team": hb.Team}}
		if _, _, err := h.Store.Open(ctx, inc, opened); err != nil {
			return "", err
		}
		grace := ""
		if hb.Grace != nil && hb.Grace.Duration > 0 {
			grace = " + " + config.Short(hb.Grace.Duration) + " grace"
		}
		if err := h.Store.AddEntries(ctx, incident.Entry{Incident: id, At: at, Kind: incident.KindHeartbeatMissed, Actor: "firebreak",
			Key: string(incident.KindHeartbeatMissed) + ":" + inc.OpenedBy,
			Detail: fmt.Sprintf("No beat of %s within %s%s: the last came %s (event %s).",
				hb.Name, config.Short(hb.Interval.Duration), grace, since, s.LastEvent),
			Data: map[string]string{"heartbeat": hb.Name, "last_beat": s.LastBeat.Format(time.RFC3339Nano)}}); err != nil {
			return "", err
		}
		h.log().InfoContext(ctx, "heartbeat missed", "heartbeat", hb.Name, "incident", id, "last_beat", s.LastBeat)
		return id, nil
	})
	if err != nil {
		return err
	}
	if ran {
		rep.Missed++
	}
	return h.update(ctx, s.Name, func(cur *heartbeat.State) bool {
		if cur.Misses >= n {
			return false // recorded already
		}
		cur.Misses, cur.Missed, cur.MissedAt, cur.Check = n, id, at, time.Time{}
		if cur.LastBeat.After(s.LastBeat) { // a beat came meanwhile: mitigate next
			cur.Check = cur.LastBeat
		}
		return true
	})
}

// resumed mitigates the incident of s's miss at the beat that ended it.
func (h *Heartbeats) resumed(ctx context.Context, s heartbeat.State, rep *HeartbeatReport) error {
	at := s.LastBeat
	if at.Before(s.MissedAt) { // a beat from before the miss that arrived after it
		at = s.MissedAt
	}
	ran, err := store.Once{Claims: h.Store, Lease: h.Lease}.Do(ctx, s.Missed, "heartbeat:resumed", func(ctx context.Context) (string, error) {
		key := string(incident.KindMitigated) + ":heartbeat:" + s.LastEvent
		detail := fmt.Sprintf("Heartbeat %s beat again %s (event %s).", s.Name, fmtWhen(s.LastBeat), s.LastEvent)
		changed, err := h.Store.Change(ctx, store.Change{Incident: s.Missed,
			IfStatus: []incident.Status{incident.Open, incident.Acknowledged}, Status: incident.Mitigated, At: at,
			Entry: incident.Entry{Incident: s.Missed, At: at, Kind: incident.KindMitigated, Actor: "firebreak", Key: key, Detail: detail}})
		if err != nil {
			return "", err
		}
		if err := h.Store.AddEntries(ctx, incident.Entry{Incident: s.Missed, At: at, Kind: incident.KindHeartbeatResumed, Actor: "firebreak",
			Key: string(incident.KindHeartbeatResumed) + ":" + s.LastEvent, Detail: detail,
			Data: map[string]string{"heartbeat": s.Name, "beat_event": s.LastEvent}}); err != nil {
			return "", err
		}
		h.log().InfoContext(ctx, "heartbeat resumed", "heartbeat", s.Name, "incident", s.Missed, "mitigated", changed)
		return fmt.Sprint(changed), nil
	})
	if err != nil {
		return err
	}
	if ran {
		rep.Resumed++
	}
	missed := s.Missed
	return h.update(ctx, s.Name, func(cur *heartbeat.State) bool {
		if cur.Missed != missed {
			return false
		}
		cur.Missed, cur.MissedAt, cur.Check = "", time.Time{}, cur.Due
		return true
	})
}

// update applies change to the stored heartbeat (false: nothing to change), reading
// again when another writer (intake's beat) got there first.
func (h *Heartbeats) update(ctx context.Context, name string, change func(*heartbeat.State) bool) error {
	for range 5 {
		cur, err := h.Store.Heartbeat(ctx, name)
		if err != nil {
			return err
		}
		if !change(&cur) {
			return nil
		}
		ok, err := h.Store.PutHeartbeat(ctx, cur)
		if err != nil || ok {
			return err
		}
	}
	return fmt.Errorf("update heartbeat %s: it kept changing under 5 attempts", name)
}

func fmtWhen(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
