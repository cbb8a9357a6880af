package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// What keeps the synthesized templates valid CloudFormation beyond what CDK checks:
// `make synth` and the stack tests run cfn-lint (infra/cfnlint) over every template, and
// these helpers fix the two things it found in CDK's output.

// untaggable are resource types that CDK's Tags.of tags but whose CloudFormation schema
// has no Tags property: a deploy fails on them ("Tags was unexpected", cfn-lint E3002).
var untaggable = []string{"AWS::CloudWatch::Dashboard"}

// tag tags every resource under scope whose type takes tags.
func tag(scope constructs.IConstruct, key, value string) {
	awscdk.Tags_Of(scope).Add(jsii.String(key), jsii.String(value), &awscdk.TagProps{
		ExcludeResourceTypes: jsii.Strings(untaggable...),
	})
}

// dropImpliedDependencies removes the explicit DependsOn on its role that CDK's Lambda
// and Step Functions constructs add to the function or state machine: the resource reads
// the role's ARN with Fn::GetAtt, which already orders it after the role (cfn-lint W3005).
// The dependency on the role's default policy stays: nothing else orders it.
func (s *Stack) dropImpliedDependencies() error {
	type owned struct {
		name     string
		resource constructs.IConstruct
		role     awsiam.Role
	}
	var all []owned
	for _, name := range s.plan.functions {
		f := s.Functions[name]
		all = append(all, owned{"functions/" + name, f.Fn, f.Role})
	}
	for _, name := range sortedKeys(s.Runbooks.Machines) {
		all = append(all, owned{"runbooks/" + name, s.Runbooks.Machines[name], s.Runbooks.Roles[name]})
	}
	for _, o := range all {
		res, ok := o.resource.Node().DefaultChild().(awscdk.CfnResource)
		if !ok {
			return fmt.Errorf("%s: no CloudFormation resource to order", o.name)
		}
		deps := []*string{}
		if policy := o.role.Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
			cfn, ok := policy.Node().DefaultChild().(awscdk.CfnElement)
			if !ok {
				return fmt.Errorf("%s: the role's default policy has no CloudFormation resource", o.name)
			}
			deps = append(deps, s.Stack.GetLogicalId(cfn))
		}
		if len(deps) == 0 {
			res.AddDeletionOverride(jsii.String("DependsOn"))
			continue
		}
		res.AddOverride(jsii.String("DependsOn"), deps)
	}
	return nil
}
