package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// assert runs an assertions.Template check, which panics on failure, as a test error.
func assert(t *testing.T, check func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	check()
}

// logicalID is the template id of a construct (an L1, or an L2's default child).
func (sy *synthesis) logicalID(t *testing.T, c constructs.IConstruct) string {
	t.Helper()
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		el, ok = c.Node().DefaultChild().(awscdk.CfnElement)
	}
	if !ok {
		t.Fatalf("%s has no CloudFormation resource", *c.Node().Path())
	}
	id, ok := sy.stack.Stack.Resolve(sy.stack.Stack.GetLogicalId(el)).(string)
	if !ok {
		t.Fatalf("%s: logical id does not resolve to a string", *c.Node().Path())
	}
	return id
}

func (sy *synthesis) resource(t *testing.T, c constructs.IConstruct) map[string]any {
	t.Helper()
	id := sy.logicalID(t, c)
	r, ok := sy.doc["Resources"].(map[string]any)[id].(map[string]any)
	if !ok {
		t.Fatalf("resource %s (%s) not in the template", id, *c.Node().Path())
	}
	return r
}

// getAtt returns the logical id of {"Fn::GetAtt": [id, attr]} (or {"Ref": id}).
func getAtt(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
		s, _ := ga[0].(string)
		return s
	}
	s, _ := m["Ref"].(string)
	return s
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func strs(v any) []string {
	var out []string
	for _, x := range list(v) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func canonical(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRules: every catalog rule is deployed with exactly the catalog's pattern, on the
// right bus, delivering to the intake queue with the delivery DLQ.
func TestRules(t *testing.T) {
	sy := synthesized(t)
	all, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	rules := sy.resources("AWS::Events::Rule")
	delete(rules, sy.logicalID(t, sy.stack.Escalation.Rule)) // TestEscalation
	if len(rules) != len(all) {
		t.Errorf("%d rules in the template; want the catalog's %d", len(rules), len(all))
	}
	queue := sy.logicalID(t, sy.stack.Intake.Queue)
	dlq := sy.logicalID(t, sy.stack.Intake.DeliveryDLQ)
	bus := sy.logicalID(t, sy.stack.Intake.Bus)
	for _, r := range all {
		c, ok := sy.stack.Intake.Rules[r.Name]
		if !ok {
			t.Errorf("catalog rule %s is not deployed", r.Name)
			continue
		}
		p := props(sy.resource(t, c))
		var want any
		if err := json.Unmarshal(r.Pattern, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p["EventPattern"], want) {
			t.Errorf("rule %s: EventPattern = %s; want the catalog's %s", r.Name, canonical(t, p["EventPattern"]), r.Pattern)
		}
		onApp := getAtt(p["EventBusName"]) == bus
		if wantApp := r.Bus == events.BusApplication; onApp != wantApp || (!wantApp && p["EventBusName"] != nil) {
			t.Errorf("rule %s (bus %s): EventBusName = %v", r.Name, r.Bus, p["EventBusName"])
		}
		targets := list(p["Targets"])
		if len(targets) != 1 {
			t.Errorf("rule %s: %d targets; want 1", r.Name, len(targets))
			continue
		}
		tg := targets[0].(map[string]any)
		if getAtt(tg["Arn"]) != queue {
			t.Errorf("rule %s: target %v; want the intake queue %s", r.Name, tg["Arn"], queue)
		}
		if dl, _ := tg["DeadLetterConfig"].(map[string]any); getAtt(dl["Arn"]) != dlq {
			t.Errorf("rule %s: DeadLetterConfig %v; want the delivery DLQ %s", r.Name, tg["DeadLetterConfig"], dlq)
		}
	}
}

// TestQueues: every queue is encrypted with a customer-managed key, reachable over TLS
// only, and either has a DLQ or is one; the intake queue's policy admits EventBridge for
// exactly the deployed rules.
func TestQueues(t *testing.T) {
	sy := synthesized(t)
	queues := sy.resources("AWS::SQS::Queue")
	keys := sy.resources("AWS::KMS::Key")
	dlqs := map[string]string{} // logical id → what uses it as DLQ
	for id, q := range queues {
		if rp, ok := props(q)["RedrivePolicy"].(map[string]any); ok {
			dlqs[getAtt(rp["deadLetterTargetArn"])] = "queue " + id
		}
	}
	for id, f := range sy.resources("AWS::Lambda::Function") {
		dc, _ := props(f)["DeadLetterConfig"].(map[string]any)
		dlqs[getAtt(dc["TargetArn"])] = "function " + id
	}
	for id, r := range sy.resources("AWS::Events::Rule") {
		for _, tg := range list(props(r)["Targets"]) {
			dc, _ := tg.(map[string]any)["DeadLetterConfig"].(map[string]any)
			dlqs[getAtt(dc["Arn"])] = "rule " + id
		}
	}
	for id, s := range sy.resources("AWS::SNS::Subscription") {
		rp, _ := props(s)["RedrivePolicy"].(map[string]any)
		dlqs[getAtt(rp["deadLetterTargetArn"])] = "subscription " + id
	}
	for id, esm := range sy.resources("AWS::Lambda::EventSourceMapping") {
		dc, _ := props(esm)["DestinationConfig"].(map[string]any)
		of, _ := dc["OnFailure"].(map[string]any)
		dlqs[getAtt(of["Destination"])] = "event source mapping " + id
	}
	sslOnly := map[string]bool{}
	for _, qp := range sy.resources("AWS::SQS::QueuePolicy") {
		for _, st := range list(props(qp)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Deny" && canonical(t, st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}` {
				sslOnly[getAtt(st["Resource"])] = true
			}
		}
	}
	if len(queues) != len(sy.stack.deadLetters)+2 {
		t.Errorf("%d queues; want the intake queue, the outbound queue (TestOutbound) and %d dead-letter queues", len(queues), len(sy.stack.deadLetters))
	}
	for id, q := range queues {
		p := props(q)
		if _, ok := keys[getAtt(p["KmsMasterKeyId"])]; !ok {
			t.Errorf("queue %s: KmsMasterKeyId %v; want a customer-managed key of the stack", id, p["KmsMasterKeyId"])
		}
		if !sslOnly[id] {
			t.Errorf("queue %s: no policy denying requests without TLS", id)
		}
		_, hasDLQ := p["RedrivePolicy"]
		if _, isDLQ := dlqs[id]; !hasDLQ && !isDLQ {
			t.Errorf("queue %s has no dead-letter queue and is none", id)
		}
	}

	// The intake queue: DLQ after maxReceives, visibility 6 × timeout + window.
	in := props(sy.resource(t, sy.stack.Intake.Queue))
	cfg := sy.stack.config.Deploy.Intake
	wantVis := 6*functionSpecs["intake"].Timeout.Seconds() + cfg.BatchingWindow.Seconds()
	if in["VisibilityTimeout"] != wantVis {
		t.Errorf("intake queue VisibilityTimeout = %v; want %v", in["VisibilityTimeout"], wantVis)
	}
	if rp := in["RedrivePolicy"].(map[string]any); rp["maxReceiveCount"] != float64(maxReceives) || getAtt(rp["deadLetterTargetArn"]) != sy.logicalID(t, sy.stack.Intake.DLQ) {
		t.Errorf("intake queue RedrivePolicy = %v; want the intake DLQ after %d receives", rp, maxReceives)
	}
	var ruleIDs []string
	for _, r := range sy.stack.Intake.Rules {
		ruleIDs = append(ruleIDs, sy.logicalID(t, r))
	}
	sort.Strings(ruleIDs)
	for _, q := range []constructs.IConstruct{sy.stack.Intake.Queue, sy.stack.Intake.DeliveryDLQ} {
		qid := sy.logicalID(t, q)
		var sources []string
		for _, qp := range sy.resources("AWS::SQS::QueuePolicy") {
			for _, st := range list(props(qp)["PolicyDocument"].(map[string]any)["Statement"]) {
				st := st.(map[string]any)
				if st["Effect"] != "Allow" || getAtt(st["Resource"]) != qid {
					continue
				}
				if canonical(t, st["Principal"]) != `{"Service":"events.amazonaws.com"}` || st["Action"] != "sqs:SendMessage" {
					t.Errorf("queue %s: unexpected Allow %s", qid, canonical(t, st))
				}
				arnEq, _ := st["Condition"].(map[string]any)["ArnEquals"].(map[string]any)
				for _, s := range list(arnEq["aws:SourceArn"]) {
					sources = append(sources, getAtt(s))
				}
			}
		}
		sort.Strings(sources)
		if !reflect.DeepEqual(sources, ruleIDs) {
			t.Errorf("queue %s admits EventBridge for %v; want exactly the rules %v", qid, sources, ruleIDs)
		}
	}
}

// TestFunctions: every Lambda is arm64 on provided.al2023 from build/<fn>, traced, with
// JSON logs to a log group with the configured retention, an encrypted DLQ, an explicit
// memory size and timeout; the intake reads its queue in bounded, partial batches and
// holds exactly its table actions.
func TestFunctions(t *testing.T) {
	sy := synthesized(t)
	fns := sy.resources("AWS::Lambda::Function")
	if len(fns) != len(sy.stack.Functions) {
		t.Errorf("%d functions in the template; want %d", len(fns), len(sy.stack.Functions))
	}
	queues := sy.resources("AWS::SQS::Queue")
	logs := sy.resources("AWS::Logs::LogGroup")
	for name, f := range sy.stack.Functions {
		p := props(sy.resource(t, f.Fn))
		spec := sy.stack.plan.specs[name]
		checks := []struct {
			what string
			got  any
			want any
		}{
			{"Architectures", p["Architectures"], []any{"arm64"}},
			{"Runtime", p["Runtime"], "provided.al2023"},
			{"Handler", p["Handler"], "bootstrap"},
			{"TracingConfig", p["TracingConfig"], map[string]any{"Mode": "Active"}},
			{"MemorySize", p["MemorySize"], float64(spec.MemoryMB)},
			{"Timeout", p["Timeout"], spec.Timeout.Seconds()},
			{"LoggingConfig.LogFormat", p["LoggingConfig"].(map[string]any)["LogFormat"], "JSON"},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("function %s: %s = %v; want %v", name, c.what, c.got, c.want)
			}
		}
		dc, _ := p["DeadLetterConfig"].(map[string]any)
		if _, ok := queues[getAtt(dc["TargetArn"])]; !ok {
			t.Errorf("function %s: DeadLetterConfig %v; want an SQS queue of the stack", name, p["DeadLetterConfig"])
		}
		lg := logs[getAtt(p["LoggingConfig"].(map[string]any)["LogGroup"])]
		if lg == nil || props(lg)["RetentionInDays"] != float64(sy.stack.config.Deploy.LogRetentionDays) {
			t.Errorf("function %s: log group %v; want one with RetentionInDays %d", name, lg, sy.stack.config.Deploy.LogRetentionDays)
		}
		if _, reserved := p["ReservedConcurrentExecutions"]; reserved != (spec.ReservedConcurrency > 0) {
			t.Errorf("function %s: ReservedConcurrentExecutions %v; spec reserves %d", name, p["ReservedConcurrentExecutions"], spec.ReservedConcurrency)
		}
	}

	intake := sy.stack.Functions["intake"]
	p := props(sy.resource(t, intake.Fn))
	if env := p["Environment"].(map[string]any)["Variables"].(map[string]any); getAtt(env["TABLE_NAME"]) != sy.logicalID(t, sy.stack.Store.Table) {
		t.Errorf("intake TABLE_NAME = %v; want the table", env["TABLE_NAME"])
	}
	cfg := sy.stack.config.Deploy.Intake
	queue := sy.logicalID(t, sy.stack.Intake.Queue)
	var fromQueue []map[string]any
	for _, esm := range sy.resources("AWS::Lambda::EventSourceMapping") {
		if getAtt(props(esm)["EventSourceArn"]) == queue {
			fromQueue = append(fromQueue, props(esm))
		}
	}
	if len(fromQueue) != 1 {
		t.Fatalf("%d event source mappings read the intake queue; want 1", len(fromQueue))
	}
	got := fromQueue[0]
	want := map[string]any{
		"BatchSize":                      float64(cfg.BatchSize),
		"MaximumBatchingWindowInSeconds": cfg.BatchingWindow.Seconds(),
		"ScalingConfig":                  map[string]any{"MaximumConcurrency": float64(cfg.MaxConcurrency)},
		"FunctionResponseTypes":          []any{"ReportBatchItemFailures"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("intake event source mapping %s = %v; want %v", k, got[k], v)
		}
	}
	if getAtt(got["FunctionName"]) != sy.logicalID(t, intake.Fn) {
		t.Errorf("the intake queue feeds %v; want the intake Lambda", got["FunctionName"])
	}
	// Each role's statements: TestRoles.
}

