package infra

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/infra/cfnlint"
	"github.com/firebreak-ops/firebreak/internal/config"
)

// The organization tests synthesize one app, once: the central stack with an
// organization section in eu-west-1 (so the app adds its us-east-1 global-service
// forwarder), and a member account's forwarders as make synth writes them (-c
// forwarder=all, no central bus ARN: a StackSet parameter).

const (
	testOrgID      = "o-a1b2c3d4e5"
	testAccount    = "111122223333"
	testRegion     = "eu-west-1"
	testCentralBus = "firebreak-central-test"
	testMember     = "Member"
)

var testListed = []string{"444455556666", "012345678901"}

type orgSynthesis struct {
	central        *Stack
	global         *Forwarder                // the central app's us-east-1 forwarder
	member         []*Forwarder              // MemberForwarder, MemberGlobalForwarder
	docs           map[string]map[string]any // template by stack name
	nag            []nagLine
	templateSizes  map[string]int
	raw            map[string][]byte // template file contents by stack name
	assetManifests []string
}

var (
	orgOnce    sync.Once
	orgSynthed *orgSynthesis
	orgErr     error
)

func orgConfig(t testing.TB) *config.Config {
	t.Helper()
	file := filepath.Join("testdata", "firebreak.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte("\norganization:\n  id: "+testOrgID+"\n  accounts: [\""+testListed[0]+"\", \""+testListed[1]+"\"]\n  central_bus: "+testCentralBus+"\n  regions: [us-east-1, eu-central-1]\n")...)
	cfg, err := config.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func orgSynthesized(t *testing.T) *orgSynthesis {
	t.Helper()
	orgOnce.Do(func() {
		fns := []string{"intake", TaskFunction}
		build, err := fakeBuild(fns)
		if err != nil {
			orgErr = err
			return
		}
		defer os.RemoveAll(build)
		outdir, err := os.MkdirTemp("", "firebreak-org-cdk-out-")
		if err != nil {
			orgErr = err
			return
		}
		defer os.RemoveAll(outdir) // everything the tests read is kept in memory
		cfg := orgConfig(t)
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
		Check(app, true)
		s, err := NewStack(app, "Firebreak", Props{
			Config: cfg, Root: repoRoot, BuildDir: build, Functions: fns,
			Env: &awscdk.Environment{Account: jsii.String(testAccount), Region: jsii.String(testRegion)},
		})
		if err != nil {
			orgErr = err
			return
		}
		sy := &orgSynthesis{central: s, docs: map[string]map[string]any{}, templateSizes: map[string]int{}, raw: map[string][]byte{}}
		if sy.global, err = NewGlobalForwarder(app, s); err != nil {
			orgErr = err
			return
		}
		if sy.member, err = NewForwarders(app, testMember, ForwardAll, cfg, "", nil); err != nil {
			orgErr = err
			return
		}
		app.Synth(nil)
		files, err := filepath.Glob(filepath.Join(outdir, "*.template.json"))
		if err != nil {
			orgErr = err
			return
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				orgErr = err
				return
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				orgErr = err
				return
			}
			name := strings.TrimSuffix(filepath.Base(f), ".template.json")
			sy.docs[name] = doc
			sy.templateSizes[name] = len(data)
			sy.raw[name] = data
		}
		sy.assetManifests, _ = filepath.Glob(filepath.Join(outdir, "*.assets.json"))
		if sy.nag, err = readNagReports(outdir); err != nil {
			orgErr = err
			return
		}
		orgSynthed = sy
	})
	if orgErr != nil {
		t.Fatalf("synthesize the organization app: %v", orgErr)
	}
	return orgSynthed
}

