package classify_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// verdict is the element type of expected (classify_test.go).
type verdict = struct {
	class    string
	severity incident.Severity
	team     string
	incident bool
	runbook  string
}

// expectedServices is the default taxonomy's verdict on the samples of the AWS service
// events an SRE meets first, as firebreak.yaml's class descriptions intend it: failures
// page their owner at the class's severity, successes of the same thing are recoveries
// (info, not an incident), and events classes only record are info.
// TestDefaultTaxonomyClassifiesSamples (classify_test.go) checks them.
var expectedServices = map[string]verdict{
	"autoscaling/launch-unsuccessful.json":      {"ops.asg-launch-failed", incident.Sev3, "platform", true, ""},
	"autoscaling/launch-successful.json":        {"ops.asg-launch-failed", incident.Info, "platform", false, ""},
	"autoscaling/terminate-unsuccessful.json":   {"ops.asg-terminate-failed", incident.Sev4, "platform", true, ""},
	"autoscaling/launch-unsuccessful-spot.json": {"ops.asg-launch-failed", incident.Sev3, "platform", true, ""},

	"ecs/deployment-failed.json":             {"ops.ecs-deployment-failed", incident.Sev3, "platform", true, ""},
	"ecs/deployment-completed.json":          {"ops.ecs-deployment-failed", incident.Info, "platform", false, ""},
	"ecs/deployment-failed-short-arn.json":   {"ops.ecs-deployment-failed", incident.Sev3, "platform", true, ""},
	"ecs/task-stopped-exit-1.json":           {"ops.ecs-task-failed", incident.Sev3, "platform", true, ""},
	"ecs/task-stopped-oom.json":              {"ops.ecs-task-failed", incident.Sev3, "platform", true, ""},
	"ecs/task-failed-to-start.json":          {"ops.ecs-task-failed", incident.Sev3, "platform", true, ""},
	"ecs/task-stopped-elb-health-check.json": {"ops.ecs-task-failed", incident.Sev3, "platform", true, ""},  // the scheduler stopped it, for failing health checks
	"ecs/task-stopped-scale-in.json":         {"ops.ecs-task-failed", incident.Info, "platform", false, ""}, // a clean stop: recorded

	"kms/cmk-deletion.json":                     {"security.kms-key-deleted", incident.Sev2, "security", true, ""},
	"kms/imported-key-material-expiration.json": {"security.kms-key-material-expired", incident.Sev2, "security", true, ""},
	"kms/cmk-rotation.json":                     {"security.kms-key-rotated", incident.Info, "security", false, ""},
	"cloudtrail/kms-cancel-key-deletion.json":   {"security.kms-key-deletion", incident.Info, "security", false, "kms-cancel-key-deletion"},
	"cloudtrail/kms-disable-key.json":           {"security.kms-key-disabled", incident.Sev3, "security", true, ""},
	"cloudtrail/kms-enable-key.json":            {"security.kms-key-disabled", incident.Info, "security", false, ""},

	"trustedadvisor/exposed-access-keys-error.json":   {"security.exposed-access-keys", incident.Sev2, "security", true, ""},
	"trustedadvisor/exposed-access-keys-ok.json":      {"security.exposed-access-keys", incident.Info, "security", false, ""},
	"trustedadvisor/sg-specific-ports-warn.json":      {"compliance.trusted-advisor-warning", incident.Info, "platform", false, ""},
	"trustedadvisor/s3-bucket-permissions-error.json": {"compliance.trusted-advisor", incident.Sev4, "platform", true, ""},

	// GuardDuty by severity band: low <4 sev4, medium 4-6.9 sev3, high 7-8.9 sev2, critical >=9 sev1.
	"guardduty/finding-medium.json":                      {"security.guardduty-finding", incident.Sev3, "security", true, ""},
	"guardduty/finding-iam-credential-exfiltration.json": {"security.guardduty-finding", incident.Sev2, "security", true, ""},
	"guardduty/finding-s3-low.json":                      {"security.guardduty-finding", incident.Sev4, "security", true, ""},
	"guardduty/finding-attack-sequence-critical.json":    {"security.guardduty-finding", incident.Sev1, "security", true, ""},

	// Security Hub by Severity.Label; suppressed and resolved findings never page.
	"securityhub/finding-critical-root-access-key.json":     {"security.securityhub-finding", incident.Sev1, "security", true, ""},
	"securityhub/finding-medium-cloudtrail-encryption.json": {"security.securityhub-finding", incident.Sev3, "security", true, ""},
	"securityhub/finding-low-suppressed.json":               {"security.securityhub-finding", incident.Info, "security", false, ""},
	"securityhub/finding-resolved-passed.json":              {"security.securityhub-finding", incident.Info, "platform", false, ""}, // the group's firebreak:team tag

	"health/risk-credentials-exposed.json":  {"security.aws-risk", incident.Sev2, "security", true, ""},
	"health/risk-iam-quarantine.json":       {"security.aws-risk", incident.Sev2, "security", true, ""},
	"health/issue-closed.json":              {"health.issue", incident.Info, "platform", false, ""},
	"health/account-notification.json":      {"health.notification", incident.Info, "platform", false, ""},
	"health/rds-maintenance-scheduled.json": {"health.scheduled-change", incident.Sev4, "payments", true, ""}, // entity tag firebreak:team=payments

	"ec2/spot-interruption-terminate.json": {"ops.spot-interruption", incident.Info, "platform", false, ""},
	"ec2/spot-interruption-stop.json":      {"ops.spot-interruption", incident.Info, "platform", false, ""},
	"ec2/rebalance-recommendation.json":    {"ops.spot-interruption", incident.Info, "platform", false, ""},

	"rds/instance-failover.json":          {"ops.rds-failover", incident.Sev3, "platform", true, ""},
	"rds/instance-failure.json":           {"ops.rds-failure", incident.Sev2, "payments", true, ""}, // Tags firebreak:team=payments
	"rds/instance-recovery-complete.json": {"ops.rds-failure", incident.Info, "payments", false, ""},
	"rds/instance-low-storage.json":       {"ops.rds-failure", incident.Sev2, "platform", true, ""},
	"rds/cluster-failover.json":           {"ops.rds-failover", incident.Sev3, "platform", true, ""},

	"ebs/volume-create-failed-kms.json":  {"ops.ebs-volume-failure", incident.Sev3, "platform", true, ""},
	"ebs/volume-attach-failed.json":      {"ops.ebs-volume-failure", incident.Sev3, "platform", true, ""},
	"ebs/snapshot-create-failed.json":    {"ops.ebs-snapshot-failure", incident.Sev3, "platform", true, ""},
	"ebs/snapshot-create-succeeded.json": {"ops.ebs-snapshot-failure", incident.Info, "platform", false, ""},

	"codepipeline/execution-failed.json":          {"ops.codepipeline-failed", incident.Sev3, "platform", true, ""},
	"codepipeline/execution-succeeded.json":       {"ops.codepipeline-failed", incident.Info, "platform", false, ""},
	"codepipeline/execution-failed-v1.json":       {"ops.codepipeline-failed", incident.Sev3, "platform", true, ""},
	"codedeploy/deployment-failure.json":          {"ops.codedeploy-failed", incident.Sev3, "platform", true, ""},
	"codedeploy/deployment-success.json":          {"ops.codedeploy-failed", incident.Info, "platform", false, ""},
	"codedeploy/deployment-failure-no-group.json": {"ops.codedeploy-failed", incident.Sev3, "platform", true, ""},
}

