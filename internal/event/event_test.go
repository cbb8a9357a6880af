package event_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// want is what each catalog sample must normalise to, worked out from the sample and
// the source's documentation.
var want = map[string]struct {
	signal   event.Signal
	resource string
	subject  string // "" means same as resource
	actor    string
	sev      string // source severity label
}{
	"cloudwatch/alarm-state-alarm.json":             {event.Trigger, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:prod-api-5xx-rate", "", "aws", ""},
	"cloudwatch/alarm-state-ok.json":                {event.Recovery, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:prod-api-5xx-rate", "", "aws", ""},
	"cloudwatch/alarm-state-insufficient-data.json": {event.Info, "i-0abcd1234ef567890", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:prod-web-cpu-high", "aws", ""},
	"config/compliance-noncompliant.json":           {event.Trigger, "sg-0123456789abcdef0", "restricted-ssh/AWS::EC2::SecurityGroup/sg-0123456789abcdef0", "aws", ""},
	"config/compliance-compliant.json":              {event.Recovery, "sg-0123456789abcdef0", "restricted-ssh/AWS::EC2::SecurityGroup/sg-0123456789abcdef0", "aws", ""},
	"cloudtrail/sg-ingress-open-world.json":         {event.Trigger, "sg-0123456789abcdef0", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/sg-ingress-open-world-ipv6.json":    {event.Trigger, "sg-0123456789abcdef0", "", "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/sam.lee", ""},
	"cloudtrail/stop-logging.json":                  {event.Trigger, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-security-trail", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/delete-trail.json":                  {event.Trigger, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-security-trail", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/s3-put-bucket-policy-public.json":   {event.Trigger, "acme-prod-customer-exports", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/s3-put-bucket-acl-public.json":      {event.Trigger, "acme-prod-customer-exports", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/s3-delete-public-access-block.json": {event.Trigger, "acme-prod-customer-exports", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/root-api-call.json":                 {event.Trigger, "", "root", "root", ""},
	"cloudtrail/kms-schedule-key-deletion.json":     {event.Trigger, "8f3c2b1a-5d4e-4f6a-9b7c-0e1d2c3b4a59", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/iam-attach-admin-policy.json":       {event.Trigger, "role/ci-deploy-role", "role/ci-deploy-role/arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"cloudtrail/ec2-delete-flow-logs.json":          {event.Trigger, "fl-0a1b2c3d4e5f67890", "", "arn:aws:iam::123456789012:user/dev.contractor", ""},
	"signin/root-success.json":                      {event.Trigger, "root", "", "root", ""},
	"signin/root-failure.json":                      {event.Trigger, "root", "", "root", ""},
	"signin/iam-user-failure.json":                  {event.Trigger, "dev.contractor", "", "dev.contractor", ""},
	"ec2/instance-stopped.json":                     {event.Trigger, "i-0abcd1234ef567890", "", "aws", ""},
	"ec2/instance-running.json":                     {event.Recovery, "i-0abcd1234ef567890", "", "aws", ""},
	"health/ec2-issue.json":                         {event.Trigger, "i-0abcd1234ef567890", "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_4F7A2C9E1B", "aws", ""},
	"health/scheduled-change.json":                  {event.Trigger, "i-0123abcd4567ef890", "arn:aws:health:eu-west-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_8D3B6E0A52", "aws", ""},
	"guardduty/finding-high.json":                   {event.Trigger, "i-0abcd1234ef567890", "2adaf4c050b6f8434e5765665f0a0545", "aws", "HIGH"},
	"guardduty/finding-low.json":                    {event.Trigger, "i-0abcd1234ef567890", "efe256a95c6c79161a53bf02cf163819", "aws", "LOW"},
	"securityhub/finding-imported-high.json":        {event.Trigger, "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0", "arn:aws:securityhub:eu-west-1:123456789012:security-control/EC2.13/finding/cfc7f1d4-9820-4883-8e34-b1451585e88b", "aws", "HIGH"},
	"custom/app-alert-firing.json":                  {event.Trigger, "arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout", "checkout/HighErrorRate/arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout", "app.checkout", "HIGH"},
	"custom/app-alert-resolved.json":                {event.Recovery, "arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout", "checkout/HighErrorRate/arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout", "app.checkout", "HIGH"},
}

func samples(t testing.TB) []catalog.Sample {
	t.Helper()
	s, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSamplesNormalise(t *testing.T) {
	all := samples(t)
	if len(all) != len(want) {
		t.Errorf("catalog has %d samples, this test expects %d: add the new sample's expectations", len(all), len(want))
	}
	for _, s := range all {
		t.Run(s.File, func(t *testing.T) {
			raw, err := catalog.ReadSample(s.File)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := event.Parse(raw)
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", s.File, err)
			}
			if len(evs) != 1 {
				t.Fatalf("Parse(%s) = %d events; want 1", s.File, len(evs))
			}
			e, w := evs[0], want[s.File]
			subject := w.subject
			if subject == "" {
				subject = w.resource
			}
			if w.resource == "" { // root API call: the record names no resource, the principal is the subject
				w.resource = e.Resource
			}
			if e.Signal != w.signal || e.Resource != w.resource || e.Subject != subject || e.Actor != w.actor || e.SourceSeverity != w.sev {
				t.Errorf("Parse(%s) = signal %q resource %q subject %q actor %q severity %q;\nwant signal %q resource %q subject %q actor %q severity %q",
					s.File, e.Signal, e.Resource, e.Subject, e.Actor, e.SourceSeverity, w.signal, w.resource, subject, w.actor, w.sev)
			}
			if e.ID == "" || e.Account != "123456789012" || e.Region == "" || e.Time.IsZero() || e.Summary == "" {
				t.Errorf("Parse(%s) = %+v; want id, account, region, time and summary", s.File, e)
			}
			if !bytes.Equal(e.Raw, raw) {
				t.Errorf("Parse(%s).Raw differs from the input; want it kept byte for byte", s.File)
			}
		})
	}
}

// TestSamplesRoundTrip checks that the envelope decodes into aws-lambda-go's
// EventBridgeEvent and encodes back to the same JSON document.
func TestSamplesRoundTrip(t *testing.T) {
	for _, s := range samples(t) {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		env, err := event.ParseEnvelope(raw)
		if err != nil {
			t.Fatalf("ParseEnvelope(%s): %v", s.File, err)
		}
		out, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: envelope round trip changed the event:\n got %s\nwant %s", s.File, out, raw)
		}
	}
}

func TestTruncatedSamplesAreParseErrors(t *testing.T) {
	for _, s := range samples(t) {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, len(raw) / 3, len(raw) / 2, len(raw) - 2} {
			evs, err := event.Parse(raw[:n])
			var pe *event.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, event.ErrMalformed) || len(evs) != 0 {
				t.Errorf("Parse(%s truncated to %d bytes) = %d events, %v; want a *ParseError", s.File, n, len(evs), err)
			}
		}
	}
}

func envelope(detailType, source, detail string) []byte {
	return []byte(`{"version":"0","id":"11111111-2222-3333-4444-555555555555","detail-type":"` + detailType +
		`","source":"` + source + `","account":"123456789012","time":"2026-11-02T09:00:00Z","region":"eu-west-1","resources":[],"detail":` + detail + `}`)
}

// TestMalformedInput covers what is quarantined: input that is not an EventBridge event
// at all (not a JSON object, an essential field missing or unusable, over 256 KB).
func TestMalformedInput(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		want string // the error must contain this: the thing, the field and the reason
	}{
		{"empty", nil, "event: not a JSON object"},
		{"array", []byte(`[1,2]`), "event: not a JSON object"},
		{"null", []byte(`null`), "event: not a JSON object"},
		{"no id", []byte(`{"source":"x"}`), "event: id: missing"},
		{"id object", []byte(`{"id":{"a":1}}`), "event: id: must be a string"},
		{"no detail-type", []byte(`{"id":"e1","source":"aws.ec2"}`), "event e1 (aws.ec2): detail-type: missing"},
		{"empty source", []byte(`{"id":"e1","source":" "}`), "event e1: source: empty"},
		{"source number", []byte(`{"id":"e1","source":7}`), "event e1: source: must be a string"},
		{"no account", []byte(`{"id":"e1","source":"s","detail-type":"d","time":"2026-11-02T09:00:00Z","detail":{}}`), "event e1 (s): account: missing"},
		{"no time", []byte(`{"id":"e1","source":"s","detail-type":"d","account":"1","detail":{}}`), "event e1 (s): time: missing"},
		{"bad time", []byte(`{"id":"e1","source":"s","detail-type":"d","account":"1","region":"r","time":"yesterday","detail":{}}`), `event e1 (s): time: "yesterday" is not an RFC 3339 timestamp`},
		{"time number", []byte(`{"id":"e1","source":"s","detail-type":"d","account":"1","time":1700000000,"detail":{}}`), "event e1 (s): time: must be a string"},
		{"too big", append(append([]byte(`{"id":"`), bytes.Repeat([]byte("x"), event.MaxSize)...), `"}`...), "exceeds the 262144-byte EventBridge limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := event.Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse(%s) = %+v; want an error containing %q", tt.name, evs, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %q; want it to contain %q", tt.name, err, tt.want)
			}
			if !errors.Is(err, event.ErrMalformed) {
				t.Errorf("Parse(%s) error %v does not match ErrMalformed", tt.name, err)
			}
			if _, envErr := event.ParseEnvelope(tt.raw); envErr == nil || envErr.Error() != err.Error() {
				t.Errorf("ParseEnvelope(%s) error = %v; want the same error as Parse, %v", tt.name, envErr, err)
			}
		})
	}
}

// TestOddDetailIsTolerated covers details that are missing, null, empty or of the wrong
// type: each lowers what the parser says and none is quarantined.
func TestOddDetailIsTolerated(t *testing.T) {
	const generic = "" // subject: the generic one, <detail-type>/<resource>
	tests := []struct {
		name     string
		raw      []byte
		signal   event.Signal
		resource string
		subject  string // generic: "<detail-type>/<resource>"
	}{
		{"detail missing", []byte(`{"id":"e1","source":"aws.cloudwatch","detail-type":"` + event.TypeAlarm + `","account":"1","time":"2026-11-02T09:00:00Z"}`), event.Info, "aws.cloudwatch", "aws.cloudwatch"},
		{"detail string", envelope(event.TypeAlarm, "aws.cloudwatch", `"x"`), event.Info, "aws.cloudwatch", "aws.cloudwatch"},
		{"detail null", envelope(event.TypeEC2State, "aws.ec2", `null`), event.Info, "aws.ec2", "aws.ec2"},
		{"resources not strings", []byte(`{"id":"e1","source":"s","detail-type":"d","account":"1","time":"2026-11-02T09:00:00Z","resources":[1,"arn:x"],"detail":{}}`), event.Trigger, "arn:x", generic},
		{"alarm state not string", envelope(event.TypeAlarm, "aws.cloudwatch", `{"alarmName":"a","state":{"value":1}}`), event.Info, "alarm:a", "alarm:a"},
		{"alarm no name", envelope(event.TypeAlarm, "aws.cloudwatch", `{"state":{"value":"ALARM"}}`), event.Trigger, "aws.cloudwatch", "aws.cloudwatch"},
		{"alarm unknown state", envelope(event.TypeAlarm, "aws.cloudwatch", `{"alarmName":"a","state":{"value":"PURPLE"}}`), event.Info, "alarm:a", "alarm:a"},
		{"alarm dimensions as list", envelope(event.TypeAlarm, "aws.cloudwatch", `{"alarmName":"a","state":{"value":"ALARM"},"configuration":{"metrics":[{"metricStat":{"metric":{"namespace":"AWS/EC2","dimensions":[{"name":"InstanceId","value":"i-1"}]}}}]}}`), event.Trigger, "i-1", "alarm:a"},
		{"config no rule", envelope(event.TypeConfig, "aws.config", `{"resourceId":"sg-1","newEvaluationResult":{"complianceType":"NON_COMPLIANT"}}`), event.Trigger, "sg-1", "unknown-rule//sg-1"},
		{"config no compliance", envelope(event.TypeConfig, "aws.config", `{"configRuleName":"r","resourceId":"sg-1"}`), event.Info, "sg-1", "r//sg-1"},
		{"config compliance list", envelope(event.TypeConfig, "aws.config", `{"configRuleName":"r","resourceId":"sg-1","newEvaluationResult":{"complianceType":["NON_COMPLIANT"]}}`), event.Info, "sg-1", "r//sg-1"},
		{"config resource id number", envelope(event.TypeConfig, "aws.config", `{"configRuleName":"r","resourceType":"AWS::X","resourceId":42,"newEvaluationResult":{"complianceType":"non_compliant"}}`), event.Trigger, "42", "r/AWS::X/42"},
		{"cloudtrail no event name", envelope(event.TypeAPICall, "aws.ec2", `{"eventSource":"ec2.amazonaws.com"}`), event.Trigger, "unknown", "unknown"},
		{"cloudtrail sg no group", envelope(event.TypeAPICall, "aws.ec2", `{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{},"userIdentity":{"arn":"arn:u"}}`), event.Trigger, "arn:u", "arn:u"},
		{"cloudtrail sg permissions string", envelope(event.TypeAPICall, "aws.ec2", `{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipPermissions":"all"}}`), event.Trigger, "sg-1", "sg-1"},
		{"cloudtrail request list", envelope(event.TypeAPICall, "aws.s3", `{"eventName":"PutBucketAcl","requestParameters":[1],"userIdentity":{"arn":"arn:u"}}`), event.Info, "arn:u", "arn:u"},
		{"cloudtrail identity string", envelope(event.TypeAPICall, "aws.kms", `{"eventName":"ScheduleKeyDeletion","userIdentity":"root","requestParameters":{"keyId":"k1"}}`), event.Trigger, "k1", "k1"},
		{"cloudtrail kms no key", envelope(event.TypeAPICall, "aws.kms", `{"eventName":"ScheduleKeyDeletion","requestParameters":{},"userIdentity":{"arn":"arn:u"}}`), event.Trigger, "arn:u", "arn:u"},
		{"cloudtrail bucket policy as string", envelope(event.TypeAPICall, "aws.s3", `{"eventName":"PutBucketPolicy","requestParameters":{"bucketName":"b","bucketPolicy":"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\"}}"}}`), event.Trigger, "b", "b"},
		{"signin no result", envelope(event.TypeConsoleSignIn, "aws.signin", `{"eventName":"ConsoleLogin","responseElements":{}}`), event.Trigger, "unknown", "unknown"},
		{"ec2 no instance", envelope(event.TypeEC2State, "aws.ec2", `{"state":"stopped"}`), event.Trigger, "aws.ec2", "aws.ec2"},
		{"ec2 bad state", envelope(event.TypeEC2State, "aws.ec2", `{"instance-id":"i-1","state":"melted"}`), event.Info, "i-1", "i-1"},
		{"health no status", envelope(event.TypeHealth, "aws.health", `{"eventTypeCode":"X"}`), event.Info, "X", "X"},
		{"health entities object", envelope(event.TypeHealth, "aws.health", `{"eventTypeCode":"X","statusCode":"open","affectedEntities":{"entityValue":"i-1"}}`), event.Trigger, "i-1", "X"},
		{"guardduty severity label", envelope(event.TypeGuardDuty, "aws.guardduty", `{"id":"f","type":"T","severity":"high"}`), event.Trigger, "f", "f"},
		{"guardduty no type", envelope(event.TypeGuardDuty, "aws.guardduty", `{"id":"f","severity":5}`), event.Trigger, "f", "f"},
		{"guardduty nothing", envelope(event.TypeGuardDuty, "aws.guardduty", `{}`), event.Trigger, "aws.guardduty", "aws.guardduty"},
		{"securityhub no findings", envelope(event.TypeSecurityHub, "aws.securityhub", `{"findings":[]}`), event.Info, "aws.securityhub", generic},
		{"securityhub finding without id", envelope(event.TypeSecurityHub, "aws.securityhub", `{"findings":[{"GeneratorId":"g","Resources":[{"Id":"arn:r"}]}]}`), event.Trigger, "arn:r", "g/arn:r"},
		{"app no service", envelope(event.TypeApplication, "app.shop", `{"alert":"A","state":"firing"}`), event.Trigger, "app.shop", "app.shop/A/app.shop"},
		{"app bad state", envelope(event.TypeApplication, "app.shop", `{"service":"s","alert":"A","state":"burning"}`), event.Info, "s", "s/A/s"},
		{"app bad severity", envelope(event.TypeApplication, "app.shop", `{"service":"s","alert":"A","state":"firing","severity":"sev0"}`), event.Trigger, "s", "s/A/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := event.Parse(tt.raw)
			if err != nil || len(evs) != 1 {
				t.Fatalf("Parse(%s) = %d events, %v; want one event", tt.name, len(evs), err)
			}
			e := evs[0]
			subject := tt.subject
			if subject == generic {
				subject = e.DetailType + "/" + tt.resource
			}
			if e.Signal != tt.signal || e.Resource != tt.resource || e.Subject != subject || e.Summary == "" {
				t.Errorf("Parse(%s) = signal %q resource %q subject %q summary %q; want %q %q %q and a summary",
					tt.name, e.Signal, e.Resource, e.Subject, e.Summary, tt.signal, tt.resource, subject)
			}
		})
	}
}

func TestUnknownEventsAreAccepted(t *testing.T) {
	raw := envelope("Some New Service Event", "aws.newservice", `{"anything": [1, 2, {"x": null}]}`)
	evs, err := event.Parse(raw)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse(unknown) = %v, %v; want one event", evs, err)
	}
	if e := evs[0]; e.Signal != event.Trigger || e.Resource != "aws.newservice" || e.Subject == "" {
		t.Errorf("Parse(unknown) = signal %q resource %q subject %q; want a trigger (its class decides whether it pages), the source as resource, a subject", e.Signal, e.Resource, e.Subject)
	}
}

func TestSecurityHubSplitsFindings(t *testing.T) {
	raw := envelope(event.TypeSecurityHub, "aws.securityhub", `{"findings":[
		{"Id":"f-1","AwsAccountId":"111111111111","Severity":{"Label":"CRITICAL"},"Resources":[{"Id":"arn:aws:s3:::b1","Tags":{"firebreak:team":"payments"}}],"Title":"one"},
		{"Id":"f-2","Severity":{"Label":"LOW"},"Workflow":{"Status":"RESOLVED"},"Resources":[{"Id":"arn:aws:s3:::b2"}],"Title":"two"}]}`)
	evs, err := event.Parse(raw)
	if err != nil || len(evs) != 2 {
		t.Fatalf("Parse() = %d events, %v; want 2", len(evs), err)
	}
	a, b := evs[0], evs[1]
	if a.ID != "11111111-2222-3333-4444-555555555555#0" || a.Account != "111111111111" || a.SourceSeverity != "CRITICAL" || a.Signal != event.Trigger || a.Tags["firebreak:team"] != "payments" {
		t.Errorf("finding 0 = %+v; want id #0, its own account, CRITICAL, trigger, its tags", a)
	}
	if b.ID != "11111111-2222-3333-4444-555555555555#1" || b.Account != "123456789012" || b.Signal != event.Recovery || len(b.Tags) != 0 {
		t.Errorf("finding 1 = %+v; want id #1, the envelope account, a recovery, no tags", b)
	}
}

func TestSecurityGroupExposure(t *testing.T) {
	perm := func(proto string, from, to int, cidr string) string {
		return `{"ipProtocol":"` + proto + `","fromPort":` + itoa(from) + `,"toPort":` + itoa(to) + `,"ipRanges":{"items":[{"cidrIp":"` + cidr + `"}]}}`
	}
	tests := []struct {
		name, perms, exposure, admin, ports string
	}{
		{"ssh world", perm("tcp", 22, 22, "0.0.0.0/0"), "world", "true", "tcp/22"},
		{"https world", perm("tcp", 443, 443, "0.0.0.0/0"), "world", "false", "tcp/443"},
		{"range covering rdp", perm("tcp", 3000, 4000, "0.0.0.0/0"), "world", "true", "tcp/3000-4000"},
		{"all traffic", `{"ipProtocol":"-1","ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}`, "world", "true", "all ports"},
		{"ssh office", perm("tcp", 22, 22, "198.51.100.0/24"), "", "false", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := envelope(event.TypeAPICall, "aws.ec2", `{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress",
				"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/u"},
				"requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[`+tt.perms+`]}}}`)
			evs, err := event.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			a := evs[0].Attrs
			if a["exposure"] != tt.exposure || a["admin_port"] != tt.admin || a["ports"] != tt.ports {
				t.Errorf("attrs = exposure %q admin_port %q ports %q; want %q %q %q", a["exposure"], a["admin_port"], a["ports"], tt.exposure, tt.admin, tt.ports)
			}
		})
	}
}

func TestSecurityGroupRuleIDsFromSample(t *testing.T) {
	raw, err := catalog.ReadSample("cloudtrail/sg-ingress-open-world.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Detail struct {
			ResponseElements struct {
				Set struct {
					Items []struct {
						ID string `json:"securityGroupRuleId"`
					} `json:"items"`
				} `json:"securityGroupRuleSet"`
			} `json:"responseElements"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	evs, err := event.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	items := doc.Detail.ResponseElements.Set.Items
	if len(items) == 0 || evs[0].Attrs["rule_ids"] != items[0].ID {
		t.Errorf("rule_ids = %q; want the rule the call created, %v", evs[0].Attrs["rule_ids"], items)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestGuardDutyLabel(t *testing.T) {
	for _, tt := range []struct {
		sev  float64
		want string
	}{{1, "LOW"}, {3.9, "LOW"}, {4, "MEDIUM"}, {6.9, "MEDIUM"}, {7, "HIGH"}, {8.9, "HIGH"}, {9, "CRITICAL"}, {10, "CRITICAL"}} {
		if got := event.GuardDutyLabel(tt.sev); got != tt.want {
			t.Errorf("GuardDutyLabel(%v) = %q; want %q", tt.sev, got, tt.want)
		}
	}
}
