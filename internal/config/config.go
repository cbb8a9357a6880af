// Package config loads Firebreak's one declarative configuration file (firebreak.yaml):
// teams and their contacts, the severity policy, the event taxonomy and the runbook
// mapping. Parsing is strict: unknown keys, values of the wrong type, a second YAML
// document, an empty file, broken cross-references, runbook definitions that are missing
// or not valid ASL, and secondaries that go round in a cycle are errors that name the
// file, the line and the key's full path, all reported at once.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/pattern"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Config is the whole configuration.
type Config struct {
	Version  int                 `yaml:"version"`
	Defaults Defaults            `yaml:"defaults"`
	Tags     Tags                `yaml:"tags"`
	Teams    map[string]*Team    `yaml:"teams"`
	Taxonomy []*Class            `yaml:"taxonomy"`
	Fallback *Class              `yaml:"fallback"`
	Runbooks map[string]*Runbook `yaml:"runbooks"`
	// Severities is the per-severity policy: who is told on which channels, and the
	// acknowledge, update and resolve objectives.
	Severities map[string]*SeverityPolicy `yaml:"severities"`
	// Silences are planned quiet windows (one-off or weekly).
	Silences []silence.Silence `yaml:"silences"`
	// Inhibit rules: while a more severe incident matching Source is active, new
	// incidents matching Target that share the Equal fields attach to it, unpaged.
	Inhibit []InhibitRule `yaml:"inhibit"`
	// Grouping links incidents opened within Window that share the By fields under the
	// first of them: one page for the group.
	Grouping *Grouping `yaml:"grouping"`
	Deploy   Deploy    `yaml:"deploy"`
	// On call (oncall.go): people, layered rotations, overrides, escalation plans.
	Contacts    []*oncall.Contact           `yaml:"contacts"`
	Schedules   map[string]*oncall.Schedule `yaml:"schedules"`
	Overrides   []oncall.Override           `yaml:"overrides"`
	Escalations map[string]*Escalation      `yaml:"escalations"`
	// Warnings do not stop the configuration loading (e.g. schedule gaps).
	Warnings strictyaml.Errors `yaml:"-"`

	// TeamNames is the teams' names, sorted (derived).
	TeamNames []string `yaml:"-"`
	// File is where the configuration came from.
	File string `yaml:"-"`
}

// Defaults apply where nothing more specific is configured.
type Defaults struct {
	Team string `yaml:"team"` // owner of events no class or tag assigns
	// ReopenWithin: a trigger this soon after its incident was resolved re-opens it
	// (default 1h; 0s: always a new incident).
	ReopenWithin *Duration `yaml:"reopen_within"`
	// AutoResolveAfter: a mitigated incident quiet this long (no new trigger) is resolved
	// (default 30m; 0s: never). Incidents are never closed automatically.
	AutoResolveAfter *Duration `yaml:"auto_resolve_after"`
	// Problem: when a recurring fingerprint becomes a problem (problem.go).
	Problem *ProblemRule `yaml:"problem"`
}

// InhibitRule quiets lesser incidents while a greater one is active.
type InhibitRule struct {
	Name   string           `yaml:"name"`
	Source silence.Matchers `yaml:"source"`
	Target silence.Matchers `yaml:"target"`
	Equal  []string         `yaml:"equal"` // fields both must share: account, region, team, class, resource, source
}

// Grouping links related incidents under one parent.
type Grouping struct {
	Window Duration `yaml:"window"`
	// By are the fields the incidents must share: account, region, team, class, source,
	// actor, resource_prefix (the resource up to its last '/' or ':'), attr:<name>.
	By []string `yaml:"by"`
}

// Tier is one step of an escalation path.
type Tier struct {
	After Duration `yaml:"after"` // since the incident opened (or re-opened), while unacknowledged
	// Notify: "owner", "secondary" (the owning team's secondary) or team names.
	Notify []string `yaml:"notify"`
	Repeat int      `yaml:"repeat"` // further notices, Every apart (at most MaxEscalationRepeat)
	Every  Duration `yaml:"every"`
}

// Tags names the resource tags Firebreak reads from events.
type Tags struct {
	// Team is the tag whose value, when it names a configured team, overrides the
	// owning team from the taxonomy (e.g. "firebreak:team").
	Team string `yaml:"team"`
}

