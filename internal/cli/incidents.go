package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// apiClient talks to the API: SigV4-signed for Function URLs, plain to a local serve.
type apiClient struct {
	base   *url.URL
	http   *http.Client
	region string // "": not signed
	creds  aws.CredentialsProvider
	signer *v4.Signer
	now    func() time.Time
	newKey func() string
	pause  time.Duration // before the retry
}

// loadCredentials reads the default AWS configuration chain.
func loadCredentials(ctx context.Context) (aws.CredentialsProvider, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg.Credentials, nil
}

// newAPIClient checks the URL: https Function URLs (<id>.lambda-url.<region>.on.aws) are
// signed with credentials from creds; http to the loopback interface is not signed;
// anything else is refused.
func newAPIClient(ctx context.Context, raw string, creds func(context.Context) (aws.CredentialsProvider, error)) (*apiClient, error) {
	if raw == "" {
		return nil, fmt.Errorf("%w: no API: give --api URL or set FIREBREAK_API (a Function URL, or the URL firebreak serve prints)", errUsage)
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: --api %q is not a URL like https://<id>.lambda-url.<region>.on.aws", errUsage, raw)
	}
	c := &apiClient{base: u, http: &http.Client{Timeout: 30 * time.Second}, signer: v4.NewSigner(),
		now: func() time.Time { return time.Now().UTC() }, newKey: newIdempotencyKey, pause: 500 * time.Millisecond}
	switch {
	case u.Scheme == "https":
		region, ok := functionURLRegion(u.Hostname())
		if !ok {
			return nil, fmt.Errorf("%w: --api %q: an https API must be a Function URL, <id>.lambda-url.<region>.on.aws (its region signs the request)", errUsage, raw)
		}
		if c.creds, err = creds(ctx); err != nil {
			return nil, err
		}
		c.region = region
	case u.Scheme == "http" && api.LoopbackHost(u.Hostname()):
	default:
		return nil, fmt.Errorf("%w: --api %q: use https (a Function URL) or http://127.0.0.1:PORT (firebreak serve)", errUsage, raw)
	}
	return c, nil
}

// functionURLRegion parses <url-id>.lambda-url.<region>.on.aws.
func functionURLRegion(host string) (string, bool) {
	p := strings.Split(strings.ToLower(host), ".")
	if len(p) != 5 || p[0] == "" || p[1] != "lambda-url" || p[2] == "" || p[3] != "on" || p[4] != "aws" {
		return "", false
	}
	return p[2], true
}

func newIdempotencyKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return "cli-" + hex.EncodeToString(b)
}

// apiError is an error answer of the API.
type apiError struct {
	Status    int
	Message   string
	RequestID string
}

