package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

var classifyCmd = &command{
	name: "classify", args: "[FILE...]", summary: "print what the taxonomy makes of each event (stdin when no FILE)",
	about: `Each event is parsed, routed through the event catalog's rules and classified: one JSON line per
event with its class, severity, owning team, whether it opens an incident, its fingerprint, title,
runbook and the catalog rules that would deliver it (none: EventBridge would not). Nothing is
stored and nothing is sent. A file that cannot be read or an event that cannot be parsed is
reported on stderr and the rest go on; the exit code is 1 if any failed.`,
	arguments: [][2]string{{"FILE", "an event as EventBridge delivers it: .json, or JSON lines (.jsonl, .ndjson); a folder; - for stdin"}},
	example:   "firebreak classify events/samples/cloudtrail/stop-logging.json\naws events test-event-pattern ... | firebreak classify -",
	run:       runClassify,
}

// classified is one line of `firebreak classify` output.
type classified struct {
	ID          string `json:"id"`
	Source      string `json:"source"`
	DetailType  string `json:"detail_type"`
	Class       string `json:"class"`
	Severity    string `json:"severity"`
	Team        string `json:"team"`
	Incident    bool   `json:"incident"`
	Fingerprint string `json:"fingerprint"`
	Title       string `json:"title"`
	Resource    string `json:"resource"`
	Subject     string `json:"subject"`
	Actor       string `json:"actor"`
	Signal      string `json:"signal"`
	Time        string `json:"time"`
	Account     string `json:"account"`
	Region      string `json:"region"`
	// The account directory's (internal/accounts): the account's client and environment,
	// and how it shaped the severity and owner.
	Client        string   `json:"client,omitempty"`
	Environment   string   `json:"environment,omitempty"`
	AccountReason string   `json:"account_reason,omitempty"`
	Impact        string   `json:"impact,omitempty"`
	Runbook       string   `json:"runbook,omitempty"`
	Rules         []string `json:"rules"` // catalog rules that route it; empty: EventBridge would not deliver it
	Origin        string   `json:"origin"`
}

func runClassify(ctx context.Context, env Env, args []string) error {
	fs := newFlags("classify", env)
	cfgPath := fs.String("config", "", "configuration `FILE` (default ./firebreak.yaml when present, else the built-in configuration)")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	c, err := classify.New(cfg)
	if err != nil {
		return err
	}
	b, err := loadBus()
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	total, bad := 0, 0
	fail := func(origin string, err error) {
		fmt.Fprintf(env.Stderr, "firebreak classify: %s: %v\n", origin, err)
		bad++
	}
	// Each path on its own: a missing file is one bad input, not the end of the run.
	for _, p := range paths {
		r, err := replay.Open([]string{p}, env.Stdin)
		if err != nil {
			total++
			fail(p, err)
			continue
		}
		for _, s := range r.Skipped() {
			fmt.Fprintf(env.Stderr, "firebreak classify: warning: %s not read (only .json, .jsonl and .ndjson are)\n", s)
		}
		for {
			in, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil { // the file cannot be read further
				total++
				fail(p, err)
				break
			}
			total++
			classifyOne(enc, c, b, in, fail)
		}
		_ = r.Close()
	}
	if total == 0 {
		return fmt.Errorf("no events in %v", paths)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d inputs could not be classified", bad, total)
	}
	return nil
}

// classifyOne prints what the taxonomy makes of one input, or reports why it cannot.
func classifyOne(enc *json.Encoder, c *classify.Classifier, b *bus.Bus, in replay.Input, fail func(string, error)) {
	origin := in.Origin
	if in.Problem != "" {
		fail(origin, errors.New(in.Problem))
		return
	}
	evs, err := event.Parse(in.Raw)
	if err != nil {
		fail(origin, err)
		return
	}
	rules, err := b.Route(in.Raw)
	if err != nil {
		fail(origin, err)
		return
	}
	if rules == nil {
		rules = []string{}
	}
	for _, e := range evs {
		r, err := c.Classify(e)
		if err != nil {
			fail(origin, err)
			return
		}
		out := classified{
			ID: e.ID, Source: e.Source, DetailType: e.DetailType, Class: r.Class, Severity: string(r.Severity),
			Team: r.Team, Incident: r.Incident, Fingerprint: r.Fingerprint, Title: r.Title, Resource: e.Resource,
			Subject: e.Subject, Actor: e.Actor, Signal: string(e.Signal), Time: e.Time.Format("2006-01-02T15:04:05Z"),
			Account: e.Account, Region: e.Region, Client: r.Client, Environment: r.Environment, AccountReason: r.AccountReason, Impact: r.Impact, Runbook: r.Runbook, Rules: rules, Origin: origin,
		}
		if err := enc.Encode(out); err != nil {
			fail(origin, err)
			return
		}
	}
}
