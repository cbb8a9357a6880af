package infra

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// MetricsNamespace is the CloudWatch namespace of the metrics the intake and escalate
// Lambdas emit in Embedded Metric Format.
const MetricsNamespace = "Firebreak"

// DispatchIteratorAgeAlarm is how far behind the table's stream dispatch may fall
// (the age of the last record it read) before the operators hear of it.
const DispatchIteratorAgeAlarm = 5 * time.Minute

// Health watches the stack itself: alarms to the operators' topic and a dashboard of the
// pipeline.
type Health struct {
	Alarms    []awscloudwatch.Alarm
	Dashboard awscloudwatch.Dashboard
}

// health builds Health: the alarms as it watches each part, the metrics each dashboard
// widget graphs.
type health struct {
	s      *Stack
	scope  constructs.Construct
	h      *Health
	action awscloudwatch.IAlarmAction
	period awscdk.Duration

	// What the dashboard graphs, gathered as the parts are watched.
	dlqDepth, fnErrors, fnThrottles, streamAge, ticks, rbOutcomes []awscloudwatch.IMetric
}

func newHealth(s *Stack) *Health {
	b := &health{s: s, scope: constructs.NewConstruct(s.Stack, jsii.String("Health")), h: &Health{},
		action: awscloudwatchactions.NewSnsAction(s.Notifications.Operators), period: awscdk.Duration_Minutes(jsii.Number(5))}
	b.watchQueues()
	b.watchFunctions()
	b.watchDispatch()
	b.watchEscalation()
	b.watchRunbooks()
	b.h.Dashboard = b.dashboard()
	return b.h
}

// alarm tells the operators when metric reaches threshold, and when it is back.
func (b *health) alarm(id, description string, metric awscloudwatch.IMetric, threshold float64) {
	a := awscloudwatch.NewAlarm(b.scope, jsii.String(id), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	a.AddAlarmAction(b.action)
	a.AddOkAction(b.action)
	b.h.Alarms = append(b.h.Alarms, a)
}

// firebreak is a metric the Lambdas emit (MetricsNamespace), summed over the period.
func (b *health) firebreak(name string, dims map[string]string, label string) awscloudwatch.Metric {
	props := &awscloudwatch.MetricProps{
		Namespace: jsii.String(MetricsNamespace), MetricName: jsii.String(name),
		Statistic: jsii.String("Sum"), Period: b.period, Label: jsii.String(label),
	}
	if len(dims) > 0 {
		m := map[string]*string{}
		for k, v := range dims {
			m[k] = jsii.String(v)
		}
		props.DimensionsMap = &m
	}
	return awscloudwatch.NewMetric(props)
}

// options are a metric's statistic, period and label.
func (b *health) options(statistic, label string) *awscloudwatch.MetricOptions {
	o := &awscloudwatch.MetricOptions{Statistic: jsii.String(statistic), Period: b.period}
	if label != "" {
		o.Label = jsii.String(label)
	}
	return o
}

// watchQueues alarms on work not done: dead letters, the intake backlog, quarantined
// and rejected events.
func (b *health) watchQueues() {
	// Dead-letter queues: anything in one is work Firebreak did not do.
	for _, d := range b.s.deadLetters {
		id := *d.Queue.Node().Path()
		m := d.Queue.MetricApproximateNumberOfMessagesVisible(b.options("Maximum", d.Of))
		b.alarm("DLQ-"+pathID(id), "Firebreak dead-letter queue is not empty: "+d.Of+". Inspect and redrive the messages.", m, 1)
		b.dlqDepth = append(b.dlqDepth, m)
	}
	// Intake backlog: events waiting longer than 15 minutes mean intake is behind or down.
	b.alarm("IntakeBacklog", "Firebreak intake is behind: the oldest event in the intake queue waited 15 minutes or more.",
		b.s.Intake.Queue.MetricApproximateAgeOfOldestMessage(b.options("Maximum", "")), 900)
	// Quarantined payloads: events intake could not parse (kept whole in the table).
	b.alarm("Quarantined", "Firebreak quarantined an event it could not parse: see `firebreak` quarantine entries in the table.",
		b.firebreak("Quarantined", nil, "quarantined"), 1)
	// Rejected events: DynamoDB refused their writes for good (kept whole in quarantine).
	b.alarm("Rejected", "Firebreak intake could not record events the store refused for good (e.g. an item too large): they are quarantined with the reason; see `firebreak` quarantine entries in the table.",
		b.firebreak("Rejected", nil, "rejected"), 1)
}

// watchFunctions alarms on every Lambda's errors and throttles.
func (b *health) watchFunctions() {
	var names []string
	for name := range b.s.Functions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := b.s.Functions[name].Fn
		e := f.MetricErrors(b.options("Sum", name+" errors"))
		t := f.MetricThrottles(b.options("Sum", name+" throttles"))
		b.alarm("Errors-"+name, fmt.Sprintf("Firebreak %s Lambda reported errors.", name), e, 1)
		b.alarm("Throttles-"+name, fmt.Sprintf("Firebreak %s Lambda was throttled.", name), t, 1)
		b.fnErrors = append(b.fnErrors, e)
		b.fnThrottles = append(b.fnThrottles, t)
	}
}

