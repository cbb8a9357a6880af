package infra

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// TestAudienceTopics: each audience of the communication plan has its own topic,
// encrypted with the messaging key and refusing publishers without TLS, subscribed from
// exactly the audience's addresses and numbers (no filter policy: everything on it is for
// the audience), redriven to the notifications DLQ; dispatch alone may publish to them
// (TestRoles) and knows them by AUDIENCE_TOPICS.
func TestAudienceTopics(t *testing.T) {
	sy := synthesized(t)
	cm := sy.stack.config.Communication
	if cm == nil || len(cm.AudienceNames) < 2 {
		t.Fatalf("testdata/firebreak.yaml needs two or more audiences in communication:")
	}
	if len(sy.stack.Audiences.Topics) != len(cm.AudienceNames) {
		t.Errorf("%d audience topics; want one per audience (%d)", len(sy.stack.Audiences.Topics), len(cm.AudienceNames))
	}
	msgKey := sy.logicalID(t, sy.stack.Keys.Messaging)
	sslOnly := map[string]bool{}
	for _, tp := range sy.resources("AWS::SNS::TopicPolicy") {
		for _, st := range list(props(tp)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Deny" && canonical(t, st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}` {
				sslOnly[getAtt(st["Resource"])] = true
			}
		}
	}
	byTopic := map[string]string{}
	for _, name := range cm.AudienceNames {
		tp, ok := sy.stack.Audiences.Topics[name]
		if !ok {
			t.Errorf("audience %s: no topic", name)
			continue
		}
		id := sy.logicalID(t, tp)
		byTopic[id] = name
		p := props(sy.resource(t, tp))
		if getAtt(p["KmsMasterKeyId"]) != msgKey {
			t.Errorf("audience %s topic: KmsMasterKeyId %v; want the messaging key", name, p["KmsMasterKeyId"])
		}
		if !sslOnly[id] {
			t.Errorf("audience %s topic: no policy denying publishing without TLS", name)
		}
	}
	type sub struct{ audience, proto, endpoint, filter string }
	var want, got []sub
	for _, name := range cm.AudienceNames {
		a := cm.Audiences[name]
		for _, e := range a.Email {
			want = append(want, sub{name, "email", e, "null"})
		}
		for _, n := range a.SMS {
			want = append(want, sub{name, "sms", n, "null"})
		}
	}
	dlq := sy.logicalID(t, sy.stack.Notifications.DLQ)
	for id, s := range sy.resources("AWS::SNS::Subscription") {
		p := props(s)
		audience, ok := byTopic[getAtt(p["TopicArn"])]
		if !ok {
			continue
		}
		got = append(got, sub{audience, p["Protocol"].(string), p["Endpoint"].(string), canonical(t, p["FilterPolicy"])})
		if rp, _ := p["RedrivePolicy"].(map[string]any); getAtt(rp["deadLetterTargetArn"]) != dlq {
			t.Errorf("subscription %s: RedrivePolicy %v; want the notifications DLQ", id, p["RedrivePolicy"])
		}
	}
	for _, s := range [][]sub{want, got} {
		sort.Slice(s, func(i, j int) bool { return fmt.Sprint(s[i]) < fmt.Sprint(s[j]) })
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audience subscriptions:\n got  %v\n want %v", got, want)
	}
	body := canonical(t, props(sy.resource(t, sy.stack.Health.Dashboard))["DashboardBody"])
	for _, want := range []string{`\"UpdatesMissed\",\"Audience\",\"stakeholders\",\"Severity\",\"sev1\"`,
		`\"UpdatesMissed\",\"Audience\",\"executives\",\"Severity\",\"sev1\"`, `\"UpdatesMissed\",\"Audience\",\"stakeholders\",\"Severity\",\"sev2\"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard has no %s (the missed updates of the plan)", want)
		}
	}
	for name, f := range sy.stack.Functions {
		env, _ := props(sy.resource(t, f.Fn))["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		_, has := vars[lambdaenv.AudienceTopics]
		if has != (name == "dispatch") {
			t.Errorf("functions/%s: %s set = %v; want it on dispatch alone", name, lambdaenv.AudienceTopics, has)
		}
	}
}
