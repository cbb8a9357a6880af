package incident_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestAccountFields(t *testing.T) {
	inc := incident.Incident{Account: "111122223333", Client: "acme", Environment: "production"}
	for _, tt := range []struct{ field, want string }{{incident.FieldClient, "acme"}, {incident.FieldEnvironment, "production"}} {
		if got := inc.Field(tt.field); got != tt.want || !incident.ValidField(tt.field) {
			t.Errorf("Field(%q) = %q (valid %v); want %q, valid", tt.field, got, incident.ValidField(tt.field), tt.want)
		}
	}
	if got := (incident.Incident{Account: "999999999999"}).Field(incident.FieldClient); got != "" {
		t.Errorf("Field(client) of an unlisted account = %q; want empty", got)
	}
}
