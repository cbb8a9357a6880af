package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

func decodeBody[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("response %q: %v", body, err)
	}
	return v
}

// TestOnCall: who is on call (the shipped configuration's platform-primary: dan's week
// from Monday 2 November 09:00 Berlin), overrides stored through the API taking over
// and removed again, the same create twice storing one override, shifts and the
// calendar feed; on both stores.
func TestOnCall(t *testing.T) {
	for _, kind := range []string{"memory", "dynamodb"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t, kind)
			who := func() []string {
				t.Helper()
				resp := f.do(f.request("GET", "/oncall?schedule=platform-primary", "", alice))
				if resp.StatusCode != 200 {
					t.Fatalf("GET /oncall = %d %s", resp.StatusCode, resp.Body)
				}
				var out []string
				for _, oc := range decodeBody[api.OnCallResponse](t, resp.Body).OnCall {
					out = append(out, oc.Contact+" "+oc.Start.Format(time.RFC3339)+" "+oc.End.Format(time.RFC3339))
				}
				return out
			}
			if got, want := strings.Join(who(), "; "), "dan 2026-11-02T08:00:00Z 2026-11-09T08:00:00Z"; got != want {
				t.Errorf("GET /oncall = %q; want %q", got, want)
			}

			body := `{"schedule": "platform-primary", "contact": "alice", "start": "2026-11-02T11:00:00Z", "end": "2026-11-02T13:00:00Z", "reason": "swap"}`
			resp := f.do(f.request("POST", "/oncall/overrides", body, alice))
			if resp.StatusCode != 201 {
				t.Fatalf("POST /oncall/overrides = %d %s; want 201", resp.StatusCode, resp.Body)
			}
			o := decodeBody[api.OverrideResponse](t, resp.Body).Override
			if again := decodeBody[api.OverrideResponse](t, f.do(f.request("POST", "/oncall/overrides", body, alice)).Body).Override; again.ID != o.ID || o.ID == "" {
				t.Errorf("POST twice = ids %q, %q; want one id", o.ID, again.ID)
			}
			if got, want := strings.Join(who(), "; "), "alice 2026-11-02T11:00:00Z 2026-11-02T13:00:00Z"; got != want {
				t.Errorf("GET /oncall with the override = %q; want %q", got, want)
			}
			list := decodeBody[api.OverridesResponse](t, f.do(f.request("GET", "/oncall/overrides", "", alice)).Body).Overrides
			if len(list) != 1 || list[0].ID != o.ID || list[0].Contact != "alice" {
				t.Errorf("GET /oncall/overrides = %+v; want alice's override", list)
			}

			shifts := decodeBody[api.ShiftsResponse](t, f.do(f.request("GET",
				"/oncall/platform-primary/shifts?from=2026-11-02T10:00:00Z&to=2026-11-02T14:00:00Z", "", alice)).Body).Shifts
			var got []string
			for _, s := range shifts {
				got = append(got, strings.Join(s.Contacts, ",")+"@"+s.Start.UTC().Format("15:04"))
			}
			if strings.Join(got, " ") != "dan@10:00 alice@11:00 dan@13:00" {
				t.Errorf("shifts = %v; want dan, alice's override, dan", got)
			}
			ics := f.do(f.request("GET", "/oncall/platform-primary/ics", "", alice))
			if ics.StatusCode != 200 || !strings.HasPrefix(ics.Headers["Content-Type"], "text/calendar") || !strings.HasPrefix(ics.Body, "BEGIN:VCALENDAR") {
				t.Errorf("GET ics = %d %q %.40q; want a calendar", ics.StatusCode, ics.Headers["Content-Type"], ics.Body)
			}

			if resp := f.do(f.request("DELETE", "/oncall/overrides/platform-primary/"+o.ID, "", alice)); resp.StatusCode != 200 {
				t.Errorf("DELETE = %d %s; want 200", resp.StatusCode, resp.Body)
			}
			if got := who(); len(got) != 1 || !strings.HasPrefix(got[0], "dan ") {
				t.Errorf("GET /oncall after removing the override = %v; want dan", got)
			}
			if resp := f.do(f.request("DELETE", "/oncall/overrides/platform-primary/"+o.ID, "", alice)); resp.StatusCode != 404 {
				t.Errorf("DELETE again = %d %s; want 404", resp.StatusCode, resp.Body)
			}
		})
	}
}

