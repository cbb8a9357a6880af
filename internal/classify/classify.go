// Package classify applies the configured event taxonomy to normalised events: event
// class, severity, owning team, business impact, whether it is an incident, its runbook,
// its title and its fingerprint.
package classify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/firebreak-ops/firebreak/internal/accounts"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// Result is what the taxonomy says about one event.
type Result struct {
	Class    string            `json:"class"`
	Severity incident.Severity `json:"severity"` // info whenever Incident is false
	Team     string            `json:"team"`
	Impact   string            `json:"impact,omitempty"`
	Incident bool              `json:"incident"` // a trigger event of an incident class
	// IncidentClass reports whether the class opens incidents at all; its recovery
	// events then mitigate them.
	IncidentClass bool   `json:"incident_class"`
	Runbook       string `json:"runbook,omitempty"`
	Title         string `json:"title"`
	Fingerprint   string `json:"fingerprint"`
	// ClassSeverity is the class's severity for this event even when the event itself
	// does not page (a recovery, an informational event); it is the severity of the
	// incident a trigger of this fingerprint opens.
	ClassSeverity incident.Severity `json:"class_severity"`
	// TeamFromTag is set when a resource tag chose the team.
	TeamFromTag bool `json:"team_from_tag,omitempty"`
	// What the account directory says of the event's account (internal/accounts): its
	// name, client, environment and business tier, and how it shaped the severity, the
	// owner and the objectives (AccountReason; "" when it changed nothing).
	AccountName   string `json:"account_name,omitempty"`
	Client        string `json:"client,omitempty"`
	Environment   string `json:"environment,omitempty"`
	Tier          string `json:"tier,omitempty"`
	AccountReason string `json:"account_reason,omitempty"`
}

// Classifier is safe for concurrent use.
type Classifier struct {
	cfg      *config.Config
	classes  []*config.Class
	titles   []*title // per class; nil where the class has no title
	fallback *title
	m        *bySource
	accounts *accounts.Directory
}

// New prepares the configuration's taxonomy: it splits the classes by the event source
// their patterns name, and each source's automaton is compiled when its first event
// comes (see bySource). Plain titles compile from their text; others run through
// text/template.
func New(cfg *config.Config) (*Classifier, error) { return newClassifier(cfg, newTitle) }

// NewPlain is New for a configuration whose titles are all plain (Plain), as the one
// compiled into the Lambdas is: it has no template engine, so a program that makes its
// classifier with NewPlain alone links no text/template execution, whose reflective
// method calls keep every exported method of every linked type in the binary (4 MB of
// intake's 13.5 MB). A title that is not plain is an error naming its class.
func NewPlain(cfg *config.Config) (*Classifier, error) { return newClassifier(cfg, plainTitle) }

// Plain reports whether every title of cfg's taxonomy and fallback is plain: only text,
// {{.Field}} and {{index .Attrs "key"}} / {{index .Tags "key"}}, which NewPlain
// compiles from the text.
func Plain(cfg *config.Config) bool {
	for _, cl := range append(slices.Clip(cfg.Taxonomy), cfg.Fallback) {
		if cl != nil && cl.Title != "" {
			if _, ok := titleParts(cl.Title); !ok {
				return false
			}
		}
	}
	return true
}

func newClassifier(cfg *config.Config, newTitle func(*config.Class) (*title, error)) (*Classifier, error) {
	ps := make([]json.RawMessage, len(cfg.Taxonomy))
	for i, c := range cfg.Taxonomy {
		ps[i] = c.Pattern
	}
	m, err := newBySource(ps)
	if err != nil {
		return nil, fmt.Errorf("compile taxonomy of %s: %w", cfg.File, err)
	}
	c := &Classifier{cfg: cfg, classes: cfg.Taxonomy, m: m, titles: make([]*title, len(cfg.Taxonomy)), accounts: accounts.New(cfg)}
	for i, cl := range cfg.Taxonomy {
		if c.titles[i], err = newTitle(cl); err != nil {
			return nil, fmt.Errorf("taxonomy of %s: %w", cfg.File, err)
		}
	}
	if c.fallback, err = newTitle(cfg.Fallback); err != nil {
		return nil, fmt.Errorf("fallback of %s: %w", cfg.File, err)
	}
	return c, nil
}

