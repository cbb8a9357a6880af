package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// followupMetrics are what the follow-up clocks count (internal/escalate/followups.go):
// reviews and actions that passed their due time still open, and the reminders sent.
var followupMetrics = []struct{ name, label string }{
	{"ActionsOverdue", "actions overdue"},
	{"ReviewsOverdue", "reviews overdue"},
	{"ActionReminders", "action reminders"},
	{"ReviewReminders", "review reminders"},
}

// addFollowups puts the learning loop on the dashboard: a row with the overdue
// actions and reviews and the reminders their owners were sent.
func (h *Health) addFollowups() {
	day := awscdk.Duration_Hours(jsii.Number(24))
	var ms []awscloudwatch.IMetric
	for _, m := range followupMetrics {
		ms = append(ms, awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricsNamespace), MetricName: jsii.String(m.name),
			Statistic: jsii.String("Sum"), Period: day, Label: jsii.String(m.label),
		}))
	}
	h.Dashboard.AddWidgets(awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String("Reviews and actions: overdue, and reminders sent (per day)"), Left: &ms,
		Width: jsii.Number(24), Height: jsii.Number(6),
	}))
}
