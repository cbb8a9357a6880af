// Package config loads Firebreak's one declarative configuration file (firebreak.yaml):
// teams and their contacts, the severity policy, the event taxonomy and the runbook
// mapping. Parsing is strict: unknown keys, values of the wrong type, a second YAML
// document, an empty file, broken cross-references, runbook definitions that are missing
// or not valid ASL, and secondaries that go round in a cycle are errors that name the
// file, the line and the key's full path, all reported at once.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/oncall"
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
	Reviews     *Reviews                    `yaml:"reviews"`    // post-incident reviews and actions (reviews.go)
	Heartbeats  []*Heartbeat                `yaml:"heartbeats"` // sources that must keep speaking (heartbeats.go)
	Chat        *Chat                       `yaml:"chat"`       // chat channels of teams and audiences (chat.go)
	Webhooks    []*Webhook                  `yaml:"webhooks"`   // signed HTTPS notifiers (chat.go)
	// Communication is the plan of who besides the responders hears of incidents, and
	// how often (communication.go).
	Communication *Communication `yaml:"communication"`
	// Organization: the central bus and the forwarders of other accounts and regions
	// (organization.go); nil: this account and region only.
	Organization *Organization `yaml:"organization"`
	// The account directory (accounts.go): account id → name, client, environment,
	// business tier, owner; the business tiers; what unlisted accounts get.
	Accounts        map[string]*Account      `yaml:"accounts"`
	Tiers           map[string]*BusinessTier `yaml:"tiers"`
	UnknownAccounts string                   `yaml:"unknown_accounts"` // accept (default), record, refuse
	// Warnings do not stop the configuration loading (e.g. schedule gaps).
	Warnings strictyaml.Errors `yaml:"-"`

	// TeamNames is the teams' names, sorted (derived).
	TeamNames []string `yaml:"-"`
	// File is where the configuration came from.
	File string `yaml:"-"`
}

// Defaults apply where nothing more specific is configured.
// DefaultMaxSilence is defaults.max_silence when the file leaves it out: three days
// cover a long weekend's maintenance; longer quiet is a planned window or forced.
const DefaultMaxSilence = 72 * time.Hour

type Defaults struct {
	Team string `yaml:"team"` // owner of events no class or tag assigns
	// ReopenWithin: a trigger this soon after its incident was resolved re-opens it
	// (default 1h; 0s: always a new incident).
	ReopenWithin *Duration `yaml:"reopen_within"`
	// AutoResolveAfter: a mitigated incident quiet this long (no new trigger) is resolved
	// (default 30m; 0s: never). Incidents are never closed automatically.
	AutoResolveAfter *Duration `yaml:"auto_resolve_after"`
	// MaxSilence: an ad hoc silence longer than this needs --force, and its incidents'
	// timelines name who forced it (default DefaultMaxSilence; 0s: no maximum).
	MaxSilence *Duration `yaml:"max_silence"`
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
	// Wait holds an opening's page (and its grouping and inhibition) until the incident
	// has been open this long by its own clock (event time), so that an incident opened
	// earlier but delivered later can still become the group's parent, as Alertmanager's
	// group_wait does; the escalator's tick then decides it (internal/dispatch/wait.go).
	// Zero: decided when dispatch sees the opening.
	Wait Duration `yaml:"wait"`
}

// Tier is one step of an escalation path.
type Tier struct {
	After Duration `yaml:"after"` // since the incident opened (or re-opened), while unacknowledged
	// Notify: "owner", "secondary" (the owning team's secondary), team names,
	// contact:<id> or schedule:<name> (whoever is on call when the tier fires).
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
	// OnCall pages people instead of the team's addresses: schedule:<name> (whoever is on
	// call when the page goes out) and contact:<id>. A schedule with nobody on call falls
	// through to Email and SMS and is recorded as a gap (internal/page).
	OnCall []string `yaml:"oncall"`
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

// lazyRegexp compiles expr the first time it is used. Validation runs where a
// configuration is loaded from YAML (the CLI, replay, tests), never in a Lambda, whose
// configuration is compiled in (internal/lambdaenv); compiled at init, these patterns
// cost every Lambda's cold start ~7,000 allocations (counted repetitions such as
// {1,512} compile into long programs).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

var (
	idRe    = lazyRegexp(`^[a-z][a-z0-9-]{0,31}$`)
	classRe = lazyRegexp(`^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$`)
	phoneRe = lazyRegexp(`^\+[1-9][0-9]{6,14}$`)
	mailRe  = lazyRegexp(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	fieldRe = lazyRegexp(`can't evaluate field (\w+)`)
	busRe   = lazyRegexp(`^[A-Za-z0-9._-]+$`) // and at most 256: {1,256} costs every binary ~4,000 allocations at init
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

// InhibitSource reports whether an incident of class may be an inhibit rule's source:
// some rule's source class pattern selects it (or the rule selects any class). The
// DynamoDB store indexes those incidents by class, so that the inhibit check reads them
// alone (store.Dynamo.IndexSources); the check itself matches each against the rules.
func (c *Config) InhibitSource(class string) bool {
	for _, r := range c.Inhibit {
		if r.Source.Class == "" {
			return true
		}
		if ok, err := path.Match(r.Source.Class, class); err == nil && ok {
			return true
		}
	}
	return false
}
