package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestEndSilenceWakesWhatItSilenced: ending a silence early makes the incidents it kept
// quiet due at once, so the escalator pages them now rather than at the planned end;
// incidents it did not silence keep their schedule.
func TestEndSilenceWakesWhatItSilenced(t *testing.T) {
	for _, kind := range []string{"memory", "dynamodb"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t, kind)
			ctx := context.Background()
			clocks, ok := f.st.(interface {
				SetDue(ctx context.Context, id string, due time.Time, version int) (bool, error)
				Due(ctx context.Context, now time.Time, limit int) ([]incident.Incident, error)
			})
			if !ok {
				t.Fatalf("store %T has no due index", f.st)
			}
			resp := f.do(f.request("POST", "/silences", `{"matchers":{"team":"security"},"duration":"2h","comment":"rotation drill"}`, alice))
			var s api.SilenceResponse
			if err := json.Unmarshal([]byte(resp.Body), &s); err != nil || resp.StatusCode != 201 {
				t.Fatalf("Got(add silence) = %d %s", resp.StatusCode, resp.Body)
			}
			if _, err := f.st.Change(ctx, store.Change{Incident: "FB-OPEN-1", SilencedBy: s.Silence.ID, At: t0,
				Entry: incident.Entry{At: t0, Kind: incident.KindSilenced, Actor: "firebreak", Key: "quiet:FB-OPEN-1"}}); err != nil {
				t.Fatal(err)
			}
			later := t0.Add(2 * time.Hour) // the escalator would look again when the silence ends
			for _, id := range []string{"FB-OPEN-1", "FB-ACK-1", "FB-RES-1"} {
				inc, err := f.st.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if ok, err := clocks.SetDue(ctx, id, later, inc.Version); err != nil || !ok {
					t.Fatalf("SetDue(%s) = %v, %v", id, ok, err)
				}
			}
			f.advance(10 * time.Minute)
			if resp := f.do(f.request("DELETE", "/silences/"+s.Silence.ID, "", alice)); resp.StatusCode != 200 {
				t.Fatalf("Got(end silence) = %d %s", resp.StatusCode, resp.Body)
			}
			due, err := clocks.Due(ctx, f.clock(), 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, inc := range due {
				ids = append(ids, inc.ID)
			}
			if len(ids) != 1 || ids[0] != "FB-OPEN-1" {
				t.Errorf("due after the silence ended = %v; want FB-OPEN-1 only (it was silenced; the others were not)", ids)
			}
		})
	}
}
