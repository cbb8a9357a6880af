package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func (f *fixture) sign(inc, act string, ttl time.Duration) string {
	f.t.Helper()
	tok, _, err := f.signer.Sign(context.Background(), inc, act, ttl)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// click is a request to a signed link on the links URL (no IAM caller).
func (f *fixture) click(method, tok, inc, act string) events.LambdaFunctionURLResponse {
	f.t.Helper()
	req := f.request(method, token.LinkURL("", tok, inc, act), "", "")
	if method == "POST" { // a browser's form post
		req.Headers["content-type"] = "application/x-www-form-urlencoded"
	}
	return f.do(req)
}

var b64 = base64.RawURLEncoding

// tamper rewrites one field of the token's payload, keeping its signature.
func tamper(t *testing.T, tok, field string, value any) string {
	t.Helper()
	p, m, _ := strings.Cut(tok, ".")
	raw, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	obj[field] = value
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(b) + "." + m
}

func TestLinkGetNeverActs(t *testing.T) {
	f := newFixture(t, "memory")
	tok := f.sign("FB-OPEN-1", token.Ack, 24*time.Hour)
	before := f.state("FB-OPEN-1")
	var resp events.LambdaFunctionURLResponse
	for range 3 { // a mail scanner, a preview, the person
		resp = f.click("GET", tok, "FB-OPEN-1", token.Ack)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("Got(GET link) = %d %s; want 200", resp.StatusCode, resp.Body)
	}
	if after := f.state("FB-OPEN-1"); after != before {
		t.Errorf("Got(state after GETs) = %+v; want unchanged %+v", after, before)
	}
	for k, want := range map[string]string{
		"Content-Type": "text/html; charset=utf-8", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Headers[k]; got != want {
			t.Errorf("Got(%s) = %q; want %q", k, got, want)
		}
	}
	csp := resp.Headers["Content-Security-Policy"]
	for _, want := range []string{"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Got(Content-Security-Policy) = %q; want %q", csp, want)
		}
	}
	// The page's only style is the one the policy's hash allows.
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(resp.Body)
	if style == nil {
		t.Fatalf("Got(page) without a style element: %s", resp.Body)
	}
	sum := sha256.Sum256([]byte(style[1]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
		t.Errorf("Got(Content-Security-Policy) = %q; want the style's hash %s", csp, want)
	}
	if strings.Contains(resp.Body, "<script") {
		t.Errorf("Got(page) with a script; want none")
	}
	// The one button posts to the same link.
	form := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindStringSubmatch(resp.Body)
	if form == nil || !strings.Contains(form[1], "/t/"+tok+"?") || !strings.Contains(form[1], "incident=FB-OPEN-1") {
		t.Errorf("Got(form) = %v; want a POST to the link", form)
	}
	// The incident's title is escaped.
	if !strings.Contains(resp.Body, "KMS key &lt;k1&gt; scheduled for deletion &amp; &#34;more&#34;") || strings.Contains(resp.Body, "<k1>") {
		t.Errorf("Got(page) without the escaped title: %s", resp.Body)
	}
}

