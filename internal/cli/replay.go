package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

var replayCmd = &command{
	name: "replay", args: "PATH...", summary: "run events through the rules, intake and an in-memory store, in event-time order",
	about: `Replay answers, offline, what the stack would have done with these events: the incidents it
would have opened, who would have been told, which runbooks would have run (dry-run: every AWS
call a runbook makes is answered from fixtures), and, with --until, what the clocks would have
done after the last event. Every event is accounted for once: opened an incident, repeated one,
recovered one, recorded only, duplicate, unmatched by every rule, or quarantined.

With --diff OLD.yaml NEW.yaml the events are replayed under both configurations and the
differences are listed incident by incident: what a rule or taxonomy change would have paged.`,
	arguments: [][2]string{{"PATH", "events: .json files, JSON lines (.jsonl, .ndjson), folders of them, or - for stdin"}},
	example:   "firebreak replay events/samples/\nfirebreak replay --until 8h --json events/samples/\nfirebreak replay --diff firebreak.yaml new.yaml events/samples/",
	run:       runReplay,
}

// replayJSON is `replay --json`: the summary plus the incidents.
type replayJSON struct {
	replay.Summary
	Skipped      []string       `json:"skipped"` // files in the folders given that were not read
	IncidentList []incidentJSON `json:"incident_list"`
	accountCounts
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
	Client      string `json:"client,omitempty"`      // the account directory's (replay_accounts.go)
	Environment string `json:"environment,omitempty"` // the account directory's
	// AccountReason: how the account directory shaped the severity, owner and objectives.
	AccountReason string `json:"account_reason,omitempty"`
	Region        string `json:"region"`
	Count         int    `json:"count"`
	OpenedAt      string `json:"opened_at"`
	LastSeen      string `json:"last_seen"`
	Runbook       string `json:"runbook,omitempty"`
	Fingerprint   string `json:"fingerprint"`
}

func runReplay(ctx context.Context, env Env, args []string) error {
	fs := newFlags("replay", env)
	cfgPath := fs.String("config", "", "configuration `FILE` (default ./firebreak.yaml when present, else the built-in configuration)")
	asJSON := fs.Bool("json", false, "print one JSON object: the summary and the incidents")
	batch := fs.Int("batch", 0, "at most `N` events per intake batch (default: deploy.intake.batch_size); batches never span more than deploy.intake.batching_window")
	until := fs.Duration("until", 0, "run the clocks (escalation, reminders, objectives, auto-resolve) this `DURATION` past the last event, e.g. 2h")
	var wide bool
	wideFlag(fs, &wide)
	diff := fs.String("diff", "", "`OLD.yaml`: replay under OLD.yaml and under NEW.yaml (the first path) and print what changes, incident by incident")
	outbox := fs.String("outbox", "", "write every message that would have been sent to `DIR`, one file per message and protocol, plus index.json and index.html")
	statusDir := fs.String("status-page", "", "write the status page as the replay leaves it to `DIR` (static HTML)")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var newCfg string
	if *diff != "" {
		if *cfgPath != "" {
			return fmt.Errorf("%w: --diff OLD.yaml NEW.yaml takes both configurations; drop --config", errUsage)
		}
		if len(paths) < 2 {
			return fmt.Errorf("%w: --diff OLD.yaml NEW.yaml PATH...: give the new configuration and the events", errUsage)
		}
		newCfg, paths = paths[0], paths[1:]
		if slices.Contains(paths, "-") {
			return fmt.Errorf("%w: --diff reads the events twice: give files or folders, not -", errUsage)
		}
	}
	if len(paths) == 0 {
		return fmt.Errorf("%w: give the events to replay: files, folders, JSON lines, or - for stdin", errUsage)
	}
	if *batch < 0 || (*batch == 0 && flagSet(fs, "batch")) {
		return fmt.Errorf("%w: --batch must be at least 1", errUsage)
	}
	if *until < 0 {
		return fmt.Errorf("%w: --until must not be negative", errUsage)
	}
	if *diff != "" && (*outbox != "" || *statusDir != "") {
		return fmt.Errorf("%w: --outbox and --status-page write one replay's results; drop --diff", errUsage)
	}
	if *diff != "" {
		return replayDiff(ctx, env, *diff, newCfg, paths, replay.Options{BatchSize: *batch, Until: *until, Headers: true, Timelines: replay.ResidentTimelines}, *asJSON, wide)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// Without an outbox folder, nothing prints a message's body: keep who was told only.
	res, skipped, err := replayOnce(ctx, env, cfg, paths, replay.Options{BatchSize: *batch, Until: *until, Headers: *outbox == "",
		Timelines: replay.ResidentTimelines})
	if err != nil {
		return err
	}
	defer res.Close()
	// The incidents are read from the replay's store one at a time, never listed all at
	// once: first counted, then printed.
	accounts, now := newAccountCounts(cfg), map[string]int{}
	if err := res.EachIncident(ctx, func(inc incident.Incident) error {
		accounts.add(inc)
		now[string(inc.Severity)]++
		return nil
	}); err != nil {
		return err
	}
	if *asJSON {
		if err := writeReplayFiles(ctx, env, res, *outbox, *statusDir, true); err != nil {
			return err
		}
		out := replayJSON{Summary: res.Summary, Skipped: skipped, IncidentList: []incidentJSON{}, accountCounts: accounts}
		return writeReplayJSON(ctx, env.Stdout, out, res)
	}
	printSummary(env.Stdout, res.Summary, now, wide)
	printAccounts(env.Stdout, cfg, accounts, wide)
	printAccounting(env.Stdout, res.Summary, wide)
	fmt.Fprintln(env.Stdout)
	if err := printIncidentsFrom(ctx, env.Stdout, res.EachIncident, wide); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout)
	if err := printResponse(ctx, env.Stdout, res, wide); err != nil {
		return err
	}
	printProblems(env.Stdout, res.Summary)
	return writeReplayFiles(ctx, env, res, *outbox, *statusDir, false)
}

