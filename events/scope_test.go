package events_test

import (
	"encoding/json"
	"testing"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/bus"
)

// wantScope is where each catalog rule's events are delivered, decided by hand from the
// EventBridge user guide: IAM and console sign-in are global services (us-east-1 only);
// a CloudTrail call made as root can be of any service.
var wantScope = map[string]events.Scope{
	"cloudwatch-alarm":       events.ScopeRegional,
	"config-compliance":      events.ScopeRegional,
	"cloudtrail-network":     events.ScopeRegional,
	"cloudtrail-audit":       events.ScopeRegional,
	"cloudtrail-s3-exposure": events.ScopeRegional,
	"cloudtrail-kms":         events.ScopeRegional,
	"cloudtrail-iam-admin":   events.ScopeGlobal,
	"cloudtrail-root":        events.ScopeMixed,
	"console-signin":         events.ScopeGlobal,
	"ec2-state":              events.ScopeRegional,
	"health":                 events.ScopeRegional,
	"guardduty":              events.ScopeRegional,
	"securityhub":            events.ScopeRegional,
	"autoscaling":            events.ScopeRegional,
	"ecs-deployment":         events.ScopeRegional,
	"ecs-task-stopped":       events.ScopeRegional,
	"kms-key-lifecycle":      events.ScopeRegional,
	"trusted-advisor":        events.ScopeRegional,
	"ec2-spot":               events.ScopeRegional,
	"rds":                    events.ScopeRegional,
	"ebs":                    events.ScopeRegional,
	"codepipeline":           events.ScopeRegional,
	"codedeploy":             events.ScopeRegional,
	"application":            events.ScopeRegional,
}

// TestCatalogScopes: every catalog rule has the scope the documentation gives it; a new
// rule fails here until someone decides where its events are delivered.
func TestCatalogScopes(t *testing.T) {
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != len(wantScope) {
		t.Errorf("%d catalog rules, %d scope expectations: add the new rule to wantScope", len(rules), len(wantScope))
	}
	for _, r := range rules {
		want, ok := wantScope[r.Name]
		if !ok {
			t.Errorf("rule %s: no scope expectation", r.Name)
			continue
		}
		if r.Scope != want {
			t.Errorf("rule %s: Scope = %q; want %q", r.Name, r.Scope, want)
		}
		if got := r.Global(); got != (want != events.ScopeRegional) {
			t.Errorf("rule %s: Global() = %v; want %v", r.Name, got, !got)
		}
	}
}

// TestSampleScopes checks the scopes against the real-shaped samples: a sample of a
// global service is routed only by global or mixed rules, and a global rule routes only
// samples of global services.
func TestSampleScopes(t *testing.T) {
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]events.Rule{}
	for _, r := range rules {
		byName[r.Name] = r
	}
	b, err := bus.New(rules)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := events.Samples()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		raw, err := events.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Source string `json:"source"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("%s: %v", s.File, err)
		}
		routed, err := b.Route(raw)
		if err != nil {
			t.Fatal(err)
		}
		global := events.IsGlobalSource(ev.Source)
		for _, name := range routed {
			switch sc := byName[name].Scope; {
			case global && sc == events.ScopeRegional:
				t.Errorf("sample %s (source %s, a global service) is routed by %s of scope %s; want global or mixed", s.File, ev.Source, name, sc)
			case !global && sc == events.ScopeGlobal:
				t.Errorf("sample %s (source %s, a regional service) is routed by %s of scope %s", s.File, ev.Source, name, sc)
			}
		}
	}
}

func TestScopeOfPatterns(t *testing.T) {
	for _, tc := range []struct {
		name, pattern string
		want          events.Scope
	}{
		{"global source", `{"source":["aws.sts"]}`, events.ScopeGlobal},
		{"regional source", `{"source":["aws.ec2"]}`, events.ScopeRegional},
		{"both sources", `{"source":["aws.ec2","aws.route53"]}`, events.ScopeMixed},
		{"event source only", `{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["organizations.amazonaws.com"]}}`, events.ScopeGlobal},
		{"regional event source", `{"detail":{"eventSource":["s3.amazonaws.com"]}}`, events.ScopeRegional},
		{"any CloudTrail call", `{"detail-type":["AWS API Call via CloudTrail"]}`, events.ScopeMixed},
		{"prefix source, own detail-type", `{"source":[{"prefix":"app."}],"detail-type":["Order Failed"]}`, events.ScopeRegional},
		{"prefix source, nothing else", `{"source":[{"prefix":"aws."}]}`, events.ScopeMixed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := "rules:\n  - name: r\n    description: d\n    bus: default\n    pattern: " + tc.pattern + "\n"
			rules, err := events.ParseRules("catalog.yaml", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if got := rules[0].Scope; got != tc.want {
				t.Errorf("scope of %s = %q; want %q", tc.pattern, got, tc.want)
			}
		})
	}
}
