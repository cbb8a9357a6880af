package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pattern"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// validate fills in the defaults, then checks every section of the file, each with its
// own validator, and returns every problem found.
func (c *Config) validate(doc *strictyaml.Doc, root fs.FS) strictyaml.Errors {
	c.applyDefaults()
	sections := []func(*strictyaml.Doc) strictyaml.Errors{
		c.validateVersion,
		c.validateTeams,
		c.validateDefaults,
		func(doc *strictyaml.Doc) strictyaml.Errors { return c.validateRunbooks(doc, root) },
		c.validateSeverities,
		c.validateSilences,
		c.validateInhibit,
		c.validateGrouping,
		c.validateDeploy,
		c.validateTaxonomy,
		c.validateOncall,        // oncall.go
		c.validateReviews,       // reviews.go
		c.validateHeartbeats,    // heartbeats.go
		c.validateChat,          // chat.go
		c.validateCommunication, // communication.go
		c.validateOrganization,  // organization.go (after validateDeploy: it reads deploy.application_bus)
		c.validateAccounts,      // accounts.go
		func(doc *strictyaml.Doc) strictyaml.Errors { // problem.go
			var errs strictyaml.Errors
			c.validateProblems(func(key, format string, args ...any) { errs = append(errs, doc.Errorf(key, format, args...)) })
			return errs
		},
	}
	var errs strictyaml.Errors
	for _, check := range sections {
		errs = append(errs, check(doc)...)
	}
	return errs
}

// applyDefaults sets what the file leaves out to its default and derives TeamNames.
func (c *Config) applyDefaults() {
	c.TeamNames = nil
	for name, t := range c.Teams {
		if t != nil {
			c.TeamNames = append(c.TeamNames, name)
		}
	}
	sort.Strings(c.TeamNames)
	if c.Defaults.ReopenWithin == nil {
		c.Defaults.ReopenWithin = &Duration{time.Hour}
	}
	if c.Defaults.MaxSilence == nil {
		c.Defaults.MaxSilence = &Duration{DefaultMaxSilence}
	}
	if c.Defaults.AutoResolveAfter == nil {
		c.Defaults.AutoResolveAfter = &Duration{30 * time.Minute}
	}
	if c.Fallback == nil {
		no := false
		c.Fallback = &Class{Class: UnknownClass, Severity: string(incident.Info), Incident: &no,
			Description: "Events no taxonomy class matches: recorded and counted, never paged."}
	}
	d := &c.Deploy
	if d.LogRetentionDays == 0 {
		d.LogRetentionDays = 30
	}
	if d.Intake.BatchSize == 0 {
		d.Intake.BatchSize = 100
	}
	if d.Intake.BatchingWindow.Duration == 0 {
		d.Intake.BatchingWindow.Duration = 5 * time.Second
	}
	if d.Intake.MaxConcurrency == 0 {
		d.Intake.MaxConcurrency = 5
	}
}

// problems collects what is wrong with a file, each problem at its key's line.
type problems struct {
	doc  *strictyaml.Doc
	errs strictyaml.Errors
}

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, p.doc.Errorf(key, format, args...))
}

// teamList is the configured teams, for messages.
func (c *Config) teamList() string { return strings.Join(c.TeamNames, ", ") }

func (c *Config) validateVersion(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	if c.Version != 1 {
		p.add("version", "must be 1, got %d", c.Version)
	}
	return p.errs
}

// validateTeams checks the teams' names, contacts and secondaries.
func (c *Config) validateTeams(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	if len(c.Teams) == 0 {
		p.add("teams", "at least one team is required")
	}
	for name, t := range c.Teams {
		key := "teams." + name
		if !idRe().MatchString(name) {
			p.add(key, "team name %q must be lower-case letters, digits and dashes", name)
		}
		if t == nil {
			p.add(key, "empty team")
			continue
		}
		checkContacts(&p, key, t.Email, t.SMS)
		if t.Secondary != "" && c.Teams[t.Secondary] == nil {
			p.add(key+".secondary", "%q is not a team", t.Secondary)
		}
	}
	for _, cycle := range c.secondaryCycles() {
		if len(cycle) == 2 {
			p.add("teams."+cycle[0]+".secondary", "a team cannot be its own secondary")
			continue
		}
		p.add("teams."+cycle[0]+".secondary", "secondaries go round in a cycle (%s): a team cannot be its own secondary, even through others",
			strings.Join(cycle, " → "))
	}
	return p.errs
}