// statements returns the policy statements of a role: its inline policies and every
// AWS::IAM::Policy attached to it.
func (sy *synthesis) statements(t *testing.T, role constructs.IConstruct) []map[string]any {
	t.Helper()
	id := sy.logicalID(t, role)
	var out []map[string]any
	add := func(doc any) {
		for _, st := range list(doc.(map[string]any)["Statement"]) {
			out = append(out, st.(map[string]any))
		}
	}
	for _, pol := range list(props(sy.resources("AWS::IAM::Role")[id])["Policies"]) {
		add(pol.(map[string]any)["PolicyDocument"])
	}
	for _, pol := range sy.resources("AWS::IAM::Policy") {
		for _, r := range list(props(pol)["Roles"]) {
			if getAtt(r) == id {
				add(props(pol)["PolicyDocument"])
			}
		}
	}
	return out
}

// TestTable: the table is store.Table, on demand, encrypted with the data key,
// recoverable, streamed, protected and retained.
func TestTable(t *testing.T) {
	sy := synthesized(t)
	tmpl := sy.template
	assert(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1)) })
	key := func(name, typ string) map[string]any { return map[string]any{"AttributeName": name, "KeyType": typ} }
	var gsis []any
	attrs := []any{
		map[string]any{"AttributeName": store.Table.PartitionKey, "AttributeType": "S"},
		map[string]any{"AttributeName": store.Table.SortKey, "AttributeType": "S"},
	}
	for _, ix := range store.Table.Indexes {
		gsis = append(gsis, map[string]any{
			"IndexName":  ix.Name,
			"KeySchema":  []any{key(ix.PartitionKey, "HASH"), key(ix.SortKey, "RANGE")},
			"Projection": map[string]any{"ProjectionType": "ALL"},
		})
		attrs = append(attrs,
			map[string]any{"AttributeName": ix.PartitionKey, "AttributeType": "S"},
			map[string]any{"AttributeName": ix.SortKey, "AttributeType": "S"})
	}
	table := map[string]any{
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
		"Properties": map[string]any{
			"KeySchema":                        []any{key(store.Table.PartitionKey, "HASH"), key(store.Table.SortKey, "RANGE")},
			"AttributeDefinitions":             assertions.Match_ArrayWith(&attrs),
			"GlobalSecondaryIndexes":           gsis,
			"BillingMode":                      "PAY_PER_REQUEST",
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"DeletionProtectionEnabled":        true,
			"TimeToLiveSpecification":          map[string]any{"AttributeName": store.Table.TTLAttribute, "Enabled": true},
			"StreamSpecification":              map[string]any{"StreamViewType": string(store.Table.StreamView)},
			"SSESpecification": map[string]any{
				"SSEEnabled": true, "SSEType": "KMS",
				"KMSMasterKeyId": map[string]any{"Fn::GetAtt": []any{sy.logicalID(t, sy.stack.Keys.Data), "Arn"}},
			},
		},
	}
	assert(t, func() { tmpl.HasResource(jsii.String("AWS::DynamoDB::Table"), table) })
	if len(list(props(sy.resource(t, sy.stack.Store.Table))["AttributeDefinitions"])) != len(attrs) {
		t.Errorf("the table defines attributes beyond its keys")
	}
	// The data key is retained with the table: without it the data is unreadable.
	if k := sy.resource(t, sy.stack.Keys.Data); k["DeletionPolicy"] != "Retain" {
		t.Errorf("data key DeletionPolicy = %v; want Retain", k["DeletionPolicy"])
	}
	for id, k := range sy.resources("AWS::KMS::Key") {
		if props(k)["EnableKeyRotation"] != true {
			t.Errorf("key %s: rotation off", id)
		}
	}
}

