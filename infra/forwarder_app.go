package infra

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/config"
)

// Forwarder modes: the value of the CDK app's forwarder context (cmd/firebreak-cdk).
const (
	// ForwardRegional is a member account's forwarder for one region (global-service
	// rules created only when that region is us-east-1): -c forwarder=true.
	ForwardRegional = "true"
	// ForwardGlobal is the us-east-1 forwarder of the global-service rules only:
	// -c forwarder=global.
	ForwardGlobal = "global"
	// ForwardAll synthesizes both, for make synth and StackSet templates: -c forwarder=all.
	ForwardAll = "all"
)

// ForwarderStackName and GlobalForwarderStackName are the forwarder stacks' ids given
// the central stack's.
func ForwarderStackName(central string) string       { return central + "Forwarder" }
func GlobalForwarderStackName(central string) string { return central + "GlobalForwarder" }

// NewForwarders builds the forwarder stacks a mode asks for, all targeting
// centralBusArn ("" leaves it a parameter without default).
func NewForwarders(scope constructs.Construct, central, mode string, cfg *config.Config, centralBusArn string, env *awscdk.Environment) ([]*Forwarder, error) {
	var which []bool // GlobalOnly of each stack
	switch mode {
	case ForwardRegional:
		which = []bool{false}
	case ForwardGlobal:
		which = []bool{true}
	case ForwardAll:
		which = []bool{false, true}
	default:
		return nil, fmt.Errorf("forwarder=%q: want %s (this account and region), %s (the us-east-1 global-service forwarder) or %s (both, for templates)", mode, ForwardRegional, ForwardGlobal, ForwardAll)
	}
	var out []*Forwarder
	for _, global := range which {
		id, e := ForwarderStackName(central), env
		if global {
			id, e = GlobalForwarderStackName(central), inGlobalRegion(env)
		}
		f, err := NewForwarder(scope, id, ForwarderProps{Config: cfg, CentralBusArn: centralBusArn, GlobalOnly: global, Env: e})
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// NewGlobalForwarder adds to the central stack's app the us-east-1 forwarder of the
// global-service rules when the central stack has a central bus and is known to be in
// another region: without it the stack would never see IAM, STS or sign-in events. It
// returns nil when none is needed (or the stack's account or region is not known at
// synthesis: the app warns).
func NewGlobalForwarder(scope constructs.Construct, s *Stack) (*Forwarder, error) {
	if s.Intake.Central == nil {
		return nil, nil
	}
	region, account := s.region(), ""
	if env := s.props.Env; env != nil && env.Account != nil && !*awscdk.Token_IsUnresolved(env.Account) {
		account = *env.Account
	}
	if region == events.GlobalRegion {
		return nil, nil
	}
	if region == "" || account == "" {
		awscdk.Annotations_Of(s.Stack).AddWarningV2(jsii.String("firebreak:global-forwarder"), jsii.String(fmt.Sprintf(
			"the stack's account and region are not known at synthesis, so the us-east-1 forwarder of the global-service rules is not synthesized: deploy with an AWS profile (cdk sets CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION) or -c account=... -c region=..., or deploy it yourself with -c forwarder=%s -c centralBusArn=<CentralBusArn output> (docs/organizations.md)", ForwardGlobal)))
		return nil, nil
	}
	if strings.HasPrefix(region, "cn-") || strings.HasPrefix(region, "us-gov-") {
		awscdk.Annotations_Of(s.Stack).AddWarningV2(jsii.String("firebreak:global-forwarder"), jsii.String(
			"the global-service forwarder is made for the commercial partition (us-east-1); in "+region+" deploy -c forwarder=global in your partition's global-service region yourself (docs/organizations.md)"))
		return nil, nil
	}
	arn := CentralBusArn("aws", region, account, s.config.Organization.CentralBus)
	f, err := NewForwarder(scope, GlobalForwarderStackName(*s.Stack.StackName()), ForwarderProps{
		Config: s.config, CentralBusArn: arn, GlobalOnly: true,
		Env: &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(events.GlobalRegion)},
	})
	if err != nil {
		return nil, err
	}
	f.Stack.AddStackDependency(s.Stack, jsii.String("the central bus must exist before events are forwarded to it"))
	return f, nil
}

// inGlobalRegion is env moved to us-east-1 (the account kept).
func inGlobalRegion(env *awscdk.Environment) *awscdk.Environment {
	out := &awscdk.Environment{Region: jsii.String(events.GlobalRegion)}
	if env != nil {
		out.Account = env.Account
	}
	return out
}