// TestOnCallBadRequests: each bad request is refused with what is wrong, and stores
// nothing.
func TestOnCallBadRequests(t *testing.T) {
	f := newFixture(t, "memory")
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"unknown schedule", "POST", "/oncall/overrides", `{"schedule": "nope", "contact": "alice", "start": "2026-11-02T11:00:00Z", "end": "2026-11-02T13:00:00Z"}`, 400, `schedule: "nope" is not a schedule`},
		{"unknown contact", "POST", "/oncall/overrides", `{"schedule": "platform-primary", "contact": "mallory", "start": "2026-11-02T11:00:00Z", "end": "2026-11-02T13:00:00Z"}`, 400, `contact: "mallory" is not a contact`},
		{"unknown layer", "POST", "/oncall/overrides", `{"schedule": "platform-primary", "layer": "x", "contact": "alice", "start": "2026-11-02T11:00:00Z", "end": "2026-11-02T13:00:00Z"}`, 400, `layer: "x" is not a named layer`},
		{"end before start", "POST", "/oncall/overrides", `{"schedule": "platform-primary", "contact": "alice", "start": "2026-11-02T13:00:00Z", "end": "2026-11-02T11:00:00Z"}`, 400, "is not after start"},
		{"already past", "POST", "/oncall/overrides", `{"schedule": "platform-primary", "contact": "alice", "start": "2026-11-01T11:00:00Z", "end": "2026-11-01T13:00:00Z"}`, 400, "already past"},
		{"too long", "POST", "/oncall/overrides", `{"schedule": "platform-primary", "contact": "alice", "start": "2026-11-02T11:00:00Z", "end": "2027-11-02T13:00:00Z"}`, 400, "at most 92 days"},
		{"bad time", "GET", "/oncall?at=tomorrow", "", 400, `at: "tomorrow" is not an RFC 3339 time`},
		{"unknown schedule shifts", "GET", "/oncall/nope/shifts", "", 404, `"nope"`},
		{"bad override id", "DELETE", "/oncall/overrides/platform-primary/x", "", 400, "not an override id"},
		{"wrong method", "PUT", "/oncall", "", 405, "PUT is not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.do(f.request(tc.method, tc.path, tc.body, alice))
			if resp.StatusCode != tc.status || !strings.Contains(errorOf(t, resp), tc.want) {
				t.Errorf("%s %s = %d %q; want %d containing %q", tc.method, tc.path, resp.StatusCode, errorOf(t, resp), tc.status, tc.want)
			}
		})
	}
	if list := decodeBody[api.OverridesResponse](t, f.do(f.request("GET", "/oncall/overrides", "", alice)).Body).Overrides; len(list) != 0 {
		t.Errorf("overrides after refused requests = %+v; want none", list)
	}
	if resp := f.do(f.request("GET", "/oncall", "", "")); resp.StatusCode != 403 {
		t.Errorf("GET /oncall without IAM = %d; want 403", resp.StatusCode)
	}
}

// TestSignedLinkActsAsThePersonPaged: a link sent to alice as on call acknowledges as
// alice, and the incident records her.
func TestSignedLinkActsAsThePersonPaged(t *testing.T) {
	f := newFixture(t, "memory")
	act := "ack:contact:alice"
	if resp := f.click("POST", f.sign("FB-OPEN-1", act, time.Hour), "FB-OPEN-1", act); resp.StatusCode != 200 {
		t.Fatalf("POST link = %d %s", resp.StatusCode, resp.Body)
	}
	inc, err := f.st.Get(context.Background(), "FB-OPEN-1")
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != incident.Acknowledged || inc.AcknowledgedBy != "contact:alice via signed link" {
		t.Errorf("after alice's link: %s by %q; want acknowledged by %q", inc.Status, inc.AcknowledgedBy, "contact:alice via signed link")
	}
}
