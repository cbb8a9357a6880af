package cli

import (
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// roleRequest is the request of `incidents role ID ROLE NAME...`: the words after the
// role are the name; none clears the role.
func roleRequest(p []string) api.RoleRequest {
	return api.RoleRequest{Role: p[1], Name: strings.Join(p[2:], " ")}
}

// updateRequest is the request of `incidents update ID [--audience A] [--eta D] TEXT...`.
func updateRequest(p []string, audience string, eta time.Duration) api.UpdateRequest {
	r := api.UpdateRequest{Audience: audience, Text: strings.Join(p[1:], " ")}
	if eta != 0 {
		r.ETA = eta.String()
	}
	return r
}

// roleFields are the lines of incidents show naming who holds each incident role, as
// the timeline records it.
func roleFields(tl []incident.Entry) [][2]string {
	roles := incident.Roles(tl)
	var out [][2]string
	for _, r := range incident.RoleNames {
		if name := roles[r]; name != "" {
			out = append(out, [2]string{incident.RoleLabel(r), name})
		}
	}
	return out
}