// watchDispatch alarms on the stream falling behind (a record retried, or dispatch
// down). Its failures also show as Lambda errors and in its stream DLQ.
func (b *health) watchDispatch() {
	if b.s.Dispatch == nil {
		return
	}
	age := b.s.Functions["dispatch"].Fn.Metric(jsii.String("IteratorAge"), b.options("Maximum", "dispatch stream iterator age (ms)"))
	b.alarm("DispatchIteratorAge", fmt.Sprintf("Firebreak dispatch is behind the table's stream: the last record it read was %s old or older. Notices and runbooks wait.", DispatchIteratorAgeAlarm),
		age, float64(DispatchIteratorAgeAlarm.Milliseconds()))
	b.streamAge = append(b.streamAge, age)
}

// watchEscalation alarms on the schedule failing to run the escalator (its errors are
// the Lambda's).
func (b *health) watchEscalation() {
	if b.s.Escalation == nil {
		return
	}
	failed := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/Events"), MetricName: jsii.String("FailedInvocations"),
		DimensionsMap: &map[string]*string{"RuleName": b.s.Escalation.Rule.Ref()},
		Statistic:     jsii.String("Sum"), Period: b.period, Label: jsii.String("escalator ticks not delivered"),
	})
	b.alarm("EscalateScheduleFailing", "Firebreak escalator schedule failed to invoke the escalate Lambda: incident clocks (escalation, reminders, objectives, auto-resolve) are not running.", failed, 1)
	b.ticks = append(b.ticks, failed)
}

// watchRunbooks alarms on failed and timed-out executions.
func (b *health) watchRunbooks() {
	var names []string
	for name := range b.s.Runbooks.Machines {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sm := b.s.Runbooks.Machines[name]
		label := func(what string) *awscloudwatch.MetricOptions { return b.options("Sum", name+" "+what) }
		failed, timedOut := sm.MetricFailed(label("failed")), sm.MetricTimedOut(label("timed out"))
		b.alarm("RunbookFailed-"+name, "Firebreak runbook "+name+" failed.", failed, 1)
		b.alarm("RunbookTimedOut-"+name, "Firebreak runbook "+name+" timed out.", timedOut, 1)
		b.rbOutcomes = append(b.rbOutcomes, sm.MetricSucceeded(label("succeeded")), failed, timedOut, sm.MetricAborted(label("aborted")))
	}
}

// incidentsBySeverity are the incidents opened, per paging severity.
func (b *health) incidentsBySeverity() []awscloudwatch.IMetric {
	var out []awscloudwatch.IMetric
	for _, sev := range incident.Severities {
		if sev == incident.Info {
			continue
		}
		out = append(out, b.firebreak("IncidentsOpened", map[string]string{"Severity": string(sev)}, string(sev)))
	}
	return out
}

// escalator is the escalator's counts per tick.
func (b *health) escalator() []awscloudwatch.IMetric {
	return []awscloudwatch.IMetric{
		b.firebreak("Escalations", nil, "escalations"),
		b.firebreak("Reminders", nil, "update reminders"),
		b.firebreak("AutoResolved", nil, "auto-resolved"),
		awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricsNamespace), MetricName: jsii.String("DueIncidents"),
			Statistic: jsii.String("Maximum"), Period: b.period, Label: jsii.String("incidents due (most in one tick)"),
		}),
	}
}