// matchView is the "firebreak" object appended to the raw event for matching, so
// taxonomy patterns can use what the parsers worked out.
type matchView struct {
	Signal         event.Signal      `json:"signal"`
	Resource       string            `json:"resource"`
	Subject        string            `json:"subject"`
	Actor          string            `json:"actor"`
	SourceSeverity string            `json:"source_severity,omitempty"`
	Attrs          map[string]string `json:"attrs,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// MatchDocument is the JSON the taxonomy patterns are matched against: the raw event
// with a top-level "firebreak" object of normalised fields.
func MatchDocument(e event.Event) ([]byte, error) {
	view, err := json.Marshal(matchView{Signal: e.Signal, Resource: e.Resource, Subject: e.Subject, Actor: e.Actor,
		SourceSeverity: e.SourceSeverity, Attrs: e.Attrs, Tags: e.Tags})
	if err != nil {
		return nil, fmt.Errorf("event %s: encode match view: %w", e.ID, err)
	}
	raw := bytes.TrimSpace(e.Raw)
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, fmt.Errorf("event %s: raw event is not a JSON object", e.ID)
	}
	doc := make([]byte, 0, len(raw)+len(view)+16)
	doc = append(doc, raw[:len(raw)-1]...)
	if len(bytes.TrimSpace(raw[1:len(raw)-1])) > 0 {
		doc = append(doc, ',')
	}
	doc = append(doc, `"firebreak":`...)
	doc = append(doc, view...)
	return append(doc, '}'), nil
}

// Classify returns the taxonomy's verdict on e, shaped by the account directory
// (internal/accounts). Events no class matches get the fallback class; classification
// never fails on a parsed event except for an unrenderable title, which falls back to
// the summary, a taxonomy pattern the matcher rejects when its source's automaton is
// compiled (the configuration's validation, pattern.Validate, admits only patterns it
// compiles), and an account the directory refuses (accounts.ErrRefused: intake
// quarantines the event with the reason).
//
// The patterns are matched on the event as Parse decoded it (e.Doc) with the
// "firebreak" view beside it, exactly as they would match MatchDocument(e); an event
// without Doc has its Raw decoded here.
func (c *Classifier) Classify(e event.Event) (Result, error) {
	doc := e.Doc
	if doc == nil {
		if err := json.Unmarshal(e.Raw, &doc); err != nil || doc == nil {
			return Result{}, fmt.Errorf("event %s: raw event is not a JSON object", e.ID)
		}
	}
	v := views.Get().(*view)
	v.fill(&e)
	i, err := c.m.first(doc, v.top[:]...)
	*v = view{} // drop the event's strings and maps before pooling
	views.Put(v)
	if err != nil {
		return Result{}, fmt.Errorf("classify event %s: %w", e.ID, err)
	}
	cl, t := c.cfg.Fallback, c.fallback
	if i >= 0 {
		cl, t = c.classes[i], c.titles[i]
	}
	return c.apply(cl, t, e)
}

// view is the "firebreak" object of MatchDocument, as members to match beside the
// decoded event. Views are pooled: building one per event costs no allocation.
type view struct {
	top     [1]pattern.Member
	members [7]pattern.Member
}

var views = sync.Pool{New: func() any { return new(view) }}

func (v *view) fill(e *event.Event) {
	m := append(v.members[:0],
		pattern.Member{Name: "signal", String: string(e.Signal)},
		pattern.Member{Name: "resource", String: e.Resource},
		pattern.Member{Name: "subject", String: e.Subject},
		pattern.Member{Name: "actor", String: e.Actor})
	if e.SourceSeverity != "" {
		m = append(m, pattern.Member{Name: "source_severity", String: e.SourceSeverity})
	}
	if len(e.Attrs) > 0 {
		m = append(m, pattern.Member{Name: "attrs", Strings: e.Attrs})
	}
	if len(e.Tags) > 0 {
		m = append(m, pattern.Member{Name: "tags", Strings: e.Tags})
	}
	v.top[0] = pattern.Member{Name: "firebreak", Members: m}
}

func (c *Classifier) apply(cl *config.Class, t *title, e event.Event) (Result, error) {
	r := Result{Class: cl.Class, Impact: cl.Impact, Runbook: cl.Runbook, ClassSeverity: cl.Sev}
	if s, ok := cl.SevBySrc[e.SourceSeverity]; ok {
		r.ClassSeverity = s
	}
	r.IncidentClass = cl.IsIncident() && r.ClassSeverity != incident.Info
	r.Team = cl.Team
	if r.Team == "" {
		r.Team = c.cfg.Defaults.Team
	}
	if tag := c.cfg.Tags.Team; tag != "" {
		if t := strings.TrimSpace(e.Tags[tag]); t != "" && c.cfg.Teams[t] != nil {
			r.Team, r.TeamFromTag = t, true
		}
	}
	v, err := c.accounts.Apply(e.Account, accounts.Class{Severity: r.ClassSeverity, Team: r.Team, TeamFromTag: r.TeamFromTag, Incident: r.IncidentClass})
	if err != nil {
		return Result{}, fmt.Errorf("event %s: %w", e.ID, err)
	}
	r.ClassSeverity, r.Team = v.Severity, v.Team
	r.AccountName, r.Client, r.Environment, r.Tier, r.AccountReason = v.Name, v.Client, v.Environment, v.Tier, v.Reason
	if v.Unpaged { // recorded at info: nobody paged, no runbook
		r.Runbook = ""
	}
	r.Incident = r.IncidentClass && e.Signal == event.Trigger
	r.Severity = incident.Info
	if r.Incident {
		r.Severity = r.ClassSeverity
	}
	r.Title = e.Summary
	if t != nil {
		s, err := t.render(&titleData{Resource: e.Resource, Actor: e.Actor, Account: e.Account, Region: e.Region,
			Summary: e.Summary, Source: e.Source, DetailType: e.DetailType, Class: cl.Class, Attrs: e.Attrs, Tags: e.Tags})
		if err == nil && s != "" {
			r.Title = s
		}
	}
	r.Fingerprint = incident.Fingerprint(cl.Class, e.Account, e.Region, e.Subject)
	return r, nil
}
