package infra

// heartbeatCalls are the DynamoDB requests of store.Dynamo's heartbeat methods
// (internal/store/dynamo_heartbeats.go), merged into storeCalls; TestStoreCalls checks
// them against the store like the rest.
var heartbeatCalls = map[string][]tableCall{
	"PutHeartbeat":  {{"dynamodb:PutItem", ""}},
	"Heartbeat":     {{"dynamodb:GetItem", ""}},
	"HeartbeatsDue": {{"dynamodb:Query", "due"}},
}

func init() {
	for name, calls := range heartbeatCalls {
		storeCalls[name] = calls
	}
}
