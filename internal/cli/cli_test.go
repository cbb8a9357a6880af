package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/cli"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

const samples = "../../events/samples"

func TestClassifyOutput(t *testing.T) {
	code, out, errs := run(t, "", "classify", samples+"/cloudtrail/stop-logging.json", samples+"/cloudwatch/alarm-state-ok.json")
	if code != 0 {
		t.Fatalf("classify exit %d, stderr %s", code, errs)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("classify output line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("classify printed %d lines; want 2", len(lines))
	}
	for _, k := range []string{"id", "source", "detail_type", "class", "severity", "team", "incident", "fingerprint", "title", "resource"} {
		if _, ok := lines[0][k]; !ok {
			t.Errorf("classify output lacks %q: %v", k, lines[0])
		}
	}
	if lines[0]["severity"] != "sev1" || lines[0]["incident"] != true || lines[0]["class"] != "security.cloudtrail-logging-stopped" {
		t.Errorf("StopLogging classified %v; want sev1 incident security.cloudtrail-logging-stopped", lines[0])
	}
	if lines[1]["severity"] != "info" || lines[1]["incident"] != false {
		t.Errorf("alarm OK classified %v; want info, not an incident", lines[1])
	}
}

func TestClassifyStdinAndUnroutedEvents(t *testing.T) {
	ev := `{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"123456789012","time":"2026-11-02T09:00:00Z","region":"eu-west-1","resources":[],"detail":{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/u"}}}`
	code, out, errs := run(t, ev, "classify")
	if code != 0 {
		t.Fatalf("classify exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if rules, ok := m["rules"].([]any); !ok || len(rules) != 0 || m["class"] != "unknown" || m["severity"] != "info" {
		t.Errorf("classify(DescribeInstances) = %v; want class unknown, info, rules []", m)
	}
}

func TestClassifyMalformedNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(bad, []byte(`{"id": "e1", "source": `), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "", "classify", bad)
	if code == 0 || !strings.Contains(errs, bad) || !strings.Contains(errs, "not a JSON object") {
		t.Errorf("classify(broken) = exit %d, stderr %q; want non-zero and the file named", code, errs)
	}
	code, _, errs = run(t, "", "classify", filepath.Join(dir, "missing.json"))
	if code == 0 || !strings.Contains(errs, "missing.json") {
		t.Errorf("classify(missing file) = exit %d, stderr %q; want non-zero and the file named", code, errs)
	}
}

func replayJSON(t *testing.T, stdin string, args ...string) map[string]any {
	t.Helper()
	code, out, errs := run(t, stdin, append([]string{"replay", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("replay exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("replay --json output is not one JSON object: %v\n%s", err, out)
	}
	return m
}

func TestReplayJSONKeys(t *testing.T) {
	m := replayJSON(t, "", samples)
	for _, k := range []string{"events", "duplicates", "unmatched", "quarantined", "incidents", "repeats", "recoveries",
		"notifications", "escalations", "breaches", "silenced", "inhibited"} {
		v, ok := m[k].(float64)
		if !ok || v != float64(int(v)) {
			t.Errorf("replay --json %q = %v; want an integer", k, m[k])
		}
	}
	for _, k := range []string{"by_team", "by_severity", "runbooks"} {
		if _, ok := m[k].(map[string]any); !ok {
			t.Errorf("replay --json %q = %v; want an object", k, m[k])
		}
	}
	if m["events"] != 81.0 || m["quarantined"] != 0.0 || m["unmatched"] != 0.0 || m["duplicates"] != 0.0 {
		t.Errorf("replay of the catalog = %v; want 81 events, none quarantined, unmatched or duplicated", m)
	}
	// Fifteen recovery samples follow their trigger in time, some sorting before it by file
	// name (ec2/instance-running.json): replay orders by event time. Fourteen mitigate; EC2
	// running finds its incident mitigated already, by the ec2-restart runbook that
	// restarted the instance and verified it (a verified runbook mitigates), and is recorded.
	if m["recoveries"] != 14.0 {
		t.Errorf("replay recoveries = %v; want 14 (alarm OK, Config COMPLIANT, app resolved, Auto Scaling launch, "+
			"ECS deployment completed, CancelKeyDeletion, EnableKey, Trusted Advisor OK, Security Hub PASSED, Health closed, "+
			"RDS recovery complete, EBS snapshot succeeded, CodePipeline SUCCEEDED, CodeDeploy SUCCESS)", m["recoveries"])
	}
	sum := 0.0
	for _, k := range []string{"unmatched", "quarantined", "duplicates", "incidents", "repeats", "recoveries", "recorded"} {
		sum += m[k].(float64)
	}
	if sum != m["events"].(float64) {
		t.Errorf("outcomes sum to %v; want every one of the %v events accounted once", sum, m["events"])
	}
	// One sample incident per runbook class. A verified runbook mitigates its incident, so
	// a later trigger of the same fingerprint re-triggers it and the runbook runs again:
	// the bucket is exposed three times (policy, ACL, public-access block removed) and the
	// security group opened twice (tcp/22 to 0.0.0.0/0, tcp/3389 to ::/0). The KMS one
	// waits for a human's approval.
	want := map[string]string{"alarm-diagnostics": "1/0/0", "cloudtrail-restart-logging": "1/0/0", "ec2-restart": "1/0/0",
		"kms-cancel-key-deletion": "0/0/1", "s3-block-public-access": "3/0/0", "sg-revoke-world-ingress": "2/0/0"}
	for name, w := range want {
		c, _ := m["runbooks"].(map[string]any)[name].(map[string]any)
		if got := fmt.Sprintf("%v/%v/%v", c["succeeded"], c["failed"], c["waiting"]); got != w {
			t.Errorf("runbooks[%s] succeeded/failed/waiting = %s; want %s", name, got, w)
		}
	}
	if n, _ := m["notifications"].(float64); n < 19 {
		t.Errorf("notifications = %v; want at least one per incident opened", m["notifications"])
	}
	bySev := 0.0
	for _, v := range m["by_severity"].(map[string]any) {
		bySev += v.(float64)
	}
	if bySev != m["incidents"].(float64) {
		t.Errorf("by_severity sums to %v; want incidents %v", bySev, m["incidents"])
	}
}

func TestReplayDuplicatesUnmatchedQuarantinedFromJSONLines(t *testing.T) {
	a, err := os.ReadFile(samples + "/cloudwatch/alarm-state-alarm.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, a); err != nil {
		t.Fatal(err)
	}
	unrouted := `{"version":"0","id":"u1","detail-type":"Object Created","source":"aws.s3","account":"123456789012","time":"2026-11-02T09:00:00Z","region":"eu-west-1","resources":[],"detail":{}}`
	lines := strings.Join([]string{compact.String(), compact.String(), unrouted, `{"truncated": `, ""}, "\n")
	m := replayJSON(t, lines, "-")
	want := map[string]float64{"events": 4, "incidents": 1, "duplicates": 1, "unmatched": 1, "quarantined": 1}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("replay %s = %v; want %v", k, m[k], v)
		}
	}
}

func TestReplayHumanOutputAndUsage(t *testing.T) {
	code, out, _ := run(t, "", "replay", "--wide", samples) // --wide: the classes whole (120 columns cut them)
	if code != 0 || !strings.Contains(out, "Replayed 81 events") || !strings.Contains(out, "security.cloudtrail-logging-stopped") {
		t.Errorf("replay = exit %d:\n%s\nwant the summary and the incident table", code, out)
	}
	if code, _, errs := run(t, "", "replay"); code != 2 || !strings.Contains(errs, "usage: firebreak replay") {
		t.Errorf("replay without paths = exit %d, %q; want 2 and the usage", code, errs)
	}
	if code, _, errs := run(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command = exit %d, %q; want 2", code, errs)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(cfg, []byte("version: 1\nteams: {}\ncolour: red\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "", "replay", "--config", cfg, samples); code != 1 || !strings.Contains(errs, cfg+":3: colour: unknown key") {
		t.Errorf("replay with a bad config = exit %d, %q; want 1 and the file, line and key", code, errs)
	}
}

func TestReplayUntilRunsTheClocks(t *testing.T) {
	at := replayJSON(t, "", samples)
	later := replayJSON(t, "", "--until", "8h", samples)
	// Eight hours past the last sample every sev1/sev2 resolve objective (4h, 8h) has
	// passed for the incidents still open, so there are more breaches, and the mitigated
	// incidents have been quiet for longer than 30m: resolved.
	if later["breaches"].(float64) <= at["breaches"].(float64) {
		t.Errorf("breaches with --until 8h = %v, without = %v; want more", later["breaches"], at["breaches"])
	}
	if later["clocks_until"] != "2026-11-02T23:25:00Z" {
		t.Errorf("clocks_until = %v; want 8h after the last event", later["clocks_until"])
	}
	for _, inc := range later["incident_list"].([]any) {
		m := inc.(map[string]any)
		if m["status"] == "mitigated" {
			t.Errorf("%s is still mitigated 8h on; want it auto-resolved after 30m of quiet", m["id"])
		}
	}
	if code, _, errs := run(t, "", "replay", "--until", "-1h", samples); code != 2 || !strings.Contains(errs, "--until") {
		t.Errorf("replay --until -1h = exit %d, %q; want a usage error", code, errs)
	}
}

// TestDocsShowThePolicy keeps the severity table of docs/configuration.md and
// firebreak.yaml in step: the policy has one source, the configuration; the docs render it.
func TestDocsShowThePolicy(t *testing.T) {
	code, out, errs := run(t, "", "policy", "--config", "../../firebreak.yaml")
	if code != 0 {
		t.Fatalf("policy exit %d: %s", code, errs)
	}
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), out) {
		t.Errorf("docs/configuration.md does not show the policy firebreak.yaml has; paste the output of `go run ./cmd/firebreak policy`:\n%s", out)
	}
	if !strings.Contains(out, "| sev1 (Critical) | email, sms | platform | 5m | 30m | 4h | 5m: owner; 10m: secondary; 20m: management (+2 every 20m) |") {
		t.Errorf("policy table = %s; want the sev1 row rendered from the shipped file", out)
	}
}
