package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is the single DynamoDB table, built from the schema the Go store uses
// (store.Table): keys, indexes, TTL attribute and stream view are read from it, never
// restated here.
type Store struct {
	Table awsdynamodb.Table
	// IndexArns are the ARNs of the table's global secondary indexes.
	IndexArns []*string
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
	st := &Store{Table: t}
	for _, ix := range schema.Indexes {
		t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(ix.Name),
			PartitionKey:   str(ix.PartitionKey),
			SortKey:        str(ix.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
		st.IndexArns = append(st.IndexArns, jsii.String(fmt.Sprintf("%s/index/%s", *t.TableArn(), ix.Name)))
	}
	return st
}

// Grant lets a function call the given DynamoDB actions on the table and its indexes,
// and use the table's key for them: no other table, no other action.
func (st *Store) Grant(s *Stack, f *Function, actions ...string) {
	resources := append([]*string{st.Table.TableArn()}, st.IndexArns...)
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	}))
	f.Role.AddToPrincipalPolicy(keyUse(s.Keys.Data, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"))
}
