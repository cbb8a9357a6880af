package api

import (
	"context"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
)

// RoleRequest is POST /incidents/{id}/role: who holds an incident role
// (incident.RoleCommander, incident.RoleComms); an empty name clears it. The answer is
// an IncidentResponse; the roles are on the timeline (incident.Roles).
type RoleRequest struct {
	Role string `json:"role"`
	Name string `json:"name"`
}

// role is POST /incidents/{id}/role {role, name}.
func (h *Handler) role(c *call) (any, error) {
	id := c.param("id")
	var b RoleRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	if b.Role == "" {
		return nil, fail(errBadRequest, "role: missing (commander or comms)")
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.SetRole(ctx, r, b.Role, b.Name)
	})
}