// checkContacts checks the e-mail addresses and phone numbers under key.
func checkContacts(p *problems, key string, email, sms []string) {
	for i, m := range email {
		if !mailRe().MatchString(m) {
			p.add(fmt.Sprintf("%s.email[%d]", key, i), "%q is not an e-mail address", m)
		}
	}
	for i, n := range sms {
		if !phoneRe().MatchString(n) {
			p.add(fmt.Sprintf("%s.sms[%d]", key, i), "%q is not an E.164 phone number like +15555550100", n)
		}
	}
}

func (c *Config) validateDefaults(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	switch {
	case c.Defaults.Team == "":
		p.add("defaults.team", "missing: the owner of events nothing else assigns")
	case c.Teams[c.Defaults.Team] == nil:
		p.add("defaults.team", "%q is not a team (teams: %s)", c.Defaults.Team, c.teamList())
	}
	if d := c.Defaults.MaxSilence; d != nil && d.Duration < 0 {
		p.add("defaults.max_silence", "%s is negative: give a duration like 72h, or 0s for no maximum", d.Duration)
	}
	return p.errs
}

// validateRunbooks checks the runbooks' names and reads each definition from root.
func (c *Config) validateRunbooks(doc *strictyaml.Doc, root fs.FS) strictyaml.Errors {
	p := problems{doc: doc}
	for name, r := range c.Runbooks {
		key := "runbooks." + name
		if !idRe().MatchString(name) {
			p.add(key, "runbook name %q must be lower-case letters, digits and dashes", name)
		}
		if r == nil || r.Definition == "" {
			p.add(key+".definition", "missing: the path of the runbook's ASL file")
			continue
		}
		if err := checkDefinition(root, r.Definition); err != nil {
			p.add(key+".definition", "%v", err)
		}
	}
	return p.errs
}

// validateSeverities checks each severity's policy and its escalation tiers, and that
// every paging severity has one.
func (c *Config) validateSeverities(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	for name, pol := range c.Severities {
		key := "severities." + name
		_, err := incident.ParseSeverity(name)
		switch {
		case err != nil:
			p.add(key, "%v", err)
		case pol == nil:
			p.add(key, "empty policy")
		default:
			c.checkPolicy(&p, key, name, pol)
		}
		if pol != nil {
			c.checkTiers(&p, key, pol.Escalation)
		}
	}
	for _, s := range incident.Severities {
		if s != incident.Info && c.Severities[string(s)] == nil {
			p.add("severities", "missing the policy of %s", s)
		}
	}
	return append(p.errs, c.validateEscalationRepeat(doc)...)
}

// checkPolicy checks who one severity tells, and on which channels.
func (c *Config) checkPolicy(p *problems, key, name string, pol *SeverityPolicy) {
	if name == string(incident.Info) && len(pol.Channels) > 0 {
		p.add(key+".channels", "info never pages: it can have no channels")
	}
	for i, t := range pol.AlsoNotify {
		if c.Teams[t] == nil {
			p.add(fmt.Sprintf("%s.also_notify[%d]", key, i), "%q is not a team (teams: %s)", t, c.teamList())
		}
	}
	for i, ch := range pol.Channels {
		if ch != ChannelEmail && ch != ChannelSMS {
			p.add(fmt.Sprintf("%s.channels[%d]", key, i), "%q is not a channel (email, sms)", ch)
		}
	}
}

// checkTiers checks a severity's escalation tiers: whom each tells, its repeats, and
// that they come in time order.
func (c *Config) checkTiers(p *problems, key string, tiers []Tier) {
	for i, tier := range tiers {
		tk := fmt.Sprintf("%s.escalation[%d]", key, i)
		if len(tier.Notify) == 0 {
			p.add(tk+".notify", "missing: owner, secondary or team names")
		}
		for j, who := range tier.Notify {
			if who == "owner" || who == "secondary" {
				continue
			}
			switch msg := c.checkTarget(who, c.isContact); {
			case msg == "":
			case strings.Contains(who, ":"): // a contact or schedule that is not there
				p.add(fmt.Sprintf("%s.notify[%d]", tk, j), "%s", msg)
			default:
				p.add(fmt.Sprintf("%s.notify[%d]", tk, j), "%q is not owner, secondary, a team, contact:<id> or schedule:<name> (teams: %s)", who, c.teamList())
			}
		}
		if tier.Repeat < 0 || (tier.Repeat > 0 && tier.Every.Duration <= 0) {
			p.add(tk+".every", "repeat %d needs every > 0", tier.Repeat)
		}
		if i > 0 && tier.After.Duration < tiers[i-1].After.Duration {
			p.add(tk+".after", "%s is before the previous tier's %s", tier.After.Duration, tiers[i-1].After.Duration)
		}
	}
}

