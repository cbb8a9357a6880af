package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
)

// runProblems is firebreak problems.
func runProblems(ctx context.Context, env Env, args []string) error {
	sub, rest := subcommand(args)
	switch {
	case sub == "help" || sub == "" && wantsHelp(rest):
		writeHelp(env.Stdout, lookup("problems"), nil)
		return flag.ErrHelp
	case sub == "":
		return usageOf("problems", "problems list|show|open|link|status|note")
	}
	fs := newFlags("problems "+sub, env)
	apiURL := fs.String("api", "", "API URL (default $FIREBREAK_API)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	var (
		nargs [2]int
		do    func(r *incidentsRun, pos []string) error
		want  string
	)
	switch sub {
	case "list":
		status := fs.String("status", "open,investigating,known-error", "statuses, comma-separated, or all")
		team := fs.String("team", "", "owning team")
		limit := fs.Int("limit", api.DefaultLimit, "at most this many")
		nargs, want = [2]int{0, 0}, "no arguments"
		do = func(r *incidentsRun, _ []string) error {
			q := url.Values{"limit": {strconv.Itoa(*limit)}}
			if *status != "all" && *status != "" {
				q.Set("status", *status)
			}
			if *team != "" {
				q.Set("team", *team)
			}
			resp, printed, err := request[api.ProblemsResponse](ctx, r, http.MethodGet, "/problems", q, nil)
			if err != nil || printed {
				return err
			}
			printProblemList(r.env.Stdout, resp.Problems, resp.Actions)
			return nil
		}
	case "show":
		nargs, want = [2]int{1, 1}, "ID"
		do = func(r *incidentsRun, p []string) error {
			return showProblem(ctx, r, http.MethodGet, "/problems/"+p[0], nil)
		}
	case "open":
		title := fs.String("title", "", "what the problem is")
		team := fs.String("team", "", "the team that owns it")
		reason := fs.String("reason", "", "why it is a problem")
		nargs, want = [2]int{0, -1}, "INCIDENT... (optional) with --title and --team"
		do = func(r *incidentsRun, p []string) error {
			return showProblem(ctx, r, http.MethodPost, "/problems", api.OpenProblemRequest{Title: *title, Team: *team, Reason: *reason, Incidents: p})
		}
	case "link":
		nargs, want = [2]int{2, -1}, "ID INCIDENT..."
		do = func(r *incidentsRun, p []string) error {
			return showProblem(ctx, r, http.MethodPost, "/problems/"+p[0]+"/link", api.LinkProblemRequest{Incidents: p[1:]})
		}
	case "status":
		reason := fs.String("reason", "", "why")
		nargs, want = [2]int{2, 2}, "ID open|investigating|known-error|resolved"
		do = func(r *incidentsRun, p []string) error {
			return showProblem(ctx, r, http.MethodPost, "/problems/"+p[0]+"/status", api.ProblemStatusRequest{Status: p[1], Reason: *reason})
		}
	case "note":
		cause := fs.String("root-cause", "", "the root cause")
		workaround := fs.String("workaround", "", "how to live with it until fixed")
		var actions matchFlags
		fs.Var(&actions, "action", "a tracked action id to file against it (repeat)")
		nargs, want = [2]int{1, -1}, "ID [TEXT...]"
		do = func(r *incidentsRun, p []string) error {
			return showProblem(ctx, r, http.MethodPost, "/problems/"+p[0]+"/note", api.ProblemNoteRequest{Text: strings.Join(p[1:], " "),
				RootCause: *cause, Workaround: *workaround, Actions: actions})
		}
	default:
		return usageOf("problems", "unknown command %q (problems list|show|open|link|status|note)", sub)
	}
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) < nargs[0] || (nargs[1] >= 0 && len(pos) > nargs[1]) {
		return fmt.Errorf("%w: problems %s takes %s", errUsage, sub, want)
	}
	r, err := apiRun(ctx, env, *apiURL, *asJSON)
	if err != nil {
		return err
	}
	return do(r, pos)
}

// apiRun connects to the API named by --api or $FIREBREAK_API.
func apiRun(ctx context.Context, env Env, raw string, asJSON bool) (*incidentsRun, error) {
	if raw == "" {
		raw = env.Getenv("FIREBREAK_API")
	}
	client, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return nil, err
	}
	return &incidentsRun{env: env, client: client, json: asJSON}, nil
}

func showProblem(ctx context.Context, r *incidentsRun, method, path string, body any) error {
	resp, printed, err := request[api.ProblemResponse](ctx, r, method, path, nil, body)
	if err != nil || printed {
		return err
	}
	printProblem(r.env.Stdout, resp)
	return nil
}

func printProblemList(w io.Writer, ps []problem.Problem, acts map[string][]api.ProblemAction) {
	if len(ps) == 0 {
		fmt.Fprintln(w, "No problems.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tTEAM\tOPENED\tACTIONS\tTITLE")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Status, p.Team, p.OpenedAt.UTC().Format("2006-01-02 15:04"),
			actionsSummary(acts[p.ID]), clip(p.Title, 45))
	}
	_ = tw.Flush()
}

// actionsSummary says in a few words where a problem's actions are: "2 open, 1 overdue",
// "3 closed", or "none".
func actionsSummary(acts []api.ProblemAction) string {
	var open, overdue int
	for _, a := range acts {
		if a.Status == action.Open {
			open++
		}
		if a.Overdue {
			overdue++
		}
	}
	switch {
	case len(acts) == 0:
		return "none"
	case open == 0:
		return fmt.Sprintf("%d closed", len(acts))
	case overdue > 0:
		return fmt.Sprintf("%d open, %d overdue", open, overdue)
	}
	return fmt.Sprintf("%d open", open)
}

