package classify_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// expected is the default taxonomy's verdict on each catalog sample, as firebreak.yaml
// intends it (docs/configuration.md: the shipped taxonomy).
var expected = map[string]struct {
	class    string
	severity incident.Severity
	team     string
	incident bool
	runbook  string
}{
	"cloudwatch/alarm-state-alarm.json":             {"ops.alarm-prod", incident.Sev2, "platform", true, "alarm-diagnostics"},
	"cloudwatch/alarm-state-ok.json":                {"ops.alarm-prod", incident.Info, "platform", false, "alarm-diagnostics"},
	"cloudwatch/alarm-state-insufficient-data.json": {"ops.alarm-prod", incident.Info, "platform", false, "alarm-diagnostics"},
	"config/compliance-noncompliant.json":           {"compliance.config-security", incident.Sev3, "security", true, ""},
	"config/compliance-compliant.json":              {"compliance.config-security", incident.Info, "security", false, ""},
	"cloudtrail/sg-ingress-open-world.json":         {"security.sg-admin-port-open-world", incident.Sev2, "security", true, "sg-revoke-world-ingress"},
	"cloudtrail/sg-ingress-open-world-ipv6.json":    {"security.sg-admin-port-open-world", incident.Sev2, "security", true, "sg-revoke-world-ingress"},
	"cloudtrail/stop-logging.json":                  {"security.cloudtrail-logging-stopped", incident.Sev1, "security", true, "cloudtrail-restart-logging"},
	"cloudtrail/delete-trail.json":                  {"security.cloudtrail-deleted", incident.Sev1, "security", true, ""},
	"cloudtrail/s3-put-bucket-policy-public.json":   {"security.s3-public-exposure", incident.Sev2, "security", true, "s3-block-public-access"},
	"cloudtrail/s3-put-bucket-acl-public.json":      {"security.s3-public-exposure", incident.Sev2, "security", true, "s3-block-public-access"},
	"cloudtrail/s3-delete-public-access-block.json": {"security.s3-public-exposure", incident.Sev2, "security", true, "s3-block-public-access"},
	"cloudtrail/root-api-call.json":                 {"security.root-activity", incident.Sev2, "security", true, ""},
	"cloudtrail/kms-schedule-key-deletion.json":     {"security.kms-key-deletion", incident.Sev2, "security", true, "kms-cancel-key-deletion"},
	"cloudtrail/iam-attach-admin-policy.json":       {"security.iam-admin-attached", incident.Sev2, "security", true, ""},
	"cloudtrail/ec2-delete-flow-logs.json":          {"security.flow-logs-deleted", incident.Sev3, "security", true, ""},
	"signin/root-success.json":                      {"security.root-signin-no-mfa", incident.Sev1, "security", true, ""},
	"signin/root-failure.json":                      {"security.root-signin-failed", incident.Sev3, "security", true, ""},
	"signin/iam-user-failure.json":                  {"security.console-signin-failed", incident.Info, "security", false, ""},
	"ec2/instance-stopped.json":                     {"ops.ec2-stopped", incident.Sev3, "platform", true, "ec2-restart"},
	"ec2/instance-running.json":                     {"ops.ec2-stopped", incident.Info, "platform", false, "ec2-restart"},
	"health/ec2-issue.json":                         {"health.issue", incident.Sev2, "platform", true, ""},
	"health/scheduled-change.json":                  {"health.scheduled-change", incident.Sev4, "platform", true, ""},
	"guardduty/finding-high.json":                   {"security.guardduty-finding", incident.Sev2, "security", true, ""},
	"guardduty/finding-low.json":                    {"security.guardduty-finding", incident.Sev4, "security", true, ""},
	"securityhub/finding-imported-high.json":        {"security.securityhub-finding", incident.Sev2, "platform", true, ""}, // the resource's firebreak:team tag says platform
	"custom/app-alert-firing.json":                  {"app.alert", incident.Sev2, "payments", true, ""},                    // severity high; tag firebreak:team=payments
	"custom/app-alert-resolved.json":                {"app.alert", incident.Info, "payments", false, ""},
}

