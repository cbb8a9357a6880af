package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// deadLetter is a dead-letter queue the health construct alarms on.
type deadLetter struct {
	Queue awssqs.Queue
	Of    string // what ends up in it
}

// newQueue is an SQS queue encrypted with the messaging key, reachable over TLS only,
// that moves a message to dlq after maxReceive receives.
func (s *Stack) newQueue(scope constructs.Construct, id string, dlq awssqs.IQueue, maxReceive int, visibility awscdk.Duration) awssqs.Queue {
	return awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: s.Keys.Messaging,
		EnforceSSL:          jsii.Bool(true),
		VisibilityTimeout:   visibility,
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(4)),
		DeadLetterQueue:     &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(float64(maxReceive))},
		RemovalPolicy:       awscdk.RemovalPolicy_DESTROY,
	})
}

// newDeadLetterQueue is the end of a redrive chain: encrypted, TLS only, messages kept
// for the 14-day maximum, and alarmed on by the health construct. of says what ends up
// in it (the suppression reasons and the alarm description quote it).
func (s *Stack) newDeadLetterQueue(scope constructs.Construct, id, of string) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: s.Keys.Messaging,
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:       awscdk.RemovalPolicy_DESTROY,
	})
	s.deadLetters = append(s.deadLetters, deadLetter{Queue: q, Of: of})
	s.suppress(q, "every dead-letter queue", "Serverless-SQSRedrivePolicy",
		"This queue is itself a dead-letter queue ("+of+"): it is the end of the redrive chain, messages are kept 14 days and its depth is alarmed to the operators.")
	return q
}

// allowServiceToSend lets an AWS service principal send to a queue on behalf of the
// given source ARNs only (aws:SourceArn), the confused-deputy protection SQS documents.
func allowServiceToSend(q awssqs.Queue, service string, sources []*string) {
	q.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("Allow" + serviceName(service) + "ToSend"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  &[]*string{q.QueueArn()},
		Conditions: &map[string]interface{}{"ArnEquals": map[string]interface{}{"aws:SourceArn": sources}},
	}))
}
