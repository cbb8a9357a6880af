package infra

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/config"
)

// A forwarder stack (docs/organizations.md) runs in each account and region the central
// stack watches: the catalog's rules on that account's default bus, each delivering to
// the central bus with a role that can only put events there, and a dead-letter queue
// for what EventBridge could not deliver. It holds no Lambda and no asset, and needs no
// CDK bootstrap: the same template deploys with `cdk deploy -c forwarder=true` or as a
// CloudFormation StackSet with service-managed permissions.

// ForwarderProps configure a forwarder stack.
type ForwarderProps struct {
	// Config selects the catalog rules (deploy.rules), as for the central stack.
	Config *config.Config
	// CentralBusArn is the default of the stack's CentralBusArn parameter; "" leaves the
	// parameter without a default (StackSets pass it with --parameters).
	CentralBusArn string
	// GlobalOnly keeps only the rules that see global services' events: the us-east-1
	// forwarder of the central account when the central stack is in another region.
	GlobalOnly bool
	// Env is the account and region; nil synthesizes an environment-agnostic template
	// (what StackSets deploy).
	Env *awscdk.Environment
}

// Forwarder is a synthesized forwarder stack and its parts.
type Forwarder struct {
	Stack awscdk.Stack
	// CentralBusArn is the parameter naming the central bus every rule targets.
	CentralBusArn awscdk.CfnParameter
	// Role is what EventBridge assumes to put events on the central bus.
	Role awsiam.Role
	// DLQ holds events EventBridge could not deliver to the central bus; Alarm fires
	// when it holds any.
	DLQ   awssqs.Queue
	Alarm awscloudwatch.Alarm
	// Rules are the forwarding rules by catalog name.
	Rules map[string]awsevents.CfnRule
	// InGlobalRegion is the condition on the global-service rules of a full forwarder:
	// they are created only in us-east-1, where their events are delivered (nil when
	// GlobalOnly).
	InGlobalRegion awscdk.CfnCondition

	suppressions []Suppression
}

// ForwarderRulePrefix starts the name of every forwarding rule, so the DLQ's policy and
// the role's trust can name them before they exist.
const ForwarderRulePrefix = "firebreak-fwd-"

