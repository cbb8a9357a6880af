package infra

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is the single DynamoDB table, built from the schema the Go store uses
// (store.Table): keys, indexes, TTL attribute and stream view are read from it, never
// restated here.
type Store struct {
	Table awsdynamodb.Table
}

func newStore(s *Stack) *Store {
	scope := constructs.NewConstruct(s.Stack, jsii.String("Store"))
	schema := store.Table
	str := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}
	t := awsdynamodb.NewTable(scope, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:        str(schema.PartitionKey),
		SortKey:             str(schema.SortKey),
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:          awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey:       s.Keys.Data,
		TimeToLiveAttribute: jsii.String(schema.TTLAttribute),
		Stream:              awsdynamodb.StreamViewType(string(schema.StreamView)),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})
	for _, ix := range schema.Indexes {
		t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(ix.Name),
			PartitionKey:   str(ix.PartitionKey),
			SortKey:        str(ix.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	return &Store{Table: t}
}

// IndexArn is the ARN of one of the table's global secondary indexes.
func (st *Store) IndexArn(name string) *string {
	return jsii.String(fmt.Sprintf("%s/index/%s", *st.Table.TableArn(), name))
}

// Grant sets TABLE_NAME and lets f make exactly the DynamoDB calls of the store
// methods its handler can call (functionSpec.Store): those actions on the table, Query
// on just the indexes those methods read, and the table's key for them.
func (st *Store) Grant(s *Stack, f *Function) error {
	f.SetEnv(lambdaenv.TableName, st.Table.TableName())
	access, err := tableAccess(f.spec.Store)
	if err != nil { // newPlan checked every spec's methods already
		return err
	}
	for _, target := range sortedKeys(access) {
		res := st.Table.TableArn()
		if target != "" {
			res = st.IndexArn(target)
		}
		f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(access[target]...),
			Resources: &[]*string{res},
		}))
	}
	f.Role.AddToPrincipalPolicy(keyUse(s.Keys.Data, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"))
	return nil
}

// tableCall is one DynamoDB request a store method sends: the IAM action and the
// index it reads ("" for the table itself).
type tableCall struct{ Action, Index string }

// storeCalls is every request each method of store.Dynamo (internal/store/dynamo*.go)
// can send, including those it sends only after a conditional write fails (reading
// what is there). TestStoreCalls checks it against the store itself; a handler calling
// a method missing here fails synthesis.
var storeCalls = func() map[string][]tableCall {
	get, put, upd, del := tableCall{"dynamodb:GetItem", ""}, tableCall{"dynamodb:PutItem", ""}, tableCall{"dynamodb:UpdateItem", ""}, tableCall{"dynamodb:DeleteItem", ""}
	query := tableCall{"dynamodb:Query", ""}
	queryIndex := func(i int) tableCall { return tableCall{"dynamodb:Query", store.Table.Indexes[i].Name} }
	list, due := queryIndex(0), queryIndex(1)
	return map[string][]tableCall{
		"Current":          {{"dynamodb:BatchGetItem", ""}},
		"Open":             {put, get, upd},
		"Record":           {upd, get, query, put},
		"Change":           {upd, put, get},
		"Quarantine":       {put},
		"KeepLoose":        {put},
		"LooseBetween":     {query},
		"OpenEarlier":      {upd, put, get}, // a move already made: is it this event's?
		"NoteRepeat":       {upd},
		"IndexSources":     nil, // configuration: no request
		"QuarantinedSince": {list},
		"Get":              {{"dynamodb:BatchGetItem", ""}},
		"List":             {list, queryIndex(2), {"dynamodb:BatchGetItem", ""}}, // owner: inhibit sources (Filter.Sources)
		"Timeline":         {query},                                              // META read with the entries
		"AddEntries":       {get, put},
		"Claim":            {put, get}, // a claim not taken reads whether it is done or held
		"Done":             {upd},
		"Release":          {upd}, // kept, marked released (a late claim write must not take it back)
		"PutApproval":      {get, put},
		"Approvals":        {query},
		"Decide":           {upd, get},
		"Due":              {due},
		"SetDue":           {upd, get},
		"PutSilence":       {put},
		"Silences":         {query},
		"UseToken":         {put},
		"PutOverride":      {put},
		"Overrides":        {query},
		"RemoveOverride":   {del},
	}
}()

// storeMethods returns the methods of the store interfaces a handler is given
// (reflect.TypeFor[dispatch.Store]()): what the handler can call on the store, read from
// the code rather than restated.
func storeMethods(ifaces ...reflect.Type) []string {
	seen := map[string]bool{}
	for _, t := range ifaces {
		for i := range t.NumMethod() {
			seen[t.Method(i).Name] = true
		}
	}
	return sortedKeys(seen)
}

// tableAccess turns store methods into the DynamoDB actions they need, by target: ""
// the table, otherwise an index name. Actions are sorted and unique.
func tableAccess(methods []string) (map[string][]string, error) {
	set := map[string]map[string]bool{}
	var unknown []string
	for _, m := range methods {
		calls, ok := storeCalls[m]
		if !ok {
			unknown = append(unknown, m)
			continue
		}
		for _, c := range calls {
			if set[c.Index] == nil {
				set[c.Index] = map[string]bool{}
			}
			set[c.Index][c.Action] = true
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("store methods %v: infra/store.go does not list the DynamoDB calls they make (storeCalls)", unknown)
	}
	out := map[string][]string{}
	for target, actions := range set {
		out[target] = sortedKeys(actions)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