// validateSilences checks each planned silence, that ids are unique and that a team it
// names exactly is configured.
func (c *Config) validateSilences(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	ids := map[string]bool{}
	for i, sl := range c.Silences {
		key := fmt.Sprintf("silences[%d]", i)
		if ids[sl.ID] {
			p.add(key+".id", "duplicate silence %q", sl.ID)
		}
		ids[sl.ID] = true
		if err := sl.Validate(); err != nil {
			p.add(key, "%v", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if sl.Matchers.Team != "" && !strings.ContainsAny(sl.Matchers.Team, "*?[") && c.Teams[sl.Matchers.Team] == nil {
			p.add(key+".matchers.team", "%q is not a team", sl.Matchers.Team)
		}
	}
	return p.errs
}

// checkMatchFields checks a list of fields two incidents must share (incident.Fields,
// or attr:<name>).
func checkMatchFields(p *problems, key string, fields []string) {
	for i, f := range fields {
		if !incident.ValidField(f) {
			p.add(fmt.Sprintf("%s[%d]", key, i), "%q is not one of %s or %s<name>", f, strings.Join(incident.Fields, ", "), incident.FieldAttrPrefix)
		}
	}
}

func (c *Config) validateInhibit(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	for i, r := range c.Inhibit {
		key := fmt.Sprintf("inhibit[%d]", i)
		if r.Name == "" {
			p.add(key+".name", "missing")
		}
		if len(r.Equal) == 0 {
			p.add(key+".equal", "missing: the fields both incidents must share (e.g. account, region)")
		}
		checkMatchFields(&p, key+".equal", r.Equal)
	}
	return p.errs
}

func (c *Config) validateGrouping(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	g := c.Grouping
	if g == nil {
		return nil
	}
	if g.Window.Duration <= 0 {
		p.add("grouping.window", "must be more than 0s")
	}
	if len(g.By) == 0 {
		p.add("grouping.by", "missing: the fields grouped incidents share")
	}
	checkMatchFields(&p, "grouping.by", g.By)
	c.checkGroupingWait(&p)
	return p.errs
}

// validateDeploy checks the stack's settings against the limits of the services.
func (c *Config) validateDeploy(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	d := c.Deploy
	if b := d.Intake.BatchSize; b < 1 || b > 10000 {
		p.add("deploy.intake.batch_size", "%d is not between 1 and 10000 (the SQS event source limit)", b)
	}
	if w := d.Intake.BatchingWindow.Duration; w > 5*time.Minute {
		p.add("deploy.intake.batching_window", "%s is over the 5m SQS limit", w)
	}
	if m := d.Intake.MaxConcurrency; m < 2 || m > 1000 {
		p.add("deploy.intake.max_concurrency", "%d is not between 2 and 1000 (the SQS event source limit)", m)
	}
	checkContacts(&p, "deploy.operators", d.Operators.Email, d.Operators.SMS)
	checkRules(&p, d.Rules)
	if b := d.ApplicationBus; b != "" && (!busRe().MatchString(b) || len(b) > 256) {
		p.add("deploy.application_bus", "%q is not an event bus name (at most 256 letters, digits, . - _)", b)
	}
	return p.errs
}

// checkRules checks that the rules to deploy are rules of the event catalog.
func checkRules(p *problems, rules []string) {
	catalog, err := events.Rules()
	if err != nil {
		p.add("deploy.rules", "read the event catalog: %v", err)
		return
	}
	known := map[string]bool{}
	var names []string
	for _, r := range catalog {
		known[r.Name] = true
		names = append(names, r.Name)
	}
	for i, r := range rules {
		if !known[r] {
			p.add(fmt.Sprintf("deploy.rules[%d]", i), "%q is not a rule of events/catalog.yaml (%s)", r, strings.Join(names, ", "))
		}
	}
}

// validateTaxonomy checks and compiles every class and the fallback.
func (c *Config) validateTaxonomy(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	if len(c.Taxonomy) == 0 {
		p.add("taxonomy", "at least one class is required")
	}
	seen := map[string]int{}
	for i, cl := range c.Taxonomy {
		key := fmt.Sprintf("taxonomy[%d]", i)
		if cl == nil {
			p.add(key, "empty class")
			continue
		}
		if prev, dup := seen[cl.Class]; dup && cl.Class != "" {
			p.add(key+".class", "%q already defined at taxonomy[%d]", cl.Class, prev)
		}
		seen[cl.Class] = i
		c.checkClass(&p, key, cl, true)
	}
	c.checkClass(&p, "fallback", c.Fallback, false)
	return p.errs
}

// checkClass checks one class and compiles its severities, pattern and title.
func (c *Config) checkClass(p *problems, key string, cl *Class, needMatch bool) {
	if !classRe().MatchString(cl.Class) {
		p.add(key+".class", "%q must be dotted lower-case words, e.g. security.sg-open-world", cl.Class)
	}
	c.checkClassSeverity(p, key, cl)
	if cl.Team != "" && c.Teams[cl.Team] == nil {
		p.add(key+".team", "%q is not a team (teams: %s)", cl.Team, c.teamList())
	}
	if cl.Runbook != "" && c.Runbooks[cl.Runbook] == nil {
		p.add(key+".runbook", "%q is not a runbook defined under runbooks:", cl.Runbook)
	}
	switch {
	case needMatch && len(cl.Match) == 0:
		p.add(key+".match", "missing: an EventBridge pattern saying which events are in this class")
	case len(cl.Match) > 0:
		pat, err := pattern.Validate(cl.Match)
		if err != nil {
			p.add(key+".match", "%v", err)
		}
		cl.Pattern = pat
	}
	if cl.Title != "" {
		checkTitle(p, key, cl)
	}
}

// checkClassSeverity checks and compiles a class's severity and its mapping of the
// source's own labels.
func (c *Config) checkClassSeverity(p *problems, key string, cl *Class) {
	sev, err := incident.ParseSeverity(cl.Severity)
	if err != nil {
		p.add(key+".severity", "%v", err)
	}
	cl.Sev = sev
	if cl.IsIncident() && sev == incident.Info {
		p.add(key+".severity", "info never pages: set incident: false or a severity sev1..sev4")
	}
	cl.SevBySrc = map[string]incident.Severity{}
	for label, s := range cl.SeverityFromSource {
		k := key + ".severity_from_source." + label
		if !slices.Contains(sourceLabels, label) {
			p.add(k, "%q is not a source severity label (%s)", label, strings.Join(sourceLabels, ", "))
		}
		v, err := incident.ParseSeverity(s)
		if err != nil {
			p.add(k, "%v", err)
		}
		cl.SevBySrc[label] = v
	}
}

// checkTitle parses a class's title template and renders it once, to catch fields
// that do not exist.
func checkTitle(p *problems, key string, cl *Class) {
	t, err := newTitle(cl)
	if err != nil {
		p.add(key+".title", "%v", err)
	} else if err := t.Execute(&bytes.Buffer{}, titleProbe); err != nil {
		if m := fieldRe().FindStringSubmatch(err.Error()); m != nil {
			p.add(key+".title", "unknown field .%s (use .Resource, .Actor, .Account, .Region, .Summary, .Source, .DetailType, .Class, .Attrs, .Tags)", m[1])
		} else {
			p.add(key+".title", "%v", err)
		}
	}
	cl.TitleT = t
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
				out = append(out, rotateCycle(path[i:]))
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

// rotateCycle starts a cycle of teams at its first by name and closes it: [b c a] gives
// [a b c a].
func rotateCycle(cycle []string) []string {
	first := 0
	for j := range cycle {
		if cycle[j] < cycle[first] {
			first = j
		}
	}
	return append(append(append([]string(nil), cycle[first:]...), cycle[:first]...), cycle[first])
}

// titleProbe has the shape titles are rendered with, to catch bad field names early.
var titleProbe = struct {
	Resource, Actor, Account, Region, Summary, Source, DetailType, Class string
	Attrs, Tags                                                          map[string]string
}{}
