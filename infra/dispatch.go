package infra

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Dispatch feeds the dispatch Lambda the table's stream: incident items only, oldest
// record first, in order per shard. The handler reports the first record it failed on
// (ReportBatchItemFailures), so Lambda retries from there; after dispatchRetries
// retries or dispatchMaxRecordAge, the batch's shard and sequence numbers go to DLQ and
// the shard moves on.
type Dispatch struct {
	Mapping awslambda.CfnEventSourceMapping
	// DLQ is the mapping's on-failure destination. It receives where the failed
	// records are (shard, sequence numbers), not the records: those stay in the stream
	// for 24 hours.
	DLQ awssqs.Queue
}

// Limits of the dispatch event source: a change is retried for at most an hour (the
// escalator pages again, independently, for incidents nobody acknowledges), and a
// batch is small so that one bad record delays few others.
const (
	dispatchBatchSize    = dispatch.StreamBatchSize
	dispatchRetries      = dispatch.StreamRetries
	dispatchParallel     = dispatch.StreamParallelization
	dispatchMaxRecordAge = time.Hour
)

// DispatchFilter is the stream event filter: inserts and modifications of incident
// items (pk INC#<id>, sk META; store.IncidentFromStream accepts exactly these). Ledger
// pages, timeline entries, claims, approvals, silences, tokens and TTL deletions never
// invoke dispatch.
var DispatchFilter = map[string]any{
	"eventName": []any{"INSERT", "MODIFY"},
	"dynamodb": map[string]any{
		"Keys": map[string]any{
			store.Table.PartitionKey: map[string]any{"S": []any{map[string]any{"prefix": store.IncidentKeyPrefix}}},
			store.Table.SortKey:      map[string]any{"S": []any{store.IncidentSortKey}},
		},
	},
}

func newDispatch(s *Stack, f *Function) (*Dispatch, error) {
	d := &Dispatch{}
	d.DLQ = s.newDeadLetterQueue(f.Scope, "StreamDLQ", "table stream records dispatch failed to act on (shard and sequence numbers; the records stay in the stream for 24 hours)")
	s.suppress(d.DLQ, "dispatch stream DLQ", "AwsSolutions-SQS3",
		"This queue is the on-failure destination of the dispatch Lambda's DynamoDB stream event source (cdk-nag only recognizes SQS and Lambda DLQ references); it is the end of the chain and its depth is alarmed.")

	stream := s.Store.Table.TableStreamArn()
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
		Resources: &[]*string{stream},
	}))
	f.grantUnscoped("dynamodb:ListStreams supports no resource-level permissions either, and Lambda checks it when it attaches the table's stream to the dispatch Lambda.",
		"dynamodb:ListStreams")
	// Lambda sends the on-failure record with the function's role (the messaging key
	// for it is the shared construct's).
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: &[]*string{d.DLQ.QueueArn()},
	}))

	pattern, err := json.Marshal(DispatchFilter)
	if err != nil {
		return nil, fmt.Errorf("dispatch filter: %w", err)
	}
	d.Mapping = awslambda.NewCfnEventSourceMapping(f.Scope, jsii.String("TableStream"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:              f.Fn.FunctionArn(),
		EventSourceArn:            stream,
		StartingPosition:          jsii.String("TRIM_HORIZON"),
		BatchSize:                 jsii.Number(dispatchBatchSize),
		MaximumRetryAttempts:      jsii.Number(dispatchRetries),
		ParallelizationFactor:     jsii.Number(dispatchParallel),
		MaximumRecordAgeInSeconds: jsii.Number(dispatchMaxRecordAge.Seconds()),
		FunctionResponseTypes:     jsii.Strings("ReportBatchItemFailures"),
		DestinationConfig: &awslambda.CfnEventSourceMapping_DestinationConfigProperty{
			OnFailure: &awslambda.CfnEventSourceMapping_OnFailureProperty{Destination: d.DLQ.QueueArn()},
		},
		FilterCriteria: &awslambda.CfnEventSourceMapping_FilterCriteriaProperty{
			Filters: &[]*awslambda.CfnEventSourceMapping_FilterProperty{{Pattern: jsii.String(string(pattern))}},
		},
	})
	// Lambda checks the role's stream permissions when the mapping is created; the
	// function (referenced above) already waits for the role's policy.
	return d, nil
}
