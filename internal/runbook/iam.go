package runbook

// This file derives the IAM permissions a runbook definition needs, for the stack's
// runbook roles (infra/runbooks.go).

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/firebreak-ops/firebreak/internal/asl"
)

// Permission is one statement a runbook's role needs: the IAM actions and the resources
// they may act on.
//
// Resources are ARN patterns in CloudFormation Fn::Sub syntax: ${AWS::Partition},
// ${AWS::Region} and ${AWS::AccountId} stand for the stack's partition, region and
// account, and any other ${Name} is a definition substitution (e.g.
// ${RunbookFunctionArn}) that the stack fills in with the same value it substitutes into
// the definition. "*" is used only for actions that support no resource-level
// permission (see Unscoped).
type Permission struct {
	Actions   []string
	Resources []string
	// Condition, when set, is the statement's IAM condition block (operator → key →
	// value, values in Fn::Sub syntax): bucket actions are limited to this account's
	// buckets with s3:ResourceAccount, since a bucket ARN names no account.
	Condition map[string]map[string]string
}

// thisAccountsBuckets limits an S3 bucket action to buckets the stack's account owns.
var thisAccountsBuckets = map[string]map[string]string{"StringEquals": {"s3:ResourceAccount": "${AWS::AccountId}"}}

// conditionOf is the condition an action's statement carries: s3:ResourceAccount for the
// actions granted on any bucket, nothing otherwise.
func conditionOf(action string, resources []string) map[string]map[string]string {
	if strings.HasPrefix(action, "s3:") && slices.Contains(resources, anyBucket) {
		return thisAccountsBuckets
	}
	return nil
}

// Resource ARN patterns (Fn::Sub syntax).
const (
	arnPrefix = "arn:${AWS::Partition}:"
	here      = ":${AWS::Region}:${AWS::AccountId}:"
	anyBucket = "arn:${AWS::Partition}:s3:::*"
)

func regional(service, resource string) string { return arnPrefix + service + here + resource }

// resourceScopes maps each IAM action a runbook may call to the narrowest resources its
// IAM reference allows (Service Authorization Reference, "Resource types" column). An
// action absent from this table and from unscoped is an error: Permissions never falls
// back to "*".
var resourceScopes = map[string][]string{
	// Amazon EC2: instances and security groups of this account and region.
	"ec2:StartInstances":             {regional("ec2", "instance/*")},
	"ec2:RevokeSecurityGroupIngress": {regional("ec2", "security-group/*"), regional("ec2", "security-group-rule/*")},
	"ec2:RevokeSecurityGroupEgress":  {regional("ec2", "security-group/*"), regional("ec2", "security-group-rule/*")},
	"cloudtrail:StartLogging":        {regional("cloudtrail", "trail/*")},
	"cloudtrail:GetTrailStatus":      {regional("cloudtrail", "trail/*")},
	"kms:CancelKeyDeletion":          {regional("kms", "key/*")},
	"kms:DescribeKey":                {regional("kms", "key/*")},
	"kms:EnableKey":                  {regional("kms", "key/*")},
	"s3:PutBucketPublicAccessBlock":  {anyBucket},
	"s3:GetBucketPublicAccessBlock":  {anyBucket},
	"s3:GetBucketPolicyStatus":       {anyBucket},
	"cloudwatch:DescribeAlarms":      {regional("cloudwatch", "alarm:*")},
}

// unscoped lists the actions whose IAM reference names no resource type: a policy can
// only grant them on "*". Each has a reason.
var unscoped = map[string]string{
	"ec2:DescribeInstances":              "EC2 Describe* actions support no resource-level permissions",
	"ec2:DescribeInstanceStatus":         "EC2 Describe* actions support no resource-level permissions",
	"ec2:DescribeSecurityGroups":         "EC2 Describe* actions support no resource-level permissions",
	"ec2:DescribeSecurityGroupRules":     "EC2 Describe* actions support no resource-level permissions",
	"cloudwatch:GetMetricData":           "GetMetricData has no resource type",
	"cloudwatch:GetMetricStatistics":     "GetMetricStatistics has no resource type",
	"cloudtrail:LookupEvents":            "LookupEvents has no resource type",
	"s3:PutAccountPublicAccessBlock":     "the account-level public access block has no resource type",
	"s3:GetAccountPublicAccessBlock":     "the account-level public access block has no resource type",
	"cloudwatch:DescribeAlarmsForMetric": "DescribeAlarmsForMetric has no resource type",
}

// Unscoped returns the actions Permissions grants on Resource "*", each with the reason
// its IAM reference allows nothing narrower, keyed by action.
func Unscoped() map[string]string {
	out := make(map[string]string, len(unscoped))
	for k, v := range unscoped {
		out[k] = v
	}
	return out
}

