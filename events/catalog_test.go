package events_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/bus"
)

// routedBy is the rule each sample must be routed by, from the rule descriptions.
var routedBy = map[string][]string{
	"cloudwatch/alarm-state-alarm.json":             {"cloudwatch-alarm"},
	"cloudwatch/alarm-state-ok.json":                {"cloudwatch-alarm"},
	"cloudwatch/alarm-state-insufficient-data.json": {"cloudwatch-alarm"},
	"config/compliance-noncompliant.json":           {"config-compliance"},
	"config/compliance-compliant.json":              {"config-compliance"},
	"cloudtrail/sg-ingress-open-world.json":         {"cloudtrail-network"},
	"cloudtrail/sg-ingress-open-world-ipv6.json":    {"cloudtrail-network"},
	"cloudtrail/ec2-delete-flow-logs.json":          {"cloudtrail-network"},
	"cloudtrail/stop-logging.json":                  {"cloudtrail-audit"},
	"cloudtrail/delete-trail.json":                  {"cloudtrail-audit"},
	"cloudtrail/s3-put-bucket-policy-public.json":   {"cloudtrail-s3-exposure"},
	"cloudtrail/s3-put-bucket-acl-public.json":      {"cloudtrail-s3-exposure"},
	"cloudtrail/s3-delete-public-access-block.json": {"cloudtrail-s3-exposure"},
	"cloudtrail/kms-schedule-key-deletion.json":     {"cloudtrail-kms"},
	"cloudtrail/iam-attach-admin-policy.json":       {"cloudtrail-iam-admin"},
	"cloudtrail/root-api-call.json":                 {"cloudtrail-root"},
	"signin/root-success.json":                      {"console-signin"},
	"signin/root-failure.json":                      {"console-signin"},
	"signin/iam-user-failure.json":                  {"console-signin"},
	"ec2/instance-stopped.json":                     {"ec2-state"},
	"ec2/instance-running.json":                     {"ec2-state"},
	"health/ec2-issue.json":                         {"health"},
	"health/scheduled-change.json":                  {"health"},
	"guardduty/finding-high.json":                   {"guardduty"},
	"guardduty/finding-low.json":                    {"guardduty"},
	"securityhub/finding-imported-high.json":        {"securityhub"},
	"custom/app-alert-firing.json":                  {"application"},
	"custom/app-alert-resolved.json":                {"application"},

	"autoscaling/launch-unsuccessful.json":                  {"autoscaling"},
	"autoscaling/launch-successful.json":                    {"autoscaling"},
	"autoscaling/terminate-unsuccessful.json":               {"autoscaling"},
	"autoscaling/launch-unsuccessful-spot.json":             {"autoscaling"},
	"ecs/deployment-failed.json":                            {"ecs-deployment"},
	"ecs/deployment-completed.json":                         {"ecs-deployment"},
	"ecs/deployment-failed-short-arn.json":                  {"ecs-deployment"},
	"ecs/task-stopped-exit-1.json":                          {"ecs-task-stopped"},
	"ecs/task-stopped-oom.json":                             {"ecs-task-stopped"},
	"ecs/task-failed-to-start.json":                         {"ecs-task-stopped"},
	"ecs/task-stopped-elb-health-check.json":                {"ecs-task-stopped"},
	"ecs/task-stopped-scale-in.json":                        {"ecs-task-stopped"},
	"kms/cmk-deletion.json":                                 {"kms-key-lifecycle"},
	"kms/imported-key-material-expiration.json":             {"kms-key-lifecycle"},
	"kms/cmk-rotation.json":                                 {"kms-key-lifecycle"},
	"cloudtrail/kms-cancel-key-deletion.json":               {"cloudtrail-kms"},
	"cloudtrail/kms-disable-key.json":                       {"cloudtrail-kms"},
	"cloudtrail/kms-enable-key.json":                        {"cloudtrail-kms"},
	"trustedadvisor/exposed-access-keys-error.json":         {"trusted-advisor"},
	"trustedadvisor/exposed-access-keys-ok.json":            {"trusted-advisor"},
	"trustedadvisor/sg-specific-ports-warn.json":            {"trusted-advisor"},
	"trustedadvisor/s3-bucket-permissions-error.json":       {"trusted-advisor"},
	"guardduty/finding-medium.json":                         {"guardduty"},
	"guardduty/finding-iam-credential-exfiltration.json":    {"guardduty"},
	"guardduty/finding-s3-low.json":                         {"guardduty"},
	"guardduty/finding-attack-sequence-critical.json":       {"guardduty"},
	"securityhub/finding-critical-root-access-key.json":     {"securityhub"},
	"securityhub/finding-medium-cloudtrail-encryption.json": {"securityhub"},
	"securityhub/finding-low-suppressed.json":               {"securityhub"},
	"securityhub/finding-resolved-passed.json":              {"securityhub"},
	"health/risk-credentials-exposed.json":                  {"health"},
	"health/risk-iam-quarantine.json":                       {"health"},
	"health/issue-closed.json":                              {"health"},
	"health/account-notification.json":                      {"health"},
	"health/rds-maintenance-scheduled.json":                 {"health"},
	"ec2/spot-interruption-terminate.json":                  {"ec2-spot"},
	"ec2/spot-interruption-stop.json":                       {"ec2-spot"},
	"ec2/rebalance-recommendation.json":                     {"ec2-spot"},
	"rds/instance-failover.json":                            {"rds"},
	"rds/instance-failure.json":                             {"rds"},
	"rds/instance-recovery-complete.json":                   {"rds"},
	"rds/instance-low-storage.json":                         {"rds"},
	"rds/cluster-failover.json":                             {"rds"},
	"ebs/volume-create-failed-kms.json":                     {"ebs"},
	"ebs/volume-attach-failed.json":                         {"ebs"},
	"ebs/snapshot-create-failed.json":                       {"ebs"},
	"ebs/snapshot-create-succeeded.json":                    {"ebs"},
	"codepipeline/execution-failed.json":                    {"codepipeline"},
	"codepipeline/execution-succeeded.json":                 {"codepipeline"},
	"codepipeline/execution-failed-v1.json":                 {"codepipeline"},
	"codedeploy/deployment-failure.json":                    {"codedeploy"},
	"codedeploy/deployment-success.json":                    {"codedeploy"},
	"codedeploy/deployment-failure-no-group.json":           {"codedeploy"},
}

