// Command webhook is the outbound Lambda: the outbound queue's deliveries in; chat
// notifications published to their chat topics and signed POSTs to webhooks (see
// internal/webhook).
//
// Environment: CHAT_TOPICS (chat target → topic ARN). Webhook URLs and keys are read from
// the Secrets Manager secrets firebreak.yaml names, never from the environment.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

func main() { lambdaenv.Start("webhook", setup, lambdaenv.WithoutSchedules()) }

func setup(env *lambdaenv.Env) (any, error) {
	topics := map[string]string{}
	if env.Var(lambdaenv.ChatTopics) != "" {
		var err error
		if topics, err = env.JSON(lambdaenv.ChatTopics); err != nil {
			return nil, err
		}
	}
	poster := &webhook.Poster{
		HTTP:    webhook.HTTPClient(),
		Secrets: &webhook.Secrets{Client: secretsmanager.NewFromConfig(env.AWS), Now: env.Now},
		Now:     env.Now,
	}
	h := &webhook.Handler{Config: env.Config, Poster: poster, Chat: sns.NewFromConfig(env.AWS), ChatTopics: topics, Log: env.Log}
	return h.Handle, nil
}
