package infra

import (
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// WebhookFunction is the outbound Lambda: chat notifications and signed webhook POSTs.
const WebhookFunction = "webhook"

// Outbound carries chat and webhook deliveries from the notifiers (dispatch, escalate,
// the runbook task) to the webhook Lambda: an encrypted SNS topic they publish to, and
// an encrypted SQS queue subscribed to it with raw delivery (a message is one
// internal/webhook.Delivery), with a dead-letter queue after outboundReceives receives.
//
// The notifiers publish to a topic rather than to the queue so that they need no SQS
// client and the topic's one subscription is where the queue is decided; the queue (not
// the topic invoking the Lambda) is what lets a failing endpoint be retried for longer
// than one invocation and dead-lettered without holding the notifiers up.
type Outbound struct {
	Topic awssns.Topic
	Queue awssqs.Queue
	DLQ   awssqs.Queue
}

// outboundReceives is how many times the webhook Lambda gets a delivery before it moves
// to the DLQ: each receive is up to three POSTs, so five receives span the endpoint's
// failures over at least half an hour (the visibility timeout between them).
const outboundReceives = 5

func newOutbound(s *Stack) *Outbound {
	o := &Outbound{}
	if !slices.Contains(s.plan.functions, WebhookFunction) {
		return o // nobody would consume it: notices go to the teams' topics only
	}
	scope := constructs.NewConstruct(s.Stack, jsii.String("Outbound"))
	o.Topic = s.newTopic(scope, "Topic", "Firebreak chat and webhook deliveries")
	o.DLQ = s.newDeadLetterQueue(scope, "DLQ", fmt.Sprintf("chat and webhook deliveries the webhook Lambda failed %d times", outboundReceives))
	timeout := s.plan.specs[WebhookFunction].Timeout
	o.Queue = s.newQueue(scope, "Queue", o.DLQ, outboundReceives, awscdk.Duration_Seconds(jsii.Number((6 * timeout).Seconds())))
	awssns.NewSubscription(scope, jsii.String("Subscription"), &awssns.SubscriptionProps{
		Topic:              o.Topic,
		Protocol:           awssns.SubscriptionProtocol_SQS,
		Endpoint:           o.Queue.QueueArn(),
		RawMessageDelivery: jsii.Bool(true),
		DeadLetterQueue:    s.Notifications.DLQ,
	})
	allowServiceToSend(o.Queue, "sns.amazonaws.com", []*string{o.Topic.TopicArn()})
	return o
}

// publishers lets f hand deliveries over: OUTBOUND_TOPIC is the topic, and f may
// publish to it. Without chat channels and webhooks f gets neither, and its notices
// go to the teams' topics only.
func (o *Outbound) publishers(s *Stack, f *Function) {
	if o.Topic == nil || !s.outboundUsed() {
		return
	}
	f.SetEnv(lambdaenv.OutboundTopic, o.Topic.TopicArn())
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:Publish"),
		Resources: &[]*string{o.Topic.TopicArn()},
	}))
}

// outboundUsed: the configuration has a chat channel or a webhook.
func (s *Stack) outboundUsed() bool {
	return len(chatTargets(s.config)) > 0 || len(s.config.Webhooks) > 0
}

// wireWebhook makes f the outbound queue's consumer, one delivery an invocation (its
// timeout covers three POSTs of 10 s and the backoff between them), with partial batch
// responses; lets it publish to the chat topics; and read exactly the Secrets Manager
// secrets the configuration's webhooks name.
func wireWebhook(s *Stack, f *Function) error {
	o := s.Outbound
	esm := awslambda.NewEventSourceMapping(f.Scope, jsii.String("OutboundQueue"), &awslambda.EventSourceMappingProps{
		Target:                  f.Fn,
		EventSourceArn:          o.Queue.QueueArn(),
		BatchSize:               jsii.Number(1),
		MaxConcurrency:          jsii.Number(5),
		ReportBatchItemFailures: jsii.Bool(true),
	})
	o.Queue.GrantConsumeMessages(f.Role)
	s.suppress(esm, "outbound queue → webhook Lambda", "Serverless-LambdaEventSourceMappingDestination",
		fmt.Sprintf("Lambda supports no on-failure destination for SQS event sources: a delivery that fails %d times moves to the outbound queue's own DLQ (redrive policy), which is alarmed.", outboundReceives))
	s.Chat.publishers(s, f)
	var secrets []*string
	for _, w := range s.config.Webhooks {
		// A secret's ARN ends in "-" and six random characters Secrets Manager adds.
		secrets = append(secrets, awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"+w.Secret+"-??????"), nil))
	}
	if len(secrets) > 0 {
		f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
			Resources: &secrets,
		}))
	}
	return nil
}

// webhookTimeout: three attempts of 10 s, 0.5 s and 1 s between them, and room to spare.
const webhookTimeout = 45 * time.Second