func init() {
	for k, v := range expectedServices {
		expected[k] = v
	}
}

func classifyRaw(t *testing.T, c *classify.Classifier, name string, raw []byte) (event.Event, classify.Result) {
	t.Helper()
	evs, err := event.Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	r, err := c.Classify(evs[0])
	if err != nil {
		t.Fatalf("Classify(%s): %v", name, err)
	}
	return evs[0], r
}

func readSample(t *testing.T, file string) []byte {
	t.Helper()
	raw, err := catalog.ReadSample(file)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestServiceRecoveriesFindTheirIncident: each success or recovery sample shares the
// fingerprint of the failure it follows, so it mitigates that incident.
func TestServiceRecoveriesFindTheirIncident(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	pairs := [][2]string{
		{"autoscaling/launch-unsuccessful.json", "autoscaling/launch-successful.json"},
		{"ecs/deployment-failed.json", "ecs/deployment-completed.json"},
		{"cloudtrail/kms-schedule-key-deletion.json", "cloudtrail/kms-cancel-key-deletion.json"},
		{"cloudtrail/kms-disable-key.json", "cloudtrail/kms-enable-key.json"},
		{"trustedadvisor/exposed-access-keys-error.json", "trustedadvisor/exposed-access-keys-ok.json"},
		{"securityhub/finding-imported-high.json", "securityhub/finding-resolved-passed.json"},
		{"health/ec2-issue.json", "health/issue-closed.json"},
		{"rds/instance-failure.json", "rds/instance-recovery-complete.json"},
		{"ebs/snapshot-create-failed.json", "ebs/snapshot-create-succeeded.json"},
		{"codepipeline/execution-failed.json", "codepipeline/execution-succeeded.json"},
		{"codedeploy/deployment-failure.json", "codedeploy/deployment-success.json"},
	}
	for _, p := range pairs {
		t.Run(p[1], func(t *testing.T) {
			_, trig := classifyRaw(t, c, p[0], readSample(t, p[0]))
			e, rec := classifyRaw(t, c, p[1], readSample(t, p[1]))
			if !trig.Incident {
				t.Errorf("Classify(%q).Incident = false; want the failure to open an incident", p[0])
			}
			if e.Signal != event.Recovery || rec.Incident || !rec.IncidentClass {
				t.Errorf("Classify(%q) = signal %s incident %v incident class %v; want a recovery of an incident class", p[1], e.Signal, rec.Incident, rec.IncidentClass)
			}
			if trig.Fingerprint != rec.Fingerprint {
				t.Errorf("fingerprints of %s and %s differ: %q vs %q; a recovery must find its incident", p[0], p[1], trig.Fingerprint, rec.Fingerprint)
			}
		})
	}
	// Failures of one ECS service count on one incident, whichever task failed.
	_, a := classifyRaw(t, c, "exit-1", readSample(t, "ecs/task-stopped-exit-1.json"))
	_, b := classifyRaw(t, c, "scale-in", readSample(t, "ecs/task-stopped-scale-in.json"))
	if a.Fingerprint != b.Fingerprint {
		t.Errorf("ECS tasks of one service have fingerprints %q and %q; want one", a.Fingerprint, b.Fingerprint)
	}
}

// withDetail returns raw with its detail replaced by f(detail).
func withDetail(t *testing.T, raw []byte, f func(map[string]any) map[string]any) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	d, _ := doc["detail"].(map[string]any)
	doc["detail"] = f(d)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func only(d map[string]any, keep ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keep {
		if v, ok := d[k]; ok {
			out[k] = v
		}
	}
	return out
}

// essentials is, per sample directory, what the class's pattern (and the severity the
// source rates) is read from; every other detail field is decoration.
func essentials(file string, d map[string]any) map[string]any {
	switch dir, _, _ := strings.Cut(file, "/"); dir {
	case "trustedadvisor":
		return only(d, "check-name", "status")
	case "rds":
		return only(d, "EventCategories")
	case "cloudtrail":
		return only(d, "eventSource", "eventName", "requestParameters")
	case "health":
		return only(d, "eventTypeCode", "eventTypeCategory", "statusCode")
	case "guardduty":
		return only(d, "id", "type", "severity")
	case "securityhub":
		var fs []any
		for _, f := range d["findings"].([]any) {
			fs = append(fs, only(f.(map[string]any), "Id", "Severity", "Workflow", "RecordState", "Compliance"))
		}
		return map[string]any{"findings": fs}
	default: // autoscaling, ecs, kms, ec2, ebs, codepipeline, codedeploy: detail-type decides
		return map[string]any{}
	}
}

// TestStrippedSamplesKeepTheirClass is the malformed variant of every sample added for
// the service sources: the same event with every detail field the class does not need
// removed. It still parses, falls in the class the taxonomy intends at the class's
// severity, and gets a title.
func TestStrippedSamplesKeepTheirClass(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	for file, w := range expectedServices {
		t.Run(file, func(t *testing.T) {
			raw := withDetail(t, readSample(t, file), func(d map[string]any) map[string]any { return essentials(file, d) })
			_, full := classifyRaw(t, c, file, readSample(t, file))
			e, got := classifyRaw(t, c, file+" stripped", raw)
			if got.Class != w.class || got.ClassSeverity != full.ClassSeverity {
				t.Errorf("Classify(%q stripped) = %s %s; want %s %s", file, got.Class, got.ClassSeverity, w.class, full.ClassSeverity)
			}
			if e.Resource == "" || got.Title == "" || strings.Contains(got.Title, "<no value>") {
				t.Errorf("Classify(%q stripped) = resource %q title %q; want both", file, e.Resource, got.Title)
			}
		})
	}
}

func TestGuardDutySeverityBands(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	raw := readSample(t, "guardduty/finding-medium.json")
	for _, tt := range []struct {
		score float64
		want  incident.Severity
	}{{0.5, incident.Sev4}, {1, incident.Sev4}, {3.9, incident.Sev4}, {4, incident.Sev3}, {6.9, incident.Sev3},
		{7, incident.Sev2}, {8.9, incident.Sev2}, {9, incident.Sev1}, {10, incident.Sev1}} {
		v := withDetail(t, raw, func(d map[string]any) map[string]any { d["severity"] = tt.score; return d })
		if _, got := classifyRaw(t, c, "guardduty", v); got.Severity != tt.want || !got.Incident {
			t.Errorf("Classify(GuardDuty severity %v) = %s incident %v; want %s", tt.score, got.Severity, got.Incident, tt.want)
		}
	}
}

func TestSecurityHubLabelsAndWorkflow(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	raw := readSample(t, "securityhub/finding-medium-cloudtrail-encryption.json")
	for _, tt := range []struct {
		label, workflow, record string
		want                    incident.Severity
		incident                bool
	}{
		{"CRITICAL", "NEW", "ACTIVE", incident.Sev1, true},
		{"HIGH", "NEW", "ACTIVE", incident.Sev2, true},
		{"MEDIUM", "NEW", "ACTIVE", incident.Sev3, true},
		{"LOW", "NEW", "ACTIVE", incident.Sev4, true},
		{"INFORMATIONAL", "NEW", "ACTIVE", incident.Info, false},
		{"HIGH", "NOTIFIED", "ACTIVE", incident.Sev2, true},
		{"CRITICAL", "SUPPRESSED", "ACTIVE", incident.Info, false},
		{"CRITICAL", "RESOLVED", "ACTIVE", incident.Info, false},
		{"CRITICAL", "NEW", "ARCHIVED", incident.Info, false},
	} {
		v := withDetail(t, raw, func(d map[string]any) map[string]any {
			f := d["findings"].([]any)[0].(map[string]any)
			f["Severity"] = map[string]any{"Label": tt.label}
			f["Workflow"] = map[string]any{"Status": tt.workflow}
			f["RecordState"] = tt.record
			f["Compliance"] = map[string]any{"Status": "FAILED"}
			return d
		})
		if _, got := classifyRaw(t, c, "securityhub", v); got.Class != "security.securityhub-finding" || got.Severity != tt.want || got.Incident != tt.incident {
			t.Errorf("Classify(Security Hub %s %s %s) = %s %s incident %v; want %s incident %v",
				tt.label, tt.workflow, tt.record, got.Class, got.Severity, got.Incident, tt.want, tt.incident)
		}
	}
}

func TestHealthByCategory(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	raw := readSample(t, "health/ec2-issue.json")
	for _, tt := range []struct {
		code, category, class string
		want                  incident.Severity
	}{
		{"AWS_EC2_OPERATIONAL_ISSUE", "issue", "health.issue", incident.Sev2},
		{"AWS_EC2_OPERATIONAL_ISSUE", "investigation", "health.issue", incident.Sev2},
		{"AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", "scheduledChange", "health.scheduled-change", incident.Sev4},
		{"AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED", "accountNotification", "health.notification", incident.Info},
		{"AWS_RISK_CREDENTIALS_EXPOSED", "issue", "security.aws-risk", incident.Sev2},
		{"AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED", "issue", "security.aws-risk", incident.Sev2},
		{"AWS_RISK_ACCOUNT_CONSOLE_COMPROMISE", "issue", "security.aws-risk", incident.Sev2},
	} {
		v := withDetail(t, raw, func(d map[string]any) map[string]any {
			d["eventTypeCode"], d["eventTypeCategory"] = tt.code, tt.category
			return d
		})
		if _, got := classifyRaw(t, c, "health", v); got.Class != tt.class || got.Severity != tt.want {
			t.Errorf("Classify(Health %s %s) = %s %s; want %s %s", tt.code, tt.category, got.Class, got.Severity, tt.class, tt.want)
		}
	}
}

// TestUncoveredAWSEventFallsBack: a real event of a source no class covers (AWS Batch,
// shape from https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html)
// is recorded under the fallback class with the severity the configuration gives it.
func TestUncoveredAWSEventFallsBack(t *testing.T) {
	raw, err := os.ReadFile("testdata/batch-job-failed.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig(t)
	_, got := classifyRaw(t, newClassifier(t, cfg), "batch", raw)
	if got.Class != cfg.Fallback.Class || got.Class != config.UnknownClass || got.Severity != incident.Info || got.Incident || got.Team != "platform" {
		t.Errorf("Classify(batch job failed) = %s %s incident %v team %s; want %s info, not an incident, the default team",
			got.Class, got.Severity, got.Incident, got.Team, config.UnknownClass)
	}
	if got.Fingerprint == "" || got.Title == "" {
		t.Errorf("Classify(batch job failed) = fingerprint %q title %q; want both", got.Fingerprint, got.Title)
	}

	paging := strings.Replace(base, "taxonomy:", "fallback: {class: unclassified, severity: sev4, team: payments}\ntaxonomy:", 1)
	cfg, err = config.Parse("paging.yaml", []byte(paging))
	if err != nil {
		t.Fatal(err)
	}
	_, got = classifyRaw(t, newClassifier(t, cfg), "batch", raw)
	if got.Class != "unclassified" || got.Severity != incident.Sev4 || !got.Incident || got.Team != "payments" {
		t.Errorf("Classify(batch job failed, fallback sev4) = %s %s incident %v team %s; want unclassified sev4, an incident of payments",
			got.Class, got.Severity, got.Incident, got.Team)
	}
}
