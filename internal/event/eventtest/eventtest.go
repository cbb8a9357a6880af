// Package eventtest builds real-shaped EventBridge events for tests and benchmarks.
package eventtest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// Alarm returns a "CloudWatch Alarm State Change" event for the named alarm on an EC2
// instance, in the shape the CloudWatch documentation gives.
func Alarm(t testing.TB, id, alarm, state string, at time.Time) []byte {
	t.Helper()
	prev := "OK"
	if state == "OK" {
		prev = "ALARM"
	}
	arn := fmt.Sprintf("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:%s", alarm)
	ev := map[string]any{
		"version": "0", "id": id, "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
		"account": "123456789012", "time": at.UTC().Format(time.RFC3339), "region": "eu-west-1", "resources": []string{arn},
		"detail": map[string]any{
			"alarmName": alarm,
			"state": map[string]any{"value": state, "reason": "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (80.0).",
				"timestamp": at.UTC().Format("2006-01-02T15:04:05.000-0700")},
			"previousState": map[string]any{"value": prev, "timestamp": at.Add(-5 * time.Minute).UTC().Format("2006-01-02T15:04:05.000-0700")},
			"configuration": map[string]any{"metrics": []any{map[string]any{
				"id": "m1", "returnData": true,
				"metricStat": map[string]any{"metric": map[string]any{"namespace": "AWS/EC2", "name": "CPUUtilization",
					"dimensions": map[string]string{"InstanceId": "i-0" + fmt.Sprintf("%016x", len(alarm)*7919)}}, "period": 300, "stat": "Average"},
			}}},
		},
	}
	return marshal(t, ev)
}

// GuardDuty returns a "GuardDuty Finding" event for finding id with a numeric severity.
func GuardDuty(t testing.TB, id, findingID string, severity float64, at time.Time) []byte {
	t.Helper()
	ev := map[string]any{
		"version": "0", "id": id, "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
		"account": "123456789012", "time": at.UTC().Format(time.RFC3339), "region": "eu-west-1", "resources": []string{},
		"detail": map[string]any{
			"schemaVersion": "2.0", "accountId": "123456789012", "region": "eu-west-1", "partition": "aws",
			"id": findingID, "arn": "arn:aws:guardduty:eu-west-1:123456789012:detector/d1/finding/" + findingID,
			"type": "UnauthorizedAccess:EC2/SSHBruteForce", "severity": severity,
			"resource": map[string]any{"resourceType": "Instance", "instanceDetails": map[string]any{"instanceId": "i-0abcd1234ef567890"}},
			"service":  map[string]any{"archived": false, "count": 1},
			"title":    "SSH brute force attacks against i-0abcd1234ef567890.",
		},
	}
	return marshal(t, ev)
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal test event: %v", err)
	}
	return b
}
