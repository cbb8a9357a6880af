package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

// classified is one line of `firebreak classify` output.
type classified struct {
	ID          string   `json:"id"`
	Source      string   `json:"source"`
	DetailType  string   `json:"detail_type"`
	Class       string   `json:"class"`
	Severity    string   `json:"severity"`
	Team        string   `json:"team"`
	Incident    bool     `json:"incident"`
	Fingerprint string   `json:"fingerprint"`
	Title       string   `json:"title"`
	Resource    string   `json:"resource"`
	Subject     string   `json:"subject"`
	Actor       string   `json:"actor"`
	Signal      string   `json:"signal"`
	Time        string   `json:"time"`
	Account     string   `json:"account"`
	Region      string   `json:"region"`
	Impact      string   `json:"impact,omitempty"`
	Runbook     string   `json:"runbook,omitempty"`
	Rules       []string `json:"rules"` // catalog rules that route it; empty: EventBridge would not deliver it
	Origin      string   `json:"origin"`
}

func runClassify(ctx context.Context, env Env, args []string) error {
	fs := newFlags("classify", env)
	cfgPath := fs.String("config", "", "configuration file")
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
	inputs, err := replay.Load(paths, env.Stdin)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return fmt.Errorf("no events in %v", paths)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	bad := 0
	for _, in := range inputs {
		evs, err := event.Parse(in.Raw)
		if err != nil {
			fmt.Fprintf(env.Stderr, "firebreak classify: %s: %v\n", in.Origin, err)
			bad++
			continue
		}
		rules, err := b.Route(in.Raw)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Origin, err)
		}
		if rules == nil {
			rules = []string{}
		}
		for _, e := range evs {
			r, err := c.Classify(e)
			if err != nil {
				fmt.Fprintf(env.Stderr, "firebreak classify: %s: %v\n", in.Origin, err)
				bad++
				continue
			}
			out := classified{
				ID: e.ID, Source: e.Source, DetailType: e.DetailType, Class: r.Class, Severity: string(r.Severity),
				Team: r.Team, Incident: r.Incident, Fingerprint: r.Fingerprint, Title: r.Title, Resource: e.Resource,
				Subject: e.Subject, Actor: e.Actor, Signal: string(e.Signal), Time: e.Time.Format("2006-01-02T15:04:05Z"),
				Account: e.Account, Region: e.Region, Impact: r.Impact, Runbook: r.Runbook, Rules: rules, Origin: in.Origin,
			}
			if err := enc.Encode(out); err != nil {
				return err
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d inputs could not be classified", bad, len(inputs))
	}
	return nil
}
