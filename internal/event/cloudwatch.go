package event

import (
	"fmt"
	"sort"

	"github.com/aws/aws-lambda-go/events"
)

// Alarm state values.
const (
	AlarmALARM            = "ALARM"
	AlarmOK               = "OK"
	AlarmInsufficientData = "INSUFFICIENT_DATA"
)

// parseAlarm reads a "CloudWatch Alarm State Change". The alarm (the envelope's
// resource, else its name) is the subject; the resource a responder cares about is the
// single monitored dimension value when there is one (an instance, a load balancer).
// A state other than ALARM or OK is informational.
func parseAlarm(env events.EventBridgeEvent, d obj, e Event) []Event {
	name := d.s("alarmName")
	state, prev := d.o("state").s("value"), d.o("previousState").s("value")
	switch state {
	case AlarmALARM:
		e.Signal = Trigger
	case AlarmOK:
		e.Signal = Recovery
	default:
		e.Signal = Info
	}
	e.Subject = e.Resource
	if e.Subject == "" && name != "" {
		e.Subject = "alarm:" + name
	}
	e.Resource = e.Subject
	setAttr(&e, "alarm_name", name)
	setAttr(&e, "state", state)
	setAttr(&e, "previous_state", prev)
	namespaces := 0
	for _, m := range d.o("configuration").list("metrics") {
		mm := asObj(m).o("metricStat", "metric")
		ns := mm.s("namespace")
		if ns == "" {
			continue
		}
		namespaces++
		setAttr(&e, "namespace", ns)
		setAttr(&e, "metric", mm.s("name"))
		dims := strMap(mm["dimensions"])
		keys := make([]string, 0, len(dims))
		for k := range dims {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			setAttr(&e, "dim_"+k, dims[k])
		}
		if len(keys) == 1 && dims[keys[0]] != "" {
			e.Resource = dims[keys[0]]
		}
		if id := dims["InstanceId"]; id != "" {
			setAttr(&e, attrInstanceID, id)
			e.Resource = id
		}
	}
	if namespaces > 1 { // math expressions over several metrics: keep the alarm as the resource
		e.Resource = e.Subject
	}
	what := first(name, e.Subject, "(unnamed)")
	state = first(state, "in an unknown state")
	e.Summary = fmt.Sprintf("Alarm %s is %s", what, state)
	if prev != "" {
		e.Summary = fmt.Sprintf("Alarm %s %s → %s", what, prev, state)
	}
	if r := d.o("state").s("reason"); r != "" {
		e.Summary += ": " + r
	}
	return one(e)
}
