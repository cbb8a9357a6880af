package event_test

import (
	"encoding/json"
	"strings"
	"testing"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// norm is the element type of want (event_test.go).
type norm = struct {
	signal   event.Signal
	resource string
	subject  string // "" means same as resource
	actor    string
	sev      string // source severity label
}

// wantServices is what the samples of the AWS service sources (and the further samples
// of the CloudTrail, Health, GuardDuty and Security Hub sources) normalise to, worked out
// from each sample and its source's documentation. TestSamplesNormalise checks them.
var wantServices = map[string]norm{
	// Auto Scaling: the group is the subject; a successful launch recovers a failed one.
	"autoscaling/launch-unsuccessful.json":      {event.Trigger, "prod-web-asg", "", "aws", ""},
	"autoscaling/launch-successful.json":        {event.Recovery, "prod-web-asg", "", "aws", ""},
	"autoscaling/terminate-unsuccessful.json":   {event.Trigger, "batch-workers", "", "aws", ""},
	"autoscaling/launch-unsuccessful-spot.json": {event.Trigger, "ci-runners", "", "aws", ""},
	// ECS deployments: the service ARN; tasks: cluster/group, so a service's failures meet.
	"ecs/deployment-failed.json":             {event.Trigger, "arn:aws:ecs:us-east-1:123456789012:service/prod/checkout", "", "aws", ""},
	"ecs/deployment-completed.json":          {event.Recovery, "arn:aws:ecs:us-east-1:123456789012:service/prod/checkout", "", "aws", ""},
	"ecs/deployment-failed-short-arn.json":   {event.Trigger, "arn:aws:ecs:us-west-2:123456789012:service/legacy-api", "", "aws", ""},
	"ecs/task-stopped-exit-1.json":           {event.Trigger, "prod/service:checkout", "", "aws", ""},
	"ecs/task-stopped-oom.json":              {event.Trigger, "batch/family:nightly-report", "", "aws", ""},
	"ecs/task-failed-to-start.json":          {event.Trigger, "default/service:legacy-api", "", "aws", ""},
	"ecs/task-stopped-elb-health-check.json": {event.Trigger, "prod/service:checkout", "", "aws", ""},
	"ecs/task-stopped-scale-in.json":         {event.Info, "prod/service:checkout", "", "aws", ""},
	// KMS service events: the key id, as for the CloudTrail key calls.
	"kms/cmk-deletion.json":                           {event.Trigger, "0b7c2d4e-6f8a-4b1c-9d3e-5f7a9b1c3d5e", "", "aws", ""},
	"kms/imported-key-material-expiration.json":       {event.Trigger, "6a8c0e2b-4d6f-4a8c-b0e2-4d6f8a0c2e4b", "", "aws", ""},
	"kms/cmk-rotation.json":                           {event.Info, "3e5a7c9e-1b3d-4f5a-8c7e-9b1d3f5a7c9e", "", "aws", ""},
	"cloudtrail/kms-cancel-key-deletion.json":         {event.Recovery, "8f3c2b1a-5d4e-4f6a-9b7c-0e1d2c3b4a59", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/kms-disable-key.json":                 {event.Trigger, "5d7f9b1d-3f5b-4d7f-9b1d-3f5b7d9f1b3d", "", "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/sam.lee", ""},
	"cloudtrail/kms-enable-key.json":                  {event.Recovery, "5d7f9b1d-3f5b-4d7f-9b1d-3f5b7d9f1b3d", "", "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/sam.lee", ""},
	"trustedadvisor/exposed-access-keys-error.json":   {event.Trigger, "AKIAZ4EXAMPLE7CIDEPL", "Exposed Access Keys/AKIAZ4EXAMPLE7CIDEPL", "aws", ""},
	"trustedadvisor/exposed-access-keys-ok.json":      {event.Recovery, "AKIAZ4EXAMPLE7CIDEPL", "Exposed Access Keys/AKIAZ4EXAMPLE7CIDEPL", "aws", ""},
	"trustedadvisor/sg-specific-ports-warn.json":      {event.Trigger, "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0fedcba9876543210", "Security Groups - Specific Ports Unrestricted/arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0fedcba9876543210", "aws", ""},
	"trustedadvisor/s3-bucket-permissions-error.json": {event.Trigger, "arn:aws:s3:::acme-marketing-assets", "Amazon S3 Bucket Permissions/arn:aws:s3:::acme-marketing-assets", "aws", ""},
	// GuardDuty: the finding id is the subject; the severity band gives the label.
	"guardduty/finding-medium.json":                      {event.Trigger, "i-0abcd1234ef567890", "86c0b46d2a7f4e1a9b3c5d7e9f1a3b5c", "aws", "MEDIUM"},
	"guardduty/finding-iam-credential-exfiltration.json": {event.Trigger, "ASIAZ4EXAMPLE7WEBROL", "b2c4e6a8c0e24b6d8f0a2c4e6b8d0f2a", "aws", "HIGH"},
	// An S3 finding names the caller's access key as well as the bucket; the parser
	// prefers the access key.
	"guardduty/finding-s3-low.json":                   {event.Trigger, "AKIAZ4EXAMPLE7DEVKEY", "e8f0a2c4e6b84d0f2a4c6e8b0d2f4a6c", "aws", "LOW"},
	"guardduty/finding-attack-sequence-critical.json": {event.Trigger, "arn:aws:guardduty:eu-west-1:123456789012:detector/5eb2c7a9d41f3e8b6c0a9d2e7f1b4c36/finding/f2a4c6e8b0d24f6a8c0e2b4d6f8a0c2e", "f2a4c6e8b0d24f6a8c0e2b4d6f8a0c2e", "aws", "CRITICAL"},
	// Security Hub: the finding id is the subject; PASSED/RESOLVED and SUPPRESSED recover.
	"securityhub/finding-critical-root-access-key.json":     {event.Trigger, "AWS::::Account:123456789012", "arn:aws:securityhub:us-east-1:123456789012:security-control/IAM.4/finding/3b5d7f9b-1d3f-4b5d-9f9b-1d3f5b7d9f1b", "aws", "CRITICAL"},
	"securityhub/finding-medium-cloudtrail-encryption.json": {event.Trigger, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-security-trail", "arn:aws:securityhub:eu-west-1:123456789012:security-control/CloudTrail.2/finding/4c6e8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c", "aws", "MEDIUM"},
	"securityhub/finding-low-suppressed.json":               {event.Recovery, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-security-trail", "arn:aws:securityhub:eu-west-1:123456789012:security-control/CloudTrail.5/finding/5d7f9b1d-3f5b-4d7f-9b1d-3f5b7d9f1b3d", "aws", "LOW"},
	"securityhub/finding-resolved-passed.json":              {event.Recovery, "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0", "arn:aws:securityhub:eu-west-1:123456789012:security-control/EC2.13/finding/cfc7f1d4-9820-4883-8e34-b1451585e88b", "aws", "INFORMATIONAL"},
	"health/risk-credentials-exposed.json":                  {event.Trigger, "AKIAZ4EXAMPLE7CIDEPL", "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_2B4D6F8A0C", "aws", ""},
	"health/risk-iam-quarantine.json":                       {event.Trigger, "arn:aws:iam::123456789012:user/ci-deploy", "arn:aws:health:global::event/RISK/AWS_RISK_IAM_QUARANTINE/AWS_RISK_IAM_QUARANTINE_6E8A0C2E4B", "aws", ""},
	"health/issue-closed.json":                              {event.Recovery, "i-0abcd1234ef567890", "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_4F7A2C9E1B", "aws", ""},
	"health/account-notification.json":                      {event.Info, "arn:aws:lambda:eu-west-1:123456789012:function:report-exporter (+1 more)", "arn:aws:health:eu-west-1::event/LAMBDA/AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT/AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT_7C9E1A3C5E", "aws", ""},
	"health/rds-maintenance-scheduled.json":                 {event.Trigger, "orders-db", "arn:aws:health:us-east-1::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/AWS_RDS_MAINTENANCE_SCHEDULED_9E1A3C5E7A", "aws", ""},
	"ec2/spot-interruption-terminate.json":                  {event.Trigger, "i-0e1f2a3b4c5d6e7f8", "", "aws", ""},
	"ec2/spot-interruption-stop.json":                       {event.Trigger, "i-0a9b8c7d6e5f4a3b2", "", "aws", ""},
	"ec2/rebalance-recommendation.json":                     {event.Info, "i-0c1d2e3f4a5b6c7d8", "", "aws", ""},
	"rds/instance-failover.json":                            {event.Trigger, "reporting-db", "", "aws", ""},
	"rds/instance-failure.json":                             {event.Trigger, "orders-db", "", "aws", ""},
	"rds/instance-recovery-complete.json":                   {event.Recovery, "orders-db", "", "aws", ""},
	"rds/instance-low-storage.json":                         {event.Trigger, "analytics-db", "", "aws", ""},
	"rds/cluster-failover.json":                             {event.Trigger, "sessions-cluster", "", "aws", ""},
	"ebs/volume-create-failed-kms.json":                     {event.Trigger, "vol-0a1b2c3d4e5f60718", "", "aws", ""},
	"ebs/volume-attach-failed.json":                         {event.Trigger, "vol-0b2c3d4e5f6071829", "", "aws", ""},
	"ebs/snapshot-create-failed.json":                       {event.Trigger, "vol-0c3d4e5f60718293a", "", "aws", ""},
	"ebs/snapshot-create-succeeded.json":                    {event.Recovery, "vol-0c3d4e5f60718293a", "", "aws", ""},
	"codepipeline/execution-failed.json":                    {event.Trigger, "checkout-deploy", "", "aws", ""},
	"codepipeline/execution-succeeded.json":                 {event.Recovery, "checkout-deploy", "", "aws", ""},
	"codepipeline/execution-failed-v1.json":                 {event.Trigger, "infra-pipeline", "", "aws", ""},
	"codedeploy/deployment-failure.json":                    {event.Trigger, "web-frontend/prod-fleet", "", "aws", ""},
	"codedeploy/deployment-success.json":                    {event.Recovery, "web-frontend/prod-fleet", "", "aws", ""},
	"codedeploy/deployment-failure-no-group.json":           {event.Trigger, "billing-lambda/billing-lambda-dg", "", "aws", ""},
}

func init() {
	for k, v := range wantServices {
		want[k] = v
	}
}

func parseSample(t *testing.T, file string) event.Event {
	t.Helper()
	raw, err := catalog.ReadSample(file)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := event.Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	if len(evs) != 1 {
		t.Fatalf("Parse(%s) = %d events; want 1", file, len(evs))
	}
	return evs[0]
}

// TestServiceAttrs checks the facts titles, silences and grouping read from attrs.
func TestServiceAttrs(t *testing.T) {
	tests := []struct {
		file  string
		attrs map[string]string
		tags  map[string]string
	}{
		{"autoscaling/launch-unsuccessful.json", map[string]string{"asg_name": "prod-web-asg", "action": "launch", "status_code": "Failed", "availability_zone": "us-east-1a", "subnet_id": "subnet-0a1b2c3d4e5f60718"}, nil},
		{"autoscaling/launch-successful.json", map[string]string{"asg_name": "prod-web-asg", "instance_id": "i-0d2e4f6a8b0c1e3f5", "status_code": "InProgress"}, nil},
		{"autoscaling/terminate-unsuccessful.json", map[string]string{"asg_name": "batch-workers", "action": "terminate", "instance_id": "i-0f1e2d3c4b5a69788"}, nil},
		{"ecs/deployment-failed.json", map[string]string{"cluster": "prod", "service": "checkout", "event_name": "SERVICE_DEPLOYMENT_FAILED", "deployment_id": "ecs-svc/4473842938740385092"}, nil},
		{"ecs/deployment-failed-short-arn.json", map[string]string{"service": "legacy-api", "event_name": "SERVICE_DEPLOYMENT_FAILED"}, nil},
		{"ecs/task-stopped-exit-1.json", map[string]string{"cluster": "prod", "service": "checkout", "container": "checkout", "exit_code": "1", "stop_code": "EssentialContainerExited"}, nil},
		{"ecs/task-stopped-oom.json", map[string]string{"cluster": "batch", "group": "family:nightly-report", "exit_code": "137", "container_reason": "OutOfMemoryError: Container killed due to memory usage"}, nil},
		{"ecs/task-failed-to-start.json", map[string]string{"service": "legacy-api", "stop_code": "TaskFailedToStart"}, nil},
		{"kms/cmk-deletion.json", map[string]string{"key_id": "0b7c2d4e-6f8a-4b1c-9d3e-5f7a9b1c3d5e", "key_arn": "arn:aws:kms:us-east-1:123456789012:key/0b7c2d4e-6f8a-4b1c-9d3e-5f7a9b1c3d5e"}, nil},
		{"trustedadvisor/exposed-access-keys-error.json", map[string]string{"check_name": "Exposed Access Keys", "status": "ERROR", "access_key_id": "AKIAZ4EXAMPLE7CIDEPL", "user_name": "ci-deploy"}, nil},
		{"ec2/spot-interruption-stop.json", map[string]string{"instance_id": "i-0a9b8c7d6e5f4a3b2", "instance_action": "stop"}, nil},
		{"rds/instance-failure.json", map[string]string{"categories": "failure", "rds_event_id": "RDS-EVENT-0031", "source_type": "DB_INSTANCE"}, map[string]string{"firebreak:team": "payments", "env": "prod"}},
		{"rds/cluster-failover.json", map[string]string{"categories": "failover", "source_type": "CLUSTER", "source_arn": "arn:aws:rds:us-west-2:123456789012:cluster:sessions-cluster"}, nil},
		{"ebs/volume-create-failed-kms.json", map[string]string{"volume_id": "vol-0a1b2c3d4e5f60718", "volume_event": "createVolume", "result": "failed"}, nil},
		{"ebs/snapshot-create-failed.json", map[string]string{"snapshot_id": "snap-0a1b2c3d4e5f60718", "volume_id": "vol-0c3d4e5f60718293a", "snapshot_event": "createSnapshot", "result": "failed"}, nil},
		{"codepipeline/execution-failed.json", map[string]string{"pipeline": "checkout-deploy", "state": "FAILED", "execution_id": "12345678-1234-4abc-9def-1234567890ab", "trigger_type": "Webhook"}, nil},
		{"codedeploy/deployment-failure-no-group.json", map[string]string{"application": "billing-lambda", "deployment_group": "billing-lambda-dg", "deployment_id": "d-2B4D6F8A0", "state": "FAILURE"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := parseSample(t, tt.file)
			for k, v := range tt.attrs {
				if e.Attrs[k] != v {
					t.Errorf("Parse(%s).Attrs[%q] = %q; want %q", tt.file, k, e.Attrs[k], v)
				}
			}
			for k, v := range tt.tags {
				if e.Tags[k] != v {
					t.Errorf("Parse(%s).Tags[%q] = %q; want %q", tt.file, k, e.Tags[k], v)
				}
			}
		})
	}
}

// serviceSample reports whether a sample's source is parsed in services.go.
func serviceSample(file string) bool {
	for _, p := range []string{"autoscaling/", "ecs/", "kms/", "trustedadvisor/", "ec2/spot-", "ec2/rebalance-", "rds/", "ebs/", "codepipeline/", "codedeploy/"} {
		if strings.HasPrefix(file, p) {
			return true
		}
	}
	return false
}

// detailVariants returns the sample with its detail changed in every way real events
// differ from the documentation: each field missing, null, an empty string, a number, a
// list and an object in its place, and the whole detail empty.
func detailVariants(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	detail, _ := doc["detail"].(map[string]any)
	out := map[string][]byte{}
	with := func(name string, d map[string]any) {
		c := map[string]any{}
		for k, v := range doc {
			c[k] = v
		}
		c["detail"] = d
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	with("empty detail", map[string]any{})
	for k := range detail {
		for name, v := range map[string]any{"missing": nil, "null": nil, "empty": "", "number": 7, "list": []any{"x", 1}, "object": map[string]any{"a": "b"}} {
			d := map[string]any{}
			for k2, v2 := range detail {
				d[k2] = v2
			}
			if name == "missing" {
				delete(d, k)
			} else {
				d[k] = v
			}
			with(k+" "+name, d)
		}
	}
	return out
}

// TestServiceParsersTolerateOddDetails: no detail field is required. Every variant of
// every service sample parses into one complete event; the envelope's resource or
// source stands in for what the detail no longer says.
func TestServiceParsersTolerateOddDetails(t *testing.T) {
	n := 0
	for _, s := range samples(t) {
		if !serviceSample(s.File) {
			continue
		}
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range detailVariants(t, raw) {
			n++
			evs, err := event.Parse(v)
			if err != nil {
				t.Errorf("Parse(%s with %s) error: %v; want the event, with less said about it", s.File, name, err)
				continue
			}
			if len(evs) != 1 {
				t.Errorf("Parse(%s with %s) = %d events; want 1", s.File, name, len(evs))
				continue
			}
			e := evs[0]
			if e.Resource == "" || e.Subject == "" || e.Summary == "" {
				t.Errorf("Parse(%s with %s) = resource %q subject %q summary %q; want all three", s.File, name, e.Resource, e.Subject, e.Summary)
			}
			switch e.Signal {
			case event.Trigger, event.Recovery, event.Info:
			default:
				t.Errorf("Parse(%s with %s).Signal = %q", s.File, name, e.Signal)
			}
		}
	}
	if n < 200 {
		t.Errorf("%d variants tried; want the service samples' every field varied", n)
	}
}

// TestServiceFallbacks: what a parser says when the field it would use is gone.
func TestServiceFallbacks(t *testing.T) {
	tests := []struct {
		name, detailType, source, resources, detail string
		signal                                      event.Signal
		resource, subject                           string
	}{
		{"asg name only in the group ARN", event.TypeASGLaunchFailed, "aws.autoscaling",
			`["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:7f4b1c2e:autoScalingGroupName/prod-web-asg"]`,
			`{"StatusCode":"Failed"}`, event.Trigger, "prod-web-asg", "prod-web-asg"},
		{"asg nothing at all", event.TypeASGLaunched, "aws.autoscaling", `[]`, `{}`, event.Recovery, "aws.autoscaling", "aws.autoscaling"},
		{"ecs deployment, unknown event name", event.TypeECSDeployment, "aws.ecs",
			`["arn:aws:ecs:us-east-1:123456789012:service/prod/checkout"]`, `{"eventName":"SERVICE_DEPLOYMENT_SOMETHING_NEW"}`,
			event.Info, "arn:aws:ecs:us-east-1:123456789012:service/prod/checkout", ""},
		{"ecs task without group: task definition family", event.TypeECSTask, "aws.ecs", `[]`,
			`{"lastStatus":"STOPPED","stopCode":"TaskFailedToStart","clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/report:3"}`,
			event.Trigger, "prod/family:report", ""},
		{"ecs task exit code as a string", event.TypeECSTask, "aws.ecs", `[]`,
			`{"lastStatus":"STOPPED","group":"service:api","containers":[{"name":"api","exitCode":"2"}]}`, event.Trigger, "service:api", ""},
		{"ecs task stopped by the scheduler, exit 143", event.TypeECSTask, "aws.ecs", `[]`,
			`{"lastStatus":"STOPPED","group":"service:api","stopCode":"ServiceSchedulerInitiated","stoppedReason":"Scaling activity initiated by (deployment ecs-svc/1)","containers":[{"name":"api","exitCode":143}]}`,
			event.Info, "service:api", ""},
		{"ecs task stopped for failed ELB health checks", event.TypeECSTask, "aws.ecs", `[]`,
			`{"lastStatus":"STOPPED","group":"service:api","stopCode":"ServiceSchedulerInitiated","stoppedReason":"Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef)","containers":[{"name":"api","exitCode":137}]}`,
			event.Trigger, "service:api", ""},
		{"ecs task stopped by a user", event.TypeECSTask, "aws.ecs", `[]`,
			`{"lastStatus":"STOPPED","group":"family:job","stopCode":"UserInitiated","stoppedReason":"Task stopped by user","containers":[{"name":"job","exitCode":137}]}`,
			event.Info, "family:job", ""},
		{"ecs task containers not a list", event.TypeECSTask, "aws.ecs", `[]`,
			`{"lastStatus":"STOPPED","group":"service:api","containers":{"name":"api"}}`, event.Info, "service:api", ""},
		{"kms key id only in resources", event.TypeKMSKeyDeleted, "aws.kms",
			`["arn:aws:kms:us-east-1:123456789012:key/0b7c2d4e-6f8a-4b1c-9d3e-5f7a9b1c3d5e"]`, `{}`, event.Trigger, "0b7c2d4e-6f8a-4b1c-9d3e-5f7a9b1c3d5e", ""},
		{"trusted advisor lower-case status", event.TypeTrustedAdvisor, "aws.trustedadvisor", `[]`,
			`{"check-name":"Exposed Access Keys","status":"ok","check-item-detail":{"Access Key ID":"AKIA1"}}`, event.Recovery, "AKIA1", "Exposed Access Keys/AKIA1"},
		{"trusted advisor item detail null", event.TypeTrustedAdvisor, "aws.trustedadvisor", `[]`,
			`{"check-name":"IAM Use","status":"WARN","check-item-detail":null,"resource_id":""}`, event.Trigger, "IAM Use", "IAM Use"},
		{"spot instance only in resources", event.TypeSpotInterruption, "aws.ec2", `["arn:aws:ec2:us-east-2a:instance/i-0b"]`, `{}`, event.Trigger, "i-0b", ""},
		{"rds category a single string", event.TypeRDSInstance, "aws.rds", `[]`,
			`{"EventCategories":"failure","SourceIdentifier":"db1"}`, event.Trigger, "db1", ""},
		{"rds identifier only in the ARN", event.TypeRDSCluster, "aws.rds", `[]`,
			`{"EventCategories":["failover"],"SourceArn":"arn:aws:rds:us-west-2:123456789012:cluster:c1"}`, event.Trigger, "c1", ""},
		{"rds tags not an object", event.TypeRDSInstance, "aws.rds", `[]`,
			`{"EventCategories":["notification"],"SourceIdentifier":"db1","Tags":["a"]}`, event.Info, "db1", ""},
		{"ebs snapshot, several volumes (createSnapshots)", event.TypeEBSSnapshot, "aws.ec2", `[]`,
			`{"event":"createSnapshots","result":"failed","snapshots":[{"snapshot_id":"arn:aws:ec2::us-east-1:snapshot/snap-1","source":"arn:aws:ec2::us-east-1:volume/vol-1","status":"failed"}]}`,
			event.Trigger, "vol-1", ""},
		{"ebs volume without resources", event.TypeEBSVolume, "aws.ec2", `[]`, `{"result":"failed","event":"attachVolume"}`, event.Trigger, "aws.ec2", ""},
		{"pipeline name only in the ARN", event.TypePipelineExecution, "aws.codepipeline",
			`["arn:aws:codepipeline:us-east-1:123456789012:checkout-deploy"]`, `{"state":"FAILED"}`, event.Trigger, "checkout-deploy", ""},
		{"pipeline superseded", event.TypePipelineExecution, "aws.codepipeline", `[]`, `{"pipeline":"p","state":"SUPERSEDED"}`, event.Info, "p", ""},
		{"codedeploy application only", event.TypeCodeDeployDeployment, "aws.codedeploy", `[]`, `{"application":"app","state":"SUCCESS"}`, event.Recovery, "app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(`{"version":"0","id":"e1","detail-type":"` + tt.detailType + `","source":"` + tt.source +
				`","account":"123456789012","time":"2026-11-02T09:00:00Z","region":"us-east-1","resources":` + tt.resources + `,"detail":` + tt.detail + `}`)
			evs, err := event.Parse(raw)
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", tt.name, err)
			}
			e := evs[0]
			subject := tt.subject
			if subject == "" {
				subject = tt.resource
			}
			if e.Signal != tt.signal || e.Resource != tt.resource || e.Subject != subject {
				t.Errorf("Parse(%s) = signal %q resource %q subject %q; want %q %q %q", tt.name, e.Signal, e.Resource, e.Subject, tt.signal, tt.resource, subject)
			}
		})
	}
}

// checkTolerant is check (fuzz_test.go) for the service parsers, which accept any
// detail that is a JSON object.
func checkTolerant(t *testing.T, detailType, source string, detail []byte) {
	raw := envelope(detailType, source, string(detail))
	check(t, raw)
	var obj map[string]any
	if json.Unmarshal(detail, &obj) != nil || obj == nil {
		return
	}
	if _, err := event.Parse(raw); err != nil {
		t.Fatalf("Parse(detail %q) error %v; want any object accepted", detail, err)
	}
}

func fuzzService(f *testing.F, samplePrefix string, types []string, source string) {
	for _, s := range samples(f) {
		if strings.HasPrefix(s.File, samplePrefix) {
			raw, err := catalog.ReadSample(s.File)
			if err != nil {
				f.Fatal(err)
			}
			env, err := event.ParseEnvelope(raw)
			if err != nil {
				f.Fatal(err)
			}
			for i := range types {
				f.Add(uint8(i), []byte(env.Detail))
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, detail []byte) {
		checkTolerant(t, types[int(which)%len(types)], source, detail)
	})
}

func FuzzAutoScaling(f *testing.F) {
	fuzzService(f, "autoscaling/", []string{event.TypeASGLaunchFailed, event.TypeASGLaunched, event.TypeASGTerminateFailed, event.TypeASGTerminated}, "aws.autoscaling")
}
func FuzzECS(f *testing.F) {
	fuzzService(f, "ecs/", []string{event.TypeECSDeployment, event.TypeECSTask}, "aws.ecs")
}
func FuzzKMSKey(f *testing.F) {
	fuzzService(f, "kms/", []string{event.TypeKMSKeyDeleted, event.TypeKMSKeyRotated, event.TypeKMSMaterialExpired}, "aws.kms")
}
func FuzzTrustedAdvisor(f *testing.F) {
	fuzzService(f, "trustedadvisor/", []string{event.TypeTrustedAdvisor}, "aws.trustedadvisor")
}
func FuzzSpot(f *testing.F) {
	fuzzService(f, "ec2/", []string{event.TypeSpotInterruption, event.TypeRebalance}, "aws.ec2")
}
func FuzzRDS(f *testing.F) {
	fuzzService(f, "rds/", []string{event.TypeRDSInstance, event.TypeRDSCluster}, "aws.rds")
}
func FuzzEBS(f *testing.F) {
	fuzzService(f, "ebs/", []string{event.TypeEBSVolume, event.TypeEBSSnapshot}, "aws.ec2")
}
func FuzzCodePipeline(f *testing.F) {
	fuzzService(f, "codepipeline/", []string{event.TypePipelineExecution}, "aws.codepipeline")
}
func FuzzCodeDeploy(f *testing.F) {
	fuzzService(f, "codedeploy/", []string{event.TypeCodeDeployDeployment}, "aws.codedeploy")
}
