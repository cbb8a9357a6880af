package event

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// EC2StateDetail is the detail of an "EC2 Instance State-change Notification".
type EC2StateDetail struct {
	InstanceID string `json:"instance-id"`
	State      string `json:"state"`
}

func parseEC2State(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d EC2StateDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if d.InstanceID == "" {
		return nil, missing(env, "detail.instance-id")
	}
	switch d.State {
	case "stopped", "terminated":
		e.Signal = Trigger
	case "running":
		e.Signal = Recovery
	case "pending", "stopping", "shutting-down":
		e.Signal = Info
	case "":
		return nil, missing(env, "detail.state")
	default:
		return nil, invalid(env, "detail.state", fmt.Sprintf("unknown instance state %q", d.State))
	}
	e.Resource, e.Subject = d.InstanceID, d.InstanceID
	setAttr(&e, attrInstanceID, d.InstanceID)
	setAttr(&e, "state", d.State)
	e.Summary = fmt.Sprintf("EC2 instance %s is %s", d.InstanceID, d.State)
	return one(e)
}

// HealthDetail is the detail of an "AWS Health Event".
type HealthDetail struct {
	EventARN          string `json:"eventArn"`
	Service           string `json:"service"`
	EventTypeCode     string `json:"eventTypeCode"`
	EventTypeCategory string `json:"eventTypeCategory"`
	EventScopeCode    string `json:"eventScopeCode"`
	StatusCode        string `json:"statusCode"`
	StartTime         string `json:"startTime"`
	EndTime           string `json:"endTime"`
	LastUpdatedTime   string `json:"lastUpdatedTime"`
	EventRegion       string `json:"eventRegion"`
	EventDescription  []struct {
		Language          string `json:"language"`
		LatestDescription string `json:"latestDescription"`
	} `json:"eventDescription"`
	AffectedEntities []struct {
		EntityValue string            `json:"entityValue"`
		Tags        map[string]string `json:"tags"`
	} `json:"affectedEntities"`
	AffectedAccount string `json:"affectedAccount"`
}

func parseHealth(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d HealthDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if d.EventTypeCode == "" {
		return nil, missing(env, "detail.eventTypeCode")
	}
	switch d.StatusCode {
	case "open", "upcoming":
		e.Signal = Trigger
	case "closed":
		e.Signal = Recovery
	case "":
		return nil, missing(env, "detail.statusCode")
	default:
		return nil, invalid(env, "detail.statusCode", fmt.Sprintf("%q is not open, upcoming or closed", d.StatusCode))
	}
	if d.EventTypeCategory == "accountNotification" {
		e.Signal = Info
	}
	// Updates to one Health event share its ARN: that is the subject.
	e.Subject = first(d.EventARN, d.EventTypeCode)
	var entities []string
	for _, a := range d.AffectedEntities {
		if a.EntityValue == "" {
			continue
		}
		entities = append(entities, a.EntityValue)
		for k, v := range a.Tags {
			if e.Tags == nil {
				e.Tags = map[string]string{}
			}
			e.Tags[k] = v
		}
	}
	switch {
	case len(entities) == 1:
		e.Resource = entities[0]
	case len(entities) > 1:
		e.Resource = fmt.Sprintf("%s (+%d more)", entities[0], len(entities)-1)
	default:
		e.Resource = e.Subject
	}
	setAttr(&e, "service", d.Service)
	setAttr(&e, "event_type_code", d.EventTypeCode)
	setAttr(&e, attrHealthCategory, d.EventTypeCategory)
	setAttr(&e, "status", d.StatusCode)
	setAttr(&e, "entities", strings.Join(entities, ","))
	setAttr(&e, "start_time", d.StartTime)
	if d.AffectedAccount != "" && d.AffectedAccount != e.Account {
		setAttr(&e, "affected_account", d.AffectedAccount)
	}
	e.Summary = fmt.Sprintf("AWS Health %s %s (%s)", d.Service, d.EventTypeCode, d.StatusCode)
	for _, desc := range d.EventDescription {
		if desc.LatestDescription != "" {
			e.Summary += ": " + desc.LatestDescription
			break
		}
	}
	return one(e)
}