func TestCatalogRoutesEverySample(t *testing.T) {
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(rules)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := events.Samples()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != len(routedBy) {
		t.Errorf("%d samples, %d routing expectations", len(samples), len(routedBy))
	}
	used := map[string]bool{}
	for _, s := range samples {
		raw, err := events.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Route(raw)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(routedBy[s.File], ",") {
			t.Errorf("Route(%s) = %v; want %v", s.File, got, routedBy[s.File])
		}
		for _, r := range got {
			used[r] = true
		}
		if !strings.HasPrefix(s.Source, "https://") && !strings.Contains(s.Source, "Firebreak") {
			t.Errorf("sample %s: source %q; want the documentation URL the shape came from", s.File, s.Source)
		}
	}
	for _, r := range rules {
		if !used[r.Name] {
			t.Errorf("rule %s routes no sample: add one to events/samples", r.Name)
		}
	}
}

func TestCatalogDoesNotRouteOtherEvents(t *testing.T) {
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(rules)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{
		"read-only API call":     `{"id":"1","source":"aws.ec2","detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"IAMUser"}}}`,
		"other policy attached":  `{"id":"2","source":"aws.iam","detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","requestParameters":{"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}`,
		"instance pending":       `{"id":"3","source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":"i-1","state":"pending"}}`,
		"custom, wrong source":   `{"id":"4","source":"checkout","detail-type":"Firebreak Application Alert","detail":{}}`,
		"archived hub finding":   `{"id":"5","source":"aws.securityhub","detail-type":"Security Hub Findings - Imported","detail":{"findings":[{"RecordState":"ARCHIVED","Workflow":{"Status":"NOTIFIED"}}]}}`,
		"deployment in progress": `{"id":"6","source":"aws.ecs","detail-type":"ECS Deployment State Change","detail":{"eventName":"SERVICE_DEPLOYMENT_IN_PROGRESS"}}`,
		"task running":           `{"id":"7","source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"lastStatus":"RUNNING"}}`,
		"pipeline started":       `{"id":"8","source":"aws.codepipeline","detail-type":"CodePipeline Pipeline Execution State Change","detail":{"state":"STARTED"}}`,
		"deployment started":     `{"id":"9","source":"aws.codedeploy","detail-type":"CodeDeploy Deployment State-change Notification","detail":{"state":"START"}}`,
		"rds backup":             `{"id":"10","source":"aws.rds","detail-type":"RDS DB Instance Event","detail":{"EventCategories":["backup"]}}`,
		"volume created":         `{"id":"11","source":"aws.ec2","detail-type":"EBS Volume Notification","detail":{"event":"createVolume","result":"available"}}`,
		"advisor not available":  `{"id":"12","source":"aws.trustedadvisor","detail-type":"Trusted Advisor Check Item Refresh Notification","detail":{"status":"NOT_AVAILABLE"}}`,
		"lifecycle hook":         `{"id":"13","source":"aws.autoscaling","detail-type":"EC2 Instance-launch Lifecycle Action","detail":{}}`,
	} {
		got, err := b.Route([]byte(raw))
		if err != nil || len(got) != 0 {
			t.Errorf("Route(%s) = %v, %v; want no rule", name, got, err)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"numeric", "rules:\n  - name: a\n    description: d\n    bus: default\n    pattern: {\"detail\": {\"n\": [5]}}\n", "catalog.yaml:5: rules[0].pattern: detail.n[0]: numbers are not supported"},
		{"or", "rules:\n  - name: a\n    description: d\n    bus: default\n    pattern: {\"$or\": [{\"a\": [\"b\"]}]}\n", `catalog.yaml:5: rules[0].pattern: "$or" is not supported`},
		{"bus", "rules:\n  - name: a\n    description: d\n    bus: mine\n    pattern: {\"a\": [\"b\"]}\n", `catalog.yaml:4: rules[0].bus: "mine" must be "default" or "application"`},
		{"dup", "rules:\n  - {name: a, description: d, bus: default, pattern: {\"a\": [\"b\"]}}\n  - {name: a, description: d, bus: default, pattern: {\"a\": [\"c\"]}}\n", `catalog.yaml:3: rules[1].name: duplicate rule "a"`},
		{"unknown key", "rules:\n  - name: a\n    target: q\n", "catalog.yaml:3: rules[0].target: unknown key"},
		{"empty", "rules: []\n", "catalog.yaml:1: rules: no rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := events.ParseRules("catalog.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseRules(%s) = %v; want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}