func TestLinkPostActsOnce(t *testing.T) {
	f := newFixture(t, "memory")
	ack := f.sign("FB-OPEN-1", token.Ack, 24*time.Hour)
	before := f.state("FB-OPEN-1")
	resp := f.click("POST", ack, "FB-OPEN-1", token.Ack)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "Acknowledged FB-OPEN-1.") {
		t.Fatalf("Got(POST ack link) = %d %s; want 200 Acknowledged", resp.StatusCode, resp.Body)
	}
	inc, err := f.st.Get(context.Background(), "FB-OPEN-1")
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != incident.Acknowledged || inc.AcknowledgedBy != "link:ack via signed link" || inc.Version != before.Version+1 {
		t.Errorf("Got(incident after the link) = %s by %q v%d; want acknowledged by the link, v%d", inc.Status, inc.AcknowledgedBy, inc.Version, before.Version+1)
	}
	// Replayed: refused, even once the action would be allowed again.
	svc := &lifecycle.Service{Store: f.st, Now: f.clock}
	if _, err := svc.Transition(context.Background(), lifecycle.Request{Incident: "FB-OPEN-1", By: alice, Key: "reopen"}, incident.Open, ""); err != nil {
		t.Fatal(err)
	}
	mid := f.state("FB-OPEN-1")
	resp = f.click("POST", ack, "FB-OPEN-1", token.Ack)
	if resp.StatusCode != 403 || !strings.Contains(resp.Body, "This link cannot be used.") {
		t.Errorf("Got(replayed link) = %d %s; want 403", resp.StatusCode, resp.Body)
	}
	if after := f.state("FB-OPEN-1"); after != mid {
		t.Errorf("Got(state after a replay) = %+v; want unchanged %+v", after, mid)
	}
	if !strings.Contains(f.logs.String(), `"reason":"already used"`) || strings.Contains(f.logs.String(), ack) {
		t.Errorf("Got(logs) = %s; want the reason and never the token", f.logs.String())
	}
	// A resolve link acts once too.
	res := f.sign("FB-OPEN-1", token.Resolve, 24*time.Hour)
	if resp := f.click("POST", res, "FB-OPEN-1", token.Resolve); resp.StatusCode != 200 || !strings.Contains(resp.Body, "Resolved FB-OPEN-1.") {
		t.Errorf("Got(POST resolve link) = %d %s; want 200 Resolved", resp.StatusCode, resp.Body)
	}
	// An action the state forbids is 409, shown, and changes nothing.
	again := f.sign("FB-OPEN-1", token.Resolve, 24*time.Hour)
	before = f.state("FB-OPEN-1")
	if resp := f.click("GET", again, "FB-OPEN-1", token.Resolve); resp.StatusCode != 409 || strings.Contains(resp.Body, "<form") {
		t.Errorf("Got(GET resolve link of a resolved incident) = %d; want 409 without a button", resp.StatusCode)
	}
	if resp := f.click("POST", again, "FB-OPEN-1", token.Resolve); resp.StatusCode != 409 || !strings.Contains(resp.Body, "already resolved") {
		t.Errorf("Got(POST resolve link of a resolved incident) = %d %s; want 409 already resolved", resp.StatusCode, resp.Body)
	}
	if after := f.state("FB-OPEN-1"); after != before {
		t.Errorf("Got(state) = %+v; want unchanged %+v", after, before)
	}
}