func newClassifier(t testing.TB, cfg *config.Config) *classify.Classifier {
	t.Helper()
	c, err := classify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func defaultConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestDefaultTaxonomyClassifiesSamples(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != len(expected) {
		t.Errorf("%d samples, %d expectations: add the new sample's expected class", len(samples), len(expected))
	}
	for _, s := range samples {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := event.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Classify(evs[0])
		if err != nil {
			t.Fatalf("Classify(%s): %v", s.File, err)
		}
		w := expected[s.File]
		if got.Class != w.class || got.Severity != w.severity || got.Team != w.team || got.Incident != w.incident || got.Runbook != w.runbook {
			t.Errorf("Classify(%q) = %s %s %s incident=%v runbook=%q; want %s %s %s incident=%v runbook=%q",
				s.File, got.Class, got.Severity, got.Team, got.Incident, got.Runbook, w.class, w.severity, w.team, w.incident, w.runbook)
		}
		e := evs[0]
		if wantFP := strings.Join([]string{got.Class, e.Account, e.Region, e.Subject}, "|"); got.Fingerprint != wantFP {
			t.Errorf("Classify(%q).Fingerprint = %q; want %q", s.File, got.Fingerprint, wantFP)
		}
		if got.Title == "" || strings.Contains(got.Title, "<no value>") {
			t.Errorf("Classify(%q).Title = %q; want a rendered title", s.File, got.Title)
		}
	}
}

func TestRecoveryAndTriggerShareAFingerprint(t *testing.T) {
	c := newClassifier(t, defaultConfig(t))
	pairs := [][2]string{
		{"cloudwatch/alarm-state-alarm.json", "cloudwatch/alarm-state-ok.json"},
		{"config/compliance-noncompliant.json", "config/compliance-compliant.json"},
		{"ec2/instance-stopped.json", "ec2/instance-running.json"},
		{"custom/app-alert-firing.json", "custom/app-alert-resolved.json"},
	}
	for _, p := range pairs {
		var fps [2]string
		for i, f := range p {
			raw, err := catalog.ReadSample(f)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := event.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Classify(evs[0])
			if err != nil {
				t.Fatal(err)
			}
			fps[i] = r.Fingerprint
		}
		if fps[0] != fps[1] {
			t.Errorf("fingerprints of %s and %s differ: %q vs %q; a recovery must find its incident", p[0], p[1], fps[0], fps[1])
		}
	}
}

const base = `version: 1
severities:
  sev1: {channels: [email, sms], acknowledge_within: 5m, update_every: 30m, resolve_within: 4h}
  sev2: {channels: [email], acknowledge_within: 15m, update_every: 1h, resolve_within: 8h}
  sev3: {channels: [email], acknowledge_within: 1h}
  sev4: {channels: []}
defaults: {team: platform}
tags: {team: "firebreak:team"}
teams:
  platform: {}
  payments: {}
taxonomy:
  - class: app.alert
    match: {"source": [{"prefix": "app."}]}
    severity: sev3
    severity_from_source: {CRITICAL: sev1}
  - class: app.noise
    match: {"source": ["noise"]}
    severity: sev4
    incident: false
`

func appEvent(sev, team string) event.Event {
	return event.Event{ID: "e1", Source: "app.shop", Account: "1", Region: "r", Resource: "svc", Subject: "svc/a",
		Signal: event.Trigger, SourceSeverity: sev, Tags: map[string]string{"firebreak:team": team}, Summary: "shop down",
		Raw: []byte(`{"source":"app.shop","detail":{}}`)}
}

func TestClassifyRules(t *testing.T) {
	cfg, err := config.Parse("test.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	c := newClassifier(t, cfg)
	tests := []struct {
		name     string
		e        event.Event
		class    string
		sev      incident.Severity
		team     string
		incident bool
	}{
		{"source severity mapped", appEvent("CRITICAL", ""), "app.alert", incident.Sev1, "platform", true},
		{"unmapped label keeps class severity", appEvent("LOW", ""), "app.alert", incident.Sev3, "platform", true},
		{"team tag overrides", appEvent("", "payments"), "app.alert", incident.Sev3, "payments", true},
		{"unknown team tag ignored", appEvent("", "marketing"), "app.alert", incident.Sev3, "platform", true},
		{"non-incident class is info", event.Event{ID: "n", Source: "noise", Signal: event.Trigger, Raw: []byte(`{"source":"noise"}`)}, "app.noise", incident.Info, "platform", false},
		{"unknown event falls back", event.Event{ID: "u", Source: "other", Signal: event.Trigger, Raw: []byte(`{"source":"other"}`)}, config.UnknownClass, incident.Info, "platform", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Classify(tt.e)
			if err != nil {
				t.Fatal(err)
			}
			if got.Class != tt.class || got.Severity != tt.sev || got.Team != tt.team || got.Incident != tt.incident {
				t.Errorf("Classify() = %s %s %s %v; want %s %s %s %v", got.Class, got.Severity, got.Team, got.Incident, tt.class, tt.sev, tt.team, tt.incident)
			}
		})
	}
	rec := appEvent("CRITICAL", "")
	rec.Signal = event.Recovery
	got, err := c.Classify(rec)
	if err != nil {
		t.Fatal(err)
	}
	if got.Incident || got.Severity != incident.Info || got.ClassSeverity != incident.Sev1 || !got.IncidentClass {
		t.Errorf("Classify(recovery) = incident %v severity %s class severity %s incident class %v; want false info sev1 true",
			got.Incident, got.Severity, got.ClassSeverity, got.IncidentClass)
	}
}

func TestMatchDocument(t *testing.T) {
	e := event.Event{ID: "e", Signal: event.Trigger, Resource: "r", Attrs: map[string]string{"k": "v"}, Raw: []byte(" {\"a\":1} \n")}
	doc, err := classify.MatchDocument(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":1,"firebreak":{"signal":"trigger","resource":"r","subject":"","actor":"","attrs":{"k":"v"}}}`; string(doc) != want {
		t.Errorf("MatchDocument() = %s; want %s", doc, want)
	}
	e.Raw = []byte("{}")
	if doc, err := classify.MatchDocument(e); err != nil || !strings.HasPrefix(string(doc), `{"firebreak":`) {
		t.Errorf("MatchDocument(empty object) = %s, %v; want the firebreak object alone", doc, err)
	}
	e.Raw = []byte("[1]")
	if _, err := classify.MatchDocument(e); err == nil {
		t.Error("MatchDocument(array) = nil error; want an error")
	}
}

func BenchmarkClassify(b *testing.B) {
	c := newClassifier(b, defaultConfig(b))
	raw, err := catalog.ReadSample("cloudtrail/sg-ingress-open-world.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		evs, err := event.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Classify(evs[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestClassifyMatchesAsTheJSONDocument checks the fast path (patterns matched on the
// decoded event and the firebreak view) against matching MatchDocument's JSON, for every
// catalog sample and for events whose detail is odd.
func TestClassifyMatchesAsTheJSONDocument(t *testing.T) {
	cfg := defaultConfig(t)
	c := newClassifier(t, cfg)
	ps := make([]json.RawMessage, len(cfg.Taxonomy))
	for i, cl := range cfg.Taxonomy {
		ps[i] = cl.Pattern
	}
	m, err := pattern.Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	var raws [][]byte
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
	}
	env := func(dt, src, detail string) []byte {
		return []byte(`{"id":"e","source":"` + src + `","detail-type":"` + dt + `","account":"123456789012","time":"2026-11-02T09:00:00Z","detail":` + detail + `}`)
	}
	raws = append(raws,
		env(event.TypeAPICall, "aws.ec2", `{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipProtocol":"tcp","fromPort":"22","toPort":22,"cidrIp":"10.0.0.0/0"}}`),
		env(event.TypeAPICall, "aws.iam", `{"eventName":"AttachRolePolicy","userIdentity":{"type":"Root"},"requestParameters":{"roleName":"r","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}`),
		env(event.TypeConsoleSignIn, "aws.signin", `{"userIdentity":{"type":"Root"},"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":null}}`),
		env(event.TypeAlarm, "aws.cloudwatch", `{"alarmName":["prod-x"],"state":{"value":"ALARM"}}`),
		env(event.TypeHealth, "aws.health", `null`),
		env("Something New", "aws.newservice", `{"x":[1,{"y":"z"}]}`),
	)
	for _, raw := range raws {
		evs, err := event.Parse(raw)
		if err != nil {
			t.Fatalf("Parse(%s): %v", raw, err)
		}
		for _, e := range evs {
			got, err := c.Classify(e)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := classify.MatchDocument(e)
			if err != nil {
				t.Fatal(err)
			}
			i, err := m.First(doc)
			if err != nil {
				t.Fatal(err)
			}
			want := cfg.Fallback.Class
			if i >= 0 {
				want = cfg.Taxonomy[i].Class
			}
			if got.Class != want {
				t.Errorf("Classify(%s) = %s; want %s, as the patterns match its JSON document", e.ID, got.Class, want)
			}
			e.Doc = nil // no decoded form: Classify decodes Raw itself
			if again, err := c.Classify(e); err != nil || again != got {
				t.Errorf("Classify(%s without Doc) = %+v, %v; want %+v", e.ID, again, err, got)
			}
		}
	}
}