// breaches are the objectives missed, per severity and objective the policy sets.
func (b *health) breaches() []awscloudwatch.IMetric {
	var out []awscloudwatch.IMetric
	for _, sev := range incident.Severities {
		p := b.s.config.Severities[string(sev)]
		if sev == incident.Info || p == nil {
			continue
		}
		if p.AcknowledgeWithin.Duration > 0 {
			out = append(out, b.firebreak("ObjectiveBreached", map[string]string{"Objective": "acknowledge", "Severity": string(sev)}, string(sev)+" acknowledge"))
		}
		if p.ResolveWithin.Duration > 0 {
			out = append(out, b.firebreak("ObjectiveBreached", map[string]string{"Objective": "resolve", "Severity": string(sev)}, string(sev)+" resolve"))
		}
		for _, ac := range b.s.config.AudiencesFor(sev) { // the communication plan's cadence (audiences.go)
			out = append(out, b.firebreak("UpdatesMissed", map[string]string{"Audience": ac.Audience, "Severity": string(sev)}, string(sev)+" update to "+ac.Audience))
		}
	}
	return out
}

// published are the notifications published, per team topic and the operators'.
func (b *health) published() []awscloudwatch.IMetric {
	var out []awscloudwatch.IMetric
	for _, team := range b.s.config.TeamNames {
		out = append(out, b.s.Notifications.Teams[team].MetricNumberOfMessagesPublished(b.options("Sum", team)))
	}
	if cm := b.s.config.Communication; cm != nil {
		for _, name := range cm.AudienceNames {
			out = append(out, b.s.Audiences.Topics[name].MetricNumberOfMessagesPublished(b.options("Sum", "audience "+name)))
		}
	}
	return append(out, b.s.Notifications.Operators.MetricNumberOfMessagesPublished(b.options("Sum", "operators")))
}

// dashboard shows events in, incidents out, what is stuck, what ran.
func (b *health) dashboard() awscloudwatch.Dashboard {
	graph := func(title string, left []awscloudwatch.IMetric, stacked bool) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, Width: jsii.Number(12), Height: jsii.Number(6), Stacked: jsii.Bool(stacked),
		})
	}
	backlog := b.s.Intake.Queue.MetricApproximateAgeOfOldestMessage(b.options("Maximum", ""))
	return awscloudwatch.NewDashboard(b.scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(24)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				graph("Events in", []awscloudwatch.IMetric{
					b.firebreak("Events", nil, "events processed"),
					b.s.Intake.Queue.MetricNumberOfMessagesSent(b.options("Sum", "delivered to the intake queue")),
					b.firebreak("Duplicates", nil, "duplicates"),
					b.firebreak("Quarantined", nil, "quarantined"),
				}, false),
				graph("Incidents opened by severity", b.incidentsBySeverity(), true),
			},
			{
				graph("Dead-letter queue depth", b.dlqDepth, false),
				graph("Runbook outcomes", append(b.rbOutcomes, b.firebreak("Mitigated", nil, "incidents mitigated")), false),
			},
			{
				graph("Lambda errors and throttles", append(b.fnErrors, b.fnThrottles...), false),
				graph("Intake backlog (oldest event, seconds)", []awscloudwatch.IMetric{backlog}, false),
			},
			{
				graph("Escalator", b.escalator(), false),
				graph("Objectives breached", b.breaches(), true),
			},
			{
				graph("Notifications published by topic", b.published(), true),
				graph("Dispatch stream age (ms) and escalator ticks not delivered", append(b.streamAge, b.ticks...), false),
			},
			{
				awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
					Title: jsii.String("Alarms"), Alarms: alarmsOf(b.h.Alarms), Width: jsii.Number(24),
				}),
			},
		},
	})
}

func alarmsOf(as []awscloudwatch.Alarm) *[]interfacesawscloudwatch.IAlarmRef {
	out := make([]interfacesawscloudwatch.IAlarmRef, len(as))
	for i, a := range as {
		out[i] = a
	}
	return &out
}

// pathID turns a construct path into an id: "Firebreak/Intake/DLQ" → "IntakeDLQ".
func pathID(path string) string {
	out := ""
	for i, part := range strings.Split(path, "/") {
		if i == 0 {
			continue // the stack
		}
		out += pascal(part)
	}
	return out
}
