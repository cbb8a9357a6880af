package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// SeverityAttribute is the SNS message attribute every incident notification carries;
// subscription filter policies match on it.
const SeverityAttribute = "severity"

// Notifications are the SNS topics: one per team from the configuration's teams, with
// e-mail and SMS subscriptions that each receive only the severities whose policy lists
// that channel, and the operators' topic for the stack's own health.
type Notifications struct {
	Teams     map[string]awssns.Topic
	Operators awssns.Topic
	// DLQ receives notifications SNS could not deliver to a subscription.
	DLQ awssqs.Queue
}

func newNotifications(s *Stack) *Notifications {
	scope := constructs.NewConstruct(s.Stack, jsii.String("Notifications"))
	n := &Notifications{Teams: map[string]awssns.Topic{}}
	n.DLQ = s.newDeadLetterQueue(scope, "DLQ", "notifications SNS could not deliver to an e-mail or SMS subscription")
	s.suppress(n.DLQ, "notifications DLQ", "AwsSolutions-SQS3",
		"This queue is the redrive dead-letter queue of every SNS subscription (cdk-nag only recognizes SQS and Lambda DLQ references); it is the end of the chain and its depth is alarmed.")

	channels := severitiesByChannel(s.config)
	for _, name := range s.config.TeamNames {
		team := s.config.Teams[name]
		ts := constructs.NewConstruct(scope, jsii.String("Team-"+name))
		topic := s.newTopic(ts, "Topic", "Firebreak "+team.Name)
		for _, addr := range team.Email {
			n.subscribe(ts, topic, "Email-"+addr, awssns.SubscriptionProtocol_EMAIL, addr, channels[config.ChannelEmail])
		}
		for _, number := range team.SMS {
			n.subscribe(ts, topic, "SMS-"+number, awssns.SubscriptionProtocol_SMS, number, channels[config.ChannelSMS])
		}
		n.Teams[name] = topic
	}

	ops := constructs.NewConstruct(scope, jsii.String("Operators"))
	n.Operators = s.newTopic(ops, "Topic", "Firebreak operators")
	n.Operators.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{n.Operators.TopicArn()},
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			"ArnLike": map[string]interface{}{"aws:SourceArn": awscdk.Fn_Sub(
				jsii.String("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"), nil)},
		},
	}))
	// The operators hear about every alarm: no filter policy.
	for _, addr := range s.config.Deploy.Operators.Email {
		n.subscribe(ops, n.Operators, "Email-"+addr, awssns.SubscriptionProtocol_EMAIL, addr, nil)
	}
	for _, number := range s.config.Deploy.Operators.SMS {
		n.subscribe(ops, n.Operators, "SMS-"+number, awssns.SubscriptionProtocol_SMS, number, nil)
	}
	return n
}

func (s *Stack) newTopic(scope constructs.Construct, id, display string) awssns.Topic {
	return awssns.NewTopic(scope, jsii.String(id), &awssns.TopicProps{
		DisplayName: jsii.String(display),
		MasterKey:   s.Keys.Messaging,
		EnforceSSL:  jsii.Bool(true),
	})
}

// subscribe adds a subscription with the notifications DLQ as its redrive target. A nil
// severities receives every message; otherwise the subscription receives only messages
// whose severity attribute is one of severities, and a channel no severity lists (an
// empty severities) gets no subscription at all.
func (n *Notifications) subscribe(scope constructs.Construct, topic awssns.Topic, id string, proto awssns.SubscriptionProtocol, endpoint string, severities []string) {
	props := &awssns.SubscriptionProps{
		Topic:           topic,
		Protocol:        proto,
		Endpoint:        jsii.String(endpoint),
		DeadLetterQueue: n.DLQ,
	}
	if severities != nil {
		if len(severities) == 0 {
			return
		}
		props.FilterPolicy = &map[string]awssns.SubscriptionFilter{
			SeverityAttribute: awssns.SubscriptionFilter_StringFilter(&awssns.StringConditions{Allowlist: jsii.Strings(severities...)}),
		}
	}
	awssns.NewSubscription(scope, jsii.String(id), props)
}

// severitiesByChannel returns, per channel, the severities whose policy lists it, most
// severe first (e.g. email: sev1..sev4, sms: sev1, sev2).
func severitiesByChannel(cfg *config.Config) map[string][]string {
	out := map[string][]string{config.ChannelEmail: {}, config.ChannelSMS: {}}
	for _, sev := range incident.Severities {
		p := cfg.Severities[string(sev)]
		if p == nil {
			continue
		}
		for _, ch := range p.Channels {
			out[ch] = append(out[ch], string(sev))
		}
	}
	return out
}

// publishers lets f tell teams: TEAM_TOPICS maps each team to its topic's ARN (as
// notify.New reads it), and f may publish to those topics and no other (not the
// operators' topic). The messaging key the topics use is the shared construct's.
func (n *Notifications) publishers(s *Stack, f *Function) {
	arns := map[string]*string{}
	var resources []*string
	for _, team := range s.config.TeamNames {
		arns[team] = n.Teams[team].TopicArn()
		resources = append(resources, n.Teams[team].TopicArn())
	}
	f.SetEnv(lambdaenv.TeamTopics, s.Stack.ToJsonString(arns, nil))
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:Publish"),
		Resources: &resources,
	}))
}
