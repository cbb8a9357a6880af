package infra

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// functionSpec is what differs between Firebreak's Lambdas; everything else is fixed by
// the shared construct (newFunction).
type functionSpec struct {
	Description string
	MemoryMB    int
	Timeout     time.Duration
	// ReservedConcurrency caps (and reserves) concurrent executions; 0 leaves the
	// function on the account's unreserved pool.
	ReservedConcurrency int
	// Store is what its handler can call on store.Dynamo (storeMethods of the store
	// interfaces it is given); Store.Grant turns it into DynamoDB actions.
	Store []string
	// wire grants the function what it calls and connects its event sources.
	wire func(s *Stack, f *Function) error
}

// Function is one Lambda built by the shared construct: functions/<name> compiled by
// `make build` to build/<name>/bootstrap, arm64 on provided.al2023, X-Ray tracing, JSON
// logs to its own log group with the configured retention, a role that holds nothing
// but its log stream and what its wiring grants, and an encrypted DLQ for
// asynchronous invocations that fail every retry.
type Function struct {
	Name     string
	Scope    constructs.Construct
	Fn       awslambda.Function
	Role     awsiam.Role
	LogGroup awslogs.LogGroup
	DLQ      awssqs.Queue

	spec functionSpec
	// unscoped names the actions beyond X-Ray its wiring granted on Resource "*", each
	// with why IAM allows nothing narrower (the role's IAM5 suppression quotes them).
	unscoped []string
}

func (s *Stack) newFunction(parent constructs.Construct, name string, spec functionSpec) *Function {
	scope := constructs.NewConstruct(parent, jsii.String(name))
	f := &Function{Name: name, Scope: scope, spec: spec}
	f.LogGroup = awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		EncryptionKey: s.Keys.Messaging,
		Retention:     awslogs.RetentionDays(s.plan.retention),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	f.Role = awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Firebreak " + name + " Lambda"),
	})
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{f.LogGroup.LogGroupArn()},
	}))
	f.DLQ = s.newDeadLetterQueue(scope, "DLQ", "asynchronous invocations of the "+name+" Lambda that failed every retry")
	// Lambda writes to the DLQ with the function's role: SQS needs the key for that.
	f.Role.AddToPrincipalPolicy(keyUse(s.Keys.Messaging, "kms:GenerateDataKey", "kms:Decrypt"))

	props := &awslambda.FunctionProps{
		Description:           jsii.String(spec.Description),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  awslambda.Code_FromAsset(jsii.String(filepath.Join(s.buildDir(), name)), nil),
		MemorySize:            jsii.Number(float64(spec.MemoryMB)),
		Timeout:               awscdk.Duration_Seconds(jsii.Number(spec.Timeout.Seconds())),
		Tracing:               awslambda.Tracing_ACTIVE,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_INFO,
		LogGroup:              f.LogGroup,
		Role:                  f.Role,
		DeadLetterQueue:       f.DLQ,
	}
	if spec.ReservedConcurrency > 0 {
		props.ReservedConcurrentExecutions = jsii.Number(float64(spec.ReservedConcurrency))
	}
	f.Fn = awslambda.NewFunction(scope, jsii.String("Function"), props)
	return f
}

// grantUnscoped allows actions that support no resource-level permissions on
// Resource "*"; why says so, and the role's IAM5 suppression quotes it.
func (f *Function) grantUnscoped(why string, actions ...string) {
	f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings("*"),
	}))
	f.unscoped = append(f.unscoped, why)
}

// suppressWildcards records, once the function is wired, why its role has Resource
// "*": X-Ray tracing, and whatever grantUnscoped added.
func (s *Stack) suppressWildcards(f *Function) {
	reason := "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so Lambda's tracing statement names Resource \"*\"."
	for _, why := range f.unscoped {
		reason += " " + why
	}
	reason += " Every other statement of this role names its resources."
	s.suppress(f.Role, "every Lambda role", "AwsSolutions-IAM5", reason, "Resource::*")
}

// SetEnv sets an environment variable of the function.
func (f *Function) SetEnv(key string, value *string) {
	f.Fn.AddEnvironment(jsii.String(key), value, nil)
}

func (s *Stack) buildDir() string {
	if s.props.BuildDir != "" {
		return s.props.BuildDir
	}
	return filepath.Join(s.props.Root, "build")
}

// pascal turns "ec2-restart" into "Ec2Restart".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
