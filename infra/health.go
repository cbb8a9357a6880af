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

func newHealth(s *Stack) *Health {
	scope := constructs.NewConstruct(s.Stack, jsii.String("Health"))
	h := &Health{}
	fiveMinutes := awscdk.Duration_Minutes(jsii.Number(5))
	action := awscloudwatchactions.NewSnsAction(s.Notifications.Operators)
	alarm := func(id, description string, metric awscloudwatch.IMetric, threshold float64) awscloudwatch.Alarm {
		a := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String(description),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
		h.Alarms = append(h.Alarms, a)
		return a
	}
	firebreak := func(name string, dims map[string]string, label string) awscloudwatch.Metric {
		props := &awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricsNamespace), MetricName: jsii.String(name),
			Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String(label),
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
	max := &awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: fiveMinutes}

	// Dead-letter queues: anything in one is work Firebreak did not do.
	var dlqDepth []awscloudwatch.IMetric
	for _, d := range s.deadLetters {
		id := *d.Queue.Node().Path()
		m := d.Queue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Maximum"), Period: fiveMinutes, Label: jsii.String(d.Of),
		})
		alarm("DLQ-"+pathID(id), "Firebreak dead-letter queue is not empty: "+d.Of+". Inspect and redrive the messages.", m, 1)
		dlqDepth = append(dlqDepth, m)
	}
	// Intake backlog: events waiting longer than 15 minutes mean intake is behind or down.
	alarm("IntakeBacklog", "Firebreak intake is behind: the oldest event in the intake queue waited 15 minutes or more.",
		s.Intake.Queue.MetricApproximateAgeOfOldestMessage(max), 900)
	// Quarantined payloads: events intake could not parse (kept whole in the table).
	alarm("Quarantined", "Firebreak quarantined an event it could not parse: see `firebreak` quarantine entries in the table.",
		firebreak("Quarantined", nil, "quarantined"), 1)
	// Rejected events: DynamoDB refused their writes for good (kept whole in quarantine).
	alarm("Rejected", "Firebreak intake could not record events the store refused for good (e.g. an item too large): they are quarantined with the reason; see `firebreak` quarantine entries in the table.",
		firebreak("Rejected", nil, "rejected"), 1)

	// Lambdas: errors and throttles.
	var fnNames []string
	for name := range s.Functions {
		fnNames = append(fnNames, name)
	}
	sort.Strings(fnNames)
	var fnErrors, fnThrottles []awscloudwatch.IMetric
	for _, name := range fnNames {
		f := s.Functions[name].Fn
		e := f.MetricErrors(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String(name + " errors")})
		t := f.MetricThrottles(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String(name + " throttles")})
		alarm("Errors-"+name, fmt.Sprintf("Firebreak %s Lambda reported errors.", name), e, 1)
		alarm("Throttles-"+name, fmt.Sprintf("Firebreak %s Lambda was throttled.", name), t, 1)
		fnErrors = append(fnErrors, e)
		fnThrottles = append(fnThrottles, t)
	}

	// Dispatch: the stream falling behind (a record retried, or dispatch down). Its
	// failures also show as Lambda errors and in its stream DLQ.
	var streamAge []awscloudwatch.IMetric
	if s.Dispatch != nil {
		age := s.Functions["dispatch"].Fn.Metric(jsii.String("IteratorAge"), &awscloudwatch.MetricOptions{
			Statistic: jsii.String("Maximum"), Period: fiveMinutes, Label: jsii.String("dispatch stream iterator age (ms)"),
		})
		alarm("DispatchIteratorAge", fmt.Sprintf("Firebreak dispatch is behind the table's stream: the last record it read was %s old or older. Notices and runbooks wait.", DispatchIteratorAgeAlarm),
			age, float64(DispatchIteratorAgeAlarm.Milliseconds()))
		streamAge = append(streamAge, age)
	}
	// Escalation: the schedule failing to run the escalator (its errors are the Lambda's).
	var ticks []awscloudwatch.IMetric
	if s.Escalation != nil {
		failed := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Events"), MetricName: jsii.String("FailedInvocations"),
			DimensionsMap: &map[string]*string{"RuleName": s.Escalation.Rule.Ref()},
			Statistic:     jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String("escalator ticks not delivered"),
		})
		alarm("EscalateScheduleFailing", "Firebreak escalator schedule failed to invoke the escalate Lambda: incident clocks (escalation, reminders, objectives, auto-resolve) are not running.", failed, 1)
		ticks = append(ticks, failed)
	}

	// Runbooks: failed and timed-out executions.
	var rbNames []string
	for name := range s.Runbooks.Machines {
		rbNames = append(rbNames, name)
	}
	sort.Strings(rbNames)
	var rbOutcomes []awscloudwatch.IMetric
	for _, name := range rbNames {
		sm := s.Runbooks.Machines[name]
		label := func(what string) *awscloudwatch.MetricOptions {
			return &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String(name + " " + what)}
		}
		failed, timedOut := sm.MetricFailed(label("failed")), sm.MetricTimedOut(label("timed out"))
		alarm("RunbookFailed-"+name, "Firebreak runbook "+name+" failed.", failed, 1)
		alarm("RunbookTimedOut-"+name, "Firebreak runbook "+name+" timed out.", timedOut, 1)
		rbOutcomes = append(rbOutcomes, sm.MetricSucceeded(label("succeeded")), failed, timedOut, sm.MetricAborted(label("aborted")))
	}

	// The dashboard: events in, incidents out, what is stuck, what ran.
	var bySeverity []awscloudwatch.IMetric
	for _, sev := range incident.Severities {
		if sev == incident.Info {
			continue
		}
		bySeverity = append(bySeverity, firebreak("IncidentsOpened", map[string]string{"Severity": string(sev)}, string(sev)))
	}
	// The escalator's counts per tick, the objectives missed, notifications sent.
	escalator := []awscloudwatch.IMetric{
		firebreak("Escalations", nil, "escalations"),
		firebreak("Reminders", nil, "update reminders"),
		firebreak("AutoResolved", nil, "auto-resolved"),
		awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricsNamespace), MetricName: jsii.String("DueIncidents"),
			Statistic: jsii.String("Maximum"), Period: fiveMinutes, Label: jsii.String("incidents due (most in one tick)"),
		}),
	}
	var breaches []awscloudwatch.IMetric
	for _, sev := range incident.Severities {
		p := s.config.Severities[string(sev)]
		if sev == incident.Info || p == nil {
			continue
		}
		if p.AcknowledgeWithin.Duration > 0 {
			breaches = append(breaches, firebreak("ObjectiveBreached", map[string]string{"Objective": "acknowledge", "Severity": string(sev)}, string(sev)+" acknowledge"))
		}
		if p.ResolveWithin.Duration > 0 {
			breaches = append(breaches, firebreak("ObjectiveBreached", map[string]string{"Objective": "resolve", "Severity": string(sev)}, string(sev)+" resolve"))
		}
	}
	var published []awscloudwatch.IMetric
	for _, team := range s.config.TeamNames {
		published = append(published, s.Notifications.Teams[team].MetricNumberOfMessagesPublished(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String(team),
		}))
	}
	published = append(published, s.Notifications.Operators.MetricNumberOfMessagesPublished(&awscloudwatch.MetricOptions{
		Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String("operators"),
	}))

	graph := func(title string, left []awscloudwatch.IMetric, stacked bool) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, Width: jsii.Number(12), Height: jsii.Number(6), Stacked: jsii.Bool(stacked),
		})
	}
	h.Dashboard = awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(24)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				graph("Events in", []awscloudwatch.IMetric{
					firebreak("Events", nil, "events processed"),
					s.Intake.Queue.MetricNumberOfMessagesSent(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMinutes, Label: jsii.String("delivered to the intake queue")}),
					firebreak("Duplicates", nil, "duplicates"),
					firebreak("Quarantined", nil, "quarantined"),
				}, false),
				graph("Incidents opened by severity", bySeverity, true),
			},
			{
				graph("Dead-letter queue depth", dlqDepth, false),
				graph("Runbook outcomes", append(rbOutcomes, firebreak("Mitigated", nil, "incidents mitigated")), false),
			},
			{
				graph("Lambda errors and throttles", append(fnErrors, fnThrottles...), false),
				graph("Intake backlog (oldest event, seconds)", []awscloudwatch.IMetric{s.Intake.Queue.MetricApproximateAgeOfOldestMessage(max)}, false),
			},
			{
				graph("Escalator", escalator, false),
				graph("Objectives breached", breaches, true),
			},
			{
				graph("Notifications published by topic", published, true),
				graph("Dispatch stream age (ms) and escalator ticks not delivered", append(streamAge, ticks...), false),
			},
			{
				awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
					Title: jsii.String("Alarms"), Alarms: alarmsOf(h.Alarms), Width: jsii.Number(24),
				}),
			},
		},
	})
	return h
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
