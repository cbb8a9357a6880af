package infra

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// Escalation runs the escalate Lambda every minute from an EventBridge scheduled rule.
// A rule rather than EventBridge Scheduler: it needs no role of its own (Lambda's
// resource policy admits this rule only), its target has a dead-letter queue that
// cdk-nag checks, and its events are free.
type Escalation struct {
	Rule awsevents.CfnRule
}

// EscalateSchedule is how often the incident clocks run.
const EscalateSchedule = "rate(1 minute)"

// A tick older than a minute is replaced by the next one: EventBridge retries a failed
// delivery for at most that long, then puts the event in the function's DLQ. Lambda
// itself retries a failed asynchronous invocation twice, then uses the same DLQ.
const (
	escalateTickRetries = 2
	escalateTickMaxAge  = time.Minute
)

func newEscalation(s *Stack, f *Function) *Escalation {
	rule := awsevents.NewCfnRule(f.Scope, jsii.String("Schedule"), &awsevents.CfnRuleProps{
		Description:        jsii.String("Firebreak escalator: runs the incident clocks (escalation tiers, update reminders, objectives, auto-resolve) every minute"),
		ScheduleExpression: jsii.String(EscalateSchedule),
		State:              jsii.String("ENABLED"),
		Targets: &[]*awsevents.CfnRule_TargetProperty{{
			Id:               jsii.String("escalate"),
			Arn:              f.Fn.FunctionArn(),
			DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: f.DLQ.QueueArn()},
			RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
				MaximumEventAgeInSeconds: jsii.Number(escalateTickMaxAge.Seconds()),
				MaximumRetryAttempts:     jsii.Number(escalateTickRetries),
			},
		}},
	})
	awslambda.NewCfnPermission(f.Scope, jsii.String("ScheduleInvoke"), &awslambda.CfnPermissionProps{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: f.Fn.FunctionArn(),
		Principal:    jsii.String("events.amazonaws.com"),
		SourceArn:    rule.AttrArn(),
	})
	allowServiceToSend(f.DLQ, "events.amazonaws.com", []*string{rule.AttrArn()})
	return &Escalation{Rule: rule}
}
