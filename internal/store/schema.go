package store

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Schema describes Firebreak's single DynamoDB table. It is the one definition: the
// DynamoDB store reads and writes these attributes, tests and `firebreak serve` create
// the table from it, and infra/ builds the CloudFormation table from it.
type Schema struct {
	PartitionKey string  // string attribute
	SortKey      string  // string attribute
	Indexes      []Index // global secondary indexes, all projecting every attribute
	TTLAttribute string  // epoch seconds; items without it never expire
	StreamView   types.StreamViewType
}

// Index is a global secondary index with string keys.
type Index struct {
	Name, PartitionKey, SortKey string
}

// Item layout (pk / sk); docs/table.md has size bounds, TTLs and the order of writes:
//
//	INC#<id>        META                        the incident (lifecycle, owner, severity)
//	INC#<id>        C                           ledger head: counters and the ids of recent events (dynamo_ledger.go)
//	INC#<id>        L#<minute>#<gen>#<sz>#<n>   ledger page: ids rolled out of the head (expires)
//	INC#<id>        T#<time>#<key>              timeline entry
//	FP#<fp-key>     HEAD                        latest incident sequence of a fingerprint
//	FP#<fp-key>     C, L#…                      ledger of events not part of an incident (expires)
//	Q#<sha>         Q                           quarantined payload (expires)
//	INC#<id>        D#<key>                     dispatch claim (an action of a change, done once)
//	INC#<id>        A#<key>                     runbook approval with its task token
//	SILENCE         <id>                        silence created through the API (expires after it ends)
//	TOKEN#<nonce>   T                           a used one-click token (expires with the token)
//	REV#<id>        R                           post-incident review of incident <id> (dynamo_followups.go)
//	ACT#<link>      A#<action id>               tracked action linked to an incident, review or problem
//	OVR#<schedule>  <end>-<hash>                on-call override made through the API (expires a week after it ends)
//
// The "list" index keys incidents by status (list_pk INCIDENT#<status>, list_sk
// <opened_at>#<id>) and quarantined payloads (QUARANTINE, <received_at>#<sha>). The
// "due" index holds incidents the escalator must look at (due_pk DUE, due_sk
// <due time>#<id>): it queries what is due and never scans. Reviews and actions use
// the same two indexes under their own partitions, and actions the "owner" index
// (owner_pk ACTION#<team>, owner_sk <status>#<due>#<id>), as do the incidents of an
// inhibit rule's source classes (owner_pk INCIDENT#<status>, owner_sk <class>#<id>: the
// others carry no owner_sk, so are not in it); see docs/table.md.
var Table = Schema{
	PartitionKey: "pk",
	SortKey:      "sk",
	Indexes: []Index{
		{Name: "list", PartitionKey: "list_pk", SortKey: "list_sk"},
		{Name: "due", PartitionKey: "due_pk", SortKey: "due_sk"},
		{Name: "owner", PartitionKey: "owner_pk", SortKey: "owner_sk"}, // tracked actions by owner team
	},
	TTLAttribute: "expires_at",
	StreamView:   types.StreamViewTypeNewAndOldImages,
}

// CreateTableInput is the CreateTable request for this schema (on-demand billing).
func (s Schema) CreateTableInput(name string) *dynamodb.CreateTableInput {
	attrs := []types.AttributeDefinition{
		{AttributeName: aws.String(s.PartitionKey), AttributeType: types.ScalarAttributeTypeS},
		{AttributeName: aws.String(s.SortKey), AttributeType: types.ScalarAttributeTypeS},
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(s.PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(s.SortKey), KeyType: types.KeyTypeRange},
		},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: s.StreamView},
	}
	for _, ix := range s.Indexes {
		attrs = append(attrs,
			types.AttributeDefinition{AttributeName: aws.String(ix.PartitionKey), AttributeType: types.ScalarAttributeTypeS},
			types.AttributeDefinition{AttributeName: aws.String(ix.SortKey), AttributeType: types.ScalarAttributeTypeS})
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(ix.PartitionKey), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(ix.SortKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	in.AttributeDefinitions = attrs
	return in
}
