package incident_test

import (
	"maps"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestRoles(t *testing.T) {
	set := func(role, name string) incident.Entry {
		return incident.Entry{Kind: incident.KindRoleSet, Data: map[string]string{incident.DataRole: role, incident.DataName: name}}
	}
	tests := []struct {
		name string
		tl   []incident.Entry
		want map[string]string
	}{
		{"none", nil, map[string]string{}},
		{"latest wins", []incident.Entry{set("commander", "a"), set("comms", "b"), set("commander", "c")}, map[string]string{"commander": "c", "comms": "b"}},
		{"cleared", []incident.Entry{set("commander", "a"), set("commander", "")}, map[string]string{}},
		{"other kinds and entries without a role are ignored", []incident.Entry{{Kind: "note", Data: map[string]string{incident.DataRole: "commander", incident.DataName: "x"}},
			set("", "y")}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := incident.Roles(tt.tl); !maps.Equal(got, tt.want) {
				t.Errorf("Roles(%s) = %v; want %v", tt.name, got, tt.want)
			}
		})
	}
}
