package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// API is the api Lambda's own Function URL, AuthType AWS_IAM: `firebreak incidents`
// and other tools sign their requests (SigV4) and Lambda checks them before the
// handler runs, passing the caller on as the actor. Its public twin, the links URL,
// belongs to Links.
type API struct {
	URL awslambda.FunctionUrl
	// Resume lets the api answer the runbooks waiting for an approval
	// (states:SendTaskSuccess and SendTaskFailure on their state machines); nil when no
	// runbook waits for one.
	//
	// It is a policy of its own, not the role's default policy, because the function
	// waits for its default policy: the task Lambda's LINKS_BASE_URL needs the api's
	// links URL, the state machines need the task Lambda, and this policy names the
	// state machines.
	Resume awsiam.Policy
}

func newAPI(s *Stack, f *Function) *API {
	a := &API{URL: f.Fn.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_AWS_IAM})}
	resumed := s.Runbooks.Resumed()
	if len(resumed) == 0 {
		return a
	}
	var machines []*string
	for _, name := range sortedKeys(resumed) {
		machines = append(machines, resumed[name].StateMachineArn())
	}
	// IAM authorizes SendTaskSuccess and SendTaskFailure against the state machine
	// whose execution issued the task token.
	a.Resume = awsiam.NewPolicy(f.Scope, jsii.String("ResumeRunbooks"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{f.Role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("states:SendTaskSuccess", "states:SendTaskFailure"),
			Resources: &machines,
		})},
	})
	return a
}