func (e *apiError) Error() string {
	if e.Status >= 500 {
		return fmt.Sprintf("%s (HTTP %d, request %s)", e.Message, e.Status, e.RequestID)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

// call sends one request and returns the body of a 2xx answer. A mutating call carries
// a fresh Idempotency-Key and is retried once, with the same key, when the request
// fails on the network (the API applies it once either way).
func (c *apiClient) call(ctx context.Context, method, path string, query url.Values, body any) ([]byte, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	key := ""
	if method != http.MethodGet {
		key = c.newKey()
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = c.base.EscapedPath() + escapePath(path)
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	resp, err := c.send(ctx, method, u.String(), payload, key)
	if err != nil && key != "" && ctx.Err() == nil {
		select {
		case <-time.After(c.pause):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		resp, err = c.send(ctx, method, u.String(), payload, key)
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e api.ErrorResponse
		if json.Unmarshal(out, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(http.StatusText(resp.StatusCode) + ": " + clip(string(out), 200))
		}
		return nil, &apiError{Status: resp.StatusCode, Message: e.Error, RequestID: first(e.RequestID, resp.Header.Get("X-Request-Id"))}
	}
	return out, nil
}

// escapePath escapes each segment of path (an approval key holds '/', kept as a separator).
func escapePath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func (c *apiClient) send(ctx context.Context, method, target string, payload []byte, key string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if c.region != "" {
		sum := sha256.Sum256(payload)
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", hash)
		creds, err := c.creds.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		if err := c.signer.SignHTTP(ctx, creds, req, hash, "lambda", c.region, c.now()); err != nil {
			return nil, fmt.Errorf("sign the request: %w", err)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, c.base.Host, unwrapURLError(err))
	}
	return resp, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// subcommand takes the first argument that is neither a flag nor the value of --api.
func subcommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") {
			if a == "--api" || a == "-api" {
				i++
			}
			continue
		}
		rest := append(append([]string(nil), args[:i]...), args[i+1:]...)
		return a, rest
	}
	return "", args
}

// matchFlags collects --match key=value.
type matchFlags []string

func (m *matchFlags) String() string     { return strings.Join(*m, ",") }
func (m *matchFlags) Set(v string) error { *m = append(*m, v); return nil }

// incidentsRun is one subcommand: what it needs, parsed.
type incidentsRun struct {
	env    Env
	client *apiClient
	json   bool
	wide   bool // human output: every cell whole, lines as long as they are
}

// wideFlag is --wide: human output not cut to fit 120 columns.
func wideFlag(fs *flag.FlagSet, wide *bool) {
	fs.BoolVar(wide, "wide", false, "print every cell whole (default: tables are cut to fit 120 columns)")
}

// incidentsFlags are the flags every incidents command has.
func incidentsFlags(name string, env Env) (fs *flag.FlagSet, apiURL *string, asJSON *bool) {
	fs = newFlags(name, env)
	apiURL = fs.String("api", "", "the API's `URL`: a Function URL, or what firebreak serve prints (default $FIREBREAK_API)")
	asJSON = fs.Bool("json", false, "print the API's JSON")
	return fs, apiURL, asJSON
}

func runIncidents(ctx context.Context, env Env, args []string) error {
	sub, rest := subcommand(args)
	if sub == "review" { // post-incident reviews (reviews.go)
		return runReview(ctx, env, rest)
	}
	if sub == "silence" {
		var s2 string
		s2, rest = subcommand(rest)
		sub = strings.TrimSpace("silence " + s2)
	}
	switch {
	case sub == "help":
		sub, rest = "", []string{"--help"}
	case sub == "" && !wantsHelp(rest):
		return fmt.Errorf("%w: name a command", errUsage)
	}
	if c := lookup(strings.TrimSpace("incidents " + sub)); c != nil && len(c.subs) > 0 {
		// incidents or incidents silence: the commands it has.
		if !wantsHelp(rest) {
			var leaves []string
			for _, s := range c.subs {
				leaves = append(leaves, s.leaf())
			}
			return usageOf(c.name, "%s %s", c.leaf(), strings.Join(leaves, "|"))
		}
		var fs *flag.FlagSet
		if c.name == "incidents" {
			fs, _, _ = incidentsFlags(c.name, env)
		}
		writeHelp(env.Stdout, c, fs)
		return flag.ErrHelp
	}
	fs, apiURL, asJSON := incidentsFlags("incidents "+sub, env)
	var (
		wide  bool
		nargs [2]int // positional arguments: at least, at most (-1: any)
		do    func(r *incidentsRun, pos []string) error
	)
	note := func() *string { return fs.String("note", "", "a note for the timeline") }
	switch sub {
	case "list":
		status := fs.String("status", activeStatuses(), "the `STATUSES`, comma-separated (open, acknowledged, mitigated, resolved, closed), or all")
		team := fs.String("team", "", "only incidents this `TEAM` owns")
		dir := directoryFlags(fs) // accounts.go
		limit := fs.Int("limit", api.DefaultLimit, "at most `N` incidents")
		wideFlag(fs, &wide)
		nargs, do = [2]int{0, 0}, func(r *incidentsRun, _ []string) error { return r.list(ctx, *status, *team, dir, *limit) }
	case "show":
		wideFlag(fs, &wide)
		nargs, do = [2]int{1, 1}, func(r *incidentsRun, p []string) error { return r.show(ctx, p[0]) }
	case "ack", "resolve":
		n := note()
		nargs, do = [2]int{1, 1}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], sub, api.NoteRequest{Note: *n})
		}
	case "status":
		n := note()
		nargs, do = [2]int{2, 2}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], "status", api.StatusRequest{Status: p[1], Note: *n})
		}
	case "note":
		nargs, do = [2]int{2, -1}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], "notes", api.AddNoteRequest{Text: strings.Join(p[1:], " ")})
		}
	case "link":
		title := fs.String("title", "", "what the link is")
		nargs, do = [2]int{2, 2}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], "links", api.LinkRequest{URL: p[1], Title: *title})
		}
	case "severity":
		reason := fs.String("reason", "", "why, for the timeline")
		nargs, do = [2]int{2, 2}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], "severity", api.SeverityRequest{Severity: p[1], Reason: *reason})
		}
	case "owner":
		reason := fs.String("reason", "", "why, for the timeline")
		nargs, do = [2]int{2, 2}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], "owner", api.OwnerRequest{Team: p[1], Reason: *reason})
		}
	case "role":
		nargs, do = [2]int{2, -1}, func(r *incidentsRun, p []string) error { return r.change(ctx, p[0], "role", roleRequest(p)) }
	case "update":
		audience := fs.String("audience", "", "who the update is for: stakeholders (the default), executives, customers, …")
		eta := fs.Duration("eta", 0, "the estimated time to resolution from now, e.g. 2h")
		nargs, do = [2]int{2, -1}, func(r *incidentsRun, p []string) error {
			return r.change(ctx, p[0], "updates", updateRequest(p, *audience, *eta))
		}
	case "approve", "reject":
		n := note()
		nargs, do = [2]int{2, 2}, func(r *incidentsRun, p []string) error { return r.decide(ctx, p[0], p[1], sub, *n) }
	case "silence add":
		var match matchFlags
		fs.Var(&match, "match", "a `K=V` matcher (repeat it): K is class, team, account, region, resource, tag:NAME; values may use * and ?")
		forD := fs.Duration("for", 0, "how long, e.g. 2h or 90m")
		untilT := fs.String("until", "", "until this RFC 3339 `TIME`")
		startsT := fs.String("starts", "", "from this RFC 3339 `TIME` (default: now)")
		comment := fs.String("comment", "", "why it is quiet")
		force := fs.Bool("force", false, "make a silence that matches everything or lasts longer than defaults.max_silence (you are named on every incident it silences)")
		nargs, do = [2]int{0, 0}, func(r *incidentsRun, _ []string) error {
			return r.addSilence(ctx, match, *forD, *untilT, *startsT, *comment, *force)
		}
	case "silence list":
		wideFlag(fs, &wide)
		nargs, do = [2]int{0, 0}, func(r *incidentsRun, _ []string) error { return r.silences(ctx) }
	case "silence end":
		nargs, do = [2]int{1, 1}, func(r *incidentsRun, p []string) error { return r.endSilence(ctx, p[0]) }
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, sub)
	}
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) < nargs[0] || (nargs[1] >= 0 && len(pos) > nargs[1]) {
		return usageOf("incidents "+sub, "%s takes %s", sub, argsWanted(sub))
	}
	raw := *apiURL
	if raw == "" {
		raw = env.Getenv("FIREBREAK_API")
	}
	client, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return err
	}
	return do(&incidentsRun{env: env, client: client, json: *asJSON, wide: wide}, pos)
}