// listMarker is where writeReplayJSON's incidents go in the summary it encodes: the
// top-level key, at the top level's indentation, with the empty list.
const listMarker = "\n  \"incident_list\": []"

// writeReplayJSON writes out as writeJSON would with every incident of res in its
// IncidentList, one incident encoded at a time: the summary is encoded with the list
// empty, and the incidents are written where the empty list was, each indented as the
// encoder indents a list element at that depth.
func writeReplayJSON(ctx context.Context, w io.Writer, out replayJSON, res *replay.Result) error {
	var head bytes.Buffer
	if err := writeJSON(&head, out); err != nil {
		return err
	}
	i := bytes.Index(head.Bytes(), []byte(listMarker))
	if i < 0 {
		return fmt.Errorf("replay --json: the summary has no incident list") // a renamed field: a bug
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(head.Bytes()[:i+len(listMarker)-1]) // up to the list's [
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	n := 0
	err := res.EachIncident(ctx, func(inc incident.Incident) error {
		item.Reset()
		if err := enc.Encode(incidentOf(inc)); err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n    ")
		_, err := bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		return err
	})
	if err != nil {
		return err
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.Write(head.Bytes()[i+len(listMarker)-1:]) // the list's ] and the rest
	return bw.Flush()
}

// incidentOf is an incident as replay --json lists it.
func incidentOf(inc incident.Incident) incidentJSON {
	return incidentJSON{
		ID: inc.ID, Status: string(inc.Status), Severity: string(inc.Severity), Team: inc.Team, Class: inc.Class,
		Title: inc.Title, Resource: inc.Resource, Account: inc.Account, Client: inc.Client, Environment: inc.Environment, AccountReason: inc.AccountReason, Region: inc.Region, Count: inc.Count,
		OpenedAt: stamp(inc.OpenedAt), LastSeen: stamp(inc.LastSeen), Runbook: inc.Runbook, Fingerprint: inc.Fingerprint,
	}
}

// replayOnce replays paths under cfg, warning on stderr about files it did not read and
// showing progress when stderr is a terminal. It returns the files not read.
func replayOnce(ctx context.Context, env Env, cfg *config.Config, paths []string, o replay.Options) (*replay.Result, []string, error) {
	b, err := loadBus()
	if err != nil {
		return nil, nil, err
	}
	machines, fixtures, err := loadRunbooks()
	if err != nil {
		return nil, nil, err
	}
	r, err := replay.Open(paths, env.Stdin)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	skipped := r.Skipped()
	if len(skipped) > 0 {
		fmt.Fprintf(env.Stderr, "firebreak replay: warning: %s not read (only .json, .jsonl and .ndjson are): %s\n",
			plural(len(skipped), "file"), strings.Join(skipped, ", "))
	}
	o.Config, o.Bus, o.Runbooks, o.Fixtures = cfg, b, machines, fixtures
	if p := newProgress(env.Stderr, r.Progress, time.Now); p != nil {
		o.Progress = p.show
		defer p.end()
	}
	res, err := replay.Stream(ctx, r, o)
	if skipped == nil {
		skipped = []string{}
	}
	return res, skipped, err
}

func replayDiff(ctx context.Context, env Env, oldPath, newPath string, paths []string, o replay.Options, asJSON, wide bool) error {
	oldCfg, err := firebreak.LoadConfig(oldPath)
	if err != nil {
		return err
	}
	newCfg, err := firebreak.LoadConfig(newPath)
	if err != nil {
		return err
	}
	oldRes, _, err := replayOnce(ctx, env, oldCfg, paths, o)
	if err != nil {
		return fmt.Errorf("replay under %s: %w", oldPath, err)
	}
	defer oldRes.Close()
	quiet := env
	quiet.Stderr = io.Discard // the warnings were given once
	newRes, _, err := replayOnce(ctx, quiet, newCfg, paths, o)
	if err != nil {
		return fmt.Errorf("replay under %s: %w", newPath, err)
	}
	defer newRes.Close()
	d, err := replay.Compare(ctx, oldRes, newRes)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(env.Stdout, d)
	}
	printDiff(env.Stdout, oldPath, newPath, d, wide)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// printAccounting lists what the taxonomy does not cover and what was quarantined.
func printAccounting(w io.Writer, s replay.Summary, wide bool) {
	if len(s.Unclassified) > 0 {
		fmt.Fprintf(w, "Not covered by the taxonomy (recorded under the fallback class), by source/detail-type:\n")
		keys := sortedKeys(s.Unclassified)
		sort.SliceStable(keys, func(i, j int) bool { return s.Unclassified[keys[i]] > s.Unclassified[keys[j]] })
		for _, k := range keys {
			fmt.Fprintf(w, "  %6d  %s\n", s.Unclassified[k], k)
		}
	}
	if s.Quarantined > 0 {
		fmt.Fprintf(w, "Quarantined (%d):\n", s.Quarantined)
		for _, q := range s.Quarantine {
			fmt.Fprintln(w, fit(fmt.Sprintf("  %s:%d: %s", q.Origin, q.Line, strings.Join(strings.Fields(q.Reason), " ")), wide))
		}
		if n := s.Quarantined - len(s.Quarantine); n > 0 {
			fmt.Fprintf(w, "  … and %d more\n", n)
		}
	}
}

func printDiff(w io.Writer, oldPath, newPath string, d replay.Diff, wide bool) {
	fmt.Fprintf(w, "Replayed %s under %s and under %s\n", plural(d.New.Events, "event"), oldPath, newPath)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  \told\tnew\n")
	fmt.Fprintf(tw, "  incidents\t%d\t%d\n", d.Old.Incidents, d.New.Incidents)
	fmt.Fprintf(tw, "  notifications\t%d\t%d\n", d.Old.Notifications, d.New.Notifications)
	fmt.Fprintf(tw, "  escalations\t%d\t%d\n", d.Old.Escalations, d.New.Escalations)
	for _, v := range incident.Severities {
		if v != incident.Info {
			fmt.Fprintf(tw, "  %s\t%d\t%d\n", v, d.Old.BySeverity[string(v)], d.New.BySeverity[string(v)])
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "Incidents: %d newly opened, %d no longer opened, %d handled differently, %d unchanged\n",
		d.Totals.Opened, d.Totals.NotOpened, d.Totals.Changed, d.Totals.Unchanged)
	if len(d.Incidents) == 0 {
		return
	}
	fmt.Fprintln(w)
	show := func(r *replay.Response) string {
		if r == nil {
			return "—"
		}
		told := strings.Join(r.Told, ", ")
		if told == "" {
			told = "nobody"
		}
		rb := r.Runbook
		if rb == "" {
			rb = "no runbook"
		}
		return fmt.Sprintf("%s %s, owner %s, told %s, %s", r.ID, r.Severity, r.Owner, told, rb)
	}
	for _, c := range d.Incidents {
		title := ""
		switch {
		case c.New != nil:
			title = c.New.Title
		case c.Old != nil:
			title = c.Old.Title
		}
		what := c.Change
		if len(c.Fields) > 0 {
			what += " (" + strings.Join(c.Fields, ", ") + ")"
		}
		fmt.Fprintln(w, fit(fmt.Sprintf("%s  event %s: %s", what, c.Event, strings.Join(strings.Fields(title), " ")), wide))
		fmt.Fprintln(w, fit("  old: "+show(c.Old), wide))
		fmt.Fprintln(w, fit("  new: "+show(c.New), wide))
	}
}

// printResponse says, per incident, who would have been told and what runbook ran.
func printResponse(ctx context.Context, w io.Writer, res *replay.Result, wide bool) error {
	t := newTable(wide, "ID", "TOLD", "RUNBOOK").cut(1, 20).cut(2, 24)
	n := 0
	if err := res.EachIncident(ctx, func(inc incident.Incident) error {
		r, err := res.Response(inc)
		if err != nil {
			return err
		}
		t.row(inc.ID, first(strings.Join(r.Told, ", "), "—"), first(r.Runbook, "—"))
		n++
		return nil
	}); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	fmt.Fprintln(w, "Response (dry-run: nothing was sent, no AWS call was made)")
	_ = t.write(w)
	line := plural(res.Summary.Notifications, "notification")
	var rbs []string
	for _, name := range sortedRunbooks(res.Summary.Runbooks) {
		c := res.Summary.Runbooks[name]
		if c.Succeeded+c.Failed+c.Waiting > 0 {
			rbs = append(rbs, fmt.Sprintf("%s %d succeeded, %d failed, %d waiting", name, c.Succeeded, c.Failed, c.Waiting))
		}
	}
	if len(rbs) > 0 {
		line += "; runbooks: " + strings.Join(rbs, "; ")
	}
	if !wide {
		line = strings.TrimPrefix(wrap(line, width, "  "), "  ")
	}
	fmt.Fprintln(w, line)
	return nil
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

// printSummary prints the summary; now counts the incidents by their severity now.
func printSummary(w io.Writer, s replay.Summary, now map[string]int, wide bool) {
	span := ""
	if !s.First.IsZero() {
		span = fmt.Sprintf(" from %s to %s", s.First.Format("2006-01-02 15:04:05Z"), s.Last.Format("2006-01-02 15:04:05Z"))
	}
	fmt.Fprintf(w, "Replayed %s%s\n", plural(s.Events, "event"), span)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  incidents opened\t%d\trepeats\t%d\t(%d re-opened a mitigated or resolved incident)\n", s.Incidents, s.Repeats, s.Retriggered)
	fmt.Fprintf(tw, "  recoveries\t%d\trecorded only\t%d\t(info events, recoveries with nothing to mitigate)\n", s.Recoveries, s.Recorded)
	fmt.Fprintf(tw, "  duplicates\t%d\tunmatched\t%d\t(no rule routes them)\n", s.Duplicates, s.Unmatched)
	fmt.Fprintf(tw, "  quarantined\t%d\tnotifications\t%d\t\n", s.Quarantined, s.Notifications)
	fmt.Fprintf(tw, "  escalations\t%d\tbreaches\t%d\t(objectives missed; reminders %d, auto-resolved %d)\n", s.Escalations, s.Breaches, s.Reminders, s.AutoResolved)
	if s.HeartbeatsMissed+s.HeartbeatsResumed > 0 { // docs/heartbeats.md
		fmt.Fprintf(tw, "  heartbeats missed\t%d\tresumed\t%d\t(silent past interval + grace: one heartbeat.missed incident each)\n", s.HeartbeatsMissed, s.HeartbeatsResumed)
	}
	fmt.Fprintf(tw, "  silenced\t%d\tinhibited\t%d\t(grouped under another: %d)\n", s.Silenced, s.Inhibited, s.Grouped)
	_ = tw.Flush()
	for _, l := range severityLines(s.BySeverity, now) {
		fmt.Fprintln(w, l)
	}
	var teams []string
	for _, t := range sortedKeys(s.ByTeam) {
		teams = append(teams, fmt.Sprintf("%s %d", t, s.ByTeam[t]))
	}
	const label = "Incidents by team:     "
	line := strings.Join(teams, " · ")
	if !wide {
		line = strings.TrimPrefix(wrap(line, width, strings.Repeat(" ", len(label))), strings.Repeat(" ", len(label)))
	}
	fmt.Fprintln(w, label+line)
}

// severityLines count the incidents by severity at opening (the summary's count) and,
// when severities changed after opening (escalation raised them, a person changed
// them), by severity now (now), as the incident table shows them: the two counts
// differ, and the lines say why.
func severityLines(atOpening, now map[string]int) []string {
	var opened, current []string
	differ := false
	for _, v := range incident.Severities {
		if v == incident.Info {
			continue
		}
		opened = append(opened, fmt.Sprintf("%s %d", v, atOpening[string(v)]))
		current = append(current, fmt.Sprintf("%s %d", v, now[string(v)]))
		differ = differ || atOpening[string(v)] != now[string(v)]
	}
	if !differ {
		return []string{"Incidents by severity: " + strings.Join(opened, " · ")}
	}
	return []string{
		"Incidents by severity: " + strings.Join(opened, " · ") + " at opening",
		"                       " + strings.Join(current, " · ") + " now (raised by escalation or changed by a person since)",
	}
}

func printIncidents(w io.Writer, incs []incident.Incident, wide bool) {
	_ = printIncidentsFrom(context.Background(), w, func(_ context.Context, yield func(incident.Incident) error) error {
		for _, inc := range incs {
			if err := yield(inc); err != nil {
				return err
			}
		}
		return nil
	}, wide)
}

// printIncidentsFrom prints the table of the incidents each yields, in its order.
func printIncidentsFrom(ctx context.Context, w io.Writer, each func(context.Context, func(incident.Incident) error) error, wide bool) error {
	t := newTable(wide, "ID", "SEV", "STATUS", "TEAM", "COUNT", "OPENED", "CLASS", "QUIET", "TITLE").cut(8, 24).cut(6, 16).cut(8, 12)
	quieted, n := false, 0
	err := each(ctx, func(inc incident.Incident) error {
		n++
		quiet, why := "—", ""
		switch {
		case inc.SilencedBy != "":
			quiet, why = inc.SilencedBy, "silenced"
		case inc.Parent != "":
			quiet, why = inc.Parent, inc.ParentReason
		}
		if wide && why != "" {
			quiet = why + ": " + quiet
		}
		quieted = quieted || why != ""
		t.row(inc.ID, inc.Severity, inc.Status, inc.Team, inc.Count, inc.OpenedAt.Format("01-02 15:04"), inc.Class, quiet, inc.Title)
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(w, "No incidents.")
		return nil
	}
	_ = t.write(w)
	if quieted && !wide {
		fmt.Fprintln(w, "QUIET: the incident it is grouped or inhibited under, or the silence that quieted it (--wide says which).")
	}
	return nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// progress shows a replay's progress on one line of a terminal.
type progress struct {
	w           io.Writer
	bytes       func() (read, size int64)
	now         func() time.Time
	start, last time.Time
	shown       bool
}

// newProgress returns a progress line on w when w is a terminal, else nil: progress
// never lands in a file or a pipe.
func newProgress(w io.Writer, bytes func() (int64, int64), now func() time.Time) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	t := now()
	return &progress{w: w, bytes: bytes, now: now, start: t, last: t}
}

func (p *progress) show(done, read int) {
	t := p.now()
	if t.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.shown = t, true
	frac := -1.0
	if bytes, size := p.bytes(); size > 0 && read > 0 {
		// The bytes read hold the events read; those done are a share of them.
		frac = float64(bytes) / float64(size) * float64(done) / float64(read)
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", progressLine(done, t.Sub(p.start), frac))
}

func (p *progress) end() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// progressLine says how far a replay is: events, rate, elapsed and, when the share of
// the input done is known (frac in [0, 1]; -1 unknown), the time left.
func progressLine(events int, elapsed time.Duration, frac float64) string {
	s := fmt.Sprintf("replay: %d events", events)
	if secs := elapsed.Seconds(); secs > 0 {
		s += fmt.Sprintf(" · %.0f/s", float64(events)/secs)
	}
	s += " · " + elapsed.Truncate(time.Second).String() + " elapsed"
	if frac > 0 && frac <= 1 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		s += fmt.Sprintf(" · %.0f%% · ETA %s", frac*100, left.Truncate(time.Second))
	}
	return s
}

var generateCmd = &command{
	name: "generate-events", args: "N", summary: "write N events of a realistic mix as JSON lines (benchmarks and load tests)",
	arguments: [][2]string{{"N", "how many events"}},
	example:   "firebreak generate-events --seed 7 100000 > /tmp/events.jsonl",
	hidden:    true,
	run:       runGenerate,
}

// runGenerate writes N events of a realistic mix as JSON lines to stdout (replay.Generate).
func runGenerate(_ context.Context, env Env, args []string) error {
	fs := newFlags("generate-events", env)
	seed := fs.Uint64("seed", 1, "random seed `N`: the same seed gives the same events")
	start := fs.String("start", "2026-11-02T00:00:00Z", "`TIME` of the first event (RFC 3339)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	n := 0
	if len(pos) == 1 {
		n, err = strconv.Atoi(pos[0])
	}
	if len(pos) != 1 || err != nil || n < 0 {
		return fmt.Errorf("%w: give the number of events", errUsage)
	}
	t, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return fmt.Errorf("%w: --start %q: %v", errUsage, *start, err)
	}
	return replay.Generate(env.Stdout, n, *seed, t)
}