// TestNotifications: one encrypted, TLS-only topic per team and one for the operators;
// e-mail and SMS subscriptions filtered to the severities their channel serves, each
// with the notifications DLQ; the messaging key lets the writing services in.
func TestNotifications(t *testing.T) {
	sy := synthesized(t)
	cfg := sy.stack.config
	topics := sy.resources("AWS::SNS::Topic")
	if len(topics) != len(cfg.Teams)+1+len(cfg.Contacts)+1+len(sy.stack.Chat.Topics)+len(sy.stack.Audiences.Topics) {
		t.Errorf("%d topics; want one per team (%d), the operators', one per contact (%d, TestContactTopics), the outbound, one per chat channel (%d, TestChatChannels, TestOutbound) and one per audience (%d, TestAudienceTopics)",
			len(topics), len(cfg.Teams), len(cfg.Contacts), len(sy.stack.Chat.Topics), len(sy.stack.Audiences.Topics))
	}
	outbound := sy.logicalID(t, sy.stack.Outbound.Topic)
	contactTopic := map[string]bool{}
	for _, tp := range sy.stack.Contacts.Topics {
		contactTopic[sy.logicalID(t, tp)] = true
	}
	for _, tp := range sy.stack.Audiences.Topics { // TestAudienceTopics
		contactTopic[sy.logicalID(t, tp)] = true
	}
	msgKey := sy.logicalID(t, sy.stack.Keys.Messaging)
	for id, tp := range topics {
		if getAtt(props(tp)["KmsMasterKeyId"]) != msgKey {
			t.Errorf("topic %s: KmsMasterKeyId %v; want the messaging key", id, props(tp)["KmsMasterKeyId"])
		}
	}
	sslOnly := map[string]bool{}
	for _, tp := range sy.resources("AWS::SNS::TopicPolicy") {
		for _, st := range list(props(tp)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Deny" && canonical(t, st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}` {
				sslOnly[getAtt(st["Resource"])] = true
			}
		}
	}
	for id := range topics {
		if !sslOnly[id] {
			t.Errorf("topic %s: no policy denying publishing without TLS", id)
		}
	}

	type sub struct{ topic, proto, endpoint, filter string }
	var want []sub
	filter := func(sevs []string) string {
		return canonical(t, map[string]any{SeverityAttribute: sevs})
	}
	byChannel := severitiesByChannel(cfg)
	for name, team := range cfg.Teams {
		topic := sy.logicalID(t, sy.stack.Notifications.Teams[name])
		for _, e := range team.Email {
			want = append(want, sub{topic, "email", e, filter(byChannel["email"])})
		}
		for _, n := range team.SMS {
			want = append(want, sub{topic, "sms", n, filter(byChannel["sms"])})
		}
	}
	ops := sy.logicalID(t, sy.stack.Notifications.Operators)
	for _, e := range cfg.Deploy.Operators.Email {
		want = append(want, sub{ops, "email", e, "null"})
	}
	for _, n := range cfg.Deploy.Operators.SMS {
		want = append(want, sub{ops, "sms", n, "null"})
	}
	dlq := sy.logicalID(t, sy.stack.Notifications.DLQ)
	var got []sub
	for id, s := range sy.resources("AWS::SNS::Subscription") {
		p := props(s)
		if contactTopic[getAtt(p["TopicArn"])] || getAtt(p["TopicArn"]) == outbound {
			continue // TestContactTopics, TestOutbound
		}
		got = append(got, sub{getAtt(p["TopicArn"]), p["Protocol"].(string), p["Endpoint"].(string), canonical(t, p["FilterPolicy"])})
		if rp, _ := p["RedrivePolicy"].(map[string]any); getAtt(rp["deadLetterTargetArn"]) != dlq {
			t.Errorf("subscription %s: RedrivePolicy %v; want the notifications DLQ", id, p["RedrivePolicy"])
		}
	}
	less := func(s []sub) func(i, j int) bool {
		return func(i, j int) bool { return fmt.Sprint(s[i]) < fmt.Sprint(s[j]) }
	}
	sort.Slice(want, less(want))
	sort.Slice(got, less(got))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("subscriptions:\n got  %v\n want %v", got, want)
	}

	// The messaging key's policy: each writing service, from this account only.
	var services []string
	logsAdmitted := false
	for _, st := range list(props(sy.resource(t, sy.stack.Keys.Messaging))["KeyPolicy"].(map[string]any)["Statement"]) {
		st := st.(map[string]any)
		if st["Sid"] == "AllowLogsToEncryptLogGroups" { // the regional principal logs.<region>.amazonaws.com
			if !strings.Contains(canonical(t, st["Principal"]), `"logs."`) || canonical(t, st["Condition"]) != `{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":{"Fn::Sub":"`+logGroupsHere+`"}}}` {
				t.Errorf("messaging key statement for CloudWatch Logs: %s; want logs.<region> limited to this account's log groups in this region", canonical(t, st))
			}
			logsAdmitted = true
			continue
		}
		svc, ok := st["Principal"].(map[string]any)["Service"].(string)
		if !ok {
			continue
		}
		services = append(services, svc)
		if canonical(t, st["Condition"]) != `{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}}` {
			t.Errorf("messaging key statement for %s: Condition %s; want aws:SourceAccount", svc, canonical(t, st["Condition"]))
		}
		if a := strs(st["Action"]); strings.Join(a, ",") != "kms:GenerateDataKey,kms:Decrypt" {
			t.Errorf("messaging key statement for %s: Action %v", svc, a)
		}
	}
	if !reflect.DeepEqual(services, messagingServices) {
		t.Errorf("messaging key admits %v; want %v", services, messagingServices)
	}
	if !logsAdmitted {
		t.Error("messaging key admits no CloudWatch Logs principal; log groups are encrypted with it")
	}
	// Every log group, the functions' and the runbooks', is encrypted with that key.
	for id, lg := range sy.resources("AWS::Logs::LogGroup") {
		if getAtt(props(lg)["KmsKeyId"]) != sy.logicalID(t, sy.stack.Keys.Messaging) {
			t.Errorf("log group %s: KmsKeyId %v; want the messaging key", id, props(lg)["KmsKeyId"])
		}
	}
}

