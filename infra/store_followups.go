package infra

// followupCalls are the DynamoDB requests of store.Dynamo's review and action methods
// (internal/store/dynamo_followups.go), merged into storeCalls; TestStoreCalls checks
// them against the store like the rest.
var followupCalls = func() map[string][]tableCall {
	get, put := tableCall{"dynamodb:GetItem", ""}, tableCall{"dynamodb:PutItem", ""}
	query := tableCall{"dynamodb:Query", ""}
	index := func(name string) tableCall { return tableCall{"dynamodb:Query", name} }
	return map[string][]tableCall{
		"OpenReview":     {put, get},
		"GetReview":      {get},
		"UpdateReview":   {put, get},
		"ReviewsDue":     {index("due")},
		"ReviewsByDue":   {index("list")},
		"AddAction":      {put, get},
		"GetAction":      {get},
		"UpdateAction":   {put, get},
		"ActionsDue":     {index("due")},
		"ActionsByDue":   {index("list")},
		"ActionsByOwner": {index("owner")},
		"ActionsOf":      {query},
	}
}()

func init() {
	for name, calls := range followupCalls {
		storeCalls[name] = calls
	}
}
