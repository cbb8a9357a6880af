package event

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// parseEC2State reads an "EC2 Instance State-change Notification": stopped and
// terminated are triggers, running a recovery, anything else informational.
func parseEC2State(env events.EventBridgeEvent, d obj, e Event) []Event {
	id, state := d.s("instance-id"), strings.ToLower(d.s("state"))
	switch state {
	case "stopped", "terminated":
		e.Signal = Trigger
	case "running":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	if id != "" {
		e.Resource, e.Subject = id, id
	}
	setAttr(&e, attrInstanceID, id)
	setAttr(&e, "state", state)
	e.Summary = fmt.Sprintf("EC2 instance %s is %s", first(id, e.Resource, "(unnamed)"), first(state, "in an unknown state"))
	return one(e)
}

// parseHealth reads an "AWS Health Event". Updates to one Health event share its ARN:
// that is the subject. Open and upcoming events are triggers, closed ones recoveries,
// account notifications and unknown statuses informational.
func parseHealth(env events.EventBridgeEvent, d obj, e Event) []Event {
	code, status, category := d.s("eventTypeCode"), strings.ToLower(d.s("statusCode")), d.s("eventTypeCategory")
	switch status {
	case "open", "upcoming":
		e.Signal = Trigger
	case "closed":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	if category == "accountNotification" {
		e.Signal = Info
	}
	if s := first(d.s("eventArn"), code); s != "" {
		e.Subject = s
	}
	var entities []string
	for _, x := range d.list("affectedEntities") {
		a := asObj(x)
		v := first(a.s("entityValue"), str(x)) // an entity may be written as its bare value
		if v == "" {
			continue
		}
		entities = append(entities, v)
		for k, t := range strMap(a["tags"]) {
			setTag(&e, k, t)
		}
	}
	switch {
	case len(entities) == 1:
		e.Resource = entities[0]
	case len(entities) > 1:
		e.Resource = fmt.Sprintf("%s (+%d more)", entities[0], len(entities)-1)
	case e.Subject != "":
		e.Resource = e.Subject
	}
	service := d.s("service")
	setAttr(&e, "service", service)
	setAttr(&e, "event_type_code", code)
	setAttr(&e, attrHealthCategory, category)
	setAttr(&e, "status", status)
	setAttr(&e, "entities", strings.Join(entities, ","))
	setAttr(&e, "start_time", d.s("startTime"))
	if a := d.s("affectedAccount"); a != "" && a != e.Account {
		setAttr(&e, "affected_account", a)
	}
	e.Summary = fmt.Sprintf("AWS Health %s %s (%s)", first(service, "service"), first(code, "event"), first(status, "unknown status"))
	for _, desc := range d.list("eventDescription") {
		if s := asObj(desc).s("latestDescription"); s != "" {
			e.Summary += ": " + s
			break
		}
	}
	return one(e)
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

// parseGuardDuty reads a "GuardDuty Finding" (the detail is the finding). The finding
// id is the subject; the severity is read as a number, a numeric string or a label.
func parseGuardDuty(env events.EventBridgeEvent, d obj, e Event) []Event {
	id, typ := d.s("id"), d.s("type")
	e.Signal = Trigger
	if d.o("service").flag("archived") {
		e.Signal = Recovery
	}
	if sev, ok := d.num("severity"); ok {
		e.SourceSeverity = GuardDutyLabel(sev)
		setAttr(&e, "severity_score", strconv.FormatFloat(sev, 'f', -1, 64))
	} else {
		e.SourceSeverity = severityLabel(d.s("severity"))
	}
	if id != "" {
		e.Subject = id
	}
	r := d.o("resource")
	inst, key := r.o("instanceDetails"), r.o("accessKeyDetails")
	var bucket obj
	if b := r.list("s3BucketDetails"); len(b) > 0 {
		bucket = asObj(b[0])
	}
	switch {
	case inst.s("instanceId") != "":
		e.Resource = inst.s("instanceId")
		setAttr(&e, attrInstanceID, e.Resource)
		for k, v := range strMap(inst["tags"]) {
			setTag(&e, k, v)
		}
	case key.s("accessKeyId") != "":
		e.Resource = key.s("accessKeyId")
		setAttr(&e, "user_name", key.s("userName"))
	case first(bucket.s("name"), bucket.s("arn")) != "":
		e.Resource = first(bucket.s("name"), bucket.s("arn"))
	case first(d.s("arn"), id) != "":
		e.Resource = first(d.s("arn"), id)
	}
	setAttr(&e, attrFindingType, typ)
	setAttr(&e, "finding_id", id)
	setAttr(&e, "resource_type", r.s("resourceType"))
	e.Summary = fmt.Sprintf("GuardDuty %s (%s): %s", first(typ, "finding"), first(e.SourceSeverity, "unknown severity"), first(d.s("title"), d.s("description")))
	return one(e)
}

// severityLabel normalises a source's severity label (critical, high, medium, low,
// informational/info), or returns "" for anything else.
func severityLabel(s string) string {
	switch s = strings.ToUpper(s); s {
	case "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL":
		return s
	case "INFO":
		return "INFORMATIONAL"
	}
	return ""
}

// parseSecurityHub reads a "Security Hub Findings - Imported": one event per finding,
// the finding id as subject. An event without findings is one generic event.
func parseSecurityHub(env events.EventBridgeEvent, d obj, base Event) []Event {
	findings := d.list("findings")
	out := make([]Event, 0, len(findings))
	for i, x := range findings {
		f := asObj(x)
		e := base
		e.Tags, e.Attrs = nil, nil
		if len(findings) > 1 {
			e.ID = fmt.Sprintf("%s#%d", base.ID, i)
		}
		if a := f.s("AwsAccountId"); a != "" {
			e.Account = a
		}
		if r := f.s("Region"); r != "" {
			e.Region = r
		}
		sev := f.o("Severity")
		e.SourceSeverity = severityLabel(sev.s("Label"))
		e.Signal = Trigger
		workflow := first(f.o("Workflow").s("Status"), f.s("WorkflowState"))
		compliance := f.o("Compliance").s("Status")
		if f.s("RecordState") == "ARCHIVED" || workflow == "RESOLVED" || workflow == "SUPPRESSED" || compliance == "PASSED" {
			e.Signal = Recovery
		}
		if e.SourceSeverity == "INFORMATIONAL" && e.Signal == Trigger {
			e.Signal = Info
		}
		if rs := f.list("Resources"); len(rs) > 0 {
			r := asObj(rs[0])
			if id := first(r.s("Id"), str(rs[0])); id != "" {
				e.Resource = id
			}
			setAttr(&e, "resource_type", r.s("Type"))
			for k, v := range strMap(r["Tags"]) {
				setTag(&e, k, v)
			}
		}
		id := f.s("Id")
		// Without an id, the generator and resource name the finding as well as anything can.
		e.Subject = first(id, joinNonEmpty("/", f.s("GeneratorId"), e.Resource))
		setAttr(&e, "finding_id", id)
		setAttr(&e, "generator_id", f.s("GeneratorId"))
		setAttr(&e, "product", first(f.s("ProductName"), f.s("ProductArn")))
		setAttr(&e, "compliance", compliance)
		setAttr(&e, "workflow", workflow)
		if ts := f.strs("Types"); len(ts) > 0 {
			setAttr(&e, attrFindingType, ts[0])
		}
		e.Summary = fmt.Sprintf("Security Hub %s: %s", first(e.SourceSeverity, "finding"), first(f.s("Title"), f.s("Description"), f.s("GeneratorId"), id))
		out = append(out, e)
	}
	if len(out) == 0 {
		return generic(env, base)
	}
	return out
}

// parseApplication reads a "Firebreak Application Alert": the schema any application
// can PutEvents to raise or resolve an alert (docs/configuration.md). State firing is a trigger,
// resolved a recovery, anything else informational; an unknown severity is ignored.
func parseApplication(env events.EventBridgeEvent, d obj, e Event) []Event {
	service, alert, state := d.s("service"), d.s("alert"), strings.ToLower(d.s("state"))
	switch state {
	case "firing":
		e.Signal = Trigger
	case "resolved":
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	e.SourceSeverity = severityLabel(d.s("severity"))
	e.Resource = first(d.s("resource"), service, e.Resource, env.Source)
	if service != "" || alert != "" {
		e.Subject = first(service, env.Source) + "/" + first(alert, "alert") + "/" + e.Resource
	}
	e.Tags = strMap(d["tags"])
	e.Actor = env.Source
	setAttr(&e, "service", service)
	setAttr(&e, "alert", alert)
	setAttr(&e, "runbook_url", d.s("runbook_url"))
	e.Summary = fmt.Sprintf("%s %s %s", first(service, env.Source), first(alert, "alert"), first(state, "in an unknown state"))
	if s := d.s("summary"); s != "" {
		e.Summary += ": " + s
	}
	return one(e)
}

func setTag(e *Event, k, v string) {
	if e.Tags == nil {
		e.Tags = map[string]string{}
	}
	e.Tags[k] = v
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
