package infra

import (
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/runbook"
)

// Runbooks are the Step Functions Standard state machines, one per runbook of the
// configuration, each loaded from its definition file with the stack's substitutions,
// logging ALL to its own log group, traced, and run by its own role.
type Runbooks struct {
	Machines map[string]awsstepfunctions.StateMachine
	// Roles hold exactly the permissions internal/runbook.Permissions derives from each
	// definition (inline policy RunbookPolicy), plus an explicit deny of IAM
	// privilege-escalation actions.
	Roles map[string]awsiam.Role

	plans map[string]runbookPlan
}

// RunbookPolicy names the inline policy of a runbook role that holds what its
// definition calls.
const RunbookPolicy = "runbook"

func newRunbooks(s *Stack) *Runbooks {
	scope := constructs.NewConstruct(s.Stack, jsii.String("Runbooks"))
	rb := &Runbooks{Machines: map[string]awsstepfunctions.StateMachine{}, Roles: map[string]awsiam.Role{}, plans: map[string]runbookPlan{}}
	for _, p := range s.plan.runbooks {
		rb.plans[p.Name] = p
		rs := constructs.NewConstruct(scope, jsii.String(p.Name))
		subst := map[string]*string{}
		for _, name := range p.Substitutions {
			if name == SubstRunbookFunctionArn {
				subst[name] = s.Functions[TaskFunction].Fn.FunctionArn()
			}
		}

		var statements []awsiam.PolicyStatement
		var wildcards []string
		for _, perm := range p.Permissions {
			var resources []*string
			for _, r := range perm.Resources {
				if r == "*" {
					resources = append(resources, jsii.String("*"))
				} else {
					resources = append(resources, awscdk.Fn_Sub(jsii.String(r), substitutionsIn(r, subst)))
				}
				if strings.Contains(r, "*") {
					wildcards = append(wildcards, "Resource::"+nagFlatten(r))
				}
			}
			var conditions *map[string]any
			if perm.Condition != nil {
				c := map[string]any{}
				for op, kv := range perm.Condition {
					m := map[string]any{}
					for k, v := range kv {
						m[k] = awscdk.Fn_Sub(jsii.String(v), nil)
					}
					c[op] = m
				}
				conditions = &c
			}
			statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:    jsii.Strings(perm.Actions...),
				Resources:  &resources,
				Conditions: conditions,
			}))
		}
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("DenyPrivilegeEscalation"),
			Effect:    awsiam.Effect_DENY,
			Actions:   jsii.Strings(runbook.PrivilegeEscalation...),
			Resources: jsii.Strings("*"),
		}))
		role := awsiam.NewRole(rs, jsii.String("Role"), &awsiam.RoleProps{
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), &awsiam.ServicePrincipalOpts{
				Conditions: &map[string]interface{}{
					"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
				},
			}),
			Description: jsii.String("Firebreak runbook " + p.Name + ": only the calls of " + p.File),
			InlinePolicies: &map[string]awsiam.PolicyDocument{
				RunbookPolicy: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
			},
		})

		logs := awslogs.NewLogGroup(rs, jsii.String("Logs"), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String("/aws/vendedlogs/states/" + *s.Stack.StackName() + "-" + p.Name),
			EncryptionKey: s.Keys.Messaging,
			Retention:     awslogs.RetentionDays(s.plan.retention),
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		// An empty DefinitionSubstitutions is invalid CloudFormation (cfn-lint E3002).
		var substitutions *map[string]*string
		if len(subst) > 0 {
			substitutions = &subst
		}
		sm := awsstepfunctions.NewStateMachine(rs, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
			DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(p.Definition)),
			DefinitionSubstitutions: substitutions,
			StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
			Role:                    role,
			TracingEnabled:          jsii.Bool(true),
			// Every state transition is logged, never its data: a runbook's input is the
			// incident's opening event (names, addresses, request parameters), and a
			// waiting step's parameters carry its task token, which completes the step.
			// The incident's timeline keeps what each step did.
			Logs: &awsstepfunctions.LogOptions{
				Destination:          logs,
				Level:                awsstepfunctions.LogLevel_ALL,
				IncludeExecutionData: jsii.Bool(false),
			},
		})

		reason := "Runbook role: Step Functions log delivery (logs:*LogDelivery, logs:PutResourcePolicy, logs:Describe*) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permissions; Resource \"*\" appears only for them and for read-only calls of " + p.File + " that support none (see internal/runbook.Unscoped)."
		applies := []string{"Resource::*"}
		if len(wildcards) > 0 {
			reason += " The ARN patterns with * are the resource types of the actions it calls, limited to this account and region (buckets: S3 ARNs carry neither): the resource an incident names is known only at run time."
			applies = uniqueSorted(append(applies, wildcards...))
		}
		s.suppress(role, "every runbook role", "AwsSolutions-IAM5", reason, applies...)
		rb.Machines[p.Name] = sm
		rb.Roles[p.Name] = role
	}
	return rb
}

// Started returns the runbooks dispatch starts in Step Functions, by name: every one
// not marked dry_run (those run inside the dispatch Lambda).
func (rb *Runbooks) Started() map[string]awsstepfunctions.StateMachine {
	out := map[string]awsstepfunctions.StateMachine{}
	for name, sm := range rb.Machines {
		if !rb.plans[name].DryRun {
			out[name] = sm
		}
	}
	return out
}

// Resumed returns the runbooks that wait for an approval (a .waitForTaskToken task),
// by name: the ones the api resumes.
func (rb *Runbooks) Resumed() map[string]awsstepfunctions.StateMachine {
	out := map[string]awsstepfunctions.StateMachine{}
	for name, sm := range rb.Machines {
		if p := rb.plans[name]; p.Callback && !p.DryRun {
			out[name] = sm
		}
	}
	return out
}

// starters lets f start the runbooks dispatch starts: STATE_MACHINES maps each to its
// state machine's ARN, and f may call states:StartExecution on exactly those.
func (rb *Runbooks) starters(s *Stack, f *Function) {
	started := rb.Started()
	arns := map[string]*string{}
	var resources []*string
	for _, name := range sortedKeys(started) {
		arns[name] = started[name].StateMachineArn()
		resources = append(resources, started[name].StateMachineArn())
	}
	f.SetEnv(lambdaenv.StateMachines, s.Stack.ToJsonString(arns, nil))
	if len(resources) > 0 {
		f.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("states:StartExecution"),
			Resources: &resources,
		}))
	}
}

// substitutionsIn returns the substitutions r refers to, nil when none: Fn::Sub must
// not carry unused variables.
func substitutionsIn(r string, subst map[string]*string) *map[string]*string {
	var used map[string]*string
	for _, m := range placeholderRE.FindAllStringSubmatch(r, -1) {
		if v, ok := subst[m[1]]; ok {
			if used == nil {
				used = map[string]*string{}
			}
			used[m[1]] = v
		}
	}
	if used == nil {
		return nil
	}
	return &used
}

// nagFlatten renders an Fn::Sub ARN pattern the way cdk-nag reports it in findings:
// ${X} becomes <X>.
func nagFlatten(r string) string {
	return strings.NewReplacer("${", "<", "}", ">").Replace(r)
}

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
