package infra

// The DynamoDB requests of the problem methods of store.Dynamo
// (internal/store/dynamo_problems.go), added to storeCalls.
func init() {
	get, put := tableCall{"dynamodb:GetItem", ""}, tableCall{"dynamodb:PutItem", ""}
	query := tableCall{"dynamodb:Query", ""}
	list := tableCall{"dynamodb:Query", "list"}
	for name, calls := range map[string][]tableCall{
		"Recur":             {get, put},
		"CreateProblem":     {put, get},
		"GetProblem":        {get, query},
		"ListProblems":      {list},
		"UpdateProblem":     {get, put},
		"LinkIncident":      {get, put},
		"ProblemTimeline":   {get, query},
		"AddProblemEntries": {get, put},
	} {
		storeCalls[name] = calls
	}
}