// Team is a group of responders.
type Team struct {
	Name  string   `yaml:"name"`  // display name
	Email []string `yaml:"email"` // e-mail subscriptions
	SMS   []string `yaml:"sms"`   // E.164 phone numbers
	// Secondary is the team escalation tiers call "secondary" for this team's incidents.
	Secondary string `yaml:"secondary"`
}

// Class is one entry of the event taxonomy: which events it covers and what they mean.
type Class struct {
	Class       string `yaml:"class"`
	Description string `yaml:"description"`
	// Match is an EventBridge pattern over the raw event, extended with a "firebreak"
	// object holding the normalised fields (signal, resource, actor, source_severity,
	// attrs, tags). The first class in file order that matches wins.
	Match    map[string]any `yaml:"match"`
	Severity string         `yaml:"severity"`
	// SeverityFromSource maps the source's own severity label (CRITICAL, HIGH, MEDIUM,
	// LOW, INFORMATIONAL) to a Firebreak severity; unmapped labels keep Severity.
	SeverityFromSource map[string]string `yaml:"severity_from_source"`
	Team               string            `yaml:"team"`
	Impact             string            `yaml:"impact"`
	Incident           *bool             `yaml:"incident"` // default true
	Runbook            string            `yaml:"runbook"`
	// Title is a text/template over the normalised event (.Resource, .Actor, .Account,
	// .Region, .Summary, .Attrs, .Tags); default: the event's summary.
	Title string `yaml:"title"`
	// Problem overrides defaults.problem for this class's fingerprints (problem.go).
	Problem *ProblemRule `yaml:"problem"`

	// Compiled forms (derived).
	Pattern  []byte                       `yaml:"-"`
	Sev      incident.Severity            `yaml:"-"`
	SevBySrc map[string]incident.Severity `yaml:"-"`
	TitleT   *template.Template           `yaml:"-"`
}

// IsIncident reports whether trigger events of this class open incidents.
func (c *Class) IsIncident() bool { return c.Incident == nil || *c.Incident }

// Runbook maps a runbook name to its Step Functions definition.
type Runbook struct {
	// Definition is the path of the ASL file, relative to the repository (see Root); it
	// must exist and parse as a state machine.
	Definition  string `yaml:"definition"`
	Description string `yaml:"description"`
	// DryRun makes the runbook record every AWS call it would make instead of making it.
	DryRun bool `yaml:"dry_run"`
}

// Channels a team can be told on.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// SeverityPolicy is the communication policy and the clocks of one severity.
type SeverityPolicy struct {
	Name string `yaml:"name"` // e.g. Critical
	// Channels are how the owning team is told: email, sms. Empty: recorded, nobody told.
	Channels []string `yaml:"channels"`
	// AlsoNotify are teams told as well as the owner (e.g. management for sev1).
	AlsoNotify []string `yaml:"also_notify"`
	// AcknowledgeWithin, UpdateEvery and ResolveWithin are the objectives: how soon an
	// incident must be acknowledged, how often its owner must post an update while it is
	// open, and how soon it must be resolved.
	AcknowledgeWithin Duration `yaml:"acknowledge_within"`
	UpdateEvery       Duration `yaml:"update_every"`
	ResolveWithin     Duration `yaml:"resolve_within"`
	// Escalation is who else is told, and when, while nobody acknowledges.
	Escalation []Tier `yaml:"escalation"`
}

// Deploy configures the stack (infra/).
type Deploy struct {
	// Rules are the catalog rules to deploy (event classes to receive); empty: all.
	Rules []string `yaml:"rules"`
	// ApplicationBus names the custom event bus application events are sent to; empty:
	// the application rule goes on the default bus.
	ApplicationBus string `yaml:"application_bus"`
	// Operators are told about the health of Firebreak itself (DLQs, errors, failed runbooks).
	Operators Team `yaml:"operators"`
	// LogRetentionDays for every log group (default 30).
	LogRetentionDays int `yaml:"log_retention_days"`
	// Intake tunes the intake Lambda's SQS consumption.
	Intake struct {
		BatchSize      int      `yaml:"batch_size"`      // default 100
		BatchingWindow Duration `yaml:"batching_window"` // default 5s
		MaxConcurrency int      `yaml:"max_concurrency"` // default 5
	} `yaml:"intake"`
}

