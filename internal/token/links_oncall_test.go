package token_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// TestActionsAs: the links of a notice paged to a person act as that person, and only
// as that person: the action they verify for names the contact.
func TestActionsAs(t *testing.T) {
	now := t0
	l := newLinks(t, &now)
	inc := incident.Incident{ID: "FB-X-1", Status: incident.Open}
	var got []string
	for _, a := range l.ActionsAs(inc, notify.Escalation, "alice") {
		c, err := use(t, l, a.URL)
		if err != nil {
			t.Errorf("ActionsAs link %s does not verify: %v", a.Label, err)
			continue
		}
		got = append(got, a.Label+"="+c.Act)
	}
	if want := "Acknowledge=ack:contact:alice Resolve=resolve:contact:alice"; strings.Join(got, " ") != want {
		t.Errorf("ActionsAs(escalation, alice) = %q; want %q", strings.Join(got, " "), want)
	}
}

func TestValidActionAsAPerson(t *testing.T) {
	for _, tc := range []struct {
		act  string
		want bool
	}{
		{"ack:contact:alice", true},
		{"resolve:contact:alice", true},
		{"ack:contact:", false},
		{"ack:alice", false},
		{"ack:contact:" + strings.Repeat("a", 65), false},
		{"approve:contact:alice", true}, // an approval key, as before
	} {
		if got := token.ValidAction(tc.act); got != tc.want {
			t.Errorf("ValidAction(%q) = %v; want %v", tc.act, got, tc.want)
		}
	}
}