func TestLinkRejections(t *testing.T) {
	f := newFixture(t, "memory")
	good := f.sign("FB-OPEN-1", token.Ack, 24*time.Hour)
	var claims struct {
		Exp int64 `json:"exp"`
	}
	p, m, _ := strings.Cut(good, ".")
	raw, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	sig, err := b64.DecodeString(m)
	if err != nil {
		t.Fatal(err)
	}
	sig[5] ^= 0x40
	f.keys.set(token.Ring{Current: "k1", Keys: map[string][]byte{"k1": keyOf(1), "k2": keyOf(2)}})
	expiring := f.sign("FB-OPEN-1", token.Ack, time.Minute)
	otherKey := &token.Signer{Keys: token.Static{Ring: token.Ring{Current: "k1", Keys: map[string][]byte{"k1": keyOf(9)}}}, Now: f.clock}
	forged, _, err := otherKey.Sign(context.Background(), "FB-OPEN-1", token.Ack, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	unknownKid := &token.Signer{Keys: token.Static{Ring: token.Ring{Current: "k7", Keys: map[string][]byte{"k7": keyOf(1)}}}, Now: f.clock}
	k7, _, err := unknownKid.Sign(context.Background(), "FB-OPEN-1", token.Ack, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resolveOther := f.sign("FB-ACK-1", token.Resolve, time.Hour)

	cases := []struct {
		name, tok, inc, act string
		later               time.Duration
		reason              string
	}{
		{"tampered v", tamper(t, good, "v", 2), "FB-OPEN-1", token.Ack, 0, "bad signature"},
		{"tampered kid", tamper(t, good, "kid", "k2"), "FB-OPEN-1", token.Ack, 0, "bad signature"},
		{"tampered inc", tamper(t, good, "inc", "FB-ACK-1"), "FB-ACK-1", token.Ack, 0, "bad signature"},
		{"tampered act", tamper(t, good, "act", token.Resolve), "FB-OPEN-1", token.Resolve, 0, "bad signature"},
		{"tampered exp", tamper(t, good, "exp", claims.Exp+30*86400), "FB-OPEN-1", token.Ack, 0, "bad signature"},
		{"tampered nonce", tamper(t, good, "nonce", "AAAAAAAAAAAAAAAAAAAAAA"), "FB-OPEN-1", token.Ack, 0, "bad signature"},
		{"tampered MAC", p + "." + b64.EncodeToString(sig), "FB-OPEN-1", token.Ack, 0, "bad signature"},
		{"forged with another key", forged, "FB-OPEN-1", token.Ack, 0, "bad signature"},
		{"unknown kid", k7, "FB-OPEN-1", token.Ack, 0, "unknown key id"},
		{"expired", expiring, "FB-OPEN-1", token.Ack, time.Minute, "expired"},
		{"used on another incident", good, "FB-ACK-1", token.Ack, 0, "meant for another incident"},
		{"other incident's token on this one", resolveOther, "FB-OPEN-1", token.Resolve, 0, "meant for another incident"},
		{"used for another action", good, "FB-OPEN-1", token.Resolve, 0, "meant for another action"},
		{"used for an approval", good, "FB-OPEN-1", "approve:" + approvalK, 0, "meant for another action"},
		{"no incident or action in the URL", good, "", "", 0, "meant for another incident"},
		{"garbage", "not-a-token", "FB-OPEN-1", token.Ack, 0, "malformed"},
	}
	refused := "" // every refusal reads the same: the page never says which check failed
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.advance(tc.later)
			defer f.advance(-tc.later)
			before := map[string]state{"FB-OPEN-1": f.state("FB-OPEN-1"), "FB-ACK-1": f.state("FB-ACK-1")}
			for _, method := range []string{"GET", "POST"} {
				resp := f.click(method, tc.tok, tc.inc, tc.act)
				if resp.StatusCode != 403 || !strings.Contains(resp.Body, "This link cannot be used.") {
					t.Errorf("Got(%s %s) = %d %s; want 403 with the generic message", method, tc.name, resp.StatusCode, resp.Body)
				}
				if refused == "" {
					refused = resp.Body
				}
				if resp.Body != refused || strings.Contains(resp.Body, "token rejected") {
					t.Errorf("Got(%s %s page) = %s; want the same page as every refusal, without the reason", method, tc.name, resp.Body)
				}
			}
			for id, b := range before {
				if after := f.state(id); after != b {
					t.Errorf("Got(state of %s after %s) = %+v; want unchanged %+v", id, tc.name, after, b)
				}
			}
			if !strings.Contains(f.logs.String(), `"reason":"token rejected: `+tc.reason+`"`) {
				t.Errorf("Got(logs) without the reason %q", tc.reason)
			}
			if strings.Contains(f.logs.String(), tc.tok) {
				t.Errorf("Got(logs) contain the token; want it never logged")
			}
		})
	}
	if n := len(f.sfn.Requests()); n != 0 {
		t.Errorf("Got(Step Functions calls) = %d; want none", n)
	}
	// The untouched token still works afterwards: the refusals spent nothing.
	if resp := f.click("POST", good, "FB-OPEN-1", token.Ack); resp.StatusCode != 200 {
		t.Errorf("Got(POST the genuine link) = %d %s; want 200", resp.StatusCode, resp.Body)
	}
}

func TestLinkKeyRotation(t *testing.T) {
	f := newFixture(t, "memory")
	old := f.sign("FB-OPEN-1", token.Ack, 24*time.Hour)
	oldResolve := f.sign("FB-ACK-1", token.Resolve, 24*time.Hour)
	f.keys.set(token.Ring{Current: "k2", Keys: map[string][]byte{"k1": keyOf(1), "k2": keyOf(2)}})
	if resp := f.click("POST", old, "FB-OPEN-1", token.Ack); resp.StatusCode != 200 {
		t.Errorf("Got(link of the previous key, still in the ring) = %d %s; want 200", resp.StatusCode, resp.Body)
	}
	f.keys.set(token.Ring{Current: "k2", Keys: map[string][]byte{"k2": keyOf(2)}})
	before := f.state("FB-ACK-1")
	if resp := f.click("POST", oldResolve, "FB-ACK-1", token.Resolve); resp.StatusCode != 403 {
		t.Errorf("Got(link of a removed key) = %d; want 403", resp.StatusCode)
	}
	if after := f.state("FB-ACK-1"); after != before {
		t.Errorf("Got(state) = %+v; want unchanged %+v", after, before)
	}
	if resp := f.click("POST", f.sign("FB-ACK-1", token.Resolve, time.Hour), "FB-ACK-1", token.Resolve); resp.StatusCode != 200 {
		t.Errorf("Got(link of the current key) = %d %s; want 200", resp.StatusCode, resp.Body)
	}
}