func printProblem(w io.Writer, r api.ProblemResponse) {
	p := r.Problem
	fmt.Fprintf(w, "%s  %s\n", p.ID, p.Title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Status", string(p.Status))
	row("Owner", p.Team)
	row("Opened", p.OpenedAt.UTC().Format(time.RFC3339)+" by "+p.OpenedBy)
	row("Why", p.Reason)
	row("Fingerprint", p.Fingerprint)
	row("Root cause", p.RootCause)
	row("Workaround", p.Workaround)
	if !p.ResolvedAt.IsZero() {
		row("Resolved", p.ResolvedAt.UTC().Format(time.RFC3339))
	}
	row("Incidents", strings.Join(p.Incidents, ", "))
	filed := map[string]bool{}
	for _, a := range r.Actions {
		filed[a.ID] = true
	}
	var unfiled []string
	for _, id := range p.Actions {
		if !filed[id] {
			unfiled = append(unfiled, id)
		}
	}
	row("Actions", actionsSummary(r.Actions))
	row("Not filed", strings.Join(unfiled, ", ")) // ids recorded on it that name no filed action
	_ = tw.Flush()
	if len(r.Actions) > 0 {
		fmt.Fprintln(w, "\nActions")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, a := range r.Actions {
			status := string(a.Status)
			if a.Overdue {
				status += " (overdue)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\tdue %s\t%s\n", a.ID, status, a.Owner, a.Due.UTC().Format("2006-01-02 15:04"), clip(a.Title, 45))
		}
		_ = tw.Flush()
	}
	if len(r.Timeline) > 0 {
		fmt.Fprintln(w, "\nTimeline")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, e := range r.Timeline {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.At.UTC().Format("2006-01-02 15:04:05"), e.Kind, e.Actor, e.Detail)
		}
		_ = tw.Flush()
	}
}

// runReport is firebreak report.
func runReport(ctx context.Context, env Env, args []string) error {
	fs := newFlags("report", env)
	apiURL := fs.String("api", "", "API URL (default $FIREBREAK_API)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	since := fs.String("since", "7d", "from this RFC 3339 time, or this long ago (7d, 36h)")
	by := fs.String("by", report.BySeverity, "break down by severity, team, class, account, client or environment")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: report takes no arguments, only flags", errUsage)
	}
	if _, err := report.ParseBy(*by); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if _, err := api.ParseSince(*since, time.Now()); err != nil {
		return fmt.Errorf("%w: --%v", errUsage, err)
	}
	r, err := apiRun(ctx, env, *apiURL, *asJSON)
	if err != nil {
		return err
	}
	rep, printed, err := request[api.ReportResponse](ctx, r, http.MethodGet, "/report", url.Values{"since": {*since}, "by": {*by}}, nil)
	if err != nil || printed {
		return err
	}
	printReport(env.Stdout, rep)
	return nil
}

func printReport(w io.Writer, r report.Report) {
	fmt.Fprintf(w, "Response from %s to %s, by %s\n", r.Since.UTC().Format("2006-01-02 15:04Z"), r.Until.UTC().Format("2006-01-02 15:04Z"), r.By)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.ToUpper(r.By)+"\tINCIDENTS\tACTIVE\tMTTA\tP50\tP90\tMTTM\tP50\tP90\tMTTR\tP50\tP90\tMET\tBREACHED\t")
	line := func(g report.Group) {
		d := func(x report.Durations) string {
			if x.N == 0 {
				return "—\t—\t—"
			}
			return seconds(x.Mean) + "\t" + seconds(x.P50) + "\t" + seconds(x.P90)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%d\t%d\t\n", g.Key, g.Incidents, g.Active, d(g.MTTA), d(g.MTTM), d(g.MTTR), g.Met, g.Breaches)
	}
	for _, g := range r.Groups {
		line(g)
	}
	line(r.Total)
	_ = tw.Flush()
	fmt.Fprintf(w, "Problems: %d opened, %d resolved, %d open now\n", r.ProblemsOpened, r.ProblemsResolved, r.ProblemsOpen)
	if len(r.Noisiest) > 0 {
		fmt.Fprintln(w, "Noisiest fingerprints")
		for _, f := range r.Noisiest {
			fmt.Fprintf(w, "  %3d incidents  %5d events  %s\n", f.Incidents, f.Events, f.Fingerprint)
		}
	}
	if len(r.NoRunbook) > 0 {
		fmt.Fprintf(w, "Classes with incidents and no runbook: %s\n", strings.Join(r.NoRunbook, ", "))
	}
	names := make([]string, 0, len(r.Sections))
	for name := range r.Sections {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names { // contributed sections (actions, reviews)
		if name == review.SectionName && printFollowUps(w, r.Sections[name]) {
			continue
		}
		fmt.Fprintf(w, "%s: %v\n", name, r.Sections[name])
	}
}

// printFollowUps prints the follow-ups section (review.Section) as read back from the
// API's JSON; false if it is not one.
func printFollowUps(w io.Writer, v any) bool {
	b, err := json.Marshal(v)
	var f review.FollowUps
	if err != nil || json.Unmarshal(b, &f) != nil {
		return false
	}
	fmt.Fprintf(w, "Actions due: %d done on time, %d done late, %d won't do, %d overdue, %d open; %d overdue now\n",
		f.ActionsDoneOnTime, f.ActionsDoneLate, f.ActionsWontDo, f.ActionsOverdue, f.ActionsOpen, f.OverdueNow)
	fmt.Fprintf(w, "Reviews due: %d completed on time, %d completed late, %d overdue, %d open\n",
		f.ReviewsOnTime, f.ReviewsLate, f.ReviewsOverdue, f.ReviewsOpen)
	return true
}
