package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// Audiences are the communication plan's SNS topics (config communication:): one per
// audience, encrypted with the messaging key like the teams' topics, with an e-mail
// subscription per address and an SMS subscription per number. Everything published to
// an audience's topic is for that audience (its first notices, the updates posted to it,
// the resolutions), so its subscriptions have no filter policy; undeliverable messages go
// to the notifications DLQ.
type Audiences struct {
	Topics map[string]awssns.Topic // by audience name
}

func newAudiences(s *Stack) *Audiences {
	a := &Audiences{Topics: map[string]awssns.Topic{}}
	cm := s.config.Communication
	if cm == nil || len(cm.AudienceNames) == 0 {
		return a
	}
	scope := constructs.NewConstruct(s.Stack, jsii.String("Audiences"))
	for _, name := range cm.AudienceNames {
		au := cm.Audiences[name]
		as := constructs.NewConstruct(scope, jsii.String("Audience-"+name))
		display := au.Name
		if display == "" {
			display = name
		}
		topic := s.newTopic(as, "Topic", "Firebreak updates for "+display)
		for _, addr := range au.Email {
			s.Notifications.subscribe(as, topic, "Email-"+addr, awssns.SubscriptionProtocol_EMAIL, addr, nil)
		}
		for _, number := range au.SMS {
			s.Notifications.subscribe(as, topic, "SMS-"+number, awssns.SubscriptionProtocol_SMS, number, nil)
		}
		a.Topics[name] = topic
	}
	return a
}

// publishers lets f tell audiences: AUDIENCE_TOPICS maps each audience to its topic's
// ARN (as lambdaenv/teams reads it), and f may publish to those topics and no other. A
// configuration without audiences adds nothing.
func (a *Audiences) publishers(s *Stack, f *Function) {
	if len(a.Topics) == 0 {
		return
	}
	arns := map[string]*string{}
	var resources []*string
	for _, name := range s.config.Communication.AudienceNames {
		arns[name] = a.Topics[name].TopicArn()
		resources = append(resources, a.Topics[name].TopicArn())
	}
	f.SetEnv(lambdaenv.AudienceTopics, s.Stack.ToJsonString(arns, nil))
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:Publish"),
		Resources: &resources,
	}))
}
