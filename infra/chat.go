package infra

import (
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awschatbot"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// Chat is, per chat channel of the configuration (chat.teams, chat.audiences), an
// encrypted SNS topic the webhook Lambda publishes custom notifications to
// (internal/chat) and the Amazon Q Developer channel configuration that posts them to
// the Slack or Microsoft Teams channel. No chat section: nothing at all.
//
// The channel configurations share one role that can do nothing (custom notifications
// need no AWS permissions, and nobody runs commands from the channel), and every
// configuration's guardrail is ReadOnlyAccess, so even a later change to that role or a
// member's own role cannot act on the account from the channel.
type Chat struct {
	Topics   map[string]awssns.Topic // by chat target: team:<name>, audience:<name>
	Role     awsiam.Role             // nil without chat channels
	Channels map[string]awscdk.CfnResource
}

// chatGuardrail caps what any member of a channel may do through Amazon Q Developer.
const chatGuardrail = "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"

func newChat(s *Stack) *Chat {
	c := &Chat{Topics: map[string]awssns.Topic{}, Channels: map[string]awscdk.CfnResource{}}
	targets := chatTargets(s.config)
	if len(targets) == 0 {
		return c
	}
	scope := constructs.NewConstruct(s.Stack, jsii.String("Chat"))
	c.Role = awsiam.NewRole(scope, jsii.String("ChannelRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("chatbot.amazonaws.com"), nil),
		Description: jsii.String("Firebreak chat channels (Amazon Q Developer): posts custom notifications; grants nothing"),
	})
	guardrail := awscdk.Fn_Sub(jsii.String(chatGuardrail), nil)
	for _, t := range targets {
		ts := constructs.NewConstruct(scope, jsii.String(chatID(t.target)))
		topic := s.newTopic(ts, "Topic", "Firebreak chat "+t.target)
		c.Topics[t.target] = topic
		// Configuration names are unique in the account: the stack's name keeps two
		// stacks apart.
		name := awscdk.Fn_Join(jsii.String("-"), &[]*string{awscdk.Aws_STACK_NAME(), jsii.String(chatID(t.target))})
		var res awscdk.CfnResource
		switch {
		case t.ch.Slack != nil:
			res = awschatbot.NewCfnSlackChannelConfiguration(ts, jsii.String("Slack"), &awschatbot.CfnSlackChannelConfigurationProps{
				ConfigurationName: name,
				IamRoleArn:        c.Role.RoleArn(),
				SlackWorkspaceId:  jsii.String(t.ch.Slack.WorkspaceID),
				SlackChannelId:    jsii.String(t.ch.Slack.ChannelID),
				SnsTopicArns:      &[]interface{}{topic.TopicArn()},
				GuardrailPolicies: &[]*string{guardrail},
				LoggingLevel:      jsii.String("ERROR"),
				UserRoleRequired:  jsii.Bool(false),
			})
		default:
			res = awschatbot.NewCfnMicrosoftTeamsChannelConfiguration(ts, jsii.String("Teams"), &awschatbot.CfnMicrosoftTeamsChannelConfigurationProps{
				ConfigurationName: name,
				IamRoleArn:        c.Role.RoleArn(),
				TeamId:            jsii.String(t.ch.Teams.TeamID),
				TeamsTenantId:     jsii.String(t.ch.Teams.TenantID),
				TeamsChannelId:    jsii.String(t.ch.Teams.ChannelID),
				SnsTopicArns:      &[]*string{topic.TopicArn()},
				GuardrailPolicies: &[]*string{guardrail},
				LoggingLevel:      jsii.String("ERROR"),
				UserRoleRequired:  jsii.Bool(false),
			})
		}
		c.Channels[t.target] = res
	}
	return c
}

// chatID is a chat target as construct ids and configuration names allow:
// "team:platform" → "TeamPlatform".
func chatID(target string) string { return pascal(strings.ReplaceAll(target, ":", "-")) }

type chatTarget struct {
	target string
	ch     *config.ChatChannel
}

// chatTargets are the configured chat channels, teams first, each group by name.
func chatTargets(cfg *config.Config) []chatTarget {
	if cfg.Chat == nil {
		return nil
	}
	var out []chatTarget
	for _, team := range slices.Sorted(maps.Keys(cfg.Chat.Teams)) {
		out = append(out, chatTarget{webhook.TeamTarget + team, cfg.Chat.Teams[team]})
	}
	for _, a := range slices.Sorted(maps.Keys(cfg.Chat.Audiences)) {
		out = append(out, chatTarget{webhook.AudiencePrefix + a, cfg.Chat.Audiences[a]})
	}
	return out
}

// publishers lets f post to the chat channels: CHAT_TOPICS maps each chat target to its
// topic, and f may publish to those topics and no other.
func (c *Chat) publishers(s *Stack, f *Function) {
	if len(c.Topics) == 0 {
		return
	}
	arns := map[string]*string{}
	var resources []*string
	for _, t := range chatTargets(s.config) {
		arns[t.target] = c.Topics[t.target].TopicArn()
		resources = append(resources, c.Topics[t.target].TopicArn())
	}
	f.SetEnv(lambdaenv.ChatTopics, s.Stack.ToJsonString(arns, nil))
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:Publish"),
		Resources: &resources,
	}))
}
