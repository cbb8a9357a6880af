package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/problem"
)

// addResponseWidgets adds the response measures to the dashboard: mean times to
// acknowledge, mitigate and resolve (dispatch emits them, in milliseconds, once per
// resolution, by Severity and Team), the objectives met and breached, and the problems
// opened (the problem tracker emits ProblemsOpened by Team), and the problems open now
// (the escalator's OpenProblems gauge, every minute). Each graph is one SEARCH
// over the metric's dimensions, so a new team or severity needs no change here.
func addResponseWidgets(s *Stack, h *Health) {
	hour := awscdk.Duration_Hours(jsii.Number(1))
	search := func(metric, stat, label string) awscloudwatch.IMetric {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(fmt.Sprintf("SEARCH('{%s,Severity,Team} MetricName=\"%s\"', '%s', 3600)", MetricsNamespace, metric, stat)),
			Label:      jsii.String(label), Period: hour,
		})
	}
	graph := func(title, unit string, left ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, Width: jsii.Number(12), Height: jsii.Number(6),
			LeftYAxis: &awscloudwatch.YAxisProps{Label: jsii.String(unit), ShowUnits: jsii.Bool(false)},
		})
	}
	problems := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf("SEARCH('{%s,Team} MetricName=\"%s\"', 'Sum', 3600)", MetricsNamespace, problem.MetricProblemsOpened)),
		Label:      jsii.String("problems opened"), Period: hour,
	})
	h.Dashboard.AddWidgets(
		graph("MTTA: mean time to acknowledge (ms)", "ms", search(dispatch.MetricTimeToAcknowledge, "Average", "acknowledge")),
		graph("MTTR: mean time to mitigate and to resolve (ms)", "ms",
			search(dispatch.MetricTimeToMitigate, "Average", "mitigate"), search(dispatch.MetricTimeToResolve, "Average", "resolve")),
	)
	h.Dashboard.AddWidgets(
		graph("Response objectives met and breached (at resolution)", "count",
			search(dispatch.MetricObjectivesMet, "Sum", "met"), search(dispatch.MetricObjectivesBreach, "Sum", "breached")),
		graph("Problems opened (recurring fingerprints)", "count", problems),
	)
	h.Dashboard.AddWidgets(awscloudwatch.NewSingleValueWidget(&awscloudwatch.SingleValueWidgetProps{
		Title: jsii.String("Open problems (now)"), Width: jsii.Number(6), Height: jsii.Number(4),
		Metrics: &[]awscloudwatch.IMetric{awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricsNamespace), MetricName: jsii.String(escalate.MetricOpenProblems),
			Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Minutes(jsii.Number(5)), Label: jsii.String("open problems"),
		})},
	}))
}