// argsWanted says what a command takes, for usage errors.
func argsWanted(sub string) string {
	if c := lookup("incidents " + sub); c != nil && c.args != "" {
		return c.args
	}
	return "no arguments"
}

// printJSON prints the API's answer, indented.
func (r *incidentsRun) printJSON(b []byte) error {
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(b), "", "  "); err != nil {
		return fmt.Errorf("the API answered with invalid JSON: %w", err)
	}
	out.WriteByte('\n')
	_, err := r.env.Stdout.Write(out.Bytes())
	return err
}

func (r *incidentsRun) list(ctx context.Context, status, team string, dir *directory, limit int) error {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if status != "all" && status != "" {
		q.Set("status", status)
	}
	if team != "" {
		q.Set("team", team)
	}
	dir.query(q)
	resp, printed, err := request[api.ListResponse](ctx, r, http.MethodGet, "/incidents", q, nil)
	if err != nil || printed {
		return err
	}
	printIncidents(r.env.Stdout, resp.Incidents, r.wide)
	return nil
}

func (r *incidentsRun) show(ctx context.Context, id string) error {
	resp, printed, err := request[api.IncidentResponse](ctx, r, http.MethodGet, "/incidents/"+id, nil, nil)
	if err != nil || printed {
		return err
	}
	printIncident(r.env.Stdout, resp, r.wide)
	return nil
}

