package incident_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestField(t *testing.T) {
	inc := incident.Incident{Account: "123456789012", Region: "eu-west-1", Team: "web", Class: "ops.alarm", Source: "aws.cloudwatch",
		Actor: "alice", Resource: "arn:aws:ecs:eu-west-1:123456789012:service/prod/api", Attrs: map[string]string{"cluster": "prod"}}
	tests := []struct{ field, want string }{
		{incident.FieldAccount, "123456789012"}, {incident.FieldRegion, "eu-west-1"}, {incident.FieldTeam, "web"},
		{incident.FieldClass, "ops.alarm"}, {incident.FieldSource, "aws.cloudwatch"}, {incident.FieldActor, "alice"},
		{incident.FieldResource, "arn:aws:ecs:eu-west-1:123456789012:service/prod/api"},
		{incident.FieldResourcePrefix, "arn:aws:ecs:eu-west-1:123456789012:service/prod"},
		{"attr:cluster", "prod"}, {"attr:missing", ""}, {"colour", ""},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got := inc.Field(tt.field); got != tt.want {
				t.Errorf("Field(%q) = %q; want %q", tt.field, got, tt.want)
			}
		})
	}
}

func TestValidField(t *testing.T) {
	for _, tt := range []struct {
		field string
		want  bool
	}{{"account", true}, {"resource_prefix", true}, {"attr:cluster", true}, {"attr:", false}, {"colour", false}, {"", false}} {
		if got := incident.ValidField(tt.field); got != tt.want {
			t.Errorf("ValidField(%q) = %v; want %v", tt.field, got, tt.want)
		}
	}
}

func TestTransitionKind(t *testing.T) {
	for _, tt := range []struct {
		to   incident.Status
		want incident.Kind
	}{{incident.Open, incident.KindReopened}, {incident.Acknowledged, incident.KindAcknowledged}, {incident.Mitigated, incident.KindMitigated},
		{incident.Resolved, incident.KindResolved}, {incident.Closed, incident.KindClosed}} {
		if got := incident.TransitionKind(tt.to); got != tt.want {
			t.Errorf("TransitionKind(%q) = %q; want %q", tt.to, got, tt.want)
		}
	}
}
