package infra

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// These tests check how the Lambdas are wired, on the shared test synthesis: each
// role's statements, the environment each handler reads, the event sources, the
// Function URLs and the link keys.

// ref renders a template value the way the tests name resources: "*" or a literal as
// is, {"Ref": X} as X, {"Fn::GetAtt": [X, A]} as X.A, {"Fn::Sub": S} as S, and
// {"Fn::Join": ["", parts]} as the parts rendered and joined.
func ref(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if r, ok := x["Ref"].(string); ok {
			return r
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return fmt.Sprintf("%v.%v", ga[0], ga[1])
		}
		if s, ok := x["Fn::Sub"].(string); ok {
			return s
		}
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			var b strings.Builder
			for _, p := range list(j[1]) {
				if s, ok := p.(string); ok {
					b.WriteString(s)
				} else {
					b.WriteString("${" + ref(p) + "}")
				}
			}
			return b.String()
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// grants flattens a role's Allow statements into "action resource" lines (plus the
// condition, when there is one), sorted.
func (sy *synthesis) grants(t *testing.T, fn string) []string {
	t.Helper()
	var out []string
	for _, st := range sy.statements(t, sy.stack.Functions[fn].Role) {
		if st["Effect"] != "Allow" {
			t.Errorf("functions/%s role: %v statement %s", fn, st["Effect"], canonical(t, st))
			continue
		}
		cond := ""
		if c, ok := st["Condition"]; ok {
			cond = " if " + ref(c)
			if sub := subCondition(c); sub != "" {
				cond = " if " + sub
			}
		}
		for _, a := range strs(st["Action"]) {
			for _, r := range list(st["Resource"]) {
				out = append(out, a+" "+ref(r)+cond)
			}
		}
	}
	sort.Strings(out)
	return out
}

// subCondition renders {"StringEquals": {"kms:ViaService": {"Fn::Sub": S}}} as
// "kms:ViaService=S".
func subCondition(c any) string {
	se, _ := c.(map[string]any)["StringEquals"].(map[string]any)
	if len(se) != 1 {
		return ""
	}
	for k, v := range se {
		return k + "=" + ref(v)
	}
	return ""
}

// TestRoles: every Lambda role holds exactly what its handler calls: its log group, its
// DLQ and the messaging key, X-Ray, and the table actions of its store methods on the
// table and the indexes they read, publishing to the team topics (never the operators'),
// starting the runbooks dispatch starts, answering the runbooks that wait for approval,
// the link-keys secret and the data key through Secrets Manager, the stream.
func TestRoles(t *testing.T) {
	sy := synthesized(t)
	table := sy.logicalID(t, sy.stack.Store.Table)
	dataKey := sy.logicalID(t, sy.stack.Keys.Data) + ".Arn"
	msgKey := sy.logicalID(t, sy.stack.Keys.Messaging) + ".Arn"
	secret := sy.logicalID(t, sy.stack.Links.Secret)
	viaSM := " if kms:ViaService=secretsmanager.${AWS::Region}.amazonaws.com"
	many := func(actions string, resources ...string) []string {
		var out []string
		for _, a := range strings.Fields(actions) {
			for _, r := range resources {
				out = append(out, a+" "+r)
			}
		}
		return out
	}
	// Only the API deletes (overrides, silences); a released claim is kept, marked.
	rw := "dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem"
	rwd := rw + " dynamodb:DeleteItem"
	tableKey := many("kms:Decrypt kms:Encrypt kms:GenerateDataKey kms:DescribeKey", dataKey)
	var topics []string
	for _, tp := range sy.stack.Notifications.Teams {
		topics = append(topics, sy.logicalID(t, tp))
	}
	publish := many("sns:Publish", topics...)
	var people []string // contacts' topics: only the Lambdas that page people (contacts.go)
	for _, tp := range sy.stack.Contacts.Topics {
		people = append(people, sy.logicalID(t, tp))
	}
	page := many("sns:Publish", people...)
	var audiences []string // the communication plan's topics: dispatch alone tells them (audiences.go)
	for _, tp := range sy.stack.Audiences.Topics {
		audiences = append(audiences, sy.logicalID(t, tp))
	}
	tell := many("sns:Publish", audiences...)
	readKeys := append(many("secretsmanager:GetSecretValue", secret), "kms:Decrypt "+dataKey+viaSM)
	// Chat and webhook deliveries (webhooks.go): the notifiers publish to the outbound
	// topic; the webhook Lambda consumes its queue, publishes to the chat topics and reads
	// the webhooks' secrets, by name.
	relay := many("sns:Publish", sy.logicalID(t, sy.stack.Outbound.Topic))
	var chatTopics []string
	for _, tp := range sy.stack.Chat.Topics {
		chatTopics = append(chatTopics, sy.logicalID(t, tp))
	}
	if len(chatTopics) < 2 || len(sy.stack.config.Webhooks) < 2 {
		t.Fatalf("the test configuration needs two chat channels and two webhooks: %v, %d", chatTopics, len(sy.stack.config.Webhooks))
	}
	var hookSecrets []string
	for _, w := range sy.stack.config.Webhooks {
		hookSecrets = append(hookSecrets, "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"+w.Secret+"-??????")
	}
	var started, resumed []string
	for name, sm := range sy.stack.Runbooks.Machines {
		rb := sy.stack.config.Runbooks[name]
		if !rb.DryRun {
			started = append(started, sy.logicalID(t, sm))
		}
		def := sy.stack.Runbooks.plans[name].Definition
		if strings.Contains(def, ".waitForTaskToken") && !rb.DryRun {
			resumed = append(resumed, sy.logicalID(t, sm))
		}
	}
	if len(started) == 0 || len(started) == len(sy.stack.Runbooks.Machines) || len(resumed) == 0 {
		t.Fatalf("the test configuration needs dry_run and approval runbooks: started %v, resumed %v", started, resumed)
	}

	want := map[string][]string{
		"intake": concat(many("dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem", table+".Arn"), tableKey,
			many("sqs:ReceiveMessage sqs:ChangeMessageVisibility sqs:GetQueueUrl sqs:DeleteMessage sqs:GetQueueAttributes", sy.logicalID(t, sy.stack.Intake.Queue)+".Arn"),
			many("kms:Decrypt", msgKey)),
		"dispatch": concat(many(rw, table+".Arn"), many("dynamodb:Query", "${"+table+".Arn}/index/list", "${"+table+".Arn}/index/owner"), tableKey, publish, page, tell,
			many("states:StartExecution", started...), readKeys,
			many("dynamodb:DescribeStream dynamodb:GetRecords dynamodb:GetShardIterator", table+".StreamArn"),
			many("dynamodb:ListStreams", "*"),
			many("sqs:SendMessage", sy.logicalID(t, sy.stack.Dispatch.DLQ)+".Arn"), relay),
		// Query on the table: the stored on-call overrides of the schedules it pages.
		"escalate":   concat(many(rw, table+".Arn"), many("dynamodb:Query", "${"+table+".Arn}/index/due", "${"+table+".Arn}/index/list", "${"+table+".Arn}/index/owner"), tableKey, publish, page, readKeys, relay),
		TaskFunction: concat(many(rw, table+".Arn"), tableKey, publish, readKeys, relay),
		APIFunction: concat(many(rwd, table+".Arn"), many("dynamodb:Query", "${"+table+".Arn}/index/list", "${"+table+".Arn}/index/owner"), tableKey, readKeys,
			many("states:SendTaskSuccess states:SendTaskFailure", resumed...)),
		WebhookFunction: concat(many("sqs:ReceiveMessage sqs:ChangeMessageVisibility sqs:GetQueueUrl sqs:DeleteMessage sqs:GetQueueAttributes", sy.logicalID(t, sy.stack.Outbound.Queue)+".Arn"),
			many("kms:Decrypt", msgKey), many("sns:Publish", chatTopics...), many("secretsmanager:GetSecretValue", hookSecrets...)),
		RotateFunction: concat(many("secretsmanager:DescribeSecret secretsmanager:GetSecretValue secretsmanager:PutSecretValue secretsmanager:UpdateSecretVersionStage", secret),
			[]string{"kms:Decrypt " + dataKey + viaSM, "kms:GenerateDataKey " + dataKey + viaSM}),
	}
	for name, f := range sy.stack.Functions {
		w, ok := want[name]
		if !ok {
			t.Errorf("functions/%s: TestRoles does not say what its role holds", name)
			continue
		}
		// Every Lambda: its log group, its DLQ (and the messaging key for it), tracing.
		w = concat(w, many("logs:CreateLogStream logs:PutLogEvents", sy.logicalID(t, f.LogGroup)+".Arn"),
			many("kms:GenerateDataKey kms:Decrypt", msgKey), many("sqs:SendMessage", sy.logicalID(t, f.DLQ)+".Arn"),
			many("xray:PutTraceSegments xray:PutTelemetryRecords", "*"))
		sort.Strings(w)
		got := sy.grants(t, name)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("functions/%s role:\n got  %s\n want %s\n extra %v\n missing %v", name, strings.Join(got, "\n      "), strings.Join(w, "\n      "), minus(got, w), minus(w, got))
		}
	}
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// minus is a without b's elements.
func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// TestEnvironment: each Lambda gets exactly the variables its main.go reads, pointing at
// the right resources: TEAM_TOPICS every team's topic, STATE_MACHINES the runbooks not
// run in dry-run, LINKS_BASE_URL the public links URL, LINK_KEYS_SECRET the secret.
func TestEnvironment(t *testing.T) {
	sy := synthesized(t)
	table := sy.logicalID(t, sy.stack.Store.Table)
	links := sy.logicalID(t, sy.stack.Links.URL) + ".FunctionUrl"
	secret := sy.logicalID(t, sy.stack.Links.Secret)
	teams := map[string]string{}
	for name, tp := range sy.stack.Notifications.Teams {
		teams[name] = "${" + sy.logicalID(t, tp) + "}"
	}
	people := map[string]string{}
	for id, tp := range sy.stack.Contacts.Topics {
		people[id] = "${" + sy.logicalID(t, tp) + "}"
	}
	audiences := map[string]string{} // the communication plan's topics (audiences.go)
	for name, tp := range sy.stack.Audiences.Topics {
		audiences[name] = "${" + sy.logicalID(t, tp) + "}"
	}
	machines := map[string]string{}
	for name, sm := range sy.stack.Runbooks.Machines {
		if !sy.stack.config.Runbooks[name].DryRun {
			machines[name] = "${" + sy.logicalID(t, sm) + "}"
		}
	}
	outbound := sy.logicalID(t, sy.stack.Outbound.Topic) // a Ref, not a JSON object
	chats := map[string]string{}
	for target, tp := range sy.stack.Chat.Topics {
		chats[target] = "${" + sy.logicalID(t, tp) + "}"
	}
	want := map[string]map[string]any{
		"intake":        {"TABLE_NAME": table},
		"dispatch":      {"TABLE_NAME": table, "TEAM_TOPICS": teams, "CONTACT_TOPICS": people, "AUDIENCE_TOPICS": audiences, "STATE_MACHINES": machines, "LINKS_BASE_URL": links, "LINK_KEYS_SECRET": secret, "OUTBOUND_TOPIC": outbound},
		"escalate":      {"TABLE_NAME": table, "TEAM_TOPICS": teams, "CONTACT_TOPICS": people, "LINKS_BASE_URL": links, "LINK_KEYS_SECRET": secret, "OUTBOUND_TOPIC": outbound},
		TaskFunction:    {"TABLE_NAME": table, "TEAM_TOPICS": teams, "LINKS_BASE_URL": links, "LINK_KEYS_SECRET": secret, "OUTBOUND_TOPIC": outbound},
		WebhookFunction: {"CHAT_TOPICS": chats},
		APIFunction:     {"TABLE_NAME": table, "LINK_KEYS_SECRET": secret},
		RotateFunction:  {},
	}
	for name, f := range sy.stack.Functions {
		vars := map[string]any{}
		if env, ok := props(sy.resource(t, f.Fn))["Environment"].(map[string]any); ok {
			for k, v := range env["Variables"].(map[string]any) {
				s := ref(v)
				if k == "TEAM_TOPICS" || k == "CONTACT_TOPICS" || k == "AUDIENCE_TOPICS" || k == "STATE_MACHINES" || k == "CHAT_TOPICS" {
					m := map[string]string{}
					if err := json.Unmarshal([]byte(s), &m); err != nil {
						t.Errorf("functions/%s %s = %s: not a JSON object of strings: %v", name, k, s, err)
					}
					vars[k] = m
					continue
				}
				vars[k] = s
			}
		}
		w := want[name]
		if w == nil {
			t.Errorf("functions/%s: TestEnvironment does not say what it reads", name)
			continue
		}
		if canonical(t, vars) != canonical(t, w) {
			t.Errorf("functions/%s environment = %s; want %s", name, canonical(t, vars), canonical(t, w))
		}
	}
}

// TestDispatchStream: the table's stream feeds dispatch from the oldest record, with
// partial batch responses, bounded retries and age, an on-failure DLQ that is alarmed,
// and a filter that passes exactly the records dispatch acts on.
func TestDispatchStream(t *testing.T) {
	sy := synthesized(t)
	d := sy.stack.Dispatch
	p := props(sy.resource(t, d.Mapping))
	checks := []struct {
		what      string
		got, want any
	}{
		{"EventSourceArn", ref(p["EventSourceArn"]), sy.logicalID(t, sy.stack.Store.Table) + ".StreamArn"},
		{"FunctionName", ref(p["FunctionName"]), sy.logicalID(t, sy.stack.Functions["dispatch"].Fn) + ".Arn"},
		{"StartingPosition", p["StartingPosition"], "TRIM_HORIZON"},
		{"FunctionResponseTypes", p["FunctionResponseTypes"], []any{"ReportBatchItemFailures"}},
		{"BatchSize", p["BatchSize"], float64(dispatchBatchSize)},
		{"MaximumRetryAttempts", p["MaximumRetryAttempts"], float64(dispatchRetries)},
		{"ParallelizationFactor", p["ParallelizationFactor"], float64(dispatchParallel)},
		{"MaximumRecordAgeInSeconds", p["MaximumRecordAgeInSeconds"], dispatchMaxRecordAge.Seconds()},
		{"DestinationConfig", ref(p["DestinationConfig"].(map[string]any)["OnFailure"].(map[string]any)["Destination"]), sy.logicalID(t, d.DLQ) + ".Arn"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("dispatch stream mapping %s = %v; want %v", c.what, c.got, c.want)
		}
	}
	if n := int(p["MaximumRetryAttempts"].(float64)); n < 1 || n > 100 {
		t.Errorf("dispatch retries %d; want bounded, 1 to 100", n)
	}
	if n := int(p["ParallelizationFactor"].(float64)); n < 1 || n > 10 { // Lambda's range
		t.Errorf("dispatch parallelization factor %d; want 1 to 10", n)
	}
	alarmed := false
	for _, dl := range sy.stack.deadLetters {
		alarmed = alarmed || dl.Queue == d.DLQ
	}
	if !alarmed {
		t.Error("the dispatch stream DLQ is not among the alarmed dead-letter queues")
	}

	filters := list(p["FilterCriteria"].(map[string]any)["Filters"])
	if len(filters) != 1 {
		t.Fatalf("dispatch stream filters %v; want one", filters)
	}
	raw := []byte(filters[0].(map[string]any)["Pattern"].(string))
	var got any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"eventName": []any{"INSERT", "MODIFY"},
		"dynamodb": map[string]any{"Keys": map[string]any{"pk": map[string]any{"S": []any{map[string]any{"prefix": "INC#"}}}, "sk": map[string]any{"S": []any{"META"}}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dispatch stream filter = %s; want %s", raw, canonical(t, want))
	}

	// What the filter passes is what dispatch.Records keeps: incident items inserted or
	// modified. Stream records are built as Lambda receives them (aws-lambda-go's types).
	m, err := pattern.Compile([]json.RawMessage{raw})
	if err != nil {
		t.Fatalf("the filter is not a pattern the local matcher accepts: %v", err)
	}
	items := []struct{ pk, sk string }{
		{"INC#FB-7DJ2KQ3M-1", "META"}, {"INC#FB-7DJ2KQ3M-1", "T#2026-11-02T12:00:00Z#opened"}, {"INC#FB-7DJ2KQ3M-1", "L#2026-11-02T12:00"},
		{"INC#FB-7DJ2KQ3M-1", "D#notify:v1:platform"}, {"INC#FB-7DJ2KQ3M-1", "A#exec/approval"}, {"FP#ab12", "HEAD"}, {"FP#ab12", "L#2026-11-02T12:00"},
		{"Q#9f86d0", "Q"}, {"SILENCE", "s-1"}, {"TOKEN#nonce", "T"}, {"INCIDENT", "META"},
	}
	for _, it := range items {
		for _, name := range []string{"INSERT", "MODIFY", "REMOVE"} {
			keys := map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(it.pk), "sk": events.NewStringAttribute(it.sk)}
			image := map[string]events.DynamoDBAttributeValue{"pk": keys["pk"], "sk": keys["sk"], "id": events.NewStringAttribute("FB-7DJ2KQ3M-1"),
				"status": events.NewStringAttribute("open"), "severity": events.NewStringAttribute("sev2"), "version": events.NewNumberAttribute("1")}
			rec := events.DynamoDBEventRecord{EventName: name, EventSource: "aws:dynamodb",
				Change: events.DynamoDBStreamRecord{Keys: keys, SequenceNumber: "1", StreamViewType: "NEW_AND_OLD_IMAGES"}}
			if name != "REMOVE" {
				rec.Change.NewImage = image
			}
			if name != "INSERT" {
				rec.Change.OldImage = image
			}
			body, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			matched, err := m.Match(body)
			if err != nil {
				t.Fatal(err)
			}
			kept := len(dispatch.Records(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})) == 1
			if (len(matched) == 1) != kept {
				t.Errorf("%s of %s/%s: the filter passes it %v; dispatch acts on it %v", name, it.pk, it.sk, len(matched) == 1, kept)
			}
		}
	}
}