// centralBusArnRe is what the CentralBusArn parameter and context value must look like.
var centralBusArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:event-bus/[A-Za-z0-9._-]{1,256}$`)

// centralBusArnPattern is centralBusArnRe as a CloudFormation AllowedPattern.
const centralBusArnPattern = `arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-[0-9]{1,2}:[0-9]{12}:event-bus/[A-Za-z0-9._-]{1,256}`

// CentralBusArn is the ARN of a central bus named name in an account and region.
func CentralBusArn(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", partition, region, account, name)
}

// NewForwarder builds a forwarder stack.
func NewForwarder(scope constructs.Construct, id string, p ForwarderProps) (*Forwarder, error) {
	if p.Config == nil {
		return nil, fmt.Errorf("forwarder %s: no configuration", id)
	}
	if p.CentralBusArn != "" && !centralBusArnRe.MatchString(p.CentralBusArn) {
		return nil, fmt.Errorf("forwarder %s: centralBusArn %q is not an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>; the central stack's CentralBusArn output)", id, p.CentralBusArn)
	}
	rules, patterns, err := forwardedRules(p.Config, p.GlobalOnly)
	if err != nil {
		return nil, fmt.Errorf("forwarder %s: %w", id, err)
	}
	desc := "Firebreak forwarder: this account and region's events to the central bus (github.com/firebreak-ops/firebreak)"
	if p.GlobalOnly {
		desc = "Firebreak global-service forwarder (us-east-1): IAM, STS, sign-in and other global services' events to the central bus"
	}
	st := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		Env:         p.Env,
		Description: jsii.String(desc),
		// StackSets deploy into accounts nobody bootstrapped: no bootstrap version
		// parameter, no asset bucket; the synthesizer refuses any asset.
		Synthesizer:        awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{}),
		AnalyticsReporting: jsii.Bool(false),
	})
	tag(st, "app", "firebreak")
	f := &Forwarder{Stack: st, Rules: map[string]awsevents.CfnRule{}}

	f.CentralBusArn = awscdk.NewCfnParameter(st, jsii.String("CentralBusArn"), &awscdk.CfnParameterProps{
		Type:                  jsii.String("String"),
		Description:           jsii.String("ARN of the Firebreak central event bus (the central stack's CentralBusArn output)"),
		AllowedPattern:        jsii.String(centralBusArnPattern),
		ConstraintDescription: jsii.String("an event bus ARN: arn:aws:events:<region>:<account>:event-bus/<name>"),
	})
	if p.CentralBusArn != "" {
		f.CentralBusArn.SetDefault(p.CentralBusArn)
	}
	busArn := f.CentralBusArn.ValueAsString()
	ruleArns := awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"+ForwarderRulePrefix+"*"), nil)

	// The role: assumable by EventBridge for this account's forwarding rules only, able
	// to put events on the central bus only.
	f.Role = awsiam.NewRole(st, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String("EventBridge puts this account's events on the Firebreak central bus"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
				"ArnLike":      map[string]any{"aws:SourceArn": ruleArns},
			},
		}),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"PutEventsOnCentralBus": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions:   jsii.Strings("events:PutEvents"),
					Resources: &[]*string{busArn},
				})},
			}),
		},
	})

	// The DLQ: SQS-managed encryption (EventBridge can send to it without a key policy),
	// TLS only, 14 days; its alarm's state change is itself a CloudWatch alarm event the
	// cloudwatch-alarm rule forwards to the central stack.
	f.DLQ = awssqs.NewQueue(st, jsii.String("DLQ"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:   awscdk.RemovalPolicy_DESTROY,
	})
	f.DLQ.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridgeToSend"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  &[]*string{f.DLQ.QueueArn()},
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": ruleArns}},
	}))
	f.suppress(f.DLQ, "forwarder DLQ", "AwsSolutions-SQS3",
		"This queue is the dead-letter queue of the forwarding rules' targets (cdk-nag only recognizes SQS and Lambda DLQ references); it is the end of the chain and alarmed.")
	f.suppress(f.DLQ, "forwarder DLQ", "Serverless-SQSRedrivePolicy",
		"This queue is itself a dead-letter queue (events EventBridge could not deliver to the central bus): it is the end of the chain, messages are kept 14 days and its depth is alarmed.")
	f.Alarm = f.DLQ.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period:    awscdk.Duration_Minutes(jsii.Number(5)),
		Statistic: jsii.String("Maximum"),
	}).CreateAlarm(st, jsii.String("DLQAlarm"), &awscloudwatch.CreateAlarmOptions{
		AlarmDescription:   jsii.String("Events EventBridge could not forward to the Firebreak central bus are waiting in the forwarder DLQ (docs/organizations.md: redrive them)"),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})

	if !p.GlobalOnly {
		f.InGlobalRegion = awscdk.NewCfnCondition(st, jsii.String("InGlobalRegion"), &awscdk.CfnConditionProps{
			Expression: awscdk.Fn_ConditionEquals(awscdk.Aws_REGION(), jsii.String(events.GlobalRegion)),
		})
	}
	scope = constructs.NewConstruct(st, jsii.String("Rules"))
	for _, r := range rules {
		rule := awsevents.NewCfnRule(scope, jsii.String(r.Name), &awsevents.CfnRuleProps{
			Name:         jsii.String(ForwarderRulePrefix + r.Name),
			Description:  jsii.String(truncate("Forward to the Firebreak central bus: "+r.Description, 512)),
			EventPattern: patterns[r.Name],
			State:        jsii.String("ENABLED"),
			Targets: &[]*awsevents.CfnRule_TargetProperty{{
				Id:               jsii.String("central"),
				Arn:              busArn,
				RoleArn:          f.Role.RoleArn(),
				DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: f.DLQ.QueueArn()},
				RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
					MaximumEventAgeInSeconds: jsii.Number((24 * time.Hour).Seconds()),
					MaximumRetryAttempts:     jsii.Number(185),
				},
			}},
		})
		if r.Scope == events.ScopeGlobal && f.InGlobalRegion != nil {
			rule.CfnOptions().SetCondition(f.InGlobalRegion)
		}
		f.Rules[r.Name] = rule
	}
	awscdk.NewCfnOutput(st, jsii.String("DLQUrl"), &awscdk.CfnOutputProps{
		Value:       f.DLQ.QueueUrl(),
		Description: jsii.String("Events that could not be forwarded to the central bus"),
	})
	return f, nil
}

// forwardedRules are the catalog rules a forwarder deploys: those deploy.rules selects
// on the default bus, where AWS services deliver (applications in other accounts put
// their events on the central bus directly), and only the global-service ones when
// globalOnly.
func forwardedRules(cfg *config.Config, globalOnly bool) ([]events.Rule, map[string]any, error) {
	all, err := events.Rules()
	if err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, r := range cfg.Deploy.Rules {
		want[r] = true
	}
	var out []events.Rule
	patterns := map[string]any{}
	for _, r := range all {
		if (len(want) > 0 && !want[r.Name]) || r.Bus != events.BusDefault || (globalOnly && !r.Global()) {
			continue
		}
		var p any
		if err := json.Unmarshal(r.Pattern, &p); err != nil {
			return nil, nil, fmt.Errorf("events/catalog.yaml: rule %s: pattern: %w", r.Name, err)
		}
		out = append(out, r)
		patterns[r.Name] = p
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%s: deploy.rules selects no rule to forward", cfg.File)
	}
	return out, patterns, nil
}

// Suppressions returns every cdk-nag suppression the forwarder applied, in order.
func (f *Forwarder) Suppressions() []Suppression {
	return append([]Suppression(nil), f.suppressions...)
}

func (f *Forwarder) suppress(c constructs.IConstruct, where, rule, reason string) {
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{{Id: jsii.String(rule), Reason: jsii.String(reason)}}, jsii.Bool(true))
	f.suppressions = append(f.suppressions, Suppression{Rule: rule, Where: where, Reason: reason, Path: *c.Node().Path()})
}
