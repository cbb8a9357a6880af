package event

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// ConfigDetail is the detail of a "Config Rules Compliance Change" event.
type ConfigDetail struct {
	ResourceID          string           `json:"resourceId"`
	ResourceType        string           `json:"resourceType"`
	AWSRegion           string           `json:"awsRegion"`
	AWSAccountID        string           `json:"awsAccountId"`
	ConfigRuleName      string           `json:"configRuleName"`
	ConfigRuleARN       string           `json:"configRuleARN"`
	MessageType         string           `json:"messageType"`
	RecordVersion       string           `json:"recordVersion"`
	NewEvaluationResult ConfigEvaluation `json:"newEvaluationResult"`
	OldEvaluationResult ConfigEvaluation `json:"oldEvaluationResult"`
}

// ConfigEvaluation is one evaluation result of a Config rule on a resource.
type ConfigEvaluation struct {
	EvaluationResultIdentifier struct {
		EvaluationResultQualifier struct {
			ConfigRuleName string `json:"configRuleName"`
			ResourceType   string `json:"resourceType"`
			ResourceID     string `json:"resourceId"`
		} `json:"evaluationResultQualifier"`
		OrderingTimestamp string `json:"orderingTimestamp"`
	} `json:"evaluationResultIdentifier"`
	ComplianceType     string `json:"complianceType"`
	ResultRecordedTime string `json:"resultRecordedTime"`
	Annotation         string `json:"annotation"`
}

// Config compliance types.
const (
	NonCompliant = "NON_COMPLIANT"
	Compliant    = "COMPLIANT"
)

func parseConfig(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d ConfigDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	q := d.NewEvaluationResult.EvaluationResultIdentifier.EvaluationResultQualifier
	rule, rtype, rid := first(d.ConfigRuleName, q.ConfigRuleName), first(d.ResourceType, q.ResourceType), first(d.ResourceID, q.ResourceID)
	switch {
	case rule == "":
		return nil, missing(env, "detail.configRuleName")
	case rid == "":
		return nil, missing(env, "detail.resourceId")
	}
	switch c := d.NewEvaluationResult.ComplianceType; c {
	case NonCompliant:
		e.Signal = Trigger
	case Compliant:
		e.Signal = Recovery
	case "NOT_APPLICABLE", "INSUFFICIENT_DATA":
		e.Signal = Info
	case "":
		return nil, missing(env, "detail.newEvaluationResult.complianceType")
	default:
		return nil, invalid(env, "detail.newEvaluationResult.complianceType", fmt.Sprintf("unknown compliance type %q", c))
	}
	e.Resource = rid
	// One resource can break several rules independently: the rule is part of the subject.
	e.Subject = rule + "/" + rtype + "/" + rid
	setAttr(&e, "config_rule", rule)
	setAttr(&e, "resource_type", rtype)
	setAttr(&e, "resource_id", rid)
	setAttr(&e, "compliance", d.NewEvaluationResult.ComplianceType)
	e.Summary = fmt.Sprintf("Config rule %s: %s %s is %s", rule, rtype, rid, d.NewEvaluationResult.ComplianceType)
	if a := d.NewEvaluationResult.Annotation; a != "" {
		e.Summary += " (" + a + ")"
	}
	return one(e)
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
