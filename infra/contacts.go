package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// Contacts are the people's SNS topics: one per contact of the configuration (its
// contacts: section), encrypted with the messaging key like the teams' topics, with an
// e-mail subscription per address and an SMS subscription per number, each receiving
// the severities whose policy lists that channel. A page to whoever is on call is
// published to their topics alone (internal/page), so it reaches exactly those people.
type Contacts struct {
	Topics map[string]awssns.Topic // by contact id
}

func newContacts(s *Stack) *Contacts {
	c := &Contacts{Topics: map[string]awssns.Topic{}}
	if len(s.config.Contacts) == 0 {
		return c
	}
	scope := constructs.NewConstruct(s.Stack, jsii.String("Contacts"))
	channels := severitiesByChannel(s.config)
	for _, ct := range s.config.Contacts {
		cs := constructs.NewConstruct(scope, jsii.String("Contact-"+ct.ID))
		display := ct.Name
		if display == "" {
			display = ct.ID
		}
		topic := s.newTopic(cs, "Topic", "Firebreak page for "+display)
		for _, addr := range ct.Email {
			s.Notifications.subscribe(cs, topic, "Email-"+addr, awssns.SubscriptionProtocol_EMAIL, addr, channels[config.ChannelEmail])
		}
		for _, number := range ct.SMS {
			s.Notifications.subscribe(cs, topic, "SMS-"+number, awssns.SubscriptionProtocol_SMS, number, channels[config.ChannelSMS])
		}
		c.Topics[ct.ID] = topic
	}
	return c
}

// publishers lets f page people: CONTACT_TOPICS maps each contact id to its topic's ARN
// (as lambdaenv/teams reads it), and f may publish to those topics and no other. A
// configuration without contacts adds nothing.
func (c *Contacts) publishers(s *Stack, f *Function) {
	if len(c.Topics) == 0 {
		return
	}
	arns := map[string]*string{}
	var resources []*string
	for _, ct := range s.config.Contacts {
		arns[ct.ID] = c.Topics[ct.ID].TopicArn()
		resources = append(resources, c.Topics[ct.ID].TopicArn())
	}
	f.SetEnv("CONTACT_TOPICS", s.Stack.ToJsonString(arns, nil))
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:Publish"),
		Resources: &resources,
	}))
}
