package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// roleBody is the api.RoleRequest of `incidents role ID ROLE NAME...`: the words after
// the role are the name; none clears the role.
func roleBody(p []string) map[string]any {
	return map[string]any{"role": p[1], "name": strings.Join(p[2:], " ")}
}

// printRoles prints who holds each incident role, as the timeline records it.
func printRoles(w io.Writer, tl []incident.Entry) {
	roles := incident.Roles(tl)
	for _, r := range incident.RoleNames {
		if name := roles[r]; name != "" {
			fmt.Fprintf(w, "%s\t%s\n", incident.RoleLabel(r), name)
		}
	}
}

// updateBody is the api.UpdateRequest of `incidents update ID [--audience A] [--eta D] TEXT...`.
func updateBody(p []string, audience string, eta time.Duration) map[string]any {
	b := map[string]any{"text": strings.Join(p[1:], " ")}
	if audience != "" {
		b["audience"] = audience
	}
	if eta != 0 {
		b["eta"] = eta.String()
	}
	return b
}
