package incident

import "strings"

// The incident fields that grouping (grouping.by), inhibition (inhibit[].equal) and
// silences (their matchers) compare, by name; Field reads them.
const (
	FieldAccount  = "account"
	FieldRegion   = "region"
	FieldTeam     = "team"
	FieldClass    = "class"
	FieldResource = "resource"
	FieldSource   = "source"
	FieldActor    = "actor"
	// FieldResourcePrefix is the resource up to its last '/' or ':'.
	FieldResourcePrefix = "resource_prefix"
	// FieldClient and FieldEnvironment are what the account directory says of the
	// account ("" when it does not list it): grouping by client pages once per client.
	FieldClient      = "client"
	FieldEnvironment = "environment"
	// FieldAttrPrefix names an attribute of the opening event: attr:<name>.
	FieldAttrPrefix = "attr:"
)

// Fields lists the named fields (attr:<name> aside).
var Fields = []string{FieldAccount, FieldRegion, FieldTeam, FieldClass, FieldResource, FieldSource, FieldActor, FieldResourcePrefix,
	FieldClient, FieldEnvironment}

// ValidField reports whether name is a field Field reads: one of Fields or attr:<name>.
func ValidField(name string) bool {
	if attr, ok := strings.CutPrefix(name, FieldAttrPrefix); ok {
		return attr != ""
	}
	for _, f := range Fields {
		if f == name {
			return true
		}
	}
	return false
}

// Field is the incident's value of a field (see Fields); "" for an unknown field.
func (inc Incident) Field(name string) string {
	switch name {
	case FieldAccount:
		return inc.Account
	case FieldRegion:
		return inc.Region
	case FieldTeam:
		return inc.Team
	case FieldClass:
		return inc.Class
	case FieldResource:
		return inc.Resource
	case FieldSource:
		return inc.Source
	case FieldActor:
		return inc.Actor
	case FieldClient:
		return inc.Client
	case FieldEnvironment:
		return inc.Environment
	case FieldResourcePrefix:
		if i := strings.LastIndexAny(inc.Resource, "/:"); i > 0 {
			return inc.Resource[:i]
		}
		return inc.Resource
	}
	if attr, ok := strings.CutPrefix(name, FieldAttrPrefix); ok {
		return inc.Attrs[attr]
	}
	return ""
}
