package lifecycle

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Bounds of a posted update.
const (
	MaxUpdate = 2000                // characters of text
	MaxETA    = 30 * 24 * time.Hour // how far ahead an estimated resolution may lie
)

// DefaultAudience is the audience of an update that names none.
const DefaultAudience = "stakeholders"

var audienceRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// PostUpdate publishes an update on the incident to an audience (stakeholders,
// executives, customers, …): text, and when eta > 0 the estimated time to resolution
// from now. It is recorded on the timeline (incident.KindUpdatePosted) for the status
// page, and counts as an update (it resets the update clock). A closed incident takes
// no more updates.
func (s *Service) PostUpdate(ctx context.Context, r Request, audience, text string, eta time.Duration) (incident.Incident, error) {
	if audience == "" {
		audience = DefaultAudience
	}
	if !audienceRe.MatchString(audience) {
		return incident.Incident{}, fmt.Errorf("%w: audience %q: want 1 to 32 lower-case letters, digits or '-', starting with a letter", ErrInvalid, audience)
	}
	if err := s.checkAudience(audience); err != nil {
		return incident.Incident{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" || len(text) > MaxUpdate {
		return incident.Incident{}, fmt.Errorf("%w: an update is 1 to %d characters", ErrInvalid, MaxUpdate)
	}
	if eta < 0 || eta > MaxETA {
		return incident.Incident{}, fmt.Errorf("%w: eta %v: want a duration from now up to %v", ErrInvalid, eta, MaxETA)
	}
	return s.do(ctx, r, "update-"+audience, func(at time.Time, key string) error {
		data := map[string]string{incident.DataAudience: audience}
		detail := fmt.Sprintf("Update to %s: %s", audience, text)
		if eta > 0 {
			data[incident.DataETA] = at.Add(eta).UTC().Format(time.RFC3339)
			detail += fmt.Sprintf(" (estimated resolution %s)", at.Add(eta).UTC().Format("2006-01-02 15:04 UTC"))
		}
		ok, err := s.Store.Change(ctx, store.Change{Incident: r.Incident, IfStatus: notClosed, Touch: true, At: at,
			Entry: incident.Entry{At: at, Kind: incident.KindUpdatePosted, Actor: r.By, Detail: detail, Key: key, Data: data}})
		if err == nil && !ok {
			err = fmt.Errorf("%w: a closed incident takes no more updates", ErrConflict)
		}
		return err
	})
}

// checkAudience refuses an audience the communication plan does not name, when there is
// a plan: its update would reach nobody (without a plan, updates are for the status page).
func (s *Service) checkAudience(audience string) error {
	if s.Config == nil || s.Config.Communication == nil || s.Config.Audience(audience) != nil {
		return nil
	}
	return fmt.Errorf("%w: audience %q is not in the communication plan (communication.audiences: %s)", ErrInvalid, audience,
		strings.Join(s.Config.Communication.AudienceNames, ", "))
}
