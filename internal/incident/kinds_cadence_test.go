package incident_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestTold(t *testing.T) {
	told := func(audience, notice string) incident.Entry {
		return incident.Entry{Kind: incident.KindAudienceNotified, Data: map[string]string{incident.DataAudience: audience, incident.DataNotice: notice}}
	}
	tests := []struct {
		name string
		tl   []incident.Entry
		want string
	}{
		{"none", nil, ""},
		{"first notices and updates, in the order first told, once each", []incident.Entry{told("executives", incident.NoticeFirst),
			told("stakeholders", incident.NoticeFirst), told("customers", incident.NoticeUpdate), told("stakeholders", incident.NoticeUpdate)},
			"executives stakeholders customers"},
		{"a resolution alone is not being told of it", []incident.Entry{told("board", incident.NoticeResolved)}, ""},
		{"not told: failures, posted updates, entries without an audience", []incident.Entry{
			{Kind: incident.KindAudienceNotNotified, Data: map[string]string{incident.DataAudience: "board", incident.DataNotice: incident.NoticeFirst}},
			{Kind: incident.KindUpdatePosted, Data: map[string]string{incident.DataAudience: "press"}}, told("", incident.NoticeFirst)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(incident.Told(tt.tl), " "); got != tt.want {
				t.Errorf("Told(%s) = %q; want %q", tt.name, got, tt.want)
			}
		})
	}
}
