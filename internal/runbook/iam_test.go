package runbook

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// chain builds a definition whose Task states run one after another; each task is a
// Resource, optionally with Parameters.
type task struct {
	Resource   string
	Parameters map[string]any
}

func chain(tasks ...task) []byte {
	states := map[string]any{}
	for i, t := range tasks {
		st := map[string]any{"Type": "Task", "Resource": t.Resource}
		if t.Parameters != nil {
			st["Parameters"] = t.Parameters
		}
		if i == len(tasks)-1 {
			st["End"] = true
		} else {
			st["Next"] = fmt.Sprintf("S%d", i+1)
		}
		states[fmt.Sprintf("S%d", i)] = st
	}
	b, err := json.Marshal(map[string]any{"StartAt": "S0", "States": states})
	if err != nil {
		panic(err)
	}
	return b
}

func sdk(s string) task { return task{Resource: "arn:aws:states:::aws-sdk:" + s} }

const (
	instances = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"
	groups    = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*"
	sgRules   = "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group-rule/*"
	trails    = "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*"
	keys      = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"
	buckets   = "arn:${AWS::Partition}:s3:::*"
)

func TestPermissions(t *testing.T) {
	invoke := func(resource, fn string) task {
		return task{Resource: resource, Parameters: map[string]any{"FunctionName": fn, "Payload.$": "$"}}
	}
	tests := []struct {
		name string
		def  []byte
		want []Permission
	}{
		{"ec2-restart", chain(sdk("ec2:startInstances"), sdk("ec2:describeInstances"), sdk("ec2:describeInstanceStatus")),
			[]Permission{
				{Actions: []string{"ec2:DescribeInstanceStatus", "ec2:DescribeInstances"}, Resources: []string{"*"}},
				{Actions: []string{"ec2:StartInstances"}, Resources: []string{instances}},
			}},
		{"sg-revoke", chain(sdk("ec2:describeSecurityGroupRules"), sdk("ec2:revokeSecurityGroupIngress")),
			[]Permission{
				{Actions: []string{"ec2:DescribeSecurityGroupRules"}, Resources: []string{"*"}},
				{Actions: []string{"ec2:RevokeSecurityGroupIngress"}, Resources: []string{sgRules, groups}},
			}},
		{"cloudtrail", chain(sdk("cloudtrail:startLogging"), sdk("cloudtrail:getTrailStatus")),
			[]Permission{{Actions: []string{"cloudtrail:GetTrailStatus", "cloudtrail:StartLogging"}, Resources: []string{trails}}}},
		{"s3 bucket block", chain(sdk("s3:putPublicAccessBlock"), sdk("s3:getPublicAccessBlock")),
			[]Permission{{Actions: []string{"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"}, Resources: []string{buckets},
				Condition: map[string]map[string]string{"StringEquals": {"s3:ResourceAccount": "${AWS::AccountId}"}}}}},
		{"s3control account block", chain(sdk("s3control:putPublicAccessBlock"), sdk("s3control:getPublicAccessBlock")),
			[]Permission{{Actions: []string{"s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"}, Resources: []string{"*"}}}},
		{"kms with approval", chain(
			invoke("arn:aws:states:::lambda:invoke.waitForTaskToken", "${RunbookFunctionArn}"),
			sdk("kms:cancelKeyDeletion"), sdk("kms:describeKey"),
			invoke("arn:aws:states:::lambda:invoke", "${RunbookFunctionArn}")),
			[]Permission{
				{Actions: []string{"kms:CancelKeyDeletion", "kms:DescribeKey"}, Resources: []string{keys}},
				{Actions: []string{"lambda:InvokeFunction"}, Resources: []string{"${RunbookFunctionArn}"}},
			}},
		{"alarm diagnostics", chain(sdk("cloudwatch:getMetricData"), sdk("cloudtrail:lookupEvents")),
			[]Permission{{Actions: []string{"cloudtrail:LookupEvents", "cloudwatch:GetMetricData"}, Resources: []string{"*"}}}},
		{"function name and ARN", chain(
			invoke("arn:aws:states:::lambda:invoke", "recorder"),
			invoke("arn:aws:states:::lambda:invoke", "arn:aws:lambda:eu-west-1:123456789012:function:other"),
			task{Resource: "${DirectFunction}"}),
			[]Permission{{Actions: []string{"lambda:InvokeFunction"}, Resources: []string{
				"${DirectFunction}",
				"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:recorder",
				"arn:aws:lambda:eu-west-1:123456789012:function:other",
			}}}},
		{"no tasks", []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`), []Permission{}},
		{"nested parallel and map", []byte(`{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:ec2:startInstances","End":true}}},
			{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"B","States":{
				"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"${RunbookFunctionArn}"},"End":true}}}}}}]}}}`),
			[]Permission{
				{Actions: []string{"ec2:StartInstances"}, Resources: []string{instances}},
				{Actions: []string{"lambda:InvokeFunction"}, Resources: []string{"${RunbookFunctionArn}"}},
			}},
		{"other partition", chain(task{Resource: "arn:aws-cn:states:::aws-sdk:kms:describeKey"}),
			[]Permission{{Actions: []string{"kms:DescribeKey"}, Resources: []string{keys}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Permissions(tt.def)
			if err != nil {
				t.Fatalf("Permissions: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Permissions(%s) = %+v; want %+v", tt.name, got, tt.want)
			}
		})
	}
}

func TestPermissionsErrors(t *testing.T) {
	tests := []struct {
		name string
		def  []byte
		want string // substring of the error
	}{
		{"not ASL", []byte(`{"StartAt":"X"}`), "States"},
		{"unknown action", chain(sdk("ec2:terminateInstances")), "no resource scope is known for ec2:TerminateInstances"},
		{"privilege escalation", chain(sdk("iam:attachRolePolicy")), "iam:AttachRolePolicy is an IAM privilege-escalation action"},
		{"pass role", chain(sdk("iam:passRole")), "privilege-escalation"},
		{"sync integration", chain(task{Resource: "arn:aws:states:::states:startExecution.sync:2", Parameters: map[string]any{"StateMachineArn": "x"}}), "only aws-sdk"},
		{"sns optimized", chain(task{Resource: "arn:aws:states:::sns:publish", Parameters: map[string]any{"TopicArn": "x"}}), "only aws-sdk"},
		{"aws-sdk wait for token", chain(task{Resource: "arn:aws:states:::aws-sdk:ec2:startInstances.waitForTaskToken"}), "only aws-sdk"},
		{"dynamic function", chain(task{Resource: "arn:aws:states:::lambda:invoke", Parameters: map[string]any{"FunctionName.$": "$.fn"}}), "FunctionName.$"},
		{"missing function", chain(task{Resource: "arn:aws:states:::lambda:invoke", Parameters: map[string]any{"Payload.$": "$"}}), "without Parameters.FunctionName"},
		{"bad function", chain(task{Resource: "arn:aws:states:::lambda:invoke", Parameters: map[string]any{"FunctionName": "not a name!"}}), "is not a ${Placeholder}"},
		{"activity", chain(task{Resource: "arn:aws:states:us-east-1:123456789012:activity:x"}), "not a Step Functions integration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Permissions(tt.def)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Permissions(%s) = %v, %v; want an error containing %q", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestIAMAction(t *testing.T) {
	tests := []struct{ service, action, want string }{
		{"ec2", "startInstances", "ec2:StartInstances"},
		{"ec2", "describeInstanceStatus", "ec2:DescribeInstanceStatus"},
		{"cloudtrail", "getTrailStatus", "cloudtrail:GetTrailStatus"},
		{"kms", "cancelKeyDeletion", "kms:CancelKeyDeletion"},
		{"cloudwatch", "getMetricData", "cloudwatch:GetMetricData"},
		{"sfn", "startExecution", "states:StartExecution"},
		{"cloudwatchlogs", "startQuery", "logs:StartQuery"},
		{"efs", "describeFileSystems", "elasticfilesystem:DescribeFileSystems"},
		{"elasticloadbalancingv2", "describeTargetHealth", "elasticloadbalancing:DescribeTargetHealth"},
		{"mwaa", "getEnvironment", "airflow:GetEnvironment"},
		{"mediapackagevod", "listAssets", "mediapackage-vod:ListAssets"},
		{"bedrockagent", "listAgents", "bedrock:ListAgents"},
		{"s3", "putPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
		{"s3", "getPublicAccessBlock", "s3:GetBucketPublicAccessBlock"},
		{"s3", "deletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
		{"s3control", "putPublicAccessBlock", "s3:PutAccountPublicAccessBlock"},
		{"s3control", "getPublicAccessBlock", "s3:GetAccountPublicAccessBlock"},
		{"s3", "getBucketPolicyStatus", "s3:GetBucketPolicyStatus"},
	}
	for _, tt := range tests {
		got, err := IAMAction(tt.service, tt.action)
		if err != nil || got != tt.want {
			t.Errorf("IAMAction(%q, %q) = %q, %v; want %q", tt.service, tt.action, got, err, tt.want)
		}
	}
	if got, err := IAMAction("ec2", "StartInstances"); err == nil {
		t.Errorf("IAMAction(ec2, StartInstances) = %q; want an error (Step Functions writes actions in camelCase)", got)
	}
}

// TestUnscoped names every action Permissions grants on Resource "*". Adding one to
// internal/runbook/iam.go means adding it here, with the reason in docs/security.md.
func TestUnscoped(t *testing.T) {
	want := []string{
		"cloudtrail:LookupEvents",
		"cloudwatch:DescribeAlarmsForMetric",
		"cloudwatch:GetMetricData",
		"cloudwatch:GetMetricStatistics",
		"ec2:DescribeInstanceStatus",
		"ec2:DescribeInstances",
		"ec2:DescribeSecurityGroupRules",
		"ec2:DescribeSecurityGroups",
		"s3:GetAccountPublicAccessBlock",
		"s3:PutAccountPublicAccessBlock",
	}
	var got []string
	for a, reason := range Unscoped() {
		got = append(got, a)
		if reason == "" {
			t.Errorf("Unscoped()[%q] has no reason", a)
		}
		if _, scoped := resourceScopes[a]; scoped {
			t.Errorf("%s is both scoped and unscoped", a)
		}
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unscoped() = %q; want %q", got, want)
	}
}

func TestScopesAreNarrow(t *testing.T) {
	for action, resources := range resourceScopes {
		for _, r := range resources {
			if r == "*" || !strings.HasPrefix(r, "arn:${AWS::Partition}:") {
				t.Errorf("resourceScopes[%q] has %q; want an ARN pattern of this partition", action, r)
			}
			if strings.Contains(r, ":s3:") {
				continue // bucket ARNs carry no region or account
			}
			if !strings.Contains(r, ":${AWS::Region}:${AWS::AccountId}:") {
				t.Errorf("resourceScopes[%q] has %q; want it scoped to this region and account", action, r)
			}
		}
		if isEscalation(action) {
			t.Errorf("resourceScopes grants %s, an escalation action", action)
		}
	}
}
