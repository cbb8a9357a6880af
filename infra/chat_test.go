package infra

import (
	"strings"
	"testing"
)

// TestChatChannels: each chat channel of the configuration has an encrypted topic and an
// Amazon Q Developer channel configuration subscribed to it, named after the stack, with
// the shared role that holds nothing and the read-only guardrail.
func TestChatChannels(t *testing.T) {
	sy := synthesized(t)
	msgKey := sy.logicalID(t, sy.stack.Keys.Messaging)
	role := sy.logicalID(t, sy.stack.Chat.Role)
	want := map[string]string{"team:platform": "AWS::Chatbot::SlackChannelConfiguration", "audience:stakeholders": "AWS::Chatbot::MicrosoftTeamsChannelConfiguration"}
	if len(sy.stack.Chat.Topics) != len(want) {
		t.Errorf("%d chat topics; want %d", len(sy.stack.Chat.Topics), len(want))
	}
	for target, typ := range want {
		tp, ok := sy.stack.Chat.Topics[target]
		if !ok {
			t.Errorf("chat %s: no topic", target)
			continue
		}
		if p := props(sy.resource(t, tp)); getAtt(p["KmsMasterKeyId"]) != msgKey {
			t.Errorf("chat %s topic: KmsMasterKeyId %v; want the messaging key", target, p["KmsMasterKeyId"])
		}
		ch := sy.resource(t, sy.stack.Chat.Channels[target])
		if ch["Type"] != typ {
			t.Errorf("chat %s: %v; want %s", target, ch["Type"], typ)
		}
		p := props(ch)
		topics := list(p["SnsTopicArns"])
		if len(topics) != 1 || ref(topics[0]) != sy.logicalID(t, tp) {
			t.Errorf("chat %s: SnsTopicArns %v; want its topic", target, p["SnsTopicArns"])
		}
		if getAtt(p["IamRoleArn"]) != role {
			t.Errorf("chat %s: IamRoleArn %v; want the channel role", target, p["IamRoleArn"])
		}
		if g := list(p["GuardrailPolicies"]); len(g) != 1 || ref(g[0]) != chatGuardrail {
			t.Errorf("chat %s: GuardrailPolicies %v; want ReadOnlyAccess only", target, p["GuardrailPolicies"])
		}
		if name := canonical(t, p["ConfigurationName"]); !strings.Contains(name, "AWS::StackName") || !strings.Contains(name, chatID(target)) {
			t.Errorf("chat %s: ConfigurationName %s; want the stack name and %s", target, name, chatID(target))
		}
	}
	if sts := sy.statements(t, sy.stack.Chat.Role); len(sts) != 0 {
		t.Errorf("the chat channel role holds %v; want nothing", sts)
	}
	for id, r := range sy.resources("AWS::IAM::Policy") {
		for _, rl := range list(props(r)["Roles"]) {
			if ref(rl) == role {
				t.Errorf("policy %s is attached to the chat channel role", id)
			}
		}
	}
}

// TestOutbound: the outbound topic delivers raw to its encrypted queue (redriven to the
// notifications DLQ when it cannot), the queue dead-letters after outboundReceives, and
// the webhook Lambda consumes it one delivery at a time with partial batch responses.
func TestOutbound(t *testing.T) {
	sy := synthesized(t)
	o := sy.stack.Outbound
	topic, queue := sy.logicalID(t, o.Topic), sy.logicalID(t, o.Queue)
	found := false
	for id, s := range sy.resources("AWS::SNS::Subscription") {
		p := props(s)
		if ref(p["TopicArn"]) != topic {
			continue
		}
		found = true
		if p["Protocol"] != "sqs" || getAtt(p["Endpoint"]) != queue || p["RawMessageDelivery"] != true {
			t.Errorf("subscription %s = %v; want raw SQS delivery to the outbound queue", id, p)
		}
		if rp, _ := p["RedrivePolicy"].(map[string]any); getAtt(rp["deadLetterTargetArn"]) != sy.logicalID(t, sy.stack.Notifications.DLQ) {
			t.Errorf("subscription %s: RedrivePolicy %v; want the notifications DLQ", id, p["RedrivePolicy"])
		}
	}
	if !found {
		t.Errorf("no subscription of the outbound queue to the outbound topic")
	}
	q := props(sy.resource(t, o.Queue))
	if rp, _ := q["RedrivePolicy"].(map[string]any); getAtt(rp["deadLetterTargetArn"]) != sy.logicalID(t, o.DLQ) || rp["maxReceiveCount"] != float64(outboundReceives) {
		t.Errorf("outbound queue RedrivePolicy %v; want the outbound DLQ after %d receives", q["RedrivePolicy"], outboundReceives)
	}
	if q["KmsMasterKeyId"] == nil {
		t.Errorf("outbound queue is not encrypted with a KMS key")
	}
	found = false
	for id, m := range sy.resources("AWS::Lambda::EventSourceMapping") {
		p := props(m)
		if getAtt(p["EventSourceArn"]) != queue {
			continue
		}
		found = true
		if p["BatchSize"] != float64(1) || canonical(t, p["FunctionResponseTypes"]) != `["ReportBatchItemFailures"]` ||
			ref(p["FunctionName"]) != sy.logicalID(t, sy.stack.Functions[WebhookFunction].Fn) {
			t.Errorf("event source mapping %s = %v; want the webhook Lambda, one delivery a batch, partial batch responses", id, p)
		}
	}
	if !found {
		t.Errorf("no event source mapping from the outbound queue")
	}
}