// printIncident prints an incident, its approvals and timeline in width columns: long
// values wrap, long table cells are cut (wide: whole).
func printIncident(w io.Writer, resp api.IncidentResponse, wide bool) {
	inc := resp.Incident
	fields := [][2]string{
		{inc.ID, fmt.Sprintf("%s · %s · %s", inc.Severity, inc.Status, inc.Team)},
		{"Title", inc.Title},
		{"Class", inc.Class},
		{"Impact", inc.Impact},
		{"Resource", inc.Resource},
		{"Account/region", inc.Account + " / " + inc.Region},
	}
	fields = append(fields, accountFields(inc)...) // accounts.go
	fields = append(fields, roleFields(resp.Timeline)...)
	fields = append(fields, [][2]string{
		{"Opened", when(inc.OpenedAt)},
		{"Events", fmt.Sprintf("%s, %s, last seen %s", plural(inc.Count, "trigger"), plural(inc.Recoveries, "recovery", "recoveries"), when(inc.LastSeen))},
	}...)
	if !inc.SeverityAt.IsZero() {
		fields = append(fields, [2]string{"Severity", fmt.Sprintf("%s since %s (changed after opening)", inc.Severity, when(inc.SeverityAt))})
	}
	if !inc.AcknowledgedAt.IsZero() {
		fields = append(fields, [2]string{"Acknowledged", when(inc.AcknowledgedAt) + " by " + inc.AcknowledgedBy})
	}
	if !inc.ResolvedAt.IsZero() {
		fields = append(fields, [2]string{"Resolved", when(inc.ResolvedAt)})
	}
	fields = append(fields, [2]string{"Runbook", inc.Runbook}, [2]string{"Version", strconv.Itoa(inc.Version)})
	col := 0
	for _, f := range fields {
		col = max(col, runes(f[0]))
	}
	indent := strings.Repeat(" ", col+2)
	for _, f := range fields {
		if f[1] == "" {
			continue
		}
		v := strings.Join(strings.Fields(f[1]), " ")
		if !wide {
			v = strings.TrimPrefix(wrap(v, width, indent), indent)
		}
		fmt.Fprintf(w, "%s%s%s\n", f[0], strings.Repeat(" ", col+2-runes(f[0])), v)
	}
	if len(resp.Approvals) > 0 {
		fmt.Fprintln(w, "\nApprovals")
		t := newTable(wide, "KEY", "REQUESTED", "DECISION", "REQUEST").cut(3, 30).cut(2, 20).wrap(3)
		for _, a := range resp.Approvals {
			d := "waiting"
			if a.Decision != "" {
				d = a.Decision + " by " + a.By
			}
			t.row(a.Key, when(a.RequestedAt), d, a.Request)
		}
		_ = t.write(w)
	}
	fmt.Fprintln(w, "\nTimeline")
	t := newTable(wide, "AT", "KIND", "ACTOR", "DETAIL").cut(2, 20).cut(3, 40).wrap(3)
	for _, e := range resp.Timeline {
		t.row(when(e.At), e.Kind, e.Actor, e.Detail)
	}
	_ = t.write(w)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

var pastTense = map[string]string{"ack": "acknowledged", "resolve": "resolved", "status": "status changed", "notes": "note added",
	"links": "link added", "severity": "severity changed", "owner": "owner changed"}

func (r *incidentsRun) change(ctx context.Context, id, action string, body any) error {
	resp, printed, err := request[api.IncidentResponse](ctx, r, http.MethodPost, "/incidents/"+id+"/"+action, nil, body)
	if err != nil || printed {
		return err
	}
	inc := resp.Incident
	fmt.Fprintf(r.env.Stdout, "%s %s: %s, %s, owner %s (version %d)\n", inc.ID, pastTense[action], inc.Status, inc.Severity, inc.Team, inc.Version)
	return nil
}

func (r *incidentsRun) decide(ctx context.Context, id, key, verb, note string) error {
	resp, printed, err := request[api.ApprovalResponse](ctx, r, http.MethodPost, "/incidents/"+id+"/approvals/"+key+"/"+verb, nil, api.NoteRequest{Note: note})
	if err != nil || printed {
		return err
	}
	fmt.Fprintf(r.env.Stdout, "%s %s %s by %s; runbook %s resumed.\n", id, key, resp.Approval.Decision, resp.Approval.By, resp.Approval.Runbook)
	return nil
}

// request calls the API and decodes its answer; with --json it prints the answer as is
// instead and reports printed.
func request[T any](ctx context.Context, r *incidentsRun, method, path string, query url.Values, body any) (resp T, printed bool, err error) {
	b, err := r.client.call(ctx, method, path, query, body)
	if err != nil {
		return resp, false, err
	}
	if r.json {
		return resp, true, r.printJSON(b)
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return resp, false, fmt.Errorf("the API answered with unexpected JSON: %w", err)
	}
	return resp, false, nil
}

// activeStatuses is the list's default: the active statuses, comma-separated.
func activeStatuses() string {
	out := make([]string, len(incident.ActiveStatuses))
	for i, st := range incident.ActiveStatuses {
		out[i] = string(st)
	}
	return strings.Join(out, ",")
}