// Duration is a time.Duration written as "90s", "5m", "4h".
type Duration struct{ time.Duration }

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if n.Kind != yaml.ScalarNode || n.Decode(&s) != nil {
		return strictyaml.NodeError(n, "want a duration like 5m or 4h, got %s", strictyaml.Got(n))
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return strictyaml.NodeError(n, "%q is not a duration like 5m or 4h", s)
	}
	d.Duration = v
	return nil
}

// Source severity labels the taxonomy can map.
var sourceLabels = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"}

var (
	idRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	classRe = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$`)
	phoneRe = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	mailRe  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	fieldRe = regexp.MustCompile(`can't evaluate field (\w+)`)
	busRe   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`) // and at most 256: {1,256} costs every binary ~4,000 allocations at init
)

// UnknownClass is the class of events no taxonomy entry matches, unless the
// configuration's fallback says otherwise.
const UnknownClass = "unknown"

// Load reads and validates a configuration file. Its runbook definitions are read
// from the repository holding it (see Root).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates configuration data; file names it in errors and places it:
// runbook definitions are read from the repository holding file (see Root).
func Parse(file string, data []byte) (*Config, error) {
	return ParseFS(file, data, os.DirFS(Root(file)))
}

// Root is the repository a configuration file belongs to, which its runbook definition
// paths are relative to: the nearest directory at or above the file's that holds
// cdk.json, or the file's own directory when none does.
func Root(file string) string {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return filepath.Dir(file)
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "cdk.json")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// ParseFS decodes and validates configuration data, reading runbook definitions from
// root (paths as written under runbooks.<name>.definition). Every problem found is
// reported at once, each with the file, the line and the key.
func ParseFS(file string, data []byte, root fs.FS) (*Config, error) {
	var c Config
	doc, err := strictyaml.Decode(file, data, &c)
	if doc == nil {
		return nil, err
	}
	var decoded strictyaml.Errors
	if err != nil && !errors.As(err, &decoded) {
		var one *strictyaml.Error
		if !errors.As(err, &one) {
			return nil, err
		}
		decoded = strictyaml.Errors{one}
	}
	for _, e := range decoded {
		if e.Key == "" { // the file's shape is wrong (not a mapping): nothing more to check
			return nil, decoded
		}
	}
	c.File = file
	errs := decoded
	for _, e := range c.validate(doc, root) {
		if !under(decoded, e.Key) { // a value that did not decode says nothing more
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, errs
	}
	return &c, nil
}

// under reports whether key is, or is inside, a key that already has an error.
func under(es strictyaml.Errors, key string) bool {
	for _, e := range es {
		if e.Key != "" && (key == e.Key || strings.HasPrefix(key, e.Key+".") || strings.HasPrefix(key, e.Key+"[")) {
			return true
		}
	}
	return false
}

func (c *Config) validate(doc *strictyaml.Doc, root fs.FS) strictyaml.Errors {
	var errs strictyaml.Errors
	bad := func(key, format string, args ...any) { errs = append(errs, doc.Errorf(key, format, args...)) }

	if c.Version != 1 {
		bad("version", "must be 1, got %d", c.Version)
	}
	if len(c.Teams) == 0 {
		bad("teams", "at least one team is required")
	}
	for name, t := range c.Teams {
		key := "teams." + name
		if !idRe.MatchString(name) {
			bad(key, "team name %q must be lower-case letters, digits and dashes", name)
		}
		if t == nil {
			bad(key, "empty team")
			continue
		}
		for i, m := range t.Email {
			if !mailRe.MatchString(m) {
				bad(fmt.Sprintf("%s.email[%d]", key, i), "%q is not an e-mail address", m)
			}
		}
		for i, p := range t.SMS {
			if !phoneRe.MatchString(p) {
				bad(fmt.Sprintf("%s.sms[%d]", key, i), "%q is not an E.164 phone number like +15555550100", p)
			}
		}
		c.TeamNames = append(c.TeamNames, name)
	}
	sort.Strings(c.TeamNames)
	if c.Defaults.Team == "" {
		bad("defaults.team", "missing: the owner of events nothing else assigns")
	} else if c.Teams[c.Defaults.Team] == nil {
		bad("defaults.team", "%q is not a team (teams: %s)", c.Defaults.Team, strings.Join(c.TeamNames, ", "))
	}
	for name, r := range c.Runbooks {
		key := "runbooks." + name
		if !idRe.MatchString(name) {
			bad(key, "runbook name %q must be lower-case letters, digits and dashes", name)
		}
		if r == nil || r.Definition == "" {
			bad(key+".definition", "missing: the path of the runbook's ASL file")
			continue
		}
		if err := checkDefinition(root, r.Definition); err != nil {
			bad(key+".definition", "%v", err)
		}
	}
	if len(c.Taxonomy) == 0 {
		bad("taxonomy", "at least one class is required")
	}
	for name, p := range c.Severities {
		key := "severities." + name
		if _, err := incident.ParseSeverity(name); err != nil {
			bad(key, "%v", err)
			continue
		}
		if p == nil {
			bad(key, "empty policy")
			continue
		}
		if name == string(incident.Info) && len(p.Channels) > 0 {
			bad(key+".channels", "info never pages: it can have no channels")
		}
		for i, t := range p.AlsoNotify {
			if c.Teams[t] == nil {
				bad(fmt.Sprintf("%s.also_notify[%d]", key, i), "%q is not a team (teams: %s)", t, strings.Join(c.TeamNames, ", "))
			}
		}
		for i, ch := range p.Channels {
			if ch != ChannelEmail && ch != ChannelSMS {
				bad(fmt.Sprintf("%s.channels[%d]", key, i), "%q is not a channel (email, sms)", ch)
			}
		}
	}
	for _, s := range incident.Severities {
		if s != incident.Info && c.Severities[string(s)] == nil {
			bad("severities", "missing the policy of %s", s)
		}
	}
	for name, p := range c.Severities {
		if p == nil {
			continue
		}
		for i, tier := range p.Escalation {
			key := fmt.Sprintf("severities.%s.escalation[%d]", name, i)
			if len(tier.Notify) == 0 {
				bad(key+".notify", "missing: owner, secondary or team names")
			}
			for j, who := range tier.Notify {
				if who != "owner" && who != "secondary" && c.Teams[who] == nil {
					bad(fmt.Sprintf("%s.notify[%d]", key, j), "%q is not owner, secondary or a team (teams: %s)", who, strings.Join(c.TeamNames, ", "))
				}
			}
			if tier.Repeat < 0 || (tier.Repeat > 0 && tier.Every.Duration <= 0) {
				bad(key+".every", "repeat %d needs every > 0", tier.Repeat)
			}
			if i > 0 && tier.After.Duration < p.Escalation[i-1].After.Duration {
				bad(key+".after", "%s is before the previous tier's %s", tier.After.Duration, p.Escalation[i-1].After.Duration)
			}
		}
	}
	errs = append(errs, c.validateEscalationRepeat(doc)...)
	for name, t := range c.Teams {
		if t != nil && t.Secondary != "" && c.Teams[t.Secondary] == nil {
			bad("teams."+name+".secondary", "%q is not a team", t.Secondary)
		}
	}
	for _, cycle := range c.secondaryCycles() {
		if len(cycle) == 2 {
			bad("teams."+cycle[0]+".secondary", "a team cannot be its own secondary")
			continue
		}
		bad("teams."+cycle[0]+".secondary", "secondaries go round in a cycle (%s): a team cannot be its own secondary, even through others",
			strings.Join(cycle, " → "))
	}
	c.validateProblems(bad)
	if c.Defaults.ReopenWithin == nil {
		c.Defaults.ReopenWithin = &Duration{time.Hour}
	}
	if c.Defaults.AutoResolveAfter == nil {
		c.Defaults.AutoResolveAfter = &Duration{30 * time.Minute}
	}
	ids := map[string]bool{}
	for i, sl := range c.Silences {
		key := fmt.Sprintf("silences[%d]", i)
		if ids[sl.ID] {
			bad(key+".id", "duplicate silence %q", sl.ID)
		}
		ids[sl.ID] = true
		if err := sl.Validate(); err != nil {
			bad(key, "%v", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if sl.Matchers.Team != "" && !strings.ContainsAny(sl.Matchers.Team, "*?[") && c.Teams[sl.Matchers.Team] == nil {
			bad(key+".matchers.team", "%q is not a team", sl.Matchers.Team)
		}
	}
	fields := []string{"account", "region", "team", "class", "resource", "source", "actor", "resource_prefix"}
	validField := func(f string) bool { return contains(fields, f) || (strings.HasPrefix(f, "attr:") && len(f) > 5) }
	for i, r := range c.Inhibit {
		key := fmt.Sprintf("inhibit[%d]", i)
		if r.Name == "" {
			bad(key+".name", "missing")
		}
		if len(r.Equal) == 0 {
			bad(key+".equal", "missing: the fields both incidents must share (e.g. account, region)")
		}
		for j, f := range r.Equal {
			if !validField(f) {
				bad(fmt.Sprintf("%s.equal[%d]", key, j), "%q is not one of %s or attr:<name>", f, strings.Join(fields, ", "))
			}
		}
	}
	if g := c.Grouping; g != nil {
		if g.Window.Duration <= 0 {
			bad("grouping.window", "must be more than 0s")
		}
		if len(g.By) == 0 {
			bad("grouping.by", "missing: the fields grouped incidents share")
		}
		for j, f := range g.By {
			if !validField(f) {
				bad(fmt.Sprintf("grouping.by[%d]", j), "%q is not one of %s or attr:<name>", f, strings.Join(fields, ", "))
			}
		}
	}
	if c.Deploy.LogRetentionDays == 0 {
		c.Deploy.LogRetentionDays = 30
	}
	if c.Deploy.Intake.BatchSize == 0 {
		c.Deploy.Intake.BatchSize = 100
	}
	if c.Deploy.Intake.BatchingWindow.Duration == 0 {
		c.Deploy.Intake.BatchingWindow.Duration = 5 * time.Second
	}
	if c.Deploy.Intake.MaxConcurrency == 0 {
		c.Deploy.Intake.MaxConcurrency = 5
	}
	if b := c.Deploy.Intake.BatchSize; b < 1 || b > 10000 {
		bad("deploy.intake.batch_size", "%d is not between 1 and 10000 (the SQS event source limit)", b)
	}
	if w := c.Deploy.Intake.BatchingWindow.Duration; w > 5*time.Minute {
		bad("deploy.intake.batching_window", "%s is over the 5m SQS limit", w)
	}
	if m := c.Deploy.Intake.MaxConcurrency; m < 2 || m > 1000 {
		bad("deploy.intake.max_concurrency", "%d is not between 2 and 1000 (the SQS event source limit)", m)
	}
	for i, m := range c.Deploy.Operators.Email {
		if !mailRe.MatchString(m) {
			bad(fmt.Sprintf("deploy.operators.email[%d]", i), "%q is not an e-mail address", m)
		}
	}
	for i, p := range c.Deploy.Operators.SMS {
		if !phoneRe.MatchString(p) {
			bad(fmt.Sprintf("deploy.operators.sms[%d]", i), "%q is not an E.164 phone number like +15555550100", p)
		}
	}
	if rules, err := events.Rules(); err != nil {
		bad("deploy.rules", "read the event catalog: %v", err)
	} else {
		known := map[string]bool{}
		var names []string
		for _, r := range rules {
			known[r.Name] = true
			names = append(names, r.Name)
		}
		for i, r := range c.Deploy.Rules {
			if !known[r] {
				bad(fmt.Sprintf("deploy.rules[%d]", i), "%q is not a rule of events/catalog.yaml (%s)", r, strings.Join(names, ", "))
			}
		}
	}
	if b := c.Deploy.ApplicationBus; b != "" && (!busRe.MatchString(b) || len(b) > 256) {
		bad("deploy.application_bus", "%q is not an event bus name (at most 256 letters, digits, . - _)", b)
	}
	seen := map[string]int{}
	for i, cl := range c.Taxonomy {
		key := fmt.Sprintf("taxonomy[%d]", i)
		if cl == nil {
			bad(key, "empty class")
			continue
		}
		if prev, dup := seen[cl.Class]; dup && cl.Class != "" {
			bad(key+".class", "%q already defined at taxonomy[%d]", cl.Class, prev)
		}
		seen[cl.Class] = i
		errs = append(errs, c.validateClass(doc, key, cl, true)...)
	}
	if c.Fallback == nil {
		no := false
		c.Fallback = &Class{Class: UnknownClass, Severity: string(incident.Info), Incident: &no,
			Description: "Events no taxonomy class matches: recorded and counted, never paged."}
	}
	errs = append(errs, c.validateClass(doc, "fallback", c.Fallback, false)...)
	errs = append(errs, c.validateOncall(doc)...)
	return errs
}

func (c *Config) validateClass(doc *strictyaml.Doc, key string, cl *Class, needMatch bool) strictyaml.Errors {
	var errs strictyaml.Errors
	bad := func(k, format string, args ...any) { errs = append(errs, doc.Errorf(k, format, args...)) }
	if !classRe.MatchString(cl.Class) {
		bad(key+".class", "%q must be dotted lower-case words, e.g. security.sg-open-world", cl.Class)
	}
	sev, err := incident.ParseSeverity(cl.Severity)
	if err != nil {
		bad(key+".severity", "%v", err)
	}
	cl.Sev = sev
	if cl.IsIncident() && sev == incident.Info {
		bad(key+".severity", "info never pages: set incident: false or a severity sev1..sev4")
	}
	cl.SevBySrc = map[string]incident.Severity{}
	for label, s := range cl.SeverityFromSource {
		k := key + ".severity_from_source." + label
		if !contains(sourceLabels, label) {
			bad(k, "%q is not a source severity label (%s)", label, strings.Join(sourceLabels, ", "))
		}
		v, err := incident.ParseSeverity(s)
		if err != nil {
			bad(k, "%v", err)
		}
		cl.SevBySrc[label] = v
	}
	if cl.Team != "" && c.Teams[cl.Team] == nil {
		bad(key+".team", "%q is not a team (teams: %s)", cl.Team, strings.Join(c.TeamNames, ", "))
	}
	if cl.Runbook != "" && c.Runbooks[cl.Runbook] == nil {
		bad(key+".runbook", "%q is not a runbook defined under runbooks:", cl.Runbook)
	}
	switch {
	case needMatch && len(cl.Match) == 0:
		bad(key+".match", "missing: an EventBridge pattern saying which events are in this class")
	case len(cl.Match) > 0:
		p, err := pattern.Validate(cl.Match)
		if err != nil {
			bad(key+".match", "%v", err)
		}
		cl.Pattern = p
	}
	if cl.Title != "" {
		t, err := newTitle(cl)
		if err != nil {
			bad(key+".title", "%v", err)
		} else if err := t.Execute(&bytes.Buffer{}, titleProbe); err != nil {
			if m := fieldRe.FindStringSubmatch(err.Error()); m != nil {
				bad(key+".title", "unknown field .%s (use .Resource, .Actor, .Account, .Region, .Summary, .Source, .DetailType, .Class, .Attrs, .Tags)", m[1])
			} else {
				bad(key+".title", "%v", err)
			}
		}
		cl.TitleT = t
	}
	return errs
}

// checkDefinition reads a runbook's ASL definition from root and parses it.
func checkDefinition(root fs.FS, file string) error {
	if !fs.ValidPath(file) {
		return fmt.Errorf("%q is not a path inside the repository (relative, with / and no ..)", file)
	}
	if root == nil {
		return fmt.Errorf("%s: no repository to read it from", file)
	}
	data, err := fs.ReadFile(root, file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist", file)
	case err != nil:
		return fmt.Errorf("read %s: %w", file, err)
	}
	if _, err := asl.Parse(data); err != nil {
		return fmt.Errorf("%s is not a valid state machine: %w", file, err)
	}
	return nil
}

// secondaryCycles returns each cycle of secondaries once, from its first team by name
// back to it (a team that is its own secondary: [a a]).
func (c *Config) secondaryCycles() [][]string {
	var out [][]string
	done := map[string]bool{}
	for _, start := range c.TeamNames {
		if done[start] {
			continue
		}
		var path []string
		at := map[string]int{}
		for name := start; name != "" && !done[name]; {
			if i, seen := at[name]; seen {
				cycle := path[i:]
				first := 0
				for j := range cycle {
					if cycle[j] < cycle[first] {
						first = j
					}
				}
				cycle = append(append(append([]string(nil), cycle[first:]...), cycle[:first]...), cycle[first])
				out = append(out, cycle)
				break
			}
			at[name] = len(path)
			path = append(path, name)
			t := c.Teams[name]
			if t == nil {
				break
			}
			name = t.Secondary
		}
		for _, n := range path {
			done[n] = true
		}
	}
	return out
}

// titleProbe has the shape titles are rendered with, to catch bad field names early.
var titleProbe = struct {
	Resource, Actor, Account, Region, Summary, Source, DetailType, Class string
	Attrs, Tags                                                          map[string]string
}{}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Short writes a duration the way the configuration does: 90s, 5m, 4h, 1h30m.
func Short(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0 && d > time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