// Actions CDK adds to state machine roles for logging and tracing; they support no
// resource-level permissions.
var stepFunctionsDelivery = []string{
	"logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
	"logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
	"xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments",
}

// TestRunbooks: each runbook is a Standard state machine with its definition file as
// written, logging ALL and traced, run by a role whose runbook policy is exactly what
// internal/runbook.Permissions derives from that definition plus the escalation deny.
func TestRunbooks(t *testing.T) {
	sy := synthesized(t)
	cfg := sy.stack.config
	if n := len(sy.resources("AWS::StepFunctions::StateMachine")); n != len(cfg.Runbooks) {
		t.Errorf("%d state machines; want one per runbook (%d)", n, len(cfg.Runbooks))
	}
	task := sy.logicalID(t, sy.stack.Functions[TaskFunction].Fn)
	for name, rb := range cfg.Runbooks {
		def, err := os.ReadFile(filepath.Join(repoRoot, rb.Definition))
		if err != nil {
			t.Fatal(err)
		}
		sm := props(sy.resource(t, sy.stack.Runbooks.Machines[name]))
		role := sy.logicalID(t, sy.stack.Runbooks.Roles[name])
		if sm["DefinitionString"] != string(def) {
			t.Errorf("runbook %s: DefinitionString differs from %s", name, rb.Definition)
		}
		if sm["StateMachineType"] != "STANDARD" || getAtt(sm["RoleArn"]) != role ||
			!reflect.DeepEqual(sm["TracingConfiguration"], map[string]any{"Enabled": true}) {
			t.Errorf("runbook %s: type %v, role %v, tracing %v", name, sm["StateMachineType"], sm["RoleArn"], sm["TracingConfiguration"])
		}
		lc := sm["LoggingConfiguration"].(map[string]any)
		if lc["Level"] != "ALL" || lc["IncludeExecutionData"] != false || len(list(lc["Destinations"])) != 1 {
			t.Errorf("runbook %s: LoggingConfiguration %s; want ALL without execution data (task tokens, event data) to one log group", name, canonical(t, lc))
		}
		subst, _ := sm["DefinitionSubstitutions"].(map[string]any)
		if strings.Contains(string(def), "${RunbookFunctionArn}") && getAtt(subst["RunbookFunctionArn"]) != task {
			t.Errorf("runbook %s: ${RunbookFunctionArn} = %v; want the task Lambda", name, subst["RunbookFunctionArn"])
		}

		// The role: exactly the derived permissions, the deny, and CDK's delivery statements.
		perms, err := runbook.Permissions(def)
		if err != nil {
			t.Fatal(err)
		}
		var wantAllow, gotAllow []string
		for _, p := range perms {
			for _, a := range p.Actions {
				for _, r := range p.Resources {
					wantAllow = append(wantAllow, a+" "+r+renderCondition(p.Condition))
				}
			}
		}
		rp := props(sy.resources("AWS::IAM::Role")[role])
		var denied []string
		for _, pol := range list(rp["Policies"]) {
			pol := pol.(map[string]any)
			if pol["PolicyName"] != RunbookPolicy {
				t.Errorf("runbook %s role: inline policy %v; want only %q", name, pol["PolicyName"], RunbookPolicy)
				continue
			}
			for _, st := range list(pol["PolicyDocument"].(map[string]any)["Statement"]) {
				st := st.(map[string]any)
				if st["Effect"] == "Deny" {
					denied = append(denied, strs(st["Action"])...)
					continue
				}
				for _, a := range strs(st["Action"]) {
					for _, r := range list(st["Resource"]) {
						gotAllow = append(gotAllow, a+" "+renderResource(r)+renderCondition(st["Condition"]))
					}
				}
			}
		}
		sort.Strings(wantAllow)
		sort.Strings(gotAllow)
		if !reflect.DeepEqual(gotAllow, wantAllow) {
			t.Errorf("runbook %s role allows\n %v\nwant what %s calls\n %v", name, gotAllow, rb.Definition, wantAllow)
		}
		if !reflect.DeepEqual(denied, runbook.PrivilegeEscalation) {
			t.Errorf("runbook %s role denies %v; want %v", name, denied, runbook.PrivilegeEscalation)
		}
		var delivery []string
		for _, st := range sy.statements(t, sy.stack.Runbooks.Roles[name]) {
			if _, inline := st["Sid"]; inline || st["Effect"] != "Allow" {
				continue
			}
			for _, a := range strs(st["Action"]) {
				if !strings.HasPrefix(a, "logs:") && !strings.HasPrefix(a, "xray:") {
					continue
				}
				delivery = append(delivery, a)
			}
		}
		sort.Strings(delivery)
		if !reflect.DeepEqual(delivery, stepFunctionsDelivery) {
			t.Errorf("runbook %s role log/X-Ray actions = %v; want %v", name, delivery, stepFunctionsDelivery)
		}
		trust := canonical(t, rp["AssumeRolePolicyDocument"])
		if !strings.Contains(trust, `"Service":"states.amazonaws.com"`) || !strings.Contains(trust, `"aws:SourceAccount"`) {
			t.Errorf("runbook %s role trust %s; want states.amazonaws.com from this account", name, trust)
		}
	}
}

