package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/page"
)

// oncallClient is the API client of the on-call commands: --api URL, else
// $FIREBREAK_API when the command needs the API (override, overrides).
func oncallClient(ctx context.Context, env Env, raw string) (*apiClient, error) {
	if raw == "" && env.Getenv != nil {
		raw = env.Getenv("FIREBREAK_API")
	}
	return newAPIClient(ctx, raw, loadCredentials)
}

func getJSON[T any](ctx context.Context, c *apiClient, path string, q url.Values) (T, error) {
	var v T
	b, err := c.call(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("the API answered with unexpected JSON: %w", err)
	}
	return v, nil
}

func apiWho(ctx context.Context, raw string, names []string, at time.Time) ([]page.OnCall, error) {
	c, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return nil, err
	}
	q := url.Values{"at": {at.UTC().Format(time.RFC3339)}}
	if len(names) > 0 {
		q.Set("schedule", strings.Join(names, ","))
	}
	resp, err := getJSON[api.OnCallResponse](ctx, c, "/oncall", q)
	return resp.OnCall, err
}

func span(from, to time.Time) url.Values {
	return url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
}

func apiShifts(ctx context.Context, raw, schedule string, from, to time.Time) (api.ShiftsResponse, error) {
	c, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return api.ShiftsResponse{}, err
	}
	return getJSON[api.ShiftsResponse](ctx, c, "/oncall/"+schedule+"/shifts", span(from, to))
}

func apiICS(ctx context.Context, raw, schedule string, from, to time.Time) (string, error) {
	c, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return "", err
	}
	b, err := c.call(ctx, http.MethodGet, "/oncall/"+schedule+"/ics", span(from, to), nil)
	return string(b), err
}

// runOncallOverride is `oncall override SCHEDULE --contact ID --from T --to T`.
func runOncallOverride(ctx context.Context, env Env, args []string) error {
	fs := newFlags("oncall override", env)
	apiURL := fs.String("api", "", "API URL (default $FIREBREAK_API)")
	contact := fs.String("contact", "", "the contact who takes over")
	fromFlag := fs.String("from", "", "when the override begins")
	toFlag := fs.String("to", "", "when it ends")
	layer := fs.String("layer", "", "replace only this layer's people")
	reason := fs.String("reason", "", "why (shown in the list)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *contact == "" || *fromFlag == "" || *toFlag == "" {
		return fmt.Errorf("%w: want one SCHEDULE, --contact, --from and --to", errUsage)
	}
	from, to, err := window(*fromFlag, *toFlag)
	if err != nil {
		return err
	}
	c, err := oncallClient(ctx, env, *apiURL)
	if err != nil {
		return err
	}
	b, err := c.call(ctx, http.MethodPost, "/oncall/overrides", nil, api.OverrideRequest{Schedule: pos[0], Layer: *layer, Contact: *contact,
		Start: from.UTC(), End: to.UTC(), Reason: *reason})
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := env.Stdout.Write(b)
		return err
	}
	var resp api.OverrideResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		return fmt.Errorf("the API answered with unexpected JSON: %w", err)
	}
	o := resp.Override
	fmt.Fprintf(env.Stdout, "override %s: %s on call for %s from %s to %s\n", o.ID, o.Contact, o.Schedule,
		o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339))
	return nil
}

// runOncallOverrides is `oncall overrides list [SCHEDULE...]` and `oncall overrides
// remove SCHEDULE ID`.
func runOncallOverrides(ctx context.Context, env Env, args []string) error {
	sub, rest := subcommand(args)
	fs := newFlags("oncall overrides "+sub, env)
	apiURL := fs.String("api", "", "API URL (default $FIREBREAK_API)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
	case "remove":
		if len(pos) != 2 {
			return fmt.Errorf("%w: want SCHEDULE and ID (from oncall overrides list)", errUsage)
		}
	default:
		return fmt.Errorf("%w: oncall overrides list|remove", errUsage)
	}
	c, err := oncallClient(ctx, env, *apiURL)
	if err != nil {
		return err
	}
	if sub == "remove" {
		if _, err := c.call(ctx, http.MethodDelete, "/oncall/overrides/"+pos[0]+"/"+pos[1], nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "override %s of %s removed\n", pos[1], pos[0])
		return nil
	}
	q := url.Values{}
	if len(pos) > 0 {
		q.Set("schedule", strings.Join(pos, ","))
	}
	resp, err := getJSON[api.OverridesResponse](ctx, c, "/oncall/overrides", q)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, resp)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCHEDULE\tCONTACT\tSTART\tEND\tREASON")
	for _, o := range resp.Overrides {
		sched := o.Schedule
		if o.Layer != "" {
			sched += "/" + o.Layer
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, sched, o.Contact, o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339), o.Reason)
	}
	return tw.Flush()
}