// TestEscalation: the escalator runs every minute from a scheduled rule whose only
// target is the escalate Lambda, with bounded retries, the Lambda's DLQ for ticks that
// cannot be delivered, and the rule as the only source EventBridge may invoke for.
func TestEscalation(t *testing.T) {
	sy := synthesized(t)
	rule := sy.stack.Escalation.Rule
	p := props(sy.resource(t, rule))
	f := sy.stack.Functions["escalate"]
	if p["ScheduleExpression"] != "rate(1 minute)" || p["State"] != "ENABLED" || p["EventPattern"] != nil {
		t.Errorf("escalate rule: schedule %v, state %v, pattern %v; want rate(1 minute), ENABLED, no pattern", p["ScheduleExpression"], p["State"], p["EventPattern"])
	}
	targets := list(p["Targets"])
	if len(targets) != 1 {
		t.Fatalf("escalate rule targets %v; want one", targets)
	}
	tg := targets[0].(map[string]any)
	if ref(tg["Arn"]) != sy.logicalID(t, f.Fn)+".Arn" || ref(tg["DeadLetterConfig"].(map[string]any)["Arn"]) != sy.logicalID(t, f.DLQ)+".Arn" {
		t.Errorf("escalate rule target %s; want the escalate Lambda with its DLQ", canonical(t, tg))
	}
	if rp := tg["RetryPolicy"].(map[string]any); rp["MaximumEventAgeInSeconds"] != float64(60) || rp["MaximumRetryAttempts"] != float64(escalateTickRetries) {
		t.Errorf("escalate rule retry policy %v; want a minute at most", rp)
	}
	dlq := sy.logicalID(t, f.DLQ)
	admitted := false
	for _, qp := range sy.resources("AWS::SQS::QueuePolicy") {
		for _, st := range list(props(qp)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] != "Allow" || getAtt(st["Resource"]) != dlq {
				continue
			}
			cond := canonical(t, st["Condition"])
			if canonical(t, st["Principal"]) == `{"Service":"events.amazonaws.com"}` && strings.Contains(cond, `"aws:SourceArn":[{"Fn::GetAtt":["`+sy.logicalID(t, rule)+`","Arn"]}]`) {
				admitted = true
			} else {
				t.Errorf("escalate DLQ: unexpected Allow %s", canonical(t, st))
			}
		}
	}
	if !admitted {
		t.Error("the escalate DLQ does not admit EventBridge for the schedule rule")
	}
}