// renderCondition renders a statement's condition block, from Permissions (operator →
// key → Fn::Sub pattern) or from the template, as " if op key=value ...", sorted; "" for
// none.
func renderCondition(c any) string {
	var parts []string
	switch c := c.(type) {
	case map[string]map[string]string:
		for op, kv := range c {
			for k, v := range kv {
				parts = append(parts, op+" "+k+"="+v)
			}
		}
	case map[string]any:
		for op, kv := range c {
			for k, v := range kv.(map[string]any) {
				parts = append(parts, op+" "+k+"="+renderResource(v))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	sort.Strings(parts)
	return " if " + strings.Join(parts, " ")
}

// renderResource turns a template resource back into the Fn::Sub pattern Permissions
// wrote: "*", {"Fn::Sub": pattern} or {"Fn::Sub": [pattern, vars]}, or {"Ref": name}.
func renderResource(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case map[string]any:
		switch sub := v["Fn::Sub"].(type) {
		case string:
			return sub
		case []any:
			return sub[0].(string)
		}
		if ref, ok := v["Ref"].(string); ok {
			return "${" + ref + "}"
		}
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// allowedOnAnyResource names every action the stack grants on Resource "*", and why
// nothing narrower exists. Adding a Resource "*" anywhere means adding it here.
var allowedOnAnyResource = func() map[string]string {
	m := map[string]string{
		"xray:PutTraceSegments":    "X-Ray: no resource-level permissions (Lambda and Step Functions tracing)",
		"xray:PutTelemetryRecords": "X-Ray: no resource-level permissions (Lambda and Step Functions tracing)",
		"xray:GetSamplingRules":    "X-Ray: no resource-level permissions (Step Functions tracing)",
		"xray:GetSamplingTargets":  "X-Ray: no resource-level permissions (Step Functions tracing)",
	}
	for _, a := range stepFunctionsDelivery {
		if strings.HasPrefix(a, "logs:") {
			m[a] = "CloudWatch Logs vended log delivery for Step Functions: no resource-level permissions"
		}
	}
	for a, why := range runbook.Unscoped() {
		m[a] = "runbook call: " + why
	}
	m["dynamodb:ListStreams"] = "DynamoDB: no resource-level permissions; Lambda checks it when it attaches the table's stream to dispatch"
	return m
}()

// TestIAMWildcards: no statement anywhere has Action "*"; an Allow with a service-wide
// action ("svc:*") exists only as the key policies' account-root statement; Resource "*"
// in an identity policy appears only for the actions named in allowedOnAnyResource.
func TestIAMWildcards(t *testing.T) {
	sy := synthesized(t)
	check := func(where string, st map[string]any, identity bool) {
		for _, a := range strs(st["Action"]) {
			if a == "*" {
				t.Errorf("%s: statement with Action \"*\": %s", where, canonical(t, st))
			}
			if st["Effect"] == "Allow" && strings.HasSuffix(a, ":*") && !(strings.HasPrefix(where, "key ") && a == "kms:*" && strings.HasSuffix(canonical(t, st["Principal"]), `":root"]]}}`)) {
				t.Errorf("%s: Allow of %s: %s", where, a, canonical(t, st))
			}
		}
		if !identity || st["Effect"] != "Allow" {
			return
		}
		for _, r := range list(st["Resource"]) {
			if r != "*" {
				continue
			}
			for _, a := range strs(st["Action"]) {
				if _, ok := allowedOnAnyResource[a]; !ok {
					t.Errorf("%s: %s on Resource \"*\" is not in allowedOnAnyResource", where, a)
				}
			}
		}
	}
	for id, r := range sy.resources("AWS::IAM::Role") {
		for _, pol := range list(props(r)["Policies"]) {
			for _, st := range list(pol.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]) {
				check("role "+id, st.(map[string]any), true)
			}
		}
		if mp := props(r)["ManagedPolicyArns"]; mp != nil {
			t.Errorf("role %s has managed policies %v; want only its own statements", id, mp)
		}
	}
	for id, p := range sy.resources("AWS::IAM::Policy") {
		for _, st := range list(props(p)["PolicyDocument"].(map[string]any)["Statement"]) {
			check("policy "+id, st.(map[string]any), true)
		}
	}
	for typ, field := range map[string]string{"AWS::KMS::Key": "KeyPolicy", "AWS::SQS::QueuePolicy": "PolicyDocument", "AWS::SNS::TopicPolicy": "PolicyDocument"} {
		for id, r := range sy.resources(typ) {
			for _, st := range list(props(r)[field].(map[string]any)["Statement"]) {
				check(map[string]string{"AWS::KMS::Key": "key "}[typ]+typ+" "+id, st.(map[string]any), false)
			}
		}
	}
}

// TestHealth: an alarm on every DLQ, on each Lambda's errors and throttles, on each
// runbook's failed and timed-out executions, on quarantined and rejected events and on
// the intake backlog, all telling the operators; and the dashboard.
func TestHealth(t *testing.T) {
	sy := synthesized(t)
	ops := sy.logicalID(t, sy.stack.Notifications.Operators)
	alarms := sy.resources("AWS::CloudWatch::Alarm")
	want := len(sy.stack.deadLetters) + 2*len(sy.stack.Functions) + 2*len(sy.stack.Runbooks.Machines) + 3 + 2
	if len(alarms) != want {
		t.Errorf("%d alarms; want %d", len(alarms), want)
	}
	watched := map[string]bool{} // "<dimension's resource id or namespace> <metric>"
	for id, a := range alarms {
		p := props(a)
		if acts := list(p["AlarmActions"]); len(acts) != 1 || getAtt(acts[0]) != ops {
			t.Errorf("alarm %s: AlarmActions %v; want the operators' topic", id, p["AlarmActions"])
		}
		metrics := []map[string]any{p}         // a single metric is inline...
		for _, m := range list(p["Metrics"]) { // ...a labelled one in Metrics
			stat, _ := m.(map[string]any)["MetricStat"].(map[string]any)
			metric, _ := stat["Metric"].(map[string]any)
			metrics = append(metrics, metric)
		}
		for _, metric := range metrics {
			name, _ := metric["MetricName"].(string)
			dims := list(metric["Dimensions"])
			if name == "" {
				continue
			}
			if len(dims) == 0 {
				watched[fmt.Sprint(metric["Namespace"])+" "+name] = true
			}
			for _, d := range dims {
				watched[getAtt(d.(map[string]any)["Value"])+" "+name] = true
			}
		}
	}
	for _, d := range sy.stack.deadLetters {
		if id := sy.logicalID(t, d.Queue); !watched[id+" ApproximateNumberOfMessagesVisible"] {
			t.Errorf("no alarm on the depth of DLQ %s (%s)", id, d.Of)
		}
	}
	for name, f := range sy.stack.Functions {
		for _, m := range []string{"Errors", "Throttles"} {
			if !watched[sy.logicalID(t, f.Fn)+" "+m] {
				t.Errorf("no alarm on %s of the %s Lambda", m, name)
			}
		}
	}
	for name, sm := range sy.stack.Runbooks.Machines {
		for _, m := range []string{"ExecutionsFailed", "ExecutionsTimedOut"} {
			if !watched[sy.logicalID(t, sm)+" "+m] {
				t.Errorf("no alarm on %s of runbook %s", m, name)
			}
		}
	}
	for _, w := range []string{MetricsNamespace + " Quarantined", sy.logicalID(t, sy.stack.Intake.Queue) + " ApproximateAgeOfOldestMessage",
		sy.logicalID(t, sy.stack.Functions["dispatch"].Fn) + " IteratorAge", sy.logicalID(t, sy.stack.Escalation.Rule) + " FailedInvocations"} {
		if !watched[w] {
			t.Errorf("no alarm on %s", w)
		}
	}
	body := canonical(t, props(sy.resource(t, sy.stack.Health.Dashboard))["DashboardBody"])
	for _, want := range []string{"Events in", "Incidents opened by severity", "Dead-letter queue depth", "Runbook outcomes", `\"IncidentsOpened\",\"Severity\",\"sev1\"`,
		"Escalator", `[\"Firebreak\",\"Escalations\"`, `[\"Firebreak\",\"Reminders\"`, `[\"Firebreak\",\"AutoResolved\"`, `[\"Firebreak\",\"DueIncidents\"`,
		`\"ObjectiveBreached\",\"Objective\",\"acknowledge\",\"Severity\",\"sev1\"`, `\"ObjectiveBreached\",\"Objective\",\"resolve\",\"Severity\",\"sev2\"`,
		"Notifications published by topic", `\"AWS/SNS\",\"NumberOfMessagesPublished\"`, `\"AWS/Lambda\",\"IteratorAge\"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard has no %s", want)
		}
	}
	for _, sev := range incident.Severities {
		if sev != incident.Info && !strings.Contains(body, `\"Severity\",\"`+string(sev)+`\"`) {
			t.Errorf("dashboard: no IncidentsOpened for %s", sev)
		}
	}
}

// TestNag: cdk-nag's AwsSolutions and Serverless packs ran, found nothing unsuppressed,
// every suppression has a reason and is used.
func TestNag(t *testing.T) {
	sy := synthesized(t)
	packs := map[string]int{}
	for _, l := range sy.nag {
		packs[l.Pack]++
		switch l.Compliance {
		case "Compliant":
		case "Suppressed":
			if len(l.Reason) < 40 {
				t.Errorf("%s %s suppressed with a thin reason %q", l.Rule, l.Resource, l.Reason)
			}
		default:
			t.Errorf("cdk-nag %s: %s %s on %s", l.Level, l.Compliance, l.Rule, l.Resource)
		}
	}
	for _, p := range []string{"AwsSolutions", "Serverless"} {
		if packs[p] == 0 {
			t.Errorf("no %s report lines: the pack did not run", p)
		}
	}
	errs := assertions.Annotations_FromStack(sy.stack.Stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-|Serverless-")))
	for _, e := range *errs {
		t.Errorf("cdk-nag error annotation: %s %v", *e.Id, e.Entry.Data)
	}
	for _, s := range sy.stack.Suppressions() {
		used := false
		for _, l := range sy.nag {
			if l.Compliance == "Suppressed" && l.Rule == s.Rule && strings.HasPrefix(l.Resource, s.Path+"/") {
				used = true
			}
		}
		if !used {
			t.Errorf("suppression %s on %s is not used: remove it", s.Rule, s.Path)
		}
		if s.Rule == "AwsSolutions-IAM5" && len(s.AppliesTo) == 0 {
			t.Errorf("IAM5 suppression on %s has no appliesTo", s.Path)
		}
	}
}

// TestSecurityDoc: docs/security.md lists every kind of suppression.
func TestSecurityDoc(t *testing.T) {
	sy := synthesized(t)
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec := string(doc)
	seen := map[string]bool{}
	for _, s := range sy.stack.Suppressions() {
		key := s.Rule + " | " + s.Where
		if seen[key] {
			continue
		}
		seen[key] = true
		if !strings.Contains(sec, "| "+s.Rule+" | "+s.Where+" |") {
			t.Errorf("docs/security.md suppression table has no row | %s | %s | (reason: %s)", s.Rule, s.Where, s.Reason)
		}
	}
}