// doc returns a synthesized template by stack name.
func (sy *orgSynthesis) doc(t *testing.T, stack string) map[string]any {
	t.Helper()
	d, ok := sy.docs[stack]
	if !ok {
		names := make([]string, 0, len(sy.docs))
		for n := range sy.docs {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Fatalf("no template for stack %s (have %v)", stack, names)
	}
	return d
}

func resourcesOf(doc map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range doc["Resources"].(map[string]any) {
		if res := r.(map[string]any); res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func logicalIDIn(t *testing.T, st awscdk.Stack, c any) string {
	t.Helper()
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		t.Fatalf("%v is not a CloudFormation element", c)
	}
	id, ok := st.Resolve(st.GetLogicalId(el)).(string)
	if !ok {
		t.Fatalf("%s: logical id does not resolve to a string", *el.Node().Path())
	}
	return id
}

// TestCentralBusPolicy: the central bus admits PutEvents from the organization (the
// aws:PrincipalOrgID condition) and from the listed accounts, and nothing else.
func TestCentralBusPolicy(t *testing.T) {
	sy := orgSynthesized(t)
	doc := sy.doc(t, "Firebreak")
	buses := resourcesOf(doc, "AWS::Events::EventBus")
	busID := ""
	for id, b := range buses {
		if props(b)["Name"] == testCentralBus {
			busID = id
		}
	}
	if busID == "" {
		t.Fatalf("no event bus named %s in the central stack (buses: %v)", testCentralBus, buses)
	}
	type stmt = map[string]any
	var statements []stmt
	for _, p := range resourcesOf(doc, "AWS::Events::EventBusPolicy") {
		if getAtt(props(p)["EventBusName"]) != busID {
			t.Errorf("bus policy on %v; want the central bus %s", props(p)["EventBusName"], busID)
		}
		statements = append(statements, props(p)["Statement"].(map[string]any))
	}
	if pol, ok := props(buses[busID])["Policy"].(map[string]any); ok {
		for _, s := range list(pol["Statement"]) {
			statements = append(statements, s.(map[string]any))
		}
	}
	var org, accounts []string
	for _, s := range statements {
		if s["Effect"] != "Allow" || canonical(t, s["Action"]) != `"events:PutEvents"` {
			t.Errorf("bus statement %s: want Allow events:PutEvents only", canonical(t, s))
		}
		if getAtt(s["Resource"]) != busID {
			t.Errorf("bus statement %s: Resource %v; want the central bus", canonical(t, s), s["Resource"])
		}
		switch p := s["Principal"].(type) {
		case string:
			cond, _ := s["Condition"].(map[string]any)
			eq, _ := cond["StringEquals"].(map[string]any)
			id, _ := eq["aws:PrincipalOrgID"].(string)
			if p != "*" || id == "" || len(cond) != 1 || len(eq) != 1 {
				t.Errorf("bus statement for principal %q: Condition %s; want only StringEquals aws:PrincipalOrgID", p, canonical(t, s["Condition"]))
			}
			org = append(org, id)
		case map[string]any:
			if p["AWS"] == "*" {
				cond, _ := s["Condition"].(map[string]any)
				eq, _ := cond["StringEquals"].(map[string]any)
				if id, _ := eq["aws:PrincipalOrgID"].(string); id != "" {
					org = append(org, id)
					continue
				}
				t.Errorf("bus statement admits every principal without the organization condition: %s", canonical(t, s))
				continue
			}
			for _, a := range list(p["AWS"]) {
				accounts = append(accounts, accountOf(t, a))
			}
		}
	}
	if !reflect.DeepEqual(org, []string{testOrgID}) {
		t.Errorf("organization statements admit %v; want [%s]", org, testOrgID)
	}
	sort.Strings(accounts)
	want := append([]string(nil), testListed...)
	sort.Strings(want)
	if !reflect.DeepEqual(accounts, want) {
		t.Errorf("account statements admit %v; want %v", accounts, want)
	}
}

// accountOf reads the account of an account principal: arn:...:iam::<id>:root, possibly
// inside a Fn::Join with the partition.
func accountOf(t *testing.T, v any) string {
	t.Helper()
	s := canonical(t, v)
	for _, a := range append(append([]string(nil), testListed...), testAccount) {
		if strings.Contains(s, ":iam::"+a+":root") {
			return a
		}
	}
	return s
}

// TestCentralBusRules: every catalog rule is on the central bus delivering to the intake
// queue (with its delivery DLQ); on this account's own buses the global-service rules
// are left out (eu-west-1 never sees those events) and the others stay; the intake queue
// admits EventBridge for exactly all of them.
func TestCentralBusRules(t *testing.T) {
	sy := orgSynthesized(t)
	doc := sy.doc(t, "Firebreak")
	st := sy.central.Stack
	in := sy.central.Intake
	if in.Central == nil {
		t.Fatal("Intake.Central = nil with an organization section")
	}
	all, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	busID := logicalIDIn(t, st, in.Central.Bus.Node().DefaultChild())
	queue := logicalIDIn(t, st, in.Queue.Node().DefaultChild())
	dlq := logicalIDIn(t, st, in.DeliveryDLQ.Node().DefaultChild())
	res := doc["Resources"].(map[string]any)
	var admitted []string
	for _, r := range all {
		c, ok := in.Central.Rules[r.Name]
		if !ok {
			t.Errorf("catalog rule %s is not on the central bus", r.Name)
			continue
		}
		id := logicalIDIn(t, st, c)
		admitted = append(admitted, id)
		p := props(res[id].(map[string]any))
		if getAtt(p["EventBusName"]) != busID {
			t.Errorf("central rule %s: EventBusName %v; want the central bus %s", r.Name, p["EventBusName"], busID)
		}
		var want any
		if err := json.Unmarshal(r.Pattern, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p["EventPattern"], want) {
			t.Errorf("central rule %s: EventPattern = %s; want the catalog's %s", r.Name, canonical(t, p["EventPattern"]), r.Pattern)
		}
		tg := list(p["Targets"])
		if len(tg) != 1 || getAtt(tg[0].(map[string]any)["Arn"]) != queue {
			t.Errorf("central rule %s: Targets %s; want the intake queue %s", r.Name, canonical(t, p["Targets"]), queue)
		} else if dc, _ := tg[0].(map[string]any)["DeadLetterConfig"].(map[string]any); getAtt(dc["Arn"]) != dlq {
			t.Errorf("central rule %s: DeadLetterConfig %v; want the delivery DLQ %s", r.Name, dc, dlq)
		}

		_, onDefault := in.Rules[r.Name]
		if wantDefault := r.Scope != events.ScopeGlobal; onDefault != wantDefault {
			t.Errorf("rule %s (scope %s) on this account's bus in %s: %v; want %v", r.Name, r.Scope, testRegion, onDefault, wantDefault)
		}
		if onDefault {
			admitted = append(admitted, logicalIDIn(t, st, in.Rules[r.Name]))
		}
	}
	// The intake queue's policy: EventBridge for exactly these rules.
	var got []string
	for _, qp := range resourcesOf(doc, "AWS::SQS::QueuePolicy") {
		if getAtt(list(props(qp)["Queues"])[0]) != queue {
			continue
		}
		for _, s := range list(props(qp)["PolicyDocument"].(map[string]any)["Statement"]) {
			s := s.(map[string]any)
			if s["Sid"] != "AllowEventsToSend" && !strings.Contains(canonical(t, s["Principal"]), "events.amazonaws.com") {
				continue
			}
			cond := s["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"]
			for _, a := range list(cond) {
				got = append(got, getAtt(a))
			}
		}
	}
	sort.Strings(got)
	sort.Strings(admitted)
	if !reflect.DeepEqual(got, admitted) {
		t.Errorf("intake queue admits EventBridge for %v; want the %d rules on both buses %v", got, len(admitted), admitted)
	}
	outs := doc["Outputs"].(map[string]any)
	if o, ok := outs["CentralBusArn"].(map[string]any); !ok || getAtt(o["Value"]) != busID {
		t.Errorf("Outputs.CentralBusArn = %v; want the central bus's ARN", outs["CentralBusArn"])
	}
}

// TestForwarderRules: the member forwarder holds every default-bus catalog rule with the
// catalog's pattern, targeting the central bus parameter through the role, with the DLQ;
// the global-service rules exist only in us-east-1 (the InGlobalRegion condition).
func TestForwarderRules(t *testing.T) {
	sy := orgSynthesized(t)
	all, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]*Forwarder{sy.global}, sy.member...) {
		name := *f.Stack.StackName()
		t.Run(name, func(t *testing.T) {
			doc := sy.doc(t, name)
			globalOnly := f.InGlobalRegion == nil
			role := logicalIDIn(t, f.Stack, f.Role.Node().DefaultChild())
			dlq := logicalIDIn(t, f.Stack, f.DLQ.Node().DefaultChild())
			rules := resourcesOf(doc, "AWS::Events::Rule")
			want := 0
			for _, r := range all {
				deployed := r.Bus == events.BusDefault && (!globalOnly || r.Global())
				c, ok := f.Rules[r.Name]
				if ok != deployed {
					t.Errorf("rule %s (bus %s, scope %s) forwarded: %v; want %v", r.Name, r.Bus, r.Scope, ok, deployed)
				}
				if !ok {
					continue
				}
				want++
				id := logicalIDIn(t, f.Stack, c)
				res := rules[id]
				p := props(res)
				var pat any
				if err := json.Unmarshal(r.Pattern, &pat); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(p["EventPattern"], pat) {
					t.Errorf("rule %s: EventPattern = %s; want the catalog's %s", r.Name, canonical(t, p["EventPattern"]), r.Pattern)
				}
				if p["EventBusName"] != nil {
					t.Errorf("rule %s: EventBusName %v; want the default bus", r.Name, p["EventBusName"])
				}
				if n, _ := p["Name"].(string); !strings.HasPrefix(n, ForwarderRulePrefix) {
					t.Errorf("rule %s: Name %q; want the prefix %s the DLQ policy and role trust name", r.Name, n, ForwarderRulePrefix)
				}
				tg := list(p["Targets"])
				if len(tg) != 1 {
					t.Errorf("rule %s: %d targets; want 1", r.Name, len(tg))
					continue
				}
				target := tg[0].(map[string]any)
				if canonical(t, target["Arn"]) != `{"Ref":"CentralBusArn"}` {
					t.Errorf("rule %s: target Arn %s; want the CentralBusArn parameter", r.Name, canonical(t, target["Arn"]))
				}
				if getAtt(target["RoleArn"]) != role {
					t.Errorf("rule %s: RoleArn %v; want the forwarder role %s", r.Name, target["RoleArn"], role)
				}
				if dc, _ := target["DeadLetterConfig"].(map[string]any); getAtt(dc["Arn"]) != dlq {
					t.Errorf("rule %s: DeadLetterConfig %v; want the forwarder DLQ %s", r.Name, target["DeadLetterConfig"], dlq)
				}
				cond, _ := res["Condition"].(string)
				switch wantCond := !globalOnly && r.Scope == events.ScopeGlobal; {
				case wantCond && cond == "":
					t.Errorf("rule %s (scope global): no Condition; want it only in %s", r.Name, events.GlobalRegion)
				case !wantCond && cond != "":
					t.Errorf("rule %s (scope %s): Condition %s; want it in every region", r.Name, r.Scope, cond)
				case wantCond:
					c := doc["Conditions"].(map[string]any)[cond]
					if got := canonical(t, c); got != `{"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]}` {
						t.Errorf("condition %s = %s; want region equals us-east-1", cond, got)
					}
				}
			}
			if len(rules) != want {
				t.Errorf("%d rules in %s; want %d", len(rules), name, want)
			}
		})
	}
}

