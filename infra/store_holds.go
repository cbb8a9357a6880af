package infra

// holdCalls are the DynamoDB requests of store.Dynamo's held-opening methods
// (internal/store/dynamo_holds.go), merged into storeCalls; TestStoreCalls checks them
// against the store like the rest.
var holdCalls = map[string][]tableCall{
	"Hold":      {{"dynamodb:PutItem", ""}},
	"MoveHold":  {{"dynamodb:UpdateItem", ""}},
	"HeldUntil": {{"dynamodb:Query", "due"}},
	"Held":      {{"dynamodb:GetItem", ""}},
	"LetGo":     {{"dynamodb:UpdateItem", ""}},
}

func init() {
	for name, calls := range holdCalls {
		storeCalls[name] = calls
	}
}
