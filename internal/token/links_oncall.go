package token

import (
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// ContactActor prefixes the person a link acts as: "ack:contact:alice" acknowledges as
// alice, and the incident records her as who acknowledged.
const ContactActor = "contact:"

// ActionsAs returns the links of a notice paged to a person: those of Actions, acting
// as the contact, so that the acknowledgement records who it was.
func (l *Links) ActionsAs(inc incident.Incident, kind notify.Kind, contact string) []notify.Action {
	return l.actions(inc, kind, ":"+ContactActor+contact)
}