// TestLambdaPermissions: who may invoke which Lambda, beyond IAM principals of this
// account: EventBridge for the schedule rule only, Secrets Manager of this account for
// the rotation function, and anyone through the links alias's Function URL only.
func TestLambdaPermissions(t *testing.T) {
	sy := synthesized(t)
	fn := func(name string) string { return sy.logicalID(t, sy.stack.Functions[name].Fn) + ".Arn" }
	alias := sy.logicalID(t, sy.stack.Links.Alias)
	want := []string{
		"lambda:InvokeFunction " + fn("escalate") + " by events.amazonaws.com SourceArn=" + sy.logicalID(t, sy.stack.Escalation.Rule) + ".Arn",
		"lambda:InvokeFunction " + fn(RotateFunction) + " by secretsmanager.amazonaws.com SourceAccount=AWS::AccountId",
		"lambda:InvokeFunctionUrl " + alias + " by * FunctionUrlAuthType=NONE",
		"lambda:InvokeFunction " + alias + " by * InvokedViaFunctionUrl=true",
	}
	var got []string
	for _, perm := range sy.resources("AWS::Lambda::Permission") {
		p := props(perm)
		s := fmt.Sprintf("%v %s by %v", p["Action"], ref(p["FunctionName"]), p["Principal"])
		for _, k := range []string{"SourceArn", "SourceAccount", "FunctionUrlAuthType", "InvokedViaFunctionUrl"} {
			if v, ok := p[k]; ok {
				s += fmt.Sprintf(" %s=%s", k, ref(v))
			}
		}
		got = append(got, s)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lambda permissions:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// TestFunctionURLs: the api's own URL needs SigV4 (AWS_IAM); the public URL is its
// "links" alias's, without IAM auth; both are outputs.
func TestFunctionURLs(t *testing.T) {
	sy := synthesized(t)
	api := sy.logicalID(t, sy.stack.Functions[APIFunction].Fn)
	type url struct{ target, qualifier, auth string }
	var got []url
	for _, u := range sy.resources("AWS::Lambda::Url") {
		p := props(u)
		q, _ := p["Qualifier"].(string)
		got = append(got, url{ref(p["TargetFunctionArn"]), q, p["AuthType"].(string)})
	}
	want := []url{{api + ".Arn", "", "AWS_IAM"}, {api + ".Arn", LinksAlias, "NONE"}}
	sort.Slice(got, func(i, j int) bool { return got[i].auth < got[j].auth })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Function URLs %+v; want %+v", got, want)
	}
	a := props(sy.resource(t, sy.stack.Links.Alias))
	if a["Name"] != LinksAlias || a["FunctionVersion"] != "$LATEST" || ref(a["FunctionName"]) != api {
		t.Errorf("links alias %s; want %q of the api at $LATEST", canonical(t, a), LinksAlias)
	}
	outputs := sy.doc["Outputs"].(map[string]any)
	for name, want := range map[string]string{
		"ApiUrl":            sy.logicalID(t, sy.stack.API.URL) + ".FunctionUrl",
		"LinksUrl":          sy.logicalID(t, sy.stack.Links.URL) + ".FunctionUrl",
		"LinkKeysSecretArn": sy.logicalID(t, sy.stack.Links.Secret),
		"ApiFunctionArn":    api + ".Arn",
	} {
		o, ok := outputs[name].(map[string]any)
		if !ok || ref(o["Value"]) != want {
			t.Errorf("output %s = %v; want %s", name, outputs[name], want)
		}
	}
}

// TestLinkKeys: the secret is encrypted with the data key, whose policy gains nothing
// for it; it rotates every LinkKeysRotationDays with the rotate Lambda, at once on the
// first deploy, after Secrets Manager may invoke the function.
func TestLinkKeys(t *testing.T) {
	sy := synthesized(t)
	l := sy.stack.Links
	sec := props(sy.resource(t, l.Secret))
	if ref(sec["KmsKeyId"]) != sy.logicalID(t, sy.stack.Keys.Data)+".Arn" {
		t.Errorf("link-keys secret KmsKeyId = %v; want the data key", sec["KmsKeyId"])
	}
	if _, ok := sec["GenerateSecretString"]; !ok || sec["SecretString"] != nil {
		t.Errorf("link-keys secret %s; want a generated placeholder and no value in the template", canonical(t, sec))
	}
	rot := sy.resource(t, l.Rotation)
	p := props(rot)
	rotate := sy.stack.Functions[RotateFunction]
	if ref(p["SecretId"]) != sy.logicalID(t, l.Secret) || ref(p["RotationLambdaARN"]) != sy.logicalID(t, rotate.Fn)+".Arn" ||
		p["RotateImmediatelyOnUpdate"] != true || canonical(t, p["RotationRules"]) != fmt.Sprintf(`{"AutomaticallyAfterDays":%d}`, LinkKeysRotationDays) {
		t.Errorf("link-keys rotation %s; want the secret, the rotate Lambda, at once and every %d days", canonical(t, p), LinkKeysRotationDays)
	}
	var invoke string
	for id, perm := range sy.resources("AWS::Lambda::Permission") {
		if props(perm)["Principal"] == "secretsmanager.amazonaws.com" {
			invoke = id
		}
	}
	if deps := strs(rot["DependsOn"]); invoke == "" || !strings.Contains(strings.Join(deps, ","), invoke) {
		t.Errorf("link-keys rotation DependsOn %v; want the permission %q (rotation starts at once)", deps, invoke)
	}
	for _, st := range list(props(sy.resource(t, sy.stack.Keys.Data))["KeyPolicy"].(map[string]any)["Statement"]) {
		if strings.Contains(canonical(t, st), "secretsmanager") {
			t.Errorf("data key policy has a Secrets Manager statement %s; the roles hold what they need", canonical(t, st))
		}
	}
}
