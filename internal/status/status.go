// Package status renders Firebreak's status page: the active incidents by severity,
// with what each is about, who owns and leads it, how long it has been open, what
// automation is doing and the last update; grouped incidents under their parent; the
// recently resolved; and a page per incident with its timeline.
//
// Pages are HTML from html/template, styled by one inline stylesheet that the
// Content-Security-Policy admits by its hash; they load nothing and run no script, and
// refresh themselves with a meta refresh. Links between pages are relative, so the same
// pages work under any prefix: /status/ of `firebreak serve`, /status/<viewer token>/ of
// the API's signed viewer links, and files on disk (WriteSite).
//
// The page reads what the work needs: the active incidents (at most MaxActive), their
// timelines, and the resolved incidents opened within ResolvedLookback.
package status

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Reader is what the pages read.
type Reader interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	List(ctx context.Context, f store.Filter) ([]incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

var (
	_ Reader = (*store.Memory)(nil)
	_ Reader = (*store.Dynamo)(nil)
)

// Bounds of what one page reads.
const (
	MaxActive        = 200                // active incidents shown (and timelines read)
	MaxResolved      = 20                 // recently resolved incidents shown
	ResolvedWindow   = 24 * time.Hour     // "recently": resolved within this
	ResolvedLookback = 7 * 24 * time.Hour // resolved incidents are looked for among those opened within this
	DefaultRefresh   = time.Minute
)

// Page renders the status pages.
type Page struct {
	Store Reader
	Now   func() time.Time
	Log   *slog.Logger // nil: discard
	// Refresh is how often a page reloads itself (0: DefaultRefresh).
	Refresh time.Duration
	// Static renders pages for files on disk: links end in .html, no refresh, no
	// account filter links.
	Static bool
	// Outbox, when set, is the address of an outbox's index.html relative to the board
	// (replay --outbox beside --status-page): the board links it.
	Outbox string
}

// Request is one page request, relative to where the pages are served.
type Request struct {
	// Path is the path below the mount point: "" or "/" for the board,
	// "incidents/<id>" for an incident.
	Path string
	// Account is the ?account= filter ("" for all).
	Account string
	// Client is the ?client= filter: incidents of the accounts the directory gives this
	// client ("" for all; internal/accounts). Within a Scope it narrows further.
	Client string
	// Scope, when set, is the one account the viewer may see (a viewer link made for
	// one account): other accounts' incidents are not shown and a different Account
	// filter is refused.
	Scope string
	// Audience, when set, makes the pages the view of that audience (stakeholders,
	// executives, …): they show only what was published to it — its posted updates and
	// estimated resolution, and the incident's state changes without who or why — and
	// nothing of the automation.
	Audience string
}

// Response is a rendered page.
type Response struct {
	Status int
	Body   []byte
}

var (
	accountRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	clientRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`) // as config's accounts.<id>.client
)

// Errors of Render; both are shown to the viewer as a page.
var (
	ErrNotFound   = errors.New("not found")
	ErrBadRequest = errors.New("bad request")
)

// Render renders the page a request asks for. Every outcome is a page: a bad request
// is 400, an unknown page or incident 404, a failure to read 500 (logged, not shown).
func (p *Page) Render(ctx context.Context, r Request) Response {
	body, err := p.render(ctx, r)
	if err == nil {
		return Response{Status: http.StatusOK, Body: body}
	}
	status, msg := http.StatusInternalServerError, "The status page could not be read. Try again in a minute."
	switch {
	case errors.Is(err, ErrBadRequest):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrNotFound), errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "No such incident or page."
	default:
		p.log().ErrorContext(ctx, "status page failed", "path", r.Path, "error", err)
	}
	return p.errorPage(status, msg, strings.Count(strings.Trim(r.Path, "/"), "/"))
}

// ErrorPage is the page of a refusal or failure: msg, and a link to the board.
func (p *Page) ErrorPage(status int, msg string) Response { return p.errorPage(status, msg, 0) }

func (p *Page) errorPage(status int, msg string, depth int) Response {
	b, err := p.execute("error", errorView{Message: msg, Home: p.home(depth)})
	if err != nil {
		p.log().Error("status error page not rendered", "error", err)
		b = []byte("<!doctype html><title>Firebreak status</title><p>Something went wrong.</p>")
	}
	return Response{Status: status, Body: b}
}

func (p *Page) render(ctx context.Context, r Request) ([]byte, error) {
	account := r.Account
	if account != "" && !accountRe.MatchString(account) {
		return nil, fmt.Errorf("%w: account %q: want 1 to 64 letters, digits, '.', '_' or '-'", ErrBadRequest, clip(account, 64))
	}
	if r.Client != "" && !clientRe.MatchString(r.Client) {
		return nil, fmt.Errorf("%w: client %q: want 1 to 32 lower-case letters, digits or '-'", ErrBadRequest, clip(r.Client, 64))
	}
	if r.Scope != "" {
		if account != "" && account != r.Scope {
			return nil, fmt.Errorf("%w: this link shows account %s only", ErrBadRequest, r.Scope)
		}
		account = r.Scope
	}
	path := strings.Trim(r.Path, "/")
	switch {
	case path == "" || path == "index.html":
		v, err := p.board(ctx, store.Filter{Account: account, Client: r.Client}, r.Audience, r.Scope != "")
		if err != nil {
			return nil, err
		}
		return p.execute("board", v)
	case strings.HasPrefix(path, "incidents/") && strings.Count(path, "/") == 1:
		id := strings.TrimSuffix(strings.TrimPrefix(path, "incidents/"), ".html")
		v, err := p.incidentPage(ctx, id, account, r.Audience)
		if err != nil {
			return nil, err
		}
		return p.execute("incident", v)
	}
	return nil, ErrNotFound
}

// item is one incident as the pages show it.
type item struct {
	ID, Href, Title, Impact, Team, Status, Severity, SeverityLabel string
	Account, Region, Resource, Class                               string
	Client, Environment, AccountName, AccountReason                string // the account directory's (internal/accounts)
	Opened, OpenFor, Resolved                                      string
	Runbook, Phase, PhaseDetail                                    string
	LastUpdate, LastUpdateAt, LastUpdateBy                         string
	ETA                                                            string // estimated resolution, from the latest update that gave one
	Roles                                                          []role
	ParentID, ParentHref, ParentReason                             string
	Children                                                       []item
}

type role struct{ Label, Name string }

type group struct {
	Severity, Label string
	Items           []item
	Count           int // the items and their children
}

type boardView struct {
	Common
	Outbox    string
	Account   string
	Accounts  []filterLink
	Client    string       // the client filter
	Clients   []filterLink // the clients of the active incidents, as filters
	Groups    []group
	Active    int
	Truncated bool
	Resolved  []item
}

type filterLink struct {
	Label, Href string
	Current     bool
}

// Common is what every page shows.
type Common struct {
	Title     string
	Generated string
	Refresh   int // seconds; 0: none
	Home      string
}

func (p *Page) common(title string, depth int) Common {
	c := Common{Title: title, Generated: stamp(p.now()), Home: p.home(depth)}
	if !p.Static {
		c.Refresh = int(cmp.Or(p.Refresh, DefaultRefresh) / time.Second)
	}
	return c
}

// home is the board's address from a page depth segments below the mount point.
func (p *Page) home(depth int) string {
	up := strings.Repeat("../", depth)
	if p.Static {
		return up + "index.html"
	}
	if up == "" {
		return "./"
	}
	return up
}

func (p *Page) href(id string, depth int) string {
	h := strings.Repeat("../", depth) + "incidents/" + url.PathEscape(id)
	if p.Static {
		h += ".html"
	}
	return h
}

var activeStatuses = []incident.Status{incident.Open, incident.Acknowledged, incident.Mitigated}

// board is the list of active and recently resolved incidents that f (its account
// and client only) selects.
func (p *Page) board(ctx context.Context, f store.Filter, audience string, scoped bool) (boardView, error) {
	now := p.now()
	account := f.Account
	title := "Firebreak status"
	if account != "" {
		title += " · account " + account
	}
	if f.Client != "" {
		title += " · client " + f.Client
	}
	if audience != "" {
		title += " · for " + audience
	}
	v := boardView{Common: p.common(title, 0), Account: account, Client: f.Client, Outbox: p.Outbox}
	active, err := p.Store.List(ctx, store.Filter{Status: activeStatuses, Account: account, Client: f.Client, Limit: MaxActive + 1})
	if err != nil {
		return v, fmt.Errorf("list active incidents: %w", err)
	}
	if len(active) > MaxActive {
		active, v.Truncated = active[:MaxActive], true
	}
	v.Active = len(active)
	items := make(map[string]*item, len(active))
	ordered := make([]*item, 0, len(active))
	for _, inc := range active {
		tl, err := p.Store.Timeline(ctx, inc.ID)
		if err != nil {
			return v, fmt.Errorf("read the timeline of %s: %w", inc.ID, err)
		}
		it := p.item(inc, tl, now, 0, audience)
		items[inc.ID] = &it
		ordered = append(ordered, &it)
	}
	// Children under their parent when the parent is shown; on their own otherwise.
	var top []*item
	for _, it := range ordered {
		if parent, ok := items[it.ParentID]; ok && it.ParentID != it.ID {
			parent.Children = append(parent.Children, *it)
			continue
		}
		top = append(top, it)
	}
	for _, sev := range incident.Severities {
		g := group{Severity: string(sev), Label: sev.Label()}
		for _, it := range top {
			if it.Severity == string(sev) {
				g.Items = append(g.Items, *it)
				g.Count += 1 + len(it.Children)
			}
		}
		if len(g.Items) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	resolved, err := p.Store.List(ctx, store.Filter{Status: []incident.Status{incident.Resolved, incident.Closed}, Account: account,
		Client: f.Client, OpenedSince: now.Add(-ResolvedLookback)})
	if err != nil {
		return v, fmt.Errorf("list resolved incidents: %w", err)
	}
	resolved = slices.DeleteFunc(resolved, func(inc incident.Incident) bool {
		return inc.ResolvedAt.IsZero() || inc.ResolvedAt.Before(now.Add(-ResolvedWindow))
	})
	slices.SortFunc(resolved, func(a, b incident.Incident) int {
		return cmp.Or(b.ResolvedAt.Compare(a.ResolvedAt), strings.Compare(a.ID, b.ID))
	})
	for _, inc := range resolved[:min(len(resolved), MaxResolved)] {
		v.Resolved = append(v.Resolved, p.item(inc, nil, now, 0, audience))
	}
	if !p.Static && !scoped {
		v.Accounts = p.filterLinks(active, account)
	}
	if !p.Static {
		v.Clients = clientLinks(active, f.Client)
	}
	return v, nil
}

// filterLinks offers the accounts of the active incidents as filters.
func (p *Page) filterLinks(active []incident.Incident, current string) []filterLink {
	var accounts []string
	for _, inc := range active {
		if inc.Account != "" && !slices.Contains(accounts, inc.Account) {
			accounts = append(accounts, inc.Account)
		}
	}
	if current != "" && !slices.Contains(accounts, current) {
		accounts = append(accounts, current)
	}
	if len(accounts) < 2 && current == "" {
		return nil
	}
	slices.Sort(accounts)
	out := []filterLink{{Label: "All accounts", Href: "./", Current: current == ""}}
	for _, a := range accounts {
		out = append(out, filterLink{Label: a, Href: "./?" + url.Values{"account": {a}}.Encode(), Current: a == current})
	}
	return out
}

type incidentView struct {
	Common
	Item     item
	Opened   string
	Timeline []entryView
}

type entryView struct {
	At, Kind, Actor, Detail string
}

// audienceUpdate is what an audience's view calls an update posted to it (a label, not
// a timeline kind).
const audienceUpdate = "update"

func (p *Page) incidentPage(ctx context.Context, id, account, audience string) (incidentView, error) {
	if id == "" || len(id) > 256 {
		return incidentView{}, ErrNotFound
	}
	inc, err := p.Store.Get(ctx, id)
	if err != nil {
		return incidentView{}, fmt.Errorf("read incident %s: %w", id, err)
	}
	if account != "" && inc.Account != account { // a scoped viewer sees its account only
		return incidentView{}, ErrNotFound
	}
	tl, err := p.Store.Timeline(ctx, id)
	if err != nil {
		return incidentView{}, fmt.Errorf("read the timeline of %s: %w", id, err)
	}
	title := id + " · " + inc.Title
	if audience != "" {
		title += " · for " + audience
	}
	v := incidentView{Common: p.common(title, 1), Item: p.item(inc, tl, p.now(), 1, audience)}
	for _, e := range tl {
		kind := string(e.Kind)
		switch {
		case audience == "":
			v.Timeline = append(v.Timeline, entryView{At: stamp(e.At), Kind: kind, Actor: e.Actor, Detail: e.Detail})
		case kind == string(incident.KindUpdatePosted) && e.Data[incident.DataAudience] == audience:
			v.Timeline = append(v.Timeline, entryView{At: stamp(e.At), Kind: audienceUpdate, Detail: e.Detail})
		case publicKinds[kind]:
			v.Timeline = append(v.Timeline, entryView{At: stamp(e.At), Kind: kind})
		}
	}
	return v, nil
}

// publicKinds are the state changes an audience's view shows, without who or why.
var publicKinds = map[string]bool{string(incident.KindOpened): true, string(incident.KindAcknowledged): true, string(incident.KindMitigated): true,
	string(incident.KindResolved): true, string(incident.KindClosed): true, string(incident.KindReopened): true}

// item builds an incident's view; tl (may be nil) supplies roles, automation and the
// last update. depth is the page's depth below the mount point, for links. An audience
// sees only its own posted updates and no automation.
func (p *Page) item(inc incident.Incident, tl []incident.Entry, now time.Time, depth int, audience string) item {
	it := item{ID: inc.ID, Href: p.href(inc.ID, depth), Title: inc.Title, Impact: inc.Impact, Team: inc.Team, Status: string(inc.Status),
		Severity: string(inc.Severity), SeverityLabel: inc.Severity.Label(), Account: inc.Account, Region: inc.Region,
		Resource: inc.Resource, Class: inc.Class, Opened: stamp(inc.OpenedAt), Runbook: inc.Runbook,
		ParentID: inc.Parent, ParentReason: inc.ParentReason,
		Client: inc.Client, Environment: inc.Environment, AccountName: inc.AccountName}
	if audience == "" { // why it is this severity and owner: for responders
		it.AccountReason = inc.AccountReason
	}
	if inc.Parent != "" {
		it.ParentHref = p.href(inc.Parent, depth)
	}
	end := now
	if !inc.Status.Active() && !inc.ResolvedAt.IsZero() {
		end = inc.ResolvedAt
		it.Resolved = stamp(inc.ResolvedAt)
	}
	it.OpenFor = Duration(end.Sub(inc.OpenedAt))
	roles := incident.Roles(tl)
	for _, r := range incident.RoleNames {
		if name := roles[r]; name != "" {
			it.Roles = append(it.Roles, role{Label: incident.RoleLabel(r), Name: name})
		}
	}
	if audience != "" {
		it.Runbook = ""
	}
	for _, e := range tl {
		kind := string(e.Kind)
		if audience != "" && (kind != string(incident.KindUpdatePosted) || e.Data[incident.DataAudience] != audience) {
			continue
		}
		switch {
		case strings.HasPrefix(kind, "runbook-") && kind != "runbook-call":
			it.Phase, it.PhaseDetail = strings.TrimPrefix(kind, "runbook-"), e.Detail
			if rb := strings.TrimPrefix(e.Actor, "runbook:"); rb != e.Actor && it.Runbook == "" {
				it.Runbook = rb
			}
		case updateKinds[kind]:
			it.LastUpdate, it.LastUpdateAt, it.LastUpdateBy = e.Detail, stamp(e.At), e.Actor
		}
		if kind == string(incident.KindUpdatePosted) && inc.Status.Active() {
			if eta, err := time.Parse(time.RFC3339, e.Data[incident.DataETA]); err == nil {
				it.ETA = stamp(eta) + " (in " + Duration(eta.Sub(now)) + ")"
				if eta.Before(now) {
					it.ETA = stamp(eta) + " (passed " + Duration(now.Sub(eta)) + " ago)"
				}
			}
		}
	}
	return it
}

// updateKinds are the timeline entries a person writes to say where things stand.
var updateKinds = map[string]bool{
	string(incident.KindNote): true, string(incident.KindAcknowledged): true, string(incident.KindOwnerChanged): true, string(incident.KindSeverityChanged): true,
	string(incident.KindUpdatePosted): true, string(incident.KindRoleSet): true,
}

// Duration is d for people: "45s", "12m", "3h 05m", "2d 4h".
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (p *Page) now() time.Time {
	if p.Now == nil {
		return time.Now().UTC()
	}
	return p.Now().UTC()
}

func (p *Page) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}
