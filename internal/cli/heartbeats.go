package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/heartbeat"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/store"
)

var heartbeatsCmd = &command{
	name: "heartbeats", summary: "each heartbeat's last beat, next due time and state, after replaying events",
	about: `A heartbeat (heartbeats: in the configuration) is a source that must keep speaking: an event
matching its pattern is a beat, and no beat for interval + grace opens a heartbeat.missed
incident, which the next beat mitigates. This command replays the events given, offline,
as firebreak replay does (with --until, the clocks run that long past the last event), and
prints where each heartbeat stands at the end: its last beat, when the next is due, and
its state (waiting: no beat yet; ok; late: due has passed; missed: its incident is open).`,
	arguments: [][2]string{{"PATH", "events: .json files, JSON lines (.jsonl, .ndjson), folders of them, or - for stdin"}},
	example:   "firebreak heartbeats --until 3h events/\nfirebreak heartbeats --json events/",
	run:       runHeartbeats,
}

// heartbeatJSON is one heartbeat as `firebreak heartbeats --json` prints it.
type heartbeatJSON struct {
	Name      string           `json:"name"`
	Interval  string           `json:"interval"`
	Grace     string           `json:"grace"`
	Severity  string           `json:"severity"`
	Team      string           `json:"team"`
	LastBeat  time.Time        `json:"last_beat,omitzero"`
	LastEvent string           `json:"last_event,omitempty"`
	NextDue   time.Time        `json:"next_due,omitzero"`
	State     heartbeat.Status `json:"state"`
	Incident  string           `json:"incident,omitempty"` // the open heartbeat.missed incident
	Misses    int              `json:"misses"`
}

func runHeartbeats(ctx context.Context, env Env, args []string) error {
	fs := newFlags("heartbeats", env)
	cfgPath := fs.String("config", "", "configuration `FILE` (default ./firebreak.yaml when present, else the built-in configuration)")
	asJSON := fs.Bool("json", false, "print a JSON array: one object per heartbeat")
	until := fs.Duration("until", 0, "run the clocks this `DURATION` past the last event, e.g. 3h (the state is shown as of then)")
	var wide bool
	wideFlag(fs, &wide)
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("%w: give the events to replay: files, folders, JSON lines, or - for stdin", errUsage)
	}
	if *until < 0 {
		return fmt.Errorf("%w: --until must not be negative", errUsage)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	res, _, err := replayOnce(ctx, env, cfg, paths, replay.Options{Until: *until})
	if err != nil {
		return err
	}
	rows, err := heartbeatRows(ctx, cfg, res.Store, res.Summary.Until)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintf(env.Stdout, "No heartbeats in %s (heartbeats: in the configuration).\n", cfg.File)
		return err
	}
	t := newTable(wide, "NAME", "EVERY", "GRACE", "SEVERITY", "TEAM", "LAST BEAT", "NEXT DUE", "STATE", "INCIDENT")
	at := func(v time.Time) string {
		if v.IsZero() {
			return "—"
		}
		return v.UTC().Format("2006-01-02 15:04 UTC")
	}
	for _, r := range rows {
		t.row(r.Name, r.Interval, r.Grace, r.Severity, r.Team, at(r.LastBeat), at(r.NextDue), r.State, r.Incident)
	}
	if err := t.write(env.Stdout); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "As of %s (the replay's clock).\n", at(res.Summary.Until))
	return err
}

// heartbeatStates reads a heartbeat's state.
type heartbeatStates interface {
	Heartbeat(ctx context.Context, name string) (heartbeat.State, error)
}

// heartbeatRows is each configured heartbeat with its stored state as of now: one read
// per heartbeat.
func heartbeatRows(ctx context.Context, cfg *config.Config, st heartbeatStates, now time.Time) ([]heartbeatJSON, error) {
	rows := make([]heartbeatJSON, 0, len(cfg.Heartbeats))
	for _, h := range cfg.Heartbeats {
		grace := time.Duration(0)
		if h.Grace != nil {
			grace = h.Grace.Duration
		}
		r := heartbeatJSON{Name: h.Name, Interval: config.Short(h.Interval.Duration), Grace: config.Short(grace),
			Severity: string(h.Sev), Team: h.Team, State: heartbeat.Waiting}
		s, err := st.Heartbeat(ctx, h.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			r.LastBeat, r.LastEvent, r.NextDue, r.State, r.Incident, r.Misses = s.LastBeat, s.LastEvent, s.Due, s.StatusAt(now), s.Missed, s.Misses
		}
		rows = append(rows, r)
	}
	return rows, nil
}
