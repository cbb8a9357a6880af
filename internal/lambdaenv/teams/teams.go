// Package teams builds the SNS sender of the Lambdas that tell teams (dispatch, escalate,
// the runbook task); only they link the SNS client.
package teams

import (
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// Sender publishes to the team topics named in TEAM_TOPICS (a JSON object of team name
// to topic ARN).
func Sender(env *lambdaenv.Env) (*notify.Notifier, error) {
	topics, err := env.JSON(lambdaenv.TeamTopics)
	if err != nil {
		return nil, err
	}
	return notify.New(sns.NewFromConfig(env.AWS), topics), nil
}