// iamPrefix maps the service names of AWS SDK integrations to IAM service prefixes where
// they differ (the list aws-cdk-lib's CallAwsService keeps, plus s3control).
var iamPrefix = map[string]string{
	"bedrockagent":           "bedrock",
	"cloudwatchlogs":         "logs",
	"efs":                    "elasticfilesystem",
	"elasticloadbalancingv2": "elasticloadbalancing",
	"mediapackagevod":        "mediapackage-vod",
	"mwaa":                   "airflow",
	"sfn":                    "states",
	"s3control":              "s3",
}

// actionAliases maps API operations (sdk-service:Operation) whose IAM action is not
// named after the operation.
var actionAliases = map[string]string{
	"s3:PutPublicAccessBlock":        "s3:PutBucketPublicAccessBlock",
	"s3:GetPublicAccessBlock":        "s3:GetBucketPublicAccessBlock",
	"s3:DeletePublicAccessBlock":     "s3:PutBucketPublicAccessBlock",
	"s3control:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
	"s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
}

// PrivilegeEscalation lists the IAM actions that let a principal grant itself or others
// more access. Runbook roles carry an explicit Deny on all of them, and Permissions
// refuses a definition that calls one.
var PrivilegeEscalation = []string{
	"iam:AddRoleToInstanceProfile",
	"iam:AddUserToGroup",
	"iam:AttachGroupPolicy",
	"iam:AttachRolePolicy",
	"iam:AttachUserPolicy",
	"iam:CreateAccessKey",
	"iam:CreateLoginProfile",
	"iam:CreatePolicyVersion",
	"iam:CreateRole",
	"iam:CreateServiceSpecificCredential",
	"iam:CreateUser",
	"iam:DeleteRolePermissionsBoundary",
	"iam:DeleteRolePolicy",
	"iam:DeleteUserPermissionsBoundary",
	"iam:PassRole",
	"iam:PutGroupPolicy",
	"iam:PutRolePermissionsBoundary",
	"iam:PutRolePolicy",
	"iam:PutUserPermissionsBoundary",
	"iam:PutUserPolicy",
	"iam:ResetServiceSpecificCredential",
	"iam:SetDefaultPolicyVersion",
	"iam:UpdateAccessKey",
	"iam:UpdateAssumeRolePolicy",
	"iam:UpdateLoginProfile",
}

var (
	// arn:<partition>:states:::<integration>
	integrationRE = regexp.MustCompile(`^arn:[a-z-]+:states:::(.+)$`)
	sdkRE         = regexp.MustCompile(`^aws-sdk:([a-z0-9]+):([a-z][A-Za-z0-9]*)$`)
	placeholderRE = regexp.MustCompile(`^\$\{[A-Za-z0-9_]+\}$`)
	functionARNRE = regexp.MustCompile(`^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$`)
	functionRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// Permissions derives the IAM permissions a runbook definition needs from the Task
// states it contains (asl.Parse and Machine.Resources), grouped into one Permission per
// set of resources, in a stable order. It understands:
//
//   - arn:aws:states:::aws-sdk:<service>:<action>: the IAM action <prefix>:<Action>,
//     scoped as narrowly as the action's IAM reference allows;
//   - arn:aws:states:::lambda:invoke and lambda:invoke.waitForTaskToken: lambda:InvokeFunction
//     on Parameters.FunctionName, which must be a ${Placeholder}, a function ARN or a name;
//   - a Lambda function ARN or a ${Placeholder} as the Resource itself: lambda:InvokeFunction on it.
//
// Anything else (other optimized integrations, .sync, an action with no known resource
// scope, an IAM privilege-escalation action) is an error naming the resource.
func Permissions(definition []byte) ([]Permission, error) {
	m, err := asl.Parse(definition)
	if err != nil {
		return nil, err
	}
	byAction := map[string]map[string]bool{}
	add := func(action string, resources ...string) {
		if byAction[action] == nil {
			byAction[action] = map[string]bool{}
		}
		for _, r := range resources {
			byAction[action][r] = true
		}
	}
	var functions []string
	for _, res := range m.Resources() {
		switch {
		case placeholderRE.MatchString(res) || functionARNRE.MatchString(res):
			add("lambda:InvokeFunction", res)
			continue
		}
		sm := integrationRE.FindStringSubmatch(res)
		if sm == nil {
			return nil, fmt.Errorf("task resource %q: not a Step Functions integration or Lambda function ARN", res)
		}
		integration := sm[1]
		switch integration {
		case "lambda:invoke", "lambda:invoke.waitForTaskToken":
			if functions == nil {
				if functions, err = invokedFunctions(definition); err != nil {
					return nil, err
				}
			}
			continue
		}
		sdk := sdkRE.FindStringSubmatch(integration)
		if sdk == nil {
			return nil, fmt.Errorf("task resource %q: only aws-sdk:<service>:<action> (request-response) and lambda:invoke integrations are supported", res)
		}
		action, err := IAMAction(sdk[1], sdk[2])
		if err != nil {
			return nil, fmt.Errorf("task resource %q: %w", res, err)
		}
		if isEscalation(action) {
			return nil, fmt.Errorf("task resource %q: %s is an IAM privilege-escalation action runbooks may never hold", res, action)
		}
		if scope, ok := resourceScopes[action]; ok {
			add(action, scope...)
		} else if _, ok := unscoped[action]; ok {
			add(action, "*")
		} else {
			return nil, fmt.Errorf("task resource %q: no resource scope is known for %s; add its resource types from the IAM Service Authorization Reference to resourceScopes (or unscoped) in internal/runbook/iam.go", res, action)
		}
	}
	for _, fn := range functions {
		add("lambda:InvokeFunction", fn)
	}
	return group(byAction), nil
}

// group merges actions with identical resource sets into one Permission.
func group(byAction map[string]map[string]bool) []Permission {
	bySet := map[string]*Permission{}
	for action, set := range byAction {
		var res []string
		for r := range set {
			res = append(res, r)
		}
		sort.Strings(res)
		cond := conditionOf(action, res)
		key := strings.Join(res, "\x00")
		if cond != nil {
			key += "\x00" + fmt.Sprint(cond)
		}
		p := bySet[key]
		if p == nil {
			p = &Permission{Resources: res, Condition: cond}
			bySet[key] = p
		}
		p.Actions = append(p.Actions, action)
	}
	out := make([]Permission, 0, len(bySet))
	for _, p := range bySet {
		sort.Strings(p.Actions)
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Actions[0] < out[j].Actions[0] })
	return out
}

