package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/token"
)

var statusLinkCmd = &command{
	name: "status-link", summary: "print a read-only viewer link to the status page (signed, long-lived, revoked by key rotation)",
	about: `The API signs the link (POST /status-links, IAM callers only); viewers open it on the links URL (the
Function URL of the API's "links" alias; a local firebreak serve answers links on its own URL). It shows
every account or one (--account), as responders see it or as an audience does (--audience: only
what was published to that audience). It lives at most 5 days; rotating the link keys revokes it.`,
	example: "firebreak status-link --audience stakeholders --links https://def.lambda-url.eu-west-1.on.aws\nfirebreak status-link --api http://127.0.0.1:8080 --account 123456789012",
	run:     runStatusLink,
}

// runStatusLink asks the API for a read-only viewer link to the status page and prints
// it. The API signs it; the link opens on the links URL (the Function URL of the API's
// "links" alias), which a local `firebreak serve` shares with its API.
func runStatusLink(ctx context.Context, env Env, args []string) error {
	fs := newFlags("status-link", env)
	apiURL := fs.String("api", "", "the API `URL` (default $FIREBREAK_API)")
	linksURL := fs.String("links", "", "the links `URL`, where viewers open the page (default $FIREBREAK_LINKS; a local serve's API URL)")
	account := fs.String("account", "", "show only this `ACCOUNT`'s incidents")
	audience := fs.String("audience", "", "the view of an `AUDIENCE` (e.g. stakeholders): only what was published to it")
	ttl := fs.Duration("ttl", 0, "how long the link lives (default and at most 120h)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	if *ttl < 0 {
		return fmt.Errorf("%w: --ttl must not be negative", errUsage)
	}
	raw := *apiURL
	if raw == "" {
		raw = env.Getenv("FIREBREAK_API")
	}
	c, err := newAPIClient(ctx, raw, loadCredentials)
	if err != nil {
		return err
	}
	links := *linksURL
	if links == "" {
		links = env.Getenv("FIREBREAK_LINKS")
	}
	if links == "" && c.region == "" { // a local serve answers links on its API URL
		links = c.base.String()
	}
	lu, err := url.Parse(strings.TrimRight(links, "/"))
	if links == "" || err != nil || (lu.Scheme != "https" && lu.Scheme != "http") || lu.Host == "" {
		return fmt.Errorf("%w: --links %q: give the links URL (the stack's LinksUrl output, https://<id>.lambda-url.<region>.on.aws) or set FIREBREAK_LINKS", errUsage, links)
	}
	req := api.StatusLinkRequest{Account: *account, Audience: *audience}
	if *ttl > 0 {
		req.TTL = ttl.String()
	}
	out, err := c.call(ctx, "POST", "/status-links", nil, req)
	if err != nil {
		return err
	}
	var resp api.StatusLinkResponse
	if err := json.Unmarshal(out, &resp); err != nil || !strings.HasPrefix(resp.Path, "/status/") {
		return fmt.Errorf("the API's answer is not a status link: %s", clip(string(out), 200))
	}
	link := lu.String() + resp.Path
	if *asJSON {
		return writeJSON(env.Stdout, map[string]any{"url": link, "scope": resp.Scope, "expires": resp.Expires})
	}
	fmt.Fprintln(env.Stdout, link)
	fmt.Fprintf(env.Stderr, "Read-only, for %s, until %s. Anyone with the link can read the page; rotating the link keys revokes it.\n",
		scopeText(resp.Scope), resp.Expires.UTC().Format(time.RFC3339))
	return nil
}

func scopeText(scope string) string {
	s, _ := token.ParseScope(scope)
	out := "every account"
	if s.Account != "" {
		out = "account " + s.Account
	}
	if s.Audience != "" {
		out += ", as " + s.Audience + " see it"
	}
	return out
}
