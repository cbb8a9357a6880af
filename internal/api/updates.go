package api

import (
	"context"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
)

// UpdateRequest is POST /incidents/{id}/updates: an update published to an audience
// (empty: lifecycle.DefaultAudience), with an optional estimated time to resolution
// from now, e.g. "2h". The answer is an IncidentResponse; the update is on the timeline
// (incident.KindUpdatePosted) and on the status page.
type UpdateRequest struct {
	Audience string `json:"audience,omitempty"`
	Text     string `json:"text"`
	ETA      string `json:"eta,omitempty"`
}

// postUpdate is POST /incidents/{id}/updates {audience, text, eta}.
func (h *Handler) postUpdate(c *call) (any, error) {
	id := c.param("id")
	var b UpdateRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	var eta time.Duration
	if b.ETA != "" {
		d, err := time.ParseDuration(b.ETA)
		if err != nil || d <= 0 {
			return nil, fail(errBadRequest, "eta: %q is not a positive duration like 2h or 45m", clipText(b.ETA, 32))
		}
		eta = d
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.PostUpdate(ctx, r, strings.TrimSpace(b.Audience), b.Text, eta)
	})
}
