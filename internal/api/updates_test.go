package api_test

import (
	"strings"
	"testing"
	"time"
)

func TestUpdateRoute(t *testing.T) {
	f := newFixture(t, "memory")
	const bob = "arn:aws:iam::123456789012:user/bob"
	tests := []struct {
		name, body string
		wantStatus int
		wantMsg    string
	}{
		{"to stakeholders with an eta", `{"audience":"stakeholders","text":"Failing over","eta":"2h"}`, 200, ""},
		{"default audience", `{"text":"Still failing over"}`, 200, ""},
		{"bad eta", `{"text":"x","eta":"soon"}`, 400, "is not a positive duration"},
		{"negative eta", `{"text":"x","eta":"-1h"}`, 400, "is not a positive duration"},
		{"bad audience", `{"audience":"All Hands","text":"x"}`, 400, "audience"},
		{"no text", `{"audience":"stakeholders"}`, 400, "an update is 1 to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.advance(time.Minute) // requests without an Idempotency-Key are told apart by their time
			r := f.do(f.request("POST", "/incidents/FB-OPEN-1/updates", tt.body, bob))
			if r.StatusCode != tt.wantStatus || !strings.Contains(r.Body, tt.wantMsg) {
				t.Errorf("POST updates %s = %d %s; want %d and %q", tt.body, r.StatusCode, r.Body, tt.wantStatus, tt.wantMsg)
			}
		})
	}
	page := f.do(f.request("GET", "/status/incidents/FB-OPEN-1", "", bob))
	for _, want := range []string{"Update to stakeholders: Failing over", "Update to stakeholders: Still failing over", "Estimated resolution"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("status page of FB-OPEN-1 lacks %q:\n%s", want, page.Body)
		}
	}
}
