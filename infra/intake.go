package infra

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/intake"
)

// Intake receives the events: one EventBridge rule per catalog rule (on the default bus,
// or on the application bus for application events), all delivering to one encrypted
// SQS queue the intake Lambda consumes in batches.
type Intake struct {
	Queue awssqs.Queue
	// DLQ holds messages the intake Lambda failed to process maxReceives times.
	DLQ awssqs.Queue
	// DeliveryDLQ holds events EventBridge could not deliver to Queue.
	DeliveryDLQ awssqs.Queue
	// Bus is the custom bus for application events; nil when they go on the default bus.
	Bus awsevents.EventBus
	// Rules are the deployed EventBridge rules by catalog name.
	Rules map[string]awsevents.CfnRule
	// Central is the organization's bus and its rules (bus.go); nil without an
	// organization section.
	Central *CentralBus
}

// maxReceives is how many times the intake Lambda gets a message before it moves to
// the DLQ (intake.MaxReceives).
const maxReceives = intake.MaxReceives

func newIntake(s *Stack) *Intake {
	scope := constructs.NewConstruct(s.Stack, jsii.String("Intake"))
	in := &Intake{Rules: map[string]awsevents.CfnRule{}}

	// SQS invokes the Lambda again only after the visibility timeout: six times the
	// function timeout plus the batching window, as the Lambda guide recommends.
	timeout := s.plan.specs["intake"].Timeout
	visibility := 6*timeout + s.config.Deploy.Intake.BatchingWindow.Duration
	in.DLQ = s.newDeadLetterQueue(scope, "DLQ", fmt.Sprintf("events the intake Lambda failed to process %d times", maxReceives))
	in.Queue = s.newQueue(scope, "Queue", in.DLQ, maxReceives, awscdk.Duration_Seconds(jsii.Number(visibility.Seconds())))
	in.DeliveryDLQ = s.newDeadLetterQueue(scope, "DeliveryDLQ", "events EventBridge could not deliver to the intake queue")
	s.suppress(in.DeliveryDLQ, "intake delivery DLQ", "AwsSolutions-SQS3",
		"This queue is the dead-letter queue of the EventBridge rule targets (cdk-nag only recognizes SQS and Lambda DLQ references); it is the end of the chain and its depth is alarmed.")

	if name := s.config.Deploy.ApplicationBus; name != "" {
		in.Bus = awsevents.NewEventBus(scope, jsii.String("ApplicationBus"), &awsevents.EventBusProps{
			EventBusName: jsii.String(name),
			Description:  jsii.String("Firebreak application events (PutEvents with detail-type Firebreak Application Alert)"),
		})
	}

	rules := constructs.NewConstruct(scope, jsii.String("Rules"))
	var arns []*string
	for _, r := range s.plan.rules {
		if !s.onDefaultBus(r) { // bus.go: a global-service rule outside us-east-1
			continue
		}
		rule := in.newRule(rules, r, s.plan.patterns[r.Name])
		in.Rules[r.Name] = rule
		arns = append(arns, rule.AttrArn())
	}
	if in.Central = newCentralBus(s, scope, in); in.Central != nil {
		for _, r := range s.plan.rules {
			arns = append(arns, in.Central.Rules[r.Name].AttrArn())
		}
	}
	allowServiceToSend(in.Queue, "events.amazonaws.com", arns)
	allowServiceToSend(in.DeliveryDLQ, "events.amazonaws.com", arns)
	return in
}

// newRule deploys one catalog rule as an L1 rule: the pattern goes into the template as
// the catalog holds it, with no L2 rendering in between.
func (in *Intake) newRule(scope constructs.Construct, r events.Rule, pattern any) awsevents.CfnRule {
	props := &awsevents.CfnRuleProps{
		Description:  jsii.String(truncate(r.Description, 512)),
		EventPattern: pattern,
		State:        jsii.String("ENABLED"),
		Targets: &[]*awsevents.CfnRule_TargetProperty{{
			Id:               jsii.String("intake"),
			Arn:              in.Queue.QueueArn(),
			DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: in.DeliveryDLQ.QueueArn()},
			RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
				MaximumEventAgeInSeconds: jsii.Number((24 * time.Hour).Seconds()),
				MaximumRetryAttempts:     jsii.Number(185),
			},
		}},
	}
	if r.Bus == events.BusApplication && in.Bus != nil {
		props.EventBusName = in.Bus.EventBusName()
	}
	return awsevents.NewCfnRule(scope, jsii.String(r.Name), props)
}

// consume makes f the intake queue's consumer: batches of up to batch_size messages
// gathered for up to batching_window, at most max_concurrency concurrent invocations,
// and partial batch responses so only failed messages are received again.
func (in *Intake) consume(s *Stack, f *Function) {
	cfg := s.config.Deploy.Intake
	esm := awslambda.NewEventSourceMapping(f.Scope, jsii.String("IntakeQueue"), &awslambda.EventSourceMappingProps{
		Target:                  f.Fn,
		EventSourceArn:          in.Queue.QueueArn(),
		BatchSize:               jsii.Number(float64(cfg.BatchSize)),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(cfg.BatchingWindow.Seconds())),
		MaxConcurrency:          jsii.Number(float64(cfg.MaxConcurrency)),
		ReportBatchItemFailures: jsii.Bool(true),
	})
	in.Queue.GrantConsumeMessages(f.Role)
	s.suppress(esm, "intake queue → intake Lambda", "Serverless-LambdaEventSourceMappingDestination",
		fmt.Sprintf("Lambda supports no on-failure destination for SQS event sources: a message that fails %d times moves to the intake queue's own DLQ (redrive policy), which is alarmed.", maxReceives))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