// TestForwarderRole: the role trusts EventBridge only (for this account's forwarding
// rules) and may only put events on the central bus.
func TestForwarderRole(t *testing.T) {
	sy := orgSynthesized(t)
	for _, f := range append([]*Forwarder{sy.global}, sy.member...) {
		name := *f.Stack.StackName()
		t.Run(name, func(t *testing.T) {
			doc := sy.doc(t, name)
			roles := resourcesOf(doc, "AWS::IAM::Role")
			if len(roles) != 1 {
				t.Fatalf("%d roles; want the forwarder role only", len(roles))
			}
			if n := len(resourcesOf(doc, "AWS::IAM::Policy")) + len(resourcesOf(doc, "AWS::IAM::ManagedPolicy")); n != 0 {
				t.Errorf("%d policy resources; want the role's inline policy only", n)
			}
			for _, r := range roles {
				p := props(r)
				if p["ManagedPolicyArns"] != nil {
					t.Errorf("ManagedPolicyArns %v; want none", p["ManagedPolicyArns"])
				}
				for _, s := range list(p["AssumeRolePolicyDocument"].(map[string]any)["Statement"]) {
					s := s.(map[string]any)
					if got := canonical(t, s["Principal"]); got != `{"Service":"events.amazonaws.com"}` {
						t.Errorf("trust principal %s; want events.amazonaws.com only", got)
					}
					if !strings.Contains(canonical(t, s["Condition"]), "rule/"+ForwarderRulePrefix+"*") {
						t.Errorf("trust condition %s; want aws:SourceArn limited to the forwarding rules", canonical(t, s["Condition"]))
					}
				}
				var stmts []any
				for _, pol := range list(p["Policies"]) {
					stmts = append(stmts, list(pol.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"])...)
				}
				if len(stmts) != 1 {
					t.Fatalf("%d policy statements; want one", len(stmts))
				}
				s := stmts[0].(map[string]any)
				if got := canonical(t, s); got != `{"Action":"events:PutEvents","Effect":"Allow","Resource":{"Ref":"CentralBusArn"}}` {
					t.Errorf("role policy statement %s; want Allow events:PutEvents on the CentralBusArn parameter only", got)
				}
			}
		})
	}
}

// TestForwarderDeployable: the forwarder templates deploy where nothing was bootstrapped
// (StackSets): no asset, no Lambda, no bootstrap version parameter or rule, small enough
// for --template-body; the central bus ARN is a parameter (its default the central
// stack's bus when the app knows it).
func TestForwarderDeployable(t *testing.T) {
	sy := orgSynthesized(t)
	forwarders := append([]*Forwarder{sy.global}, sy.member...)
	for _, f := range forwarders {
		name := *f.Stack.StackName()
		t.Run(name, func(t *testing.T) {
			doc := sy.doc(t, name)
			for _, a := range sy.assetManifests {
				if strings.HasPrefix(filepath.Base(a), name+".") {
					t.Errorf("asset manifest %s: want no assets", a)
				}
			}
			if doc["Rules"] != nil {
				t.Errorf("template Rules %s; want none (CheckBootstrapVersion needs a bootstrapped account)", canonical(t, doc["Rules"]))
			}
			params := doc["Parameters"].(map[string]any)
			if len(params) != 1 || params["CentralBusArn"] == nil {
				t.Errorf("Parameters %s; want CentralBusArn only", canonical(t, params))
			}
			for id, r := range doc["Resources"].(map[string]any) {
				typ := r.(map[string]any)["Type"].(string)
				switch typ {
				case "AWS::Events::Rule", "AWS::IAM::Role", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::CloudWatch::Alarm":
				default:
					t.Errorf("resource %s of type %s; a forwarder holds rules, a role, a DLQ and its alarm only", id, typ)
				}
			}
			if n := sy.templateSizes[name]; n > 51200 {
				t.Errorf("template is %d bytes; want at most 51,200 (CloudFormation's --template-body limit)", n)
			}
			def, _ := params["CentralBusArn"].(map[string]any)["Default"].(string)
			wantDef := ""
			if f == sy.global {
				wantDef = CentralBusArn("aws", testRegion, testAccount, testCentralBus)
			}
			if def != wantDef {
				t.Errorf("CentralBusArn default %q; want %q", def, wantDef)
			}
		})
	}
	if r := sy.global.Stack.Region(); *r != events.GlobalRegion {
		t.Errorf("global forwarder region %s; want %s", *r, events.GlobalRegion)
	}
	deps := *sy.global.Stack.Dependencies()
	if len(deps) != 1 || *deps[0].StackName() != "Firebreak" {
		t.Errorf("global forwarder depends on %d stacks; want the central stack", len(deps))
	}
}

// TestForwarderDLQ: encrypted, TLS only, sent to by EventBridge for the forwarding rules
// only, and alarmed.
func TestForwarderDLQ(t *testing.T) {
	sy := orgSynthesized(t)
	for _, f := range sy.member {
		name := *f.Stack.StackName()
		doc := sy.doc(t, name)
		dlq := logicalIDIn(t, f.Stack, f.DLQ.Node().DefaultChild())
		q := props(resourcesOf(doc, "AWS::SQS::Queue")[dlq])
		if q["SqsManagedSseEnabled"] != true && q["KmsMasterKeyId"] == nil {
			t.Errorf("%s: DLQ %s is not encrypted", name, canonical(t, q))
		}
		var tls, send bool
		for _, qp := range resourcesOf(doc, "AWS::SQS::QueuePolicy") {
			for _, s := range list(props(qp)["PolicyDocument"].(map[string]any)["Statement"]) {
				s := s.(map[string]any)
				c := canonical(t, s["Condition"])
				tls = tls || (s["Effect"] == "Deny" && c == `{"Bool":{"aws:SecureTransport":"false"}}`)
				send = send || (s["Effect"] == "Allow" && strings.Contains(c, "rule/"+ForwarderRulePrefix+"*"))
			}
		}
		if !tls || !send {
			t.Errorf("%s: DLQ policy TLS-only %v, EventBridge for the forwarding rules %v; want both", name, tls, send)
		}
		alarms := resourcesOf(doc, "AWS::CloudWatch::Alarm")
		if len(alarms) != 1 {
			t.Errorf("%s: %d alarms; want the DLQ's", name, len(alarms))
		}
		for _, a := range alarms {
			p := props(a)
			if p["MetricName"] != "ApproximateNumberOfMessagesVisible" || getAtt(list(p["Dimensions"])[0].(map[string]any)["Value"]) != dlq {
				t.Errorf("%s: alarm on %v %v; want the DLQ's visible messages", name, p["MetricName"], p["Dimensions"])
			}
		}
	}
}

// TestOrganizationNag: cdk-nag finds nothing unsuppressed in any stack of the app, every
// forwarder suppression is used, and docs/organizations.md lists each.
func TestOrganizationNag(t *testing.T) {
	sy := orgSynthesized(t)
	stacks := map[string]bool{}
	for _, l := range sy.nag {
		stacks[strings.SplitN(l.Resource, "/", 2)[0]] = true
		if l.Compliance != "Compliant" && l.Compliance != "Suppressed" {
			t.Errorf("cdk-nag %s: %s %s on %s", l.Level, l.Compliance, l.Rule, l.Resource)
		}
	}
	for name := range sy.docs {
		if !stacks[name] {
			t.Errorf("no cdk-nag report line for stack %s: the packs did not run on it", name)
		}
	}
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "organizations.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]*Forwarder{sy.global}, sy.member...) {
		for _, s := range f.Suppressions() {
			used := false
			for _, l := range sy.nag {
				used = used || (l.Compliance == "Suppressed" && l.Rule == s.Rule && strings.HasPrefix(l.Resource, s.Path+"/"))
			}
			if !used {
				t.Errorf("suppression %s on %s is not used: remove it", s.Rule, s.Path)
			}
			if !strings.Contains(string(doc), "| "+s.Rule+" | "+s.Where+" |") {
				t.Errorf("docs/organizations.md has no row | %s | %s |", s.Rule, s.Where)
			}
		}
	}
}

// TestOrganizationCFNLint: cfn-lint passes on the central and forwarder templates.
func TestOrganizationCFNLint(t *testing.T) {
	bin := cfnLint(t)
	sy := orgSynthesized(t)
	dir := t.TempDir()
	for name, data := range sy.raw {
		if err := os.WriteFile(filepath.Join(dir, name+".template.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	templates, err := cfnlint.Templates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(templates) != 4 {
		t.Errorf("%d templates; want the central stack and three forwarders", len(templates))
	}
	res, err := cfnlint.Check(context.Background(), bin, templates, suppressions(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Failures {
		t.Errorf("cfn-lint: %s", f)
	}
}

// TestNoOrganization: without the section the stack has no central bus and the app no
// global forwarder (the shared test stack, which the other tests hold to today's shape).
func TestNoOrganization(t *testing.T) {
	sy := synthesized(t)
	if sy.stack.Intake.Central != nil {
		t.Errorf("Intake.Central = %v without an organization section; want nil", sy.stack.Intake.Central)
	}
	if _, ok := sy.doc["Outputs"].(map[string]any)["CentralBusArn"]; ok {
		t.Error("output CentralBusArn without an organization section")
	}
	f, err := NewGlobalForwarder(awscdk.NewApp(nil), sy.stack)
	if f != nil || err != nil {
		t.Errorf("NewGlobalForwarder(no organization) = %v, %v; want nil, nil", f, err)
	}
}

func TestForwarderInputErrors(t *testing.T) {
	cfg := orgConfig(t)
	for _, tc := range []struct {
		name, mode, arn, want string
	}{
		{"mode", "yes", "", `forwarder="yes": want true`},
		{"arn", ForwardRegional, "arn:aws:sqs:eu-west-1:111122223333:q", `is not an event bus ARN`},
		{"arn account", ForwardRegional, "arn:aws:events:eu-west-1:1111:event-bus/b", `is not an event bus ARN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewForwarders(awscdk.NewApp(nil), "X", tc.mode, cfg, tc.arn, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewForwarders(%q, %q) = %v; want an error containing %q", tc.mode, tc.arn, err, tc.want)
			}
		})
	}
}
