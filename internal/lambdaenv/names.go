package lambdaenv

// The environment variables the stack sets on the Lambdas (infra) and the functions read
// (Env.Var, Env.Require, Env.JSON): each name is spelled here only.
const (
	// TableName is the DynamoDB table (every function over the table).
	TableName = "TABLE_NAME"
	// StateMachines is a JSON object of runbook name to state machine ARN (dispatch).
	StateMachines = "STATE_MACHINES"
	// TeamTopics is a JSON object of team name to SNS topic ARN (whoever tells teams).
	TeamTopics = "TEAM_TOPICS"
	// AudienceTopics is a JSON object of audience name to SNS topic ARN (dispatch: the
	// communication plan's audiences).
	AudienceTopics = "AUDIENCE_TOPICS"
	// LinksBaseURL is the base of one-click links in notices (the links alias's URL).
	LinksBaseURL = "LINKS_BASE_URL"
	// LinkKeysSecret is the Secrets Manager secret holding the link keys.
	LinkKeysSecret = "LINK_KEYS_SECRET"
)
