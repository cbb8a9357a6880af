package heartbeat_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/heartbeat"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func hb(name, pattern string) *config.Heartbeat {
	return &config.Heartbeat{Name: name, Pattern: json.RawMessage(pattern), Interval: config.Duration{Duration: time.Hour},
		Grace: &config.Duration{Duration: 10 * time.Minute}}
}

func TestBeat(t *testing.T) {
	h := hb("backup", `{"source":["app.backup"]}`)
	beating := heartbeat.State{Name: "backup", LastBeat: t0, LastEvent: "e0", Due: t0.Add(70 * time.Minute), Check: t0.Add(70 * time.Minute), Version: 3}
	missed := beating
	missed.Misses, missed.Missed, missed.MissedAt, missed.Check = 1, "FB-X-1", beating.Due, time.Time{}
	tests := []struct {
		name        string
		cur         heartbeat.State
		at          time.Time
		wantChanged bool
		wantCheck   time.Time
	}{
		{"first beat", heartbeat.State{}, t0, true, t0.Add(70 * time.Minute)},
		{"later beat", beating, t0.Add(time.Hour), true, t0.Add(130 * time.Minute)},
		{"redelivery", beating, t0, false, beating.Check},
		{"late, earlier beat", beating, t0.Add(-time.Minute), false, beating.Check},
		{"beat after a miss: check at the beat", missed, t0.Add(3 * time.Hour), true, t0.Add(3 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := heartbeat.Beat(tt.cur, h, tt.at, "e1")
			if changed != tt.wantChanged || !got.Check.Equal(tt.wantCheck) {
				t.Errorf("Beat(%s) = changed %v, check %v; want %v, %v", tt.at.Sub(t0), changed, got.Check, tt.wantChanged, tt.wantCheck)
			}
			if changed && (got.Name != "backup" || !got.LastBeat.Equal(tt.at) || got.LastEvent != "e1" || !got.Due.Equal(tt.at.Add(70*time.Minute)) ||
				got.Version != tt.cur.Version || got.Missed != tt.cur.Missed) {
				t.Errorf("Beat(%s) = %+v; want last beat then by e1, due 1h10m later, version and miss kept", tt.at.Sub(t0), got)
			}
		})
	}
}

func TestStatusAt(t *testing.T) {
	s := heartbeat.State{Name: "backup", LastBeat: t0, Due: t0.Add(70 * time.Minute), Check: t0.Add(70 * time.Minute)}
	missed := s
	missed.Missed, missed.Check = "FB-X-1", time.Time{}
	resumed := missed
	resumed.LastBeat, resumed.Check = t0.Add(2*time.Hour), t0.Add(2*time.Hour)
	tests := []struct {
		name string
		s    heartbeat.State
		at   time.Time
		want heartbeat.Status
	}{
		{"never beat", heartbeat.State{Name: "x"}, t0, heartbeat.Waiting},
		{"within interval + grace", s, t0.Add(69 * time.Minute), heartbeat.Beating},
		{"due passed, clock not run", s, t0.Add(70 * time.Minute), heartbeat.Late},
		{"incident open", missed, t0.Add(5 * time.Hour), heartbeat.Missing},
		{"beat again, incident being mitigated", resumed, t0.Add(2 * time.Hour), heartbeat.Beating},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.StatusAt(tt.at); got != tt.want {
				t.Errorf("StatusAt(%s) = %s; want %s", tt.at.Sub(t0), got, tt.want)
			}
		})
	}
}

func TestMatcher(t *testing.T) {
	cfg := &config.Config{File: "f.yaml", Heartbeats: []*config.Heartbeat{
		hb("backup", `{"source":["app.backup"],"detail":{"state":["succeeded"]}}`),
		hb("account", `{"account":["111122223333"]}`),
	}}
	m, err := heartbeat.NewMatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(raw string) event.Event { return event.Event{ID: "e", Raw: json.RawMessage(raw)} }
	tests := []struct {
		name, raw, want string
	}{
		{"success of the job", `{"source":"app.backup","account":"1","detail":{"state":"succeeded"}}`, "backup"},
		{"failure of the job", `{"source":"app.backup","account":"1","detail":{"state":"failed"}}`, ""},
		{"anything from the account", `{"source":"aws.ec2","account":"111122223333","detail":{}}`, "account"},
		{"both", `{"source":"app.backup","account":"111122223333","detail":{"state":"succeeded"}}`, "backup,account"},
		{"missing fields", `{"detail":null}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := m.Match(ev(tt.raw))
			var names []string
			for _, h := range hs {
				names = append(names, h.Name)
			}
			if got := strings.Join(names, ","); err != nil || got != tt.want {
				t.Errorf("Match(%s) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
		})
	}
	if _, err := m.Match(ev(`[1]`)); err == nil {
		t.Errorf("Match(not an object) = nil error; want one naming the event")
	}
	if none, err := heartbeat.NewMatcher(&config.Config{}); none != nil || err != nil {
		t.Errorf("NewMatcher(no heartbeats) = %v, %v; want nil, nil", none, err)
	}
	var nilM *heartbeat.Matcher
	if hs, err := nilM.Match(ev(`{}`)); hs != nil || err != nil {
		t.Errorf("nil Matcher.Match = %v, %v; want nothing", hs, err)
	}
}

func TestIncidentIDs(t *testing.T) {
	if a, b := heartbeat.Incident("backup", 1), heartbeat.Incident("backup", 2); a == b || !strings.HasPrefix(a, "FB-") {
		t.Errorf("Incident(backup, 1), (backup, 2) = %s, %s; want distinct FB- ids", a, b)
	}
	if heartbeat.Incident("backup", 1) == heartbeat.Incident("billing", 1) {
		t.Errorf("Incident ids of two heartbeats collide")
	}
}
