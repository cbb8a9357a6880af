package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

// replayJSON is `replay --json`: the summary plus the incidents.
type replayJSON struct {
	replay.Summary
	IncidentList []incidentJSON `json:"incident_list"`
}

type incidentJSON struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Severity    string `json:"severity"`
	Team        string `json:"team"`
	Class       string `json:"class"`
	Title       string `json:"title"`
	Resource    string `json:"resource"`
	Account     string `json:"account"`
	Region      string `json:"region"`
	Count       int    `json:"count"`
	OpenedAt    string `json:"opened_at"`
	LastSeen    string `json:"last_seen"`
	Runbook     string `json:"runbook,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

func runReplay(ctx context.Context, env Env, args []string) error {
	fs := newFlags("replay", env)
	cfgPath := fs.String("config", "", "configuration file")
	asJSON := fs.Bool("json", false, "print one JSON object")
	batch := fs.Int("batch", replay.DefaultBatchSize, "events per intake batch (the SQS batch size)")
	until := fs.Duration("until", 0, "run the clocks (escalation, reminders, objectives, auto-resolve) this long past the last event, e.g. 2h")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("%w: give the events to replay: files, folders, JSON lines, or - for stdin", errUsage)
	}
	if *batch < 1 {
		return fmt.Errorf("%w: --batch must be at least 1", errUsage)
	}
	if *until < 0 {
		return fmt.Errorf("%w: --until must not be negative", errUsage)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	b, err := loadBus()
	if err != nil {
		return err
	}
	inputs, err := replay.Load(paths, env.Stdin)
	if err != nil {
		return err
	}
	machines, fixtures, err := loadRunbooks()
	if err != nil {
		return err
	}
	res, err := replay.Run(ctx, inputs, replay.Options{Config: cfg, Bus: b, BatchSize: *batch, Until: *until,
		Runbooks: machines, Fixtures: fixtures})
	if err != nil {
		return err
	}
	if *asJSON {
		out := replayJSON{Summary: res.Summary, IncidentList: []incidentJSON{}}
		for _, inc := range res.Incidents {
			out.IncidentList = append(out.IncidentList, incidentJSON{
				ID: inc.ID, Status: string(inc.Status), Severity: string(inc.Severity), Team: inc.Team, Class: inc.Class,
				Title: inc.Title, Resource: inc.Resource, Account: inc.Account, Region: inc.Region, Count: inc.Count,
				OpenedAt: stamp(inc.OpenedAt), LastSeen: stamp(inc.LastSeen), Runbook: inc.Runbook, Fingerprint: inc.Fingerprint,
			})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printSummary(env.Stdout, res.Summary)
	fmt.Fprintln(env.Stdout)
	printIncidents(env.Stdout, res.Incidents)
	fmt.Fprintln(env.Stdout)
	printResponse(env.Stdout, res)
	return nil
}

// printResponse says, per incident, who would have been told and what runbook ran.
func printResponse(w io.Writer, res *replay.Result) {
	if len(res.Incidents) == 0 {
		return
	}
	told := map[string][]string{}
	seen := map[string]bool{}
	for _, n := range res.Notifications {
		id, team := n.Attributes["incident"], n.Attributes["team"]
		topicTeam := strings.TrimPrefix(n.Topic[strings.LastIndex(n.Topic, ":")+1:], "firebreak-")
		if topicTeam != "" {
			team = topicTeam
		}
		k := id + " " + team
		if !seen[k] {
			seen[k] = true
			told[id] = append(told[id], team)
		}
	}
	runs := map[string][]string{}
	for _, r := range res.Runs {
		runs[r.Incident] = append(runs[r.Incident], r.Runbook+": "+r.Result())
	}
	fmt.Fprintln(w, "Response (dry-run: nothing was sent, no AWS call was made)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTOLD\tRUNBOOK")
	for _, inc := range res.Incidents {
		t := strings.Join(told[inc.ID], ", ")
		if t == "" {
			t = "—"
		}
		rb := strings.Join(runs[inc.ID], "; ")
		switch {
		case rb == "" && inc.Runbook != "":
			rb = inc.Runbook + ": not run"
		case rb == "":
			rb = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", inc.ID, t, rb)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "%d notifications", res.Summary.Notifications)
	var rbs []string
	for _, name := range sortedRunbooks(res.Summary.Runbooks) {
		c := res.Summary.Runbooks[name]
		if c.Succeeded+c.Failed+c.Waiting > 0 {
			rbs = append(rbs, fmt.Sprintf("%s %d succeeded, %d failed, %d waiting", name, c.Succeeded, c.Failed, c.Waiting))
		}
	}
	if len(rbs) > 0 {
		fmt.Fprintf(w, "; runbooks: %s", strings.Join(rbs, "; "))
	}
	fmt.Fprintln(w)
}

func sortedRunbooks(m map[string]replay.RunbookCounts) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func printSummary(w io.Writer, s replay.Summary) {
	span := ""
	if !s.First.IsZero() {
		span = fmt.Sprintf(" from %s to %s", s.First.Format("2006-01-02 15:04:05Z"), s.Last.Format("2006-01-02 15:04:05Z"))
	}
	fmt.Fprintf(w, "Replayed %d events%s\n", s.Events, span)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  incidents opened\t%d\trepeats\t%d\t(%d re-opened a mitigated or resolved incident)\n", s.Incidents, s.Repeats, s.Retriggered)
	fmt.Fprintf(tw, "  recoveries\t%d\trecorded only\t%d\t(info events, recoveries with nothing to mitigate)\n", s.Recoveries, s.Recorded)
	fmt.Fprintf(tw, "  duplicates\t%d\tunmatched\t%d\t(no rule routes them)\n", s.Duplicates, s.Unmatched)
	fmt.Fprintf(tw, "  quarantined\t%d\tnotifications\t%d\t\n", s.Quarantined, s.Notifications)
	fmt.Fprintf(tw, "  escalations\t%d\tbreaches\t%d\t(objectives missed; reminders %d, auto-resolved %d)\n", s.Escalations, s.Breaches, s.Reminders, s.AutoResolved)
	fmt.Fprintf(tw, "  silenced\t%d\tinhibited\t%d\t(grouped under another: %d)\n", s.Silenced, s.Inhibited, s.Grouped)
	_ = tw.Flush()
	var sev []string
	for _, v := range incident.Severities {
		if v != incident.Info {
			sev = append(sev, fmt.Sprintf("%s %d", v, s.BySeverity[string(v)]))
		}
	}
	fmt.Fprintf(w, "Incidents by severity: %s\n", strings.Join(sev, " · "))
	var teams []string
	for _, t := range sortedKeys(s.ByTeam) {
		teams = append(teams, fmt.Sprintf("%s %d", t, s.ByTeam[t]))
	}
	fmt.Fprintf(w, "Incidents by team:     %s\n", strings.Join(teams, " · "))
}

func printIncidents(w io.Writer, incs []incident.Incident) {
	if len(incs) == 0 {
		fmt.Fprintln(w, "No incidents.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEV\tSTATUS\tTEAM\tCOUNT\tOPENED\tCLASS\tQUIET\tTITLE")
	for _, inc := range incs {
		quiet := "—"
		switch {
		case inc.SilencedBy != "":
			quiet = "silenced: " + inc.SilencedBy
		case inc.Parent != "":
			quiet = inc.ParentReason + ": " + inc.Parent
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", inc.ID, inc.Severity, inc.Status, inc.Team, inc.Count,
			inc.OpenedAt.Format("01-02 15:04"), inc.Class, quiet, clip(inc.Title, 60))
	}
	_ = tw.Flush()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
