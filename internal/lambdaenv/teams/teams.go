// Package teams builds the SNS sender of the Lambdas that tell teams (dispatch, escalate,
// the runbook task); only they link the SNS client.
package teams

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// Notifier tells a team (or contact:<id>) of a notice; the result is the message id.
type Notifier interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}

// Sender publishes to the team topics named in TEAM_TOPICS (a JSON object of team name
// to topic ARN) and, when CONTACT_TOPICS is set (contact id to topic ARN), to the
// contacts' topics as contact:<id> (internal/page pages people there) and, when
// AUDIENCE_TOPICS is set (audience name to topic ARN), to the communication plan's
// audiences' topics (notify.Notifier.Announce). With OUTBOUND_TOPIC set, each notice's
// chat and webhook deliveries follow it there (internal/webhook.Relay).
func Sender(env *lambdaenv.Env) (Notifier, error) {
	topics, err := env.JSON(lambdaenv.TeamTopics)
	if err != nil {
		return nil, err
	}
	if env.Var("CONTACT_TOPICS") != "" {
		contacts, err := env.JSON("CONTACT_TOPICS")
		if err != nil {
			return nil, err
		}
		for id, arn := range contacts {
			topics[config.ContactPrefix+id] = arn
		}
	}
	if env.Var(lambdaenv.AudienceTopics) != "" {
		audiences, err := env.JSON(lambdaenv.AudienceTopics)
		if err != nil {
			return nil, err
		}
		for name, arn := range audiences {
			topics[config.AudienceTarget(name)] = arn
		}
	}
	client := sns.NewFromConfig(env.AWS)
	n := notify.New(client, topics)
	if outbound := env.Var(lambdaenv.OutboundTopic); outbound != "" {
		return &webhook.Relay{Notifier: n, Outbound: client, TopicARN: outbound, Config: env.Config}, nil
	}
	return n, nil
}
