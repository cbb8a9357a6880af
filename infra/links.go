package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// Links are the one-click links in notices (internal/token): the key ring that signs
// them, a Secrets Manager secret rotated by functions/rotate, and the public URL that
// answers them, the Function URL of the api's "links" alias.
//
// The secret is encrypted with the data key: its key policy admits no AWS service
// principal (the messaging key's admits EventBridge, SNS and CloudWatch), and the
// functions that read the ring already use that key for the table. Each use of the key
// for the ring is limited to requests made through Secrets Manager (kms:ViaService).
type Links struct {
	// Secret holds {"current": "<kid>", "keys": {"<kid>": "<base64 of 32 bytes>"}}. It is
	// created with a generated value; the first rotation, at once, replaces it with a
	// ring.
	Secret awssecretsmanager.CfnSecret
	// Alias is the api's "links" alias (of $LATEST: the same code as the IAM URL's).
	Alias awslambda.Alias
	// URL is the alias's Function URL, AuthType NONE: a link clicked in an e-mail
	// carries no AWS signature. The handler answers only /t/{token} there, and only for
	// an HMAC-signed, unexpired, single-use token, and the read-only status page at
	// /status/{viewer token}/ for an HMAC-signed, unexpired viewer token (internal/api).
	URL awslambda.FunctionUrl
	// Rotation rotates the secret every LinkKeysRotationDays, and at once when it is
	// created or its rotation changes.
	Rotation awssecretsmanager.CfnRotationSchedule

	scope constructs.Construct
}

// LinksAlias is the api's alias whose Function URL answers link clicks.
const LinksAlias = "links"

// LinkKeysRotationDays is how often the link keys rotate. A ring keeps token.MaxKeys
// keys, so a key verifies for two rotations after it stopped signing: far longer than
// the 5-day life of the longest-lived link (approvals).
const LinkKeysRotationDays = 30

// newLinks builds the key ring secret and the public links URL; nil when the api
// Lambda is not deployed (notices then carry the CLI commands only).
func newLinks(s *Stack) *Links {
	api, ok := s.Functions[APIFunction]
	if !ok {
		return nil
	}
	scope := constructs.NewConstruct(s.Stack, jsii.String("Links"))
	l := &Links{scope: scope}
	l.Secret = awssecretsmanager.NewCfnSecret(scope, jsii.String("Keys"), &awssecretsmanager.CfnSecretProps{
		Description: jsii.String("Firebreak one-click link keys: the ring that signs and verifies links (internal/token), rotated by functions/rotate"),
		KmsKeyId:    s.Keys.Data.KeyArn(),
		// A placeholder the first rotation replaces with a ring.
		GenerateSecretString: &awssecretsmanager.CfnSecret_GenerateSecretStringProperty{
			PasswordLength:     jsii.Number(32),
			ExcludePunctuation: jsii.Bool(true),
		},
	})
	l.Alias = awslambda.NewAlias(scope, jsii.String("Alias"), &awslambda.AliasProps{
		AliasName:   jsii.String(LinksAlias),
		Version:     api.Fn.LatestVersion(),
		Description: jsii.String("One-click links from notices (Function URL without IAM auth; tokens are checked by the handler)"),
	})
	l.URL = l.Alias.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_NONE})
	return l
}

// SecretArn is the ARN of the link-keys secret.
func (l *Links) SecretArn() *string { return l.Secret.Ref() }

// signers lets f sign links: LINKS_BASE_URL is the public links URL and
// LINK_KEYS_SECRET the ring it reads. Without the api (l nil) f gets neither and its
// notices carry the CLI commands only.
func (l *Links) signers(s *Stack, f *Function) {
	if l == nil {
		return
	}
	f.SetEnv(lambdaenv.LinksBaseURL, l.URL.Url())
	l.readers(s, f)
}

// verifiers lets f (the api) check links against the ring.
func (l *Links) verifiers(s *Stack, f *Function) {
	l.readers(s, f)
}

// readers lets f read the ring: LINK_KEYS_SECRET names the secret; f may read that
// secret and decrypt it with the data key, through Secrets Manager only.
func (l *Links) readers(s *Stack, f *Function) {
	f.SetEnv(lambdaenv.LinkKeysSecret, l.SecretArn())
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{l.SecretArn()},
	}))
	f.Role.AddToPrincipalPolicy(keyViaSecretsManager(s, "kms:Decrypt"))
}

// rotator makes f the secret's rotation function: the calls of the rotation protocol
// on this secret only, the data key through Secrets Manager, the permission for
// Secrets Manager (of this account) to invoke it, and the schedule, which rotates at
// once on the first deploy so that the generated placeholder becomes a ring.
func (l *Links) rotator(s *Stack, f *Function) {
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
			"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"),
		Resources: &[]*string{l.SecretArn()},
	}))
	f.Role.AddToPrincipalPolicy(keyViaSecretsManager(s, "kms:Decrypt", "kms:GenerateDataKey"))
	invoke := awslambda.NewCfnPermission(f.Scope, jsii.String("SecretsManagerInvoke"), &awslambda.CfnPermissionProps{
		Action:        jsii.String("lambda:InvokeFunction"),
		FunctionName:  f.Fn.FunctionArn(),
		Principal:     jsii.String("secretsmanager.amazonaws.com"),
		SourceAccount: awscdk.Aws_ACCOUNT_ID(),
	})
	l.Rotation = awssecretsmanager.NewCfnRotationSchedule(l.scope, jsii.String("Rotation"), &awssecretsmanager.CfnRotationScheduleProps{
		SecretId:                  l.SecretArn(),
		RotationLambdaArn:         f.Fn.FunctionArn(),
		RotateImmediatelyOnUpdate: jsii.Bool(true),
		RotationRules: &awssecretsmanager.CfnRotationSchedule_RotationRulesProperty{
			AutomaticallyAfterDays: jsii.Number(LinkKeysRotationDays),
		},
	})
	// Secrets Manager invokes the function as soon as the schedule exists.
	l.Rotation.Node().AddDependency(invoke)
}

// keyViaSecretsManager allows actions on the data key for requests Secrets Manager
// makes on the principal's behalf in this region, and no others.
func keyViaSecretsManager(s *Stack, actions ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{s.Keys.Data.KeyArn()},
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{
				"kms:ViaService": awscdk.Fn_Sub(jsii.String("secretsmanager.${AWS::Region}.amazonaws.com"), nil),
			},
		},
	})
}
