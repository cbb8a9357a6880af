package lifecycle

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// MaxRoleName bounds the name of a role holder.
const MaxRoleName = 128

// SetRole names who holds role (incident.RoleCommander, incident.RoleComms) on the
// incident: a contact id or a free name; an empty name clears the role. It is recorded
// on the timeline (incident.KindRoleSet), the one record of roles (incident.Roles), and
// counts as an update. A closed incident's roles no longer change.
func (s *Service) SetRole(ctx context.Context, r Request, role, name string) (incident.Incident, error) {
	if !slices.Contains(incident.RoleNames, role) {
		return incident.Incident{}, fmt.Errorf("%w: role %q is not one of %s", ErrInvalid, role, strings.Join(incident.RoleNames, ", "))
	}
	name = strings.Join(strings.Fields(name), " ")
	if len(name) > MaxRoleName || strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return incident.Incident{}, fmt.Errorf("%w: the %s's name is at most %d printable characters", ErrInvalid, role, MaxRoleName)
	}
	return s.do(ctx, r, "role-"+role, func(at time.Time, key string) error {
		detail := fmt.Sprintf("%s: %s, named by %s", incident.RoleLabel(role), name, r.By)
		if name == "" {
			detail = fmt.Sprintf("%s: nobody, cleared by %s", incident.RoleLabel(role), r.By)
		}
		ok, err := s.Store.Change(ctx, store.Change{Incident: r.Incident, IfStatus: notClosed, Touch: true, At: at,
			Entry: incident.Entry{At: at, Kind: incident.KindRoleSet, Actor: r.By, Detail: detail, Key: key,
				Data: map[string]string{incident.DataRole: role, incident.DataName: name}}})
		if err == nil && !ok {
			err = fmt.Errorf("%w: a closed incident's roles do not change", ErrConflict)
		}
		return err
	})
}
