package api_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestRoleRoute(t *testing.T) {
	f := newFixture(t, "memory")
	const bob = "arn:aws:iam::123456789012:user/bob"
	tests := []struct {
		name, id, body string
		wantStatus     int
		wantMsg        string
		wantRoles      map[string]string
	}{
		{"commander", "FB-OPEN-1", `{"role":"commander","name":"Dana Q"}`, 200, "", map[string]string{"commander": "Dana Q"}},
		{"comms lead", "FB-OPEN-1", `{"role":"comms","name":"contact:lee"}`, 200, "", map[string]string{"commander": "Dana Q", "comms": "contact:lee"}},
		{"unknown role", "FB-OPEN-1", `{"role":"scribe","name":"x"}`, 400, "is not one of commander, comms", nil},
		{"no role", "FB-OPEN-1", `{"name":"x"}`, 400, "role: missing", nil},
		{"unknown field", "FB-OPEN-1", `{"role":"commander","who":"x"}`, 400, "unknown field", nil},
		{"unknown incident", "FB-NOPE-1", `{"role":"commander","name":"x"}`, 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(f.request("POST", "/incidents/"+tt.id+"/role", tt.body, bob))
			if r.StatusCode != tt.wantStatus || !strings.Contains(r.Body, tt.wantMsg) {
				t.Fatalf("POST role %s = %d %s; want %d and %q", tt.body, r.StatusCode, r.Body, tt.wantStatus, tt.wantMsg)
			}
			if tt.wantRoles == nil {
				return
			}
			show := f.do(f.request("GET", "/incidents/"+tt.id, "", bob))
			var resp api.IncidentResponse
			if err := json.Unmarshal([]byte(show.Body), &resp); err != nil {
				t.Fatal(err)
			}
			if got := incident.Roles(resp.Timeline); !maps.Equal(got, tt.wantRoles) {
				t.Errorf("roles after %s = %v; want %v", tt.name, got, tt.wantRoles)
			}
		})
	}
}