// IAMAction maps an AWS SDK integration (service and API action as written in the
// Resource, e.g. "ec2", "startInstances") to its IAM action ("ec2:StartInstances"): the
// service name becomes its IAM prefix (sfn → states, s3control → s3, ...) and the action
// its PascalCase name, except for operations whose IAM action has another name (S3's
// PutPublicAccessBlock is s3:PutBucketPublicAccessBlock).
func IAMAction(service, action string) (string, error) {
	if action == "" || !unicode.IsLower(rune(action[0])) {
		return "", fmt.Errorf("aws-sdk action %q must be camelCase, as Step Functions writes it", action)
	}
	op := strings.ToUpper(action[:1]) + action[1:]
	if alias, ok := actionAliases[service+":"+op]; ok {
		return alias, nil
	}
	prefix := service
	if p, ok := iamPrefix[service]; ok {
		prefix = p
	}
	return prefix + ":" + op, nil
}

func isEscalation(action string) bool {
	for _, a := range PrivilegeEscalation {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

// invokedFunctions returns the FunctionName of every lambda:invoke task, as resources.
// asl.Machine keeps Parameters private, so the (already validated) definition is walked
// here: States, Parallel Branches and Map ItemProcessor/Iterator.
func invokedFunctions(definition []byte) ([]string, error) {
	var top machineJSON
	if err := json.Unmarshal(definition, &top); err != nil {
		return nil, err
	}
	var out []string
	var walk func(m machineJSON) error
	walk = func(m machineJSON) error {
		names := make([]string, 0, len(m.States))
		for n := range m.States {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			st := m.States[name]
			switch st.Type {
			case "Task":
				integ := integrationRE.FindStringSubmatch(st.Resource)
				if integ == nil || (integ[1] != "lambda:invoke" && integ[1] != "lambda:invoke.waitForTaskToken") {
					continue
				}
				fn, err := functionResource(name, st.Parameters)
				if err != nil {
					return err
				}
				out = append(out, fn)
			case "Parallel":
				for _, b := range st.Branches {
					if err := walk(b); err != nil {
						return err
					}
				}
			case "Map":
				if st.ItemProcessor != nil {
					if err := walk(*st.ItemProcessor); err != nil {
						return err
					}
				}
				if st.Iterator != nil {
					if err := walk(*st.Iterator); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk(top); err != nil {
		return nil, err
	}
	return out, nil
}

func functionResource(state string, params map[string]json.RawMessage) (string, error) {
	if _, dynamic := params["FunctionName.$"]; dynamic {
		return "", fmt.Errorf("state %q: lambda:invoke takes FunctionName.$ from the input; a runbook role is granted only functions named in the definition", state)
	}
	raw, ok := params["FunctionName"]
	if !ok {
		return "", fmt.Errorf("state %q: lambda:invoke without Parameters.FunctionName", state)
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return "", fmt.Errorf("state %q: Parameters.FunctionName must be a string", state)
	}
	switch {
	case placeholderRE.MatchString(name), functionARNRE.MatchString(name):
		return name, nil
	case functionRE.MatchString(name):
		return regional("lambda", "function:"+name), nil
	}
	return "", fmt.Errorf("state %q: Parameters.FunctionName %q is not a ${Placeholder}, a function ARN or a function name", state, name)
}

type machineJSON struct {
	States map[string]stateJSON `json:"States"`
}

type stateJSON struct {
	Type          string                     `json:"Type"`
	Resource      string                     `json:"Resource"`
	Parameters    map[string]json.RawMessage `json:"Parameters"`
	Branches      []machineJSON              `json:"Branches"`
	ItemProcessor *machineJSON               `json:"ItemProcessor"`
	Iterator      *machineJSON               `json:"Iterator"`
}
