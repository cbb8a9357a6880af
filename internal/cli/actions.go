package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
)

// actionsCmd is what `firebreak actions --help` and its subcommands say.
var actionsCmd = &command{
	name: "actions", args: "COMMAND [ARG...]", summary: "tracked actions of reviews, incidents and problems: list, add, done, wontdo",
	about: `Tracked actions: findings of post-incident reviews (and of incidents and problems) with an
owner team and a due date. Owners are reminded as the due date nears and once it passes. The
API is --api URL, else $FIREBREAK_API.`,
	example: "firebreak actions list --owner platform --overdue\nfirebreak actions add --title \"alarm on queue age\" --owner platform --due 5d --review FB-EJIY5JMC-1",
	run:     runActions,
	subs: []*command{
		{name: "actions list", summary: "actions, soonest due first (default: the open ones)",
			example: "firebreak actions list --owner platform --overdue"},
		{name: "actions add", summary: "file an action; --due is 2026-11-20, an RFC 3339 time, or 72h / 5d from now",
			example: "firebreak actions add --title \"alarm on queue age\" --owner platform --due 5d --review FB-EJIY5JMC-1"},
		{name: "actions done", args: "ID", summary: "mark an action done",
			arguments: [][2]string{{"ID", "the action, as actions list shows it"}}, example: "firebreak actions done act-abc123"},
		{name: "actions wontdo", args: "ID", summary: "close an action as won't do, saying why",
			arguments: [][2]string{{"ID", "the action, as actions list shows it"}}, example: "firebreak actions wontdo act-abc123 --reason \"superseded by the new alarm\""},
	},
}

// runActions is `firebreak actions`.
func runActions(ctx context.Context, env Env, args []string) error {
	sub, rest := subcommand(args)
	switch {
	case sub == "help" || sub == "" && wantsHelp(rest):
		writeHelp(env.Stdout, lookup("actions"), nil)
		return flag.ErrHelp
	case sub == "":
		return usageOf("actions", "actions list|add|done|wontdo")
	}
	fs := newFlags("actions "+sub, env)
	apiURL := fs.String("api", "", "API URL (default $FIREBREAK_API)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	owner := fs.String("owner", "", "owner team")
	var (
		nargs int
		do    func(r *incidentsRun, pos []string) error
		now   = time.Now().UTC()
	)
	switch sub {
	case "list":
		status := fs.String("status", "open", "open, done or wont-do")
		overdue := fs.Bool("overdue", false, "only open actions past their due date")
		link := fs.String("link", "", "only the actions of this incident, review or problem")
		do = func(r *incidentsRun, _ []string) error {
			q := url.Values{"status": {*status}}
			for k, v := range map[string]string{"owner": *owner, "link": *link} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if *overdue {
				q.Set("overdue", "true")
			}
			resp, printed, err := request[api.ActionsResponse](ctx, r, http.MethodGet, "/actions", q, nil)
			if err != nil || printed {
				return err
			}
			return printActions(r, resp.Actions, now)
		}
	case "add":
		title := fs.String("title", "", "what is to be done")
		due := fs.String("due", "", "when by: 2026-11-20, an RFC 3339 time, or 72h / 5d from now")
		rv := fs.String("review", "", "the review (its incident's id) it comes from")
		inc := fs.String("incident", "", "the incident it comes from")
		pb := fs.String("problem", "", "the problem it comes from")
		do = func(r *incidentsRun, _ []string) error {
			kind, link, err := oneLink(map[action.LinkKind]string{action.LinkReview: *rv, action.LinkIncident: *inc, action.LinkProblem: *pb})
			if err != nil {
				return err
			}
			when, err := parseDue(*due, now)
			if err != nil {
				return err
			}
			resp, printed, err := request[api.ActionResponse](ctx, r, http.MethodPost, "/actions", nil,
				api.ActionRequest{Title: *title, Owner: *owner, Due: when, LinkKind: string(kind), Link: link})
			if err != nil || printed {
				return err
			}
			fmt.Fprintf(r.env.Stdout, "Action %s: %s (owner %s, due %s)\n", resp.Action.ID, resp.Action.Title, resp.Action.Owner, when.Format("2006-01-02 15:04 UTC"))
			return nil
		}
	case "done", "wontdo":
		reason := fs.String("reason", "", "wontdo: why it will not be done")
		nargs = 1
		do = func(r *incidentsRun, pos []string) error {
			resp, printed, err := request[api.ActionResponse](ctx, r, http.MethodPost, "/actions/"+pos[0]+"/"+sub, nil, api.ActionCloseRequest{Reason: *reason})
			if err != nil || printed {
				return err
			}
			late := ""
			if resp.Late {
				late = " (late)"
			}
			fmt.Fprintf(r.env.Stdout, "Action %s is %s%s\n", resp.Action.ID, resp.Action.Status, late)
			return nil
		}
	default:
		return usageOf("actions", "unknown command %q (actions list|add|done|wontdo)", sub)
	}
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != nargs {
		return fmt.Errorf("%w: %s takes %d argument(s), got %d", errUsage, sub, nargs, len(pos))
	}
	client, err := newAPIClient(ctx, first(*apiURL, env.Getenv("FIREBREAK_API")), loadCredentials)
	if err != nil {
		return err
	}
	return do(&incidentsRun{env: env, client: client, json: *asJSON}, pos)
}

// oneLink is the one of --review, --incident, --problem given.
func oneLink(links map[action.LinkKind]string) (action.LinkKind, string, error) {
	var kind action.LinkKind
	var id string
	for k, v := range links {
		if v == "" {
			continue
		}
		if id != "" {
			return "", "", fmt.Errorf("%w: give one of --review, --incident, --problem", errUsage)
		}
		kind, id = k, v
	}
	if id == "" {
		return "", "", fmt.Errorf("%w: say what the action comes from: --review ID, --incident ID or --problem ID", errUsage)
	}
	return kind, id, nil
}

// parseDue reads a due date: YYYY-MM-DD (midnight UTC), an RFC 3339 time, or a
// duration from now (72h, or 5d for days).
func parseDue(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: --due is required", errUsage)
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.Add(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	return time.Time{}, fmt.Errorf("%w: --due %q is not a date (2026-11-20), an RFC 3339 time or a duration from now (72h, 5d)", errUsage, s)
}

func printActions(r *incidentsRun, list []action.Action, now time.Time) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(r.env.Stdout, "No actions.")
		return err
	}
	w := tabwriter.NewWriter(r.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ACTION\tOWNER\tDUE\tSTATUS\tTITLE")
	for _, a := range list {
		status := string(a.Status)
		switch {
		case a.Overdue(now):
			status = "OVERDUE"
		case a.Late():
			status += " (late)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Owner, a.Due.UTC().Format("2006-01-02 15:04"), status, clip(a.Title, 60))
	}
	return w.Flush()
}
