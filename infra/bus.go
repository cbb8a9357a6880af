package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/events"
)

// CentralBus is the organization's intake bus (config organization:, docs/organizations.md):
// the forwarder stacks of other accounts and regions put their events on it, and the
// catalog's rules on it deliver them to the intake queue, exactly as the rules on this
// account's own buses do. EventBridge keeps each event's account and region as they were
// where it happened.
type CentralBus struct {
	Bus awsevents.EventBus
	// Rules are the catalog's rules on the central bus, by catalog name.
	Rules map[string]awsevents.CfnRule
}

// newCentralBus makes the central bus, its resource policy (the organization by
// aws:PrincipalOrgID, and the listed accounts) and one rule per deployed catalog rule on
// it; nil when the configuration has no organization section.
func newCentralBus(s *Stack, scope constructs.Construct, in *Intake) *CentralBus {
	org := s.config.Organization
	if org == nil {
		return nil
	}
	scope = constructs.NewConstruct(scope, jsii.String("CentralBus"))
	c := &CentralBus{Rules: map[string]awsevents.CfnRule{}}
	c.Bus = awsevents.NewEventBus(scope, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(org.CentralBus),
		Description:  jsii.String("Firebreak central intake: events forwarded from the organization's accounts and regions"),
	})
	put := func(sid string, principals []awsiam.IPrincipal, conditions map[string]any) {
		c.Bus.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(sid),
			Principals: &principals,
			Actions:    jsii.Strings("events:PutEvents"),
			Resources:  &[]*string{c.Bus.EventBusArn()},
			Conditions: &conditions,
		}))
	}
	if org.ID != "" {
		put("AllowOrganizationToPutEvents", []awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": org.ID}})
	}
	if len(org.Accounts) > 0 {
		var ps []awsiam.IPrincipal
		for _, a := range org.Accounts {
			ps = append(ps, awsiam.NewAccountPrincipal(jsii.String(a)))
		}
		put("AllowListedAccountsToPutEvents", ps, nil)
	}

	rules := constructs.NewConstruct(scope, jsii.String("Rules"))
	for _, r := range s.plan.rules {
		rule := in.newRule(rules, r, s.plan.patterns[r.Name])
		rule.SetEventBusName(c.Bus.EventBusName())
		c.Rules[r.Name] = rule
	}
	return c
}

// onDefaultBus reports whether a catalog rule goes on this account's own bus. A
// global-service rule does not when the stack's region is known and is not us-east-1
// and there is a central bus: there it would never fire, and the us-east-1 forwarder
// (NewGlobalForwarder) brings those events to the central bus's copy of the rule.
func (s *Stack) onDefaultBus(r events.Rule) bool {
	if s.config.Organization == nil || r.Scope != events.ScopeGlobal {
		return true
	}
	region := s.region()
	return region == "" || region == events.GlobalRegion
}

// region is the stack's region when the synthesis knows it, "" when the stack is
// environment-agnostic.
func (s *Stack) region() string {
	if s.props.Env == nil || s.props.Env.Region == nil || *awscdk.Token_IsUnresolved(s.props.Env.Region) {
		return ""
	}
	return *s.props.Env.Region
}