// GuardDutyDetail is the detail of a "GuardDuty Finding" event (the finding itself).
type GuardDutyDetail struct {
	SchemaVersion string  `json:"schemaVersion"`
	AccountID     string  `json:"accountId"`
	Region        string  `json:"region"`
	ID            string  `json:"id"`
	ARN           string  `json:"arn"`
	Type          string  `json:"type"`
	Severity      float64 `json:"severity"`
	Title         string  `json:"title"`
	Description   string  `json:"description"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
	Resource      struct {
		ResourceType    string `json:"resourceType"`
		InstanceDetails *struct {
			InstanceID string `json:"instanceId"`
			Tags       []struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"tags"`
		} `json:"instanceDetails"`
		AccessKeyDetails *struct {
			AccessKeyID string `json:"accessKeyId"`
			UserName    string `json:"userName"`
			UserType    string `json:"userType"`
		} `json:"accessKeyDetails"`
		S3BucketDetails []struct {
			Name string `json:"name"`
			ARN  string `json:"arn"`
		} `json:"s3BucketDetails"`
	} `json:"resource"`
	Service struct {
		Archived bool `json:"archived"`
		Count    int  `json:"count"`
	} `json:"service"`
}

// GuardDutyLabel maps GuardDuty's numeric severity to its documented label:
// 9.0–10.0 CRITICAL, 7.0–8.9 HIGH, 4.0–6.9 MEDIUM, 1.0–3.9 LOW.
func GuardDutyLabel(sev float64) string {
	switch {
	case sev >= 9:
		return "CRITICAL"
	case sev >= 7:
		return "HIGH"
	case sev >= 4:
		return "MEDIUM"
	default:
		return "LOW"
	}
}

func parseGuardDuty(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d GuardDutyDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if d.Type == "" {
		return nil, missing(env, "detail.type")
	}
	if d.ID == "" {
		return nil, missing(env, "detail.id")
	}
	e.Signal = Trigger
	if d.Service.Archived {
		e.Signal = Recovery
	}
	e.SourceSeverity = GuardDutyLabel(d.Severity)
	e.Subject = d.ID
	r := d.Resource
	switch {
	case r.InstanceDetails != nil && r.InstanceDetails.InstanceID != "":
		e.Resource = r.InstanceDetails.InstanceID
		setAttr(&e, attrInstanceID, e.Resource)
		for _, t := range r.InstanceDetails.Tags {
			if e.Tags == nil {
				e.Tags = map[string]string{}
			}
			e.Tags[t.Key] = t.Value
		}
	case r.AccessKeyDetails != nil && r.AccessKeyDetails.AccessKeyID != "":
		e.Resource = r.AccessKeyDetails.AccessKeyID
		setAttr(&e, "user_name", r.AccessKeyDetails.UserName)
	case len(r.S3BucketDetails) > 0:
		e.Resource = first(r.S3BucketDetails[0].Name, r.S3BucketDetails[0].ARN)
	default:
		e.Resource = first(d.ARN, d.ID)
	}
	setAttr(&e, attrFindingType, d.Type)
	setAttr(&e, "finding_id", d.ID)
	setAttr(&e, "resource_type", r.ResourceType)
	setAttr(&e, "severity_score", strconv.FormatFloat(d.Severity, 'f', -1, 64))
	e.Summary = fmt.Sprintf("GuardDuty %s (%s): %s", d.Type, e.SourceSeverity, first(d.Title, d.Description))
	return one(e)
}

// SecurityHubDetail is the detail of a "Security Hub Findings - Imported" event.
type SecurityHubDetail struct {
	Findings []ASFFFinding `json:"findings"`
}

// ASFFFinding is the part of an AWS Security Finding Format finding Firebreak reads.
type ASFFFinding struct {
	SchemaVersion string   `json:"SchemaVersion"`
	ID            string   `json:"Id"`
	ProductARN    string   `json:"ProductArn"`
	ProductName   string   `json:"ProductName"`
	GeneratorID   string   `json:"GeneratorId"`
	AWSAccountID  string   `json:"AwsAccountId"`
	Region        string   `json:"Region"`
	Types         []string `json:"Types"`
	Title         string   `json:"Title"`
	Description   string   `json:"Description"`
	Severity      struct {
		Label      string  `json:"Label"`
		Normalized float64 `json:"Normalized"`
	} `json:"Severity"`
	Resources []struct {
		Type   string            `json:"Type"`
		ID     string            `json:"Id"`
		Region string            `json:"Region"`
		Tags   map[string]string `json:"Tags"`
	} `json:"Resources"`
	Compliance struct {
		Status string `json:"Status"`
	} `json:"Compliance"`
	Workflow struct {
		Status string `json:"Status"`
	} `json:"Workflow"`
	RecordState string `json:"RecordState"`
}