func TestLinkApprovals(t *testing.T) {
	f := newFixture(t, "memory")
	approve := f.sign("FB-OPEN-1", "approve:"+approvalK, 5*24*time.Hour)
	reject := f.sign("FB-OPEN-1", "reject:"+approvalK, 5*24*time.Hour)
	resp := f.click("GET", approve, "FB-OPEN-1", "approve:"+approvalK)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "Cancel the deletion of key k1?") || len(f.sfn.Requests()) != 0 {
		t.Fatalf("Got(GET approve link) = %d, %d Step Functions calls; want the request shown and nothing sent", resp.StatusCode, len(f.sfn.Requests()))
	}
	resp = f.click("POST", approve, "FB-OPEN-1", "approve:"+approvalK)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "Approved FB-OPEN-1.") {
		t.Fatalf("Got(POST approve link) = %d %s; want 200 Approved", resp.StatusCode, resp.Body)
	}
	sent := f.sfn.Of("SendTaskSuccess")
	if len(sent) != 1 || !strings.Contains(string(sent[0].JSON), `link:approve:`+approvalK+` via signed link`) || !strings.Contains(string(sent[0].JSON), taskToken) {
		t.Errorf("Got(SendTaskSuccess) = %+v; want one with the token and the link as approver", sent)
	}
	// The reject link of a decided approval: nothing to do, nothing sent.
	resp = f.click("GET", reject, "FB-OPEN-1", "reject:"+approvalK)
	if resp.StatusCode != 409 || !strings.Contains(resp.Body, "Already approved") || strings.Contains(resp.Body, "<form") {
		t.Errorf("Got(GET reject link after approval) = %d %s; want 409 already approved, no button", resp.StatusCode, resp.Body)
	}
	resp = f.click("POST", reject, "FB-OPEN-1", "reject:"+approvalK)
	if resp.StatusCode != 409 || len(f.sfn.Of("SendTaskFailure")) != 0 {
		t.Errorf("Got(POST reject link after approval) = %d, %d SendTaskFailure; want 409 and none", resp.StatusCode, len(f.sfn.Of("SendTaskFailure")))
	}
	if resp := f.click("POST", approve, "FB-OPEN-1", "approve:"+approvalK); resp.StatusCode != 403 || len(f.sfn.Of("SendTaskSuccess")) != 1 {
		t.Errorf("Got(approve link replayed) = %d; want 403 and no second call", resp.StatusCode)
	}
}

func TestLinkMethods(t *testing.T) {
	f := newFixture(t, "memory")
	tok := f.sign("FB-OPEN-1", token.Ack, time.Hour)
	resp := f.click("DELETE", tok, "FB-OPEN-1", token.Ack)
	if resp.StatusCode != 405 || resp.Headers["Allow"] != "GET, POST" {
		t.Errorf("Got(DELETE link) = %d Allow %q; want 405 GET, POST", resp.StatusCode, resp.Headers["Allow"])
	}
}

// TestLinkFloodIsRefusedCheaply: beyond the per-instance rate, link requests get 429
// with Retry-After before any token is verified (no key-ring read, no item touched);
// once the rate allows again, links work.
func TestLinkFloodIsRefusedCheaply(t *testing.T) {
	f := newFixture(t, "memory")
	f.h.LinkRate = 1 // a burst of 2, then one a second
	tok := f.sign("FB-OPEN-1", token.Ack, 24*time.Hour)
	counted := &countingVerifier{Verifier: f.h.Tokens}
	f.h.Tokens = counted
	var codes []int
	for range 5 {
		codes = append(codes, f.click("GET", tok, "FB-OPEN-1", token.Ack).StatusCode)
	}
	if want := []int{200, 200, 429, 429, 429}; !slices.Equal(codes, want) {
		t.Errorf("5 clicks in one instant: status %v; want %v", codes, want)
	}
	if counted.n != 2 {
		t.Errorf("tokens verified during the flood: %d; want 2 (refused requests verify nothing)", counted.n)
	}
	resp := f.click("GET", tok, "FB-OPEN-1", token.Ack)
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] == "" {
		t.Errorf("refused click: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Headers["Retry-After"])
	}
	f.now = f.now.Add(time.Second)
	if got := f.click("GET", tok, "FB-OPEN-1", token.Ack).StatusCode; got != 200 {
		t.Errorf("a click a second later: %d; want 200", got)
	}
}

type countingVerifier struct {
	api.Verifier
	n int
}

func (c *countingVerifier) Verify(ctx context.Context, tok, inc, action string) (token.Claims, error) {
	c.n++
	return c.Verifier.Verify(ctx, tok, inc, action)
}
