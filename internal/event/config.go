package event

import (
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Config compliance types.
const (
	NonCompliant = "NON_COMPLIANT"
	Compliant    = "COMPLIANT"
)

// parseConfig reads a "Config Rules Compliance Change". One resource can break several
// rules independently: the rule is part of the subject. Rule, resource type and id are
// read from the detail's top level, else from the evaluation's qualifier; a compliance
// type other than NON_COMPLIANT or COMPLIANT is informational.
func parseConfig(env events.EventBridgeEvent, d obj, e Event) []Event {
	res := d.o("newEvaluationResult")
	q := res.o("evaluationResultIdentifier", "evaluationResultQualifier")
	rule := first(d.s("configRuleName"), q.s("configRuleName"))
	rtype := first(d.s("resourceType"), q.s("resourceType"))
	rid := first(d.s("resourceId"), q.s("resourceId"))
	compliance := strings.ToUpper(res.s("complianceType"))
	switch compliance {
	case NonCompliant:
		e.Signal = Trigger
	case Compliant:
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	if rid != "" {
		e.Resource = rid
	}
	if rule != "" || rid != "" {
		e.Subject = first(rule, "unknown-rule") + "/" + rtype + "/" + first(rid, e.Resource, "unknown-resource")
	}
	setAttr(&e, "config_rule", rule)
	setAttr(&e, "resource_type", rtype)
	setAttr(&e, "resource_id", rid)
	setAttr(&e, "compliance", compliance)
	e.Summary = fmt.Sprintf("Config rule %s: %s %s is %s", first(rule, "(unnamed)"), first(rtype, "resource"),
		first(rid, e.Resource, "(unnamed)"), first(compliance, "of unknown compliance"))
	if a := res.s("annotation"); a != "" {
		e.Summary += " (" + a + ")"
	}
	return one(e)
}
