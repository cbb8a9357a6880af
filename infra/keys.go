package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Keys are the stack's customer-managed KMS keys, both rotated yearly.
type Keys struct {
	// Data encrypts the table, its indexes, stream and backups. It is retained with the
	// table when the stack is destroyed: without it the retained data is unreadable.
	Data awskms.Key
	// Messaging encrypts every SQS queue, SNS topic and CloudWatch Logs log group. Its
	// key policy lets the AWS services that write to them (EventBridge, SNS, CloudWatch
	// alarms) use it, from this account only, and CloudWatch Logs use it for this
	// account's log groups in this region only (kms:EncryptionContext:aws:logs:arn).
	Messaging awskms.Key
}

// Services that write to Firebreak's encrypted queues and topics.
var messagingServices = []string{
	"events.amazonaws.com",     // EventBridge rules → intake queue and its delivery DLQ
	"sns.amazonaws.com",        // SNS subscriptions → their redrive DLQ
	"cloudwatch.amazonaws.com", // CloudWatch alarms → operators topic
}

func newKeys(s *Stack) *Keys {
	scope := constructs.NewConstruct(s.Stack, jsii.String("Keys"))
	k := &Keys{
		Data: awskms.NewKey(scope, jsii.String("Data"), &awskms.KeyProps{
			Description:       jsii.String("Firebreak incidents table, its indexes, stream and backups"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		}),
		Messaging: awskms.NewKey(scope, jsii.String("Messaging"), &awskms.KeyProps{
			Description:       jsii.String("Firebreak SQS queues, SNS topics and log groups"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
			PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
		}),
	}
	for _, svc := range messagingServices {
		k.Messaging.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("Allow" + serviceName(svc) + "ToEncrypt"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(svc), nil)},
			Actions:    jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
			Conditions: &map[string]interface{}{
				"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			},
		}), nil)
	}
	k.Messaging.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowLogsToEncryptLogGroups"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*awscdk.Aws_REGION()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings(logsKeyActions...),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
		Conditions: &map[string]interface{}{
			"ArnLike": map[string]interface{}{"kms:EncryptionContext:aws:logs:arn": awscdk.Fn_Sub(jsii.String(logGroupsHere), nil)},
		},
	}), nil)
	return k
}

// CloudWatch Logs encrypts log groups with the messaging key (as its regional service
// principal): the actions its documentation asks for, and the log groups it may use
// them for.
var (
	logsKeyActions = []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"}
	logGroupsHere  = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
)

// keyUse grants the KMS actions a principal needs on one key: the key's ARN, no wildcard.
func keyUse(key awskms.IKey, actions ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{key.KeyArn()},
	})
}

// serviceName turns "events.amazonaws.com" into "Events".
func serviceName(principal string) string {
	for i := 0; i < len(principal); i++ {
		if principal[i] == '.' {
			return pascal(principal[:i])
		}
	}
	return pascal(principal)
}
