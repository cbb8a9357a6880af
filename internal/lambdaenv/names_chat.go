package lambdaenv

// The environment of chat and webhook deliveries (internal/webhook, infra/webhooks.go).
const (
	// OutboundTopic is the SNS topic the team notifiers publish chat and webhook
	// deliveries to (dispatch, escalate, the runbook task); unset: none are made.
	OutboundTopic = "OUTBOUND_TOPIC"
	// ChatTopics is a JSON object of chat target (team:<name>, audience:<name>) to the
	// SNS topic Amazon Q Developer posts from (webhook).
	ChatTopics = "CHAT_TOPICS"
)