func parseSecurityHub(env events.EventBridgeEvent, base Event) ([]Event, error) {
	var d SecurityHubDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if len(d.Findings) == 0 {
		return nil, missing(env, "detail.findings")
	}
	out := make([]Event, 0, len(d.Findings))
	for i, f := range d.Findings {
		field := fmt.Sprintf("detail.findings[%d]", i)
		if f.ID == "" {
			return nil, missing(env, field+".Id")
		}
		e := base
		e.Tags, e.Attrs = nil, nil
		if len(d.Findings) > 1 {
			e.ID = fmt.Sprintf("%s#%d", base.ID, i)
		}
		if f.AWSAccountID != "" {
			e.Account = f.AWSAccountID
		}
		if f.Region != "" {
			e.Region = f.Region
		}
		e.Subject = f.ID
		e.SourceSeverity = strings.ToUpper(f.Severity.Label)
		e.Signal = Trigger
		if f.RecordState == "ARCHIVED" || f.Workflow.Status == "RESOLVED" || f.Workflow.Status == "SUPPRESSED" || f.Compliance.Status == "PASSED" {
			e.Signal = Recovery
		}
		if e.SourceSeverity == "INFORMATIONAL" && e.Signal == Trigger {
			e.Signal = Info
		}
		if len(f.Resources) > 0 {
			e.Resource = f.Resources[0].ID
			setAttr(&e, "resource_type", f.Resources[0].Type)
			for k, v := range f.Resources[0].Tags {
				if e.Tags == nil {
					e.Tags = map[string]string{}
				}
				e.Tags[k] = v
			}
		}
		setAttr(&e, "finding_id", f.ID)
		setAttr(&e, "generator_id", f.GeneratorID)
		setAttr(&e, "product", first(f.ProductName, f.ProductARN))
		setAttr(&e, "compliance", f.Compliance.Status)
		setAttr(&e, "workflow", f.Workflow.Status)
		if len(f.Types) > 0 {
			setAttr(&e, attrFindingType, f.Types[0])
		}
		e.Summary = fmt.Sprintf("Security Hub %s: %s", first(e.SourceSeverity, "finding"), first(f.Title, f.Description, f.GeneratorID))
		out = append(out, e)
	}
	return out, nil
}

// ApplicationDetail is the detail of a "Firebreak Application Alert": the schema any
// application can PutEvents to raise or resolve an alert (see README).
type ApplicationDetail struct {
	Service    string            `json:"service"`
	Alert      string            `json:"alert"`
	State      string            `json:"state"`    // firing | resolved
	Severity   string            `json:"severity"` // critical | high | medium | low | info
	Summary    string            `json:"summary"`
	Resource   string            `json:"resource"`
	Tags       map[string]string `json:"tags"`
	RunbookURL string            `json:"runbook_url"`
}

func parseApplication(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d ApplicationDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	switch {
	case d.Service == "":
		return nil, missing(env, "detail.service")
	case d.Alert == "":
		return nil, missing(env, "detail.alert")
	}
	switch d.State {
	case "firing":
		e.Signal = Trigger
	case "resolved":
		e.Signal = Recovery
	case "":
		return nil, missing(env, "detail.state")
	default:
		return nil, invalid(env, "detail.state", fmt.Sprintf("%q is not firing or resolved", d.State))
	}
	switch s := strings.ToUpper(d.Severity); s {
	case "CRITICAL", "HIGH", "MEDIUM", "LOW":
		e.SourceSeverity = s
	case "INFO", "INFORMATIONAL":
		e.SourceSeverity = "INFORMATIONAL"
	case "":
	default:
		return nil, invalid(env, "detail.severity", fmt.Sprintf("%q is not critical, high, medium, low or info", d.Severity))
	}
	e.Resource = first(d.Resource, d.Service)
	e.Subject = d.Service + "/" + d.Alert + "/" + e.Resource
	e.Tags = d.Tags
	e.Actor = env.Source
	setAttr(&e, "service", d.Service)
	setAttr(&e, "alert", d.Alert)
	setAttr(&e, "runbook_url", d.RunbookURL)
	e.Summary = fmt.Sprintf("%s %s %s", d.Service, d.Alert, d.State)
	if d.Summary != "" {
		e.Summary += ": " + d.Summary
	}
	return one(e)
}
