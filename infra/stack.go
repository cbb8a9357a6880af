// Package infra is Firebreak's AWS CDK stack: one construct per concern (keys, store,
// intake, functions, notifications, runbooks, links, dispatch, escalation, api, health),
// built from the same data the local pipeline runs on — the event catalog (events/), the
// table schema (internal/store), the configuration (firebreak.yaml) and the runbook
// definitions — and checked by cdk-nag (AwsSolutions and Serverless) in every synthesis.
//
// cmd/firebreak-cdk is the app cdk.json runs; the tests synthesize the stack offline.
package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// Props configure the stack.
type Props struct {
	// Config is the operator's configuration (firebreak.yaml).
	Config *config.Config
	// Root is the repository root: functions/ and the runbook definitions are read
	// relative to it.
	Root string
	// BuildDir holds <fn>/bootstrap for every Lambda; default Root/build (make build).
	BuildDir string
	// Functions overrides the Lambdas to deploy; default: every directory of
	// Root/functions with a main.go.
	Functions []string
	// Env is the account and region; nil synthesizes an environment-agnostic stack.
	Env *awscdk.Environment

	specs map[string]functionSpec // tests replace the function registry
}

// Stack is the deployed pipeline and its parts.
type Stack struct {
	Stack         awscdk.Stack
	Keys          *Keys
	Store         *Store
	Notifications *Notifications
	Contacts      *Contacts  // the people's topics (contacts.go)
	Chat          *Chat      // chat topics and channel configurations (chat.go)
	Outbound      *Outbound  // chat and webhook deliveries to the webhook Lambda (webhooks.go)
	Audiences     *Audiences // the communication plan's topics (audiences.go)
	Intake        *Intake
	Functions     map[string]*Function
	Runbooks      *Runbooks
	Links         *Links      // nil without functions/api
	Dispatch      *Dispatch   // nil without functions/dispatch
	Escalation    *Escalation // nil without functions/escalate
	API           *API        // nil without functions/api
	Health        *Health

	plan         *plan
	config       *config.Config
	props        Props
	deadLetters  []deadLetter
	suppressions []Suppression
}

// NewStack checks every input (functions built and known, runbook definitions present
// and valid, configuration values the stack uses) and builds the stack. Inputs that are
// wrong are returned as one error listing each problem.
func NewStack(scope constructs.Construct, id string, props Props) (*Stack, error) {
	pl, err := newPlan(props)
	if err != nil {
		return nil, err
	}
	st := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		Env:         props.Env,
		Description: jsii.String("Firebreak: event, incident and problem response (github.com/firebreak-ops/firebreak)"),
	})
	tag(st, "app", "firebreak")
	s := &Stack{Stack: st, plan: pl, config: props.Config, props: props, Functions: map[string]*Function{}}

	s.Keys = newKeys(s)
	s.Store = newStore(s)
	s.Notifications = newNotifications(s)
	s.Contacts = newContacts(s)
	s.Chat = newChat(s)
	s.Outbound = newOutbound(s)
	s.Audiences = newAudiences(s)
	s.Intake = newIntake(s)
	fnScope := constructs.NewConstruct(st, jsii.String("Functions"))
	for _, name := range pl.functions {
		s.Functions[name] = s.newFunction(fnScope, name, pl.specs[name])
	}
	// What the wiring connects functions to: the state machines (they invoke the task
	// Lambda), and the link keys with the public links URL (an alias of the api).
	s.Runbooks = newRunbooks(s)
	s.Links = newLinks(s)
	for _, name := range pl.functions {
		if err := pl.specs[name].wire(s, s.Functions[name]); err != nil {
			return nil, fmt.Errorf("functions/%s: %w", name, err)
		}
		s.suppressWildcards(s.Functions[name])
	}
	s.Health = newHealth(s)
	s.Health.addFollowups() // reviews and actions (followups.go)
	addResponseWidgets(s, s.Health)
	s.outputs()
	if err := s.dropImpliedDependencies(); err != nil {
		return nil, err
	}
	return s, nil
}

// Suppressions returns every cdk-nag suppression the stack applied, in order.
func (s *Stack) Suppressions() []Suppression { return append([]Suppression(nil), s.suppressions...) }

func (s *Stack) outputs() {
	out := func(id, desc string, v *string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{Value: v, Description: jsii.String(desc)})
	}
	out("TableName", "DynamoDB table of incidents, ledger, timeline and quarantine", s.Store.Table.TableName())
	out("IntakeQueueUrl", "SQS queue the EventBridge rules deliver to", s.Intake.Queue.QueueUrl())
	out("OperatorsTopicArn", "SNS topic told about Firebreak's own health", s.Notifications.Operators.TopicArn())
	if s.Intake.Bus != nil {
		out("ApplicationBusName", "EventBridge bus applications send Firebreak Application Alert events to", s.Intake.Bus.EventBusName())
	}
	if c := s.Intake.Central; c != nil {
		out("CentralBusArn", "The organization's central bus: forwarders target it (cdk deploy -c forwarder=true -c centralBusArn=<this>; docs/organizations.md)", c.Bus.EventBusArn())
	}
	if s.API != nil {
		out("ApiUrl", "Function URL of the API (AuthType AWS_IAM): firebreak incidents --api <this URL>", s.API.URL.Url())
		out("ApiFunctionArn", "The api Lambda: callers of ApiUrl need lambda:InvokeFunctionUrl and lambda:InvokeFunction on it", s.Functions[APIFunction].Fn.FunctionArn())
	}
	if s.Links != nil {
		out("LinksUrl", "Public Function URL of the api's links alias: the one-click links in notices point here", s.Links.URL.Url())
		out("LinkKeysSecretArn", "Secrets Manager secret holding the key ring that signs one-click links", s.Links.SecretArn())
	}
	out("DashboardName", "CloudWatch dashboard of the pipeline", s.Health.Dashboard.DashboardName())
}
