package replay

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Generate writes n events as JSON lines, in event-time order from start, for
// benchmarks and load tests: a realistic mix of many fingerprints and a few storms,
// about two events a second outside storms (a million events span about five days).
// The same seed gives the same bytes.
//
// About 10% are storms (alarms of five fingerprints firing over and over), 35% alarms
// of 2,000 alarms in 50 accounts going into ALARM and back to OK, 30% EC2 state
// changes (recorded, never paged), 15% AWS Config compliance changes, 7% GuardDuty
// findings, 3% CloudTrail reads no rule routes, and one in a thousand a truncated line.
func Generate(w io.Writer, n int, seed uint64, start time.Time) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<16)
	t := start.UTC()
	var buf []byte
	for i := range n {
		r := rng.Float64()
		if r < 0.10 { // storms come in bursts
			t = t.Add(time.Duration(rng.IntN(20)) * time.Millisecond)
		} else {
			t = t.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
		}
		ts := t.Format(time.RFC3339)
		id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), i&0xffff, rng.IntN(0x1000), rng.IntN(0x1000), rng.Uint64()&0xffffffffffff)
		acct := fmt.Sprintf("1000000000%02d", rng.IntN(50))
		region := regions[rng.IntN(len(regions))]
		buf = buf[:0]
		switch {
		case r < 0.10:
			k := rng.IntN(5)
			buf = appendAlarm(buf, id, ts, "100000000000", "eu-west-1", fmt.Sprintf("storm-queue-depth-%d", k), "ALARM", "OK")
		case r < 0.45:
			state, prev := "ALARM", "OK"
			if rng.IntN(5) < 2 {
				state, prev = "OK", "ALARM"
			}
			k := rng.IntN(2000)
			buf = appendAlarm(buf, id, ts, account(k), regions[k%len(regions)], fmt.Sprintf("svc-%04d-latency-p99", k), state, prev)
		case r < 0.75:
			state := ec2States[rng.IntN(len(ec2States))]
			buf = fmt.Appendf(buf, `{"version":"0","id":%q,"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":%q,"time":%q,"region":%q,"resources":["arn:aws:ec2:%s:%s:instance/i-%017x"],"detail":{"instance-id":"i-%017x","state":%q}}`,
				id, acct, ts, region, region, acct, rng.IntN(100000), rng.IntN(100000), state)
		case r < 0.90:
			comp := "COMPLIANT"
			if rng.IntN(3) == 0 {
				comp = "NON_COMPLIANT"
			}
			k := rng.IntN(2000)
			res := fmt.Sprintf("sg-%017x", k)
			acct, region = account(k), regions[k%len(regions)]
			buf = fmt.Appendf(buf, `{"version":"0","id":%q,"detail-type":"Config Rules Compliance Change","source":"aws.config","account":%q,"time":%q,"region":%q,"resources":[],"detail":{"resourceId":%q,"awsRegion":%q,"awsAccountId":%q,"configRuleName":"restricted-ssh","recordVersion":"1.0","configRuleARN":"arn:aws:config:%s:%s:config-rule/config-rule-abc123","messageType":"ComplianceChangeNotification","newEvaluationResult":{"evaluationResultIdentifier":{"evaluationResultQualifier":{"configRuleName":"restricted-ssh","resourceType":"AWS::EC2::SecurityGroup","resourceId":%q},"orderingTimestamp":%q},"complianceType":%q,"resultRecordedTime":%q,"configRuleInvokedTime":%q},"notificationCreationTime":%q,"resourceType":"AWS::EC2::SecurityGroup"}}`,
				id, acct, ts, region, res, region, acct, region, acct, res, ts, comp, ts, ts, ts)
		case r < 0.97:
			sev := []float64{2, 5, 7.5, 8.9}[rng.IntN(4)]
			k := rng.IntN(3000)
			acct, region = account(k), regions[k%len(regions)]
			buf = fmt.Appendf(buf, `{"version":"0","id":%q,"detail-type":"GuardDuty Finding","source":"aws.guardduty","account":%q,"time":%q,"region":%q,"resources":[],"detail":{"schemaVersion":"2.0","accountId":%q,"region":%q,"partition":"aws","id":"%032x","arn":"arn:aws:guardduty:%s:%s:detector/d1/finding/f%d","type":"Recon:EC2/PortProbeUnprotectedPort","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-%017x"}},"severity":%g,"createdAt":%q,"updatedAt":%q,"title":"Unprotected port on EC2 instance is being probed.","description":"EC2 instance has an unprotected port which is being probed by a known malicious host."}}`,
				id, acct, ts, region, acct, region, rng.Uint64(), region, acct, i, k, sev, ts, ts)
		case r < 0.999:
			buf = fmt.Appendf(buf, `{"version":"0","id":%q,"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":%q,"time":%q,"region":%q,"resources":[],"detail":{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":%q,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::%s:assumed-role/ReadOnly/session"},"requestParameters":{"maxResults":1000}}}`,
				id, acct, ts, region, region, acct)
		default:
			buf = fmt.Appendf(buf, `{"version":"0","id":%q,"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":%q,"time":%q,"det`, id, acct, ts)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("generate events: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("generate events: %w", err)
	}
	return nil
}

var (
	regions   = []string{"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"}
	ec2States = []string{"pending", "running", "stopping", "stopped", "shutting-down", "terminated"}
)

// account is the account of resource k: a resource lives in one account.
func account(k int) string { return fmt.Sprintf("1000000000%02d", k%50) }

func appendAlarm(buf []byte, id, ts, acct, region, name, state, prev string) []byte {
	return fmt.Appendf(buf, `{"version":"0","id":%q,"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":%q,"time":%q,"region":%q,"resources":["arn:aws:cloudwatch:%s:%s:alarm:%s"],"detail":{"alarmName":%q,"configuration":{"description":"p99 latency above objective","metrics":[{"id":"m1","metricStat":{"metric":{"namespace":"AWS/ApplicationELB","name":"TargetResponseTime","dimensions":{"LoadBalancer":"app/%s/50dc6c495c0c9188"}},"period":60,"stat":"p99"},"returnData":true}]},"previousState":{"value":%q,"reason":"Threshold Crossed","timestamp":%q},"state":{"value":%q,"reason":"Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (1.0).","timestamp":%q}}}`,
		id, acct, ts, region, region, acct, name, name, name, prev, ts, state, ts)
}
