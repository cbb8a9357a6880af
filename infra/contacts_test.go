package infra

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
)

// TestContactTopics: each contact of the configuration has its own topic, encrypted
// with the messaging key and refusing publishers without TLS, subscribed from exactly
// the contact's channels (e-mail and SMS, each receiving the severities whose policy
// lists that channel, redriven to the notifications DLQ); only the Lambdas that page
// people may publish to them (TestRoles), and cdk-nag finds nothing (TestNag).
func TestContactTopics(t *testing.T) {
	sy := synthesized(t)
	cfg := sy.stack.config
	if len(cfg.Contacts) < 2 {
		t.Fatalf("testdata/firebreak.yaml has %d contacts; the test needs two or more", len(cfg.Contacts))
	}
	if len(sy.stack.Contacts.Topics) != len(cfg.Contacts) {
		t.Errorf("%d contact topics; want one per contact (%d)", len(sy.stack.Contacts.Topics), len(cfg.Contacts))
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
	for _, c := range cfg.Contacts {
		tp, ok := sy.stack.Contacts.Topics[c.ID]
		if !ok {
			t.Errorf("contact %s: no topic", c.ID)
			continue
		}
		id := sy.logicalID(t, tp)
		byTopic[id] = c.ID
		p := props(sy.resource(t, tp))
		if getAtt(p["KmsMasterKeyId"]) != msgKey {
			t.Errorf("contact %s topic: KmsMasterKeyId %v; want the messaging key", c.ID, p["KmsMasterKeyId"])
		}
		if !sslOnly[id] {
			t.Errorf("contact %s topic: no policy denying publishing without TLS", c.ID)
		}
	}

	type sub struct{ contact, proto, endpoint, filter string }
	byChannel := severitiesByChannel(cfg)
	filter := func(sevs []string) string { return canonical(t, map[string]any{SeverityAttribute: sevs}) }
	var want, got []sub
	for _, c := range cfg.Contacts {
		for _, e := range c.Email {
			want = append(want, sub{c.ID, "email", e, filter(byChannel["email"])})
		}
		for _, n := range c.SMS {
			want = append(want, sub{c.ID, "sms", n, filter(byChannel["sms"])})
		}
	}
	dlq := sy.logicalID(t, sy.stack.Notifications.DLQ)
	for id, s := range sy.resources("AWS::SNS::Subscription") {
		p := props(s)
		contact, ok := byTopic[getAtt(p["TopicArn"])]
		if !ok {
			continue
		}
		got = append(got, sub{contact, p["Protocol"].(string), p["Endpoint"].(string), canonical(t, p["FilterPolicy"])})
		if rp, _ := p["RedrivePolicy"].(map[string]any); getAtt(rp["deadLetterTargetArn"]) != dlq {
			t.Errorf("subscription %s: RedrivePolicy %v; want the notifications DLQ", id, p["RedrivePolicy"])
		}
	}
	for _, s := range [][]sub{want, got} {
		sort.Slice(s, func(i, j int) bool { return fmt.Sprint(s[i]) < fmt.Sprint(s[j]) })
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("contact subscriptions:\n got  %v\n want %v", got, want)
	}
}
