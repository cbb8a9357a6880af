package event

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// AlarmDetail is the detail of a "CloudWatch Alarm State Change" event.
type AlarmDetail struct {
	AlarmName     string     `json:"alarmName"`
	State         AlarmState `json:"state"`
	PreviousState AlarmState `json:"previousState"`
	Configuration struct {
		Description string `json:"description"`
		Metrics     []struct {
			ID         string `json:"id"`
			Expression string `json:"expression"`
			MetricStat struct {
				Metric struct {
					Namespace  string            `json:"namespace"`
					Name       string            `json:"name"`
					Dimensions map[string]string `json:"dimensions"`
				} `json:"metric"`
				Period int    `json:"period"`
				Stat   string `json:"stat"`
			} `json:"metricStat"`
			ReturnData bool `json:"returnData"`
		} `json:"metrics"`
		AlarmRule string `json:"alarmRule"` // composite alarms
	} `json:"configuration"`
}

// AlarmState is one side of an alarm's state change.
type AlarmState struct {
	Value      string `json:"value"`
	Reason     string `json:"reason"`
	ReasonData string `json:"reasonData"`
	Timestamp  string `json:"timestamp"`
}

// Alarm state values.
const (
	AlarmALARM            = "ALARM"
	AlarmOK               = "OK"
	AlarmInsufficientData = "INSUFFICIENT_DATA"
)

func parseAlarm(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d AlarmDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if d.AlarmName == "" {
		return nil, missing(env, "detail.alarmName")
	}
	switch d.State.Value {
	case AlarmALARM:
		e.Signal = Trigger
	case AlarmOK:
		e.Signal = Recovery
	case AlarmInsufficientData:
		e.Signal = Info
	case "":
		return nil, missing(env, "detail.state.value")
	default:
		return nil, invalid(env, "detail.state.value", fmt.Sprintf("%q is not ALARM, OK or INSUFFICIENT_DATA", d.State.Value))
	}
	// The alarm is the subject; the resource a responder cares about is the single
	// monitored dimension value when there is one (an instance, a load balancer).
	e.Subject = e.Resource
	if e.Subject == "" {
		e.Subject = "alarm:" + d.AlarmName
	}
	e.Resource = e.Subject
	setAttr(&e, "alarm_name", d.AlarmName)
	setAttr(&e, "state", d.State.Value)
	setAttr(&e, "previous_state", d.PreviousState.Value)
	var namespaces []string
	for _, m := range d.Configuration.Metrics {
		mm := m.MetricStat.Metric
		if mm.Namespace == "" {
			continue
		}
		namespaces = append(namespaces, mm.Namespace)
		setAttr(&e, "namespace", mm.Namespace)
		setAttr(&e, "metric", mm.Name)
		keys := make([]string, 0, len(mm.Dimensions))
		for k := range mm.Dimensions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			setAttr(&e, "dim_"+k, mm.Dimensions[k])
		}
		if len(keys) == 1 {
			e.Resource = mm.Dimensions[keys[0]]
		}
		if id := mm.Dimensions["InstanceId"]; id != "" {
			setAttr(&e, attrInstanceID, id)
			e.Resource = id
		}
	}
	if len(namespaces) > 1 { // math expressions over several metrics: keep the alarm as the resource
		e.Resource = e.Subject
	}
	e.Summary = fmt.Sprintf("Alarm %s is %s", d.AlarmName, d.State.Value)
	if d.PreviousState.Value != "" {
		e.Summary = fmt.Sprintf("Alarm %s %s → %s", d.AlarmName, d.PreviousState.Value, d.State.Value)
	}
	if r := strings.TrimSpace(d.State.Reason); r != "" {
		e.Summary += ": " + r
	}
	return one(e)
}
