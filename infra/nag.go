package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Suppression is one cdk-nag finding the stack accepts, with its reason. docs/security.md
// lists every one (a test checks).
type Suppression struct {
	Rule      string   // e.g. AwsSolutions-IAM5
	Where     string   // what it applies to, in words (docs/security.md's table column)
	Reason    string   // why the finding is acceptable
	AppliesTo []string // the exact findings suppressed (IAM5: the wildcard resources)
	Path      string   // construct path
}

// suppress records and applies a suppression to c and its children.
func (s *Stack) suppress(c constructs.IConstruct, where, rule, reason string, appliesTo ...string) {
	sup := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		at := make([]interface{}, len(appliesTo))
		for i, a := range appliesTo {
			at[i] = a
		}
		sup.AppliesTo = &at
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{sup}, jsii.Bool(true))
	s.suppressions = append(s.suppressions, Suppression{Rule: rule, Where: where, Reason: reason, AppliesTo: appliesTo, Path: *c.Node().Path()})
}

// Check runs the cdk-nag AwsSolutions and Serverless packs on every stack of the app
// when it is synthesized. Findings become annotations (an unsuppressed error fails
// `cdk synth` and the app's own check) and, when reports is true, CSV reports
// <pack>-<stack>-NagReport.csv in the output directory.
func Check(app awscdk.App, reports bool) {
	props := &cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(reports)}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(props), nil)
}
