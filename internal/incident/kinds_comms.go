package incident

// Timeline entry kinds of incident communication: roles and updates to audiences.
const (
	// KindRoleSet records who holds an incident role (Data: DataRole, DataName; an empty
	// name clears the role). The latest entry per role is the holder: see Roles.
	KindRoleSet Kind = "role-set"
	// KindUpdatePosted is an update published to an audience (Data: DataAudience and,
	// when one was given, DataETA): it is what the status page shows to that audience.
	KindUpdatePosted Kind = "update-posted"
)

// Timeline data keys of the communication entries.
const (
	DataRole     = "role"     // commander, comms
	DataName     = "name"     // who holds the role: a contact id or a free name
	DataAudience = "audience" // stakeholders, executives, customers, …
	DataETA      = "eta"      // estimated resolution, RFC 3339
)

// Incident roles.
const (
	RoleCommander = "commander" // directs the response
	RoleComms     = "comms"     // communications lead: writes the updates
)

// RoleNames lists the roles, in the order pages show them.
var RoleNames = []string{RoleCommander, RoleComms}

// RoleLabel is a role's human name.
func RoleLabel(role string) string {
	switch role {
	case RoleCommander:
		return "Commander"
	case RoleComms:
		return "Communications lead"
	}
	return role
}

// Roles returns who holds each role according to the timeline: the latest
// KindRoleSet entry of a role wins (entries in time order, as the store returns them);
// a cleared role is absent. The timeline is the one record of roles.
func Roles(tl []Entry) map[string]string {
	out := map[string]string{}
	for _, e := range tl {
		if string(e.Kind) != string(KindRoleSet) {
			continue
		}
		role := e.Data[DataRole]
		if role == "" {
			continue
		}
		if name := e.Data[DataName]; name != "" {
			out[role] = name
		} else {
			delete(out, role)
		}
	}
	return out
}
