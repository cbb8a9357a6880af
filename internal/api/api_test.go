package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

const (
	alice     = "arn:aws:iam::123456789012:user/alice"
	approvalK = "FB-OPEN-1-v1/approval"
	taskToken = "AQCEAAAAKgAAAA-task-token-1"
)

// testStore is a store the fixture can seed.
type testStore interface {
	api.Store
	lifecycle.Store
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
	PutApproval(ctx context.Context, a store.Approval) error
}

type fixture struct {
	t      *testing.T
	h      *api.Handler
	st     testStore
	sfn    *awstest.Server
	signer *token.Signer
	keys   *mutableKeys
	logs   *syncBuffer
	now    time.Time
	mu     sync.Mutex
}

// mutableKeys is a key ring the test can rotate.
type mutableKeys struct {
	mu   sync.Mutex
	ring token.Ring
}

func (k *mutableKeys) Load(context.Context) (token.Ring, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ring, nil
}

func (k *mutableKeys) set(r token.Ring) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ring = r
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func keyOf(b byte) []byte { return bytes.Repeat([]byte{b}, token.KeySize) }

// Seeded incidents: one open (with a pending approval), one acknowledged, one resolved.
var seeds = []incident.Incident{
	{ID: "FB-OPEN-1", Seq: 1, Fingerprint: "fp-open", Class: "security.kms-key-deletion", Title: `KMS key <k1> scheduled for deletion & "more"`,
		Severity: incident.Sev2, Team: "security", Status: incident.Open, Account: "123456789012", Region: "eu-west-1", Resource: "k1",
		OpenedAt: t0.Add(-time.Hour), StateAt: t0.Add(-time.Hour)},
	{ID: "FB-ACK-1", Seq: 1, Fingerprint: "fp-ack", Class: "ops.alarm-prod", Title: "prod-api-5xx-rate", Severity: incident.Sev3, Team: "platform",
		Status: incident.Open, Account: "123456789012", Region: "eu-west-1", OpenedAt: t0.Add(-2 * time.Hour), StateAt: t0.Add(-2 * time.Hour)},
	{ID: "FB-RES-1", Seq: 1, Fingerprint: "fp-res", Class: "ops.ec2-stopped", Title: "i-1 stopped", Severity: incident.Sev3, Team: "platform",
		Status: incident.Open, Account: "123456789012", Region: "eu-west-1", OpenedAt: t0.Add(-3 * time.Hour), StateAt: t0.Add(-3 * time.Hour)},
}

// newFixture builds the handler over a seeded store: "memory" or "dynamodb" (dynalite).
func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	f := &fixture{t: t, now: t0, logs: &syncBuffer{}}
	now := f.clock
	switch kind {
	case "memory":
		f.st = store.NewMemory(now)
	case "dynamodb":
		f.st = dynamotest.Store(t, now)
	default:
		t.Fatalf("unknown store %q", kind)
	}
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	f.sfn = awstest.New()
	t.Cleanup(f.sfn.Close)
	f.keys = &mutableKeys{ring: token.Ring{Current: "k1", Keys: map[string][]byte{"k1": keyOf(1)}}}
	f.signer = &token.Signer{Keys: f.keys, Now: now}
	svc := &lifecycle.Service{Store: f.st, Config: cfg, Now: now}
	f.h = &api.Handler{Store: f.st, Lifecycle: svc, Approver: runbook.StepFunctionsApprovals{Client: f.sfn.SFN()}, Tokens: f.signer, Now: now,
		Log: slog.New(slog.NewJSONHandler(f.logs, nil))}
	ctx := context.Background()
	for _, inc := range seeds {
		if _, _, err := f.st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Actor: "aws",
			Detail: "Opened", Key: "opened"}); err != nil {
			t.Fatal(err)
		}
	}
	r := lifecycle.Request{Incident: "FB-ACK-1", By: "arn:aws:iam::123456789012:user/bob", Key: "seed"}
	if _, err := svc.Transition(ctx, r, incident.Acknowledged, ""); err != nil {
		t.Fatal(err)
	}
	r.Incident = "FB-RES-1"
	if _, err := svc.Transition(ctx, r, incident.Resolved, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutApproval(ctx, store.Approval{Incident: "FB-OPEN-1", Key: approvalK, Runbook: "kms-cancel-key-deletion",
		Execution: "FB-OPEN-1-v1", Request: "Cancel the deletion of key k1?", Token: taskToken, RequestedAt: t0.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// request is a Function URL request as Lambda passes it; iam names the caller (AuthType
// AWS_IAM URL) or is empty (the links URL, AuthType NONE).
func (f *fixture) request(method, rawURL, body, iam string, headers ...string) events.LambdaFunctionURLRequest {
	f.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		f.t.Fatalf("request URL %q: %v", rawURL, err)
	}
	req := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: u.EscapedPath(), RawQueryString: u.RawQuery, Body: body,
		Headers: map[string]string{"host": "abc123.lambda-url.eu-west-1.on.aws", "user-agent": "firebreak-test"},
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID: "123456789012", RequestID: "req-1", APIID: "abc123", DomainName: "abc123.lambda-url.eu-west-1.on.aws",
			DomainPrefix: "abc123", Time: "02/Nov/2026:12:00:00 +0000", TimeEpoch: t0.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: u.Path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.9", UserAgent: "firebreak-test"},
		},
	}
	if body != "" || method == "POST" {
		req.Headers["content-type"] = "application/json"
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Headers[strings.ToLower(headers[i])] = headers[i+1]
	}
	if q := u.Query(); len(q) > 0 {
		req.QueryStringParameters = map[string]string{}
		for k, v := range q {
			req.QueryStringParameters[k] = strings.Join(v, ",")
		}
	}
	if iam != "" {
		req.RequestContext.Authorizer = &events.LambdaFunctionURLRequestContextAuthorizerDescription{
			IAM: &events.LambdaFunctionURLRequestContextAuthorizerIAMDescription{AccessKey: "ASIAEXAMPLE", AccountID: "123456789012",
				CallerID: "AIDAEXAMPLE", UserARN: iam, UserID: "AIDAEXAMPLE"}}
	}
	return req
}

func (f *fixture) do(req events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	f.t.Helper()
	resp, err := f.h.Handle(context.Background(), req)
	if err != nil {
		f.t.Fatalf("Handle(%s %s) returned an error %v; want every failure as a response", req.RequestContext.HTTP.Method, req.RawPath, err)
	}
	return resp
}

// state is what must not change when a request is refused.
type state struct {
	Version  int
	Status   incident.Status
	Timeline int
}

func (f *fixture) state(id string) state {
	f.t.Helper()
	ctx := context.Background()
	inc, err := f.st.Get(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	tl, err := f.st.Timeline(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return state{Version: inc.Version, Status: inc.Status, Timeline: len(tl)}
}

func errorOf(t *testing.T, resp events.LambdaFunctionURLResponse) string {
	t.Helper()
	var e struct {
		Error     string `json:"error"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", resp.Body, err)
	}
	return e.Error
}

func TestRoutes(t *testing.T) {
	for _, kind := range []string{"memory", "dynamodb"} {
		t.Run(kind, func(t *testing.T) { testRoutes(t, kind) })
	}
}

func testRoutes(t *testing.T, kind string) {
	type check func(t *testing.T, f *fixture, body string)
	incidentIs := func(status incident.Status, sev incident.Severity, team string) check {
		return func(t *testing.T, f *fixture, body string) {
			var r api.IncidentResponse
			if err := json.Unmarshal([]byte(body), &r); err != nil {
				t.Fatal(err)
			}
			if r.Incident.Status != status || r.Incident.Severity != sev || r.Incident.Team != team {
				t.Errorf("Got(incident) = %s/%s/%s; want %s/%s/%s", r.Incident.Status, r.Incident.Severity, r.Incident.Team, status, sev, team)
			}
		}
	}
	timelineHas := func(id string, kind incident.Kind, actor, detail string) check {
		return func(t *testing.T, f *fixture, _ string) {
			tl, err := f.st.Timeline(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tl {
				if e.Kind == kind && e.Actor == actor && strings.Contains(e.Detail, detail) {
					return
				}
			}
			t.Errorf("Got(timeline of %s) without a %s entry by %s saying %q: %+v", id, kind, actor, detail, tl)
		}
	}
	bodyHas := func(subs ...string) check {
		return func(t *testing.T, _ *fixture, body string) {
			for _, s := range subs {
				if !strings.Contains(body, s) {
					t.Errorf("Got(body) = %s; want it to contain %q", body, s)
				}
			}
		}
	}
	bodyLacks := func(subs ...string) check {
		return func(t *testing.T, _ *fixture, body string) {
			for _, s := range subs {
				if strings.Contains(body, s) {
					t.Errorf("Got(body) = %s; want no %q", body, s)
				}
			}
		}
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		err                      string // the error message must contain this
		checks                   []check
	}{
		// GET /incidents
		{"list all", "GET", "/incidents", "", 200, "", []check{bodyHas(`"count":3`, "FB-OPEN-1", "FB-ACK-1", "FB-RES-1")}},
		{"list by status", "GET", "/incidents?status=open,acknowledged", "", 200, "", []check{bodyHas(`"count":2`), bodyLacks("FB-RES-1")}},
		{"list by team and limit", "GET", "/incidents?team=platform&limit=1", "", 200, "", []check{bodyHas(`"count":1`, "FB-ACK-1")}},
		{"list bad status", "GET", "/incidents?status=open,asleep", "", 400, `status "asleep" is not one of`, nil},
		{"list bad limit", "GET", "/incidents?limit=0", "", 400, `limit "0" is not a number from 1 to 1000`, nil},
		{"list by unknown client", "GET", "/incidents?client=acme", "", 200, "", []check{bodyHas(`"count":0`)}},
		{"list bad client", "GET", "/incidents?client=Acme%20Corp", "", 400, `client "Acme Corp": want lower-case letters`, nil},
		{"list bad account", "GET", "/incidents?account=12345", "", 400, `account "12345": want a 12-digit account id`, nil},
		{"list wrong method", "DELETE", "/incidents", "", 405, "DELETE is not allowed here", nil},
		// GET /incidents/{id}
		{"show", "GET", "/incidents/FB-OPEN-1", "", 200, "", []check{bodyHas(`"timeline":[`, `"approvals":[`, approvalK, "Cancel the deletion of key k1?"), bodyLacks(taskToken, "token")}},
		{"show unknown", "GET", "/incidents/FB-NOPE-1", "", 404, "incident FB-NOPE-1 not found", nil},
		// POST /incidents/{id}/ack
		{"ack", "POST", "/incidents/FB-OPEN-1/ack", `{"note":"on it"}`, 200, "", []check{incidentIs(incident.Acknowledged, incident.Sev2, "security"),
			timelineHas("FB-OPEN-1", incident.KindAcknowledged, alice, "on it")}},
		{"ack empty body", "POST", "/incidents/FB-OPEN-1/ack", ``, 200, "", []check{incidentIs(incident.Acknowledged, incident.Sev2, "security")}},
		{"ack unknown field", "POST", "/incidents/FB-OPEN-1/ack", `{"note":"x","notes":"y"}`, 400, `unknown field "notes"`, nil},
		{"ack not JSON", "POST", "/incidents/FB-OPEN-1/ack", `{"note":`, 400, "truncated JSON", nil},
		{"ack wrong type", "POST", "/incidents/FB-OPEN-1/ack", `{"note":5}`, 400, `field "note": want a string, got number`, nil},
		{"ack two values", "POST", "/incidents/FB-OPEN-1/ack", `{} {}`, 400, "more than one JSON value", nil},
		{"ack unknown", "POST", "/incidents/FB-NOPE-1/ack", `{}`, 404, "incident FB-NOPE-1 not found", nil},
		{"ack resolved", "POST", "/incidents/FB-RES-1/ack", `{}`, 409, "illegal transition: resolved → acknowledged", nil},
		{"ack twice", "POST", "/incidents/FB-ACK-1/ack", `{}`, 409, "incident is already acknowledged", nil},
		{"ack GET", "GET", "/incidents/FB-OPEN-1/ack", ``, 405, "GET is not allowed here", nil},
		// POST /incidents/{id}/resolve
		{"resolve", "POST", "/incidents/FB-ACK-1/resolve", `{"note":"fixed"}`, 200, "", []check{incidentIs(incident.Resolved, incident.Sev3, "platform"),
			timelineHas("FB-ACK-1", incident.KindResolved, alice, "fixed")}},
		{"resolve bad body", "POST", "/incidents/FB-ACK-1/resolve", `[]`, 400, "must be a JSON object", nil},
		{"resolve unknown", "POST", "/incidents/FB-NOPE-1/resolve", `{}`, 404, "not found", nil},
		{"resolve resolved", "POST", "/incidents/FB-RES-1/resolve", `{}`, 409, "already resolved", nil},
		// POST /incidents/{id}/status
		{"mitigate", "POST", "/incidents/FB-OPEN-1/status", `{"status":"mitigated","note":"rolled back"}`, 200, "", []check{incidentIs(incident.Mitigated, incident.Sev2, "security")}},
		{"close", "POST", "/incidents/FB-RES-1/status", `{"status":"closed"}`, 200, "", []check{incidentIs(incident.Closed, incident.Sev3, "platform")}},
		{"re-open", "POST", "/incidents/FB-RES-1/status", `{"status":"open","note":"back"}`, 200, "", []check{incidentIs(incident.Open, incident.Sev3, "platform"),
			timelineHas("FB-RES-1", incident.KindReopened, alice, "back")}},
		{"status ack", "POST", "/incidents/FB-OPEN-1/status", `{"status":"acknowledged"}`, 400, "use POST /incidents/FB-OPEN-1/ack", nil},
		{"status missing", "POST", "/incidents/FB-OPEN-1/status", `{}`, 400, "status: missing", nil},
		{"status bad", "POST", "/incidents/FB-OPEN-1/status", `{"status":"asleep"}`, 400, `status "asleep" is not one of mitigated, closed, open`, nil},
		{"status unknown", "POST", "/incidents/FB-NOPE-1/status", `{"status":"mitigated"}`, 404, "not found", nil},
		{"close open", "POST", "/incidents/FB-OPEN-1/status", `{"status":"closed"}`, 409, "open → closed", nil},
		// POST /incidents/{id}/notes
		{"note", "POST", "/incidents/FB-ACK-1/notes", `{"text":"restarted the pods"}`, 200, "", []check{timelineHas("FB-ACK-1", incident.KindNote, alice, "restarted the pods")}},
		{"note empty", "POST", "/incidents/FB-ACK-1/notes", `{"text":"  "}`, 400, "a note is 1 to 4000 characters", nil},
		{"note unknown", "POST", "/incidents/FB-NOPE-1/notes", `{"text":"x"}`, 404, "not found", nil},
		// POST /incidents/{id}/links
		{"link", "POST", "/incidents/FB-ACK-1/links", `{"url":"https://grafana.example.com/d/1","title":"dashboard"}`, 200, "",
			[]check{timelineHas("FB-ACK-1", incident.KindLink, alice, "dashboard")}},
		{"link not http", "POST", "/incidents/FB-ACK-1/links", `{"url":"javascript:alert(1)"}`, 400, "is not an http(s) URL", nil},
		{"link unknown", "POST", "/incidents/FB-NOPE-1/links", `{"url":"https://x.example.com"}`, 404, "not found", nil},
		// POST /incidents/{id}/severity
		{"severity", "POST", "/incidents/FB-OPEN-1/severity", `{"severity":"sev1","reason":"customer data"}`, 200, "",
			[]check{incidentIs(incident.Open, incident.Sev1, "security"), timelineHas("FB-OPEN-1", incident.KindSeverityChanged, alice, "sev2 → sev1")}},
		{"severity bad", "POST", "/incidents/FB-OPEN-1/severity", `{"severity":"sev9"}`, 400, `severity "sev9" is not one of`, nil},
		{"severity unknown", "POST", "/incidents/FB-NOPE-1/severity", `{"severity":"sev1"}`, 404, "not found", nil},
		{"severity resolved", "POST", "/incidents/FB-RES-1/severity", `{"severity":"sev1"}`, 409, "only an open, acknowledged or mitigated incident", nil},
		// POST /incidents/{id}/owner
		{"owner", "POST", "/incidents/FB-ACK-1/owner", `{"team":"payments","reason":"their service"}`, 200, "",
			[]check{incidentIs(incident.Acknowledged, incident.Sev3, "payments"), timelineHas("FB-ACK-1", incident.KindOwnerChanged, alice, "platform → payments")}},
		{"owner missing", "POST", "/incidents/FB-ACK-1/owner", `{}`, 400, "team: missing", nil},
		{"owner not a team", "POST", "/incidents/FB-ACK-1/owner", `{"team":"nobody"}`, 400, `team "nobody" is not configured`, nil},
		{"owner unknown", "POST", "/incidents/FB-NOPE-1/owner", `{"team":"payments"}`, 404, "not found", nil},
		{"owner resolved", "POST", "/incidents/FB-RES-1/owner", `{"team":"payments"}`, 409, "only an open, acknowledged or mitigated", nil},
		// approvals
		{"approve", "POST", "/incidents/FB-OPEN-1/approvals/" + approvalK + "/approve", `{"note":"go"}`, 200, "",
			[]check{bodyHas(`"decision":"approved"`, `"by":"`+alice+`"`), bodyLacks(taskToken), timelineHas("FB-OPEN-1", incident.KindApprovalApproved, alice, "go")}},
		{"reject", "POST", "/incidents/FB-OPEN-1/approvals/" + url.PathEscape(approvalK) + "/reject", `{}`, 200, "",
			[]check{bodyHas(`"decision":"rejected"`), timelineHas("FB-OPEN-1", incident.KindApprovalRejected, alice, "Cancel the deletion")}},
		{"approve bad body", "POST", "/incidents/FB-OPEN-1/approvals/" + approvalK + "/approve", `{"why":"x"}`, 400, `unknown field "why"`, nil},
		{"approve unknown incident", "POST", "/incidents/FB-NOPE-1/approvals/" + approvalK + "/approve", `{}`, 404, "incident FB-NOPE-1 has no approval", nil},
		{"approve unknown key", "POST", "/incidents/FB-OPEN-1/approvals/nope/approve", `{}`, 404, "has no approval nope", nil},
		// silences
		{"silences", "GET", "/silences", "", 200, "", []check{bodyHas(`{"silences":[{"id":"batch-fleet-patching",`), // the configured window, with its next occurrence (Sunday 02:00 UTC, 3h)
			bodyHas(`"state":"waiting","origin":"config","next":{"starts":"2026-11-08T02:00:00Z","ends":"2026-11-08T05:00:00Z"}}]}`)}},
		{"silence add", "POST", "/silences", `{"matchers":{"class":"ops.*","account":"123456789012"},"duration":"2h","comment":"deploy"}`, 201, "",
			[]check{bodyHas(`"id":"sil-`, `"created_by":"`+alice+`"`, `"ends":"2026-11-02T14:00:00Z"`)}},
		{"silence add ends", "POST", "/silences", `{"matchers":{"team":"platform"},"ends":"2026-11-02T13:30:00Z","comment":"maintenance"}`, 201, "",
			[]check{bodyHas(`"ends":"2026-11-02T13:30:00Z"`)}},
		{"silence both", "POST", "/silences", `{"matchers":{"team":"platform"},"duration":"1h","ends":"2026-11-02T13:30:00Z","comment":"x"}`, 400, "not both", nil},
		{"silence neither", "POST", "/silences", `{"matchers":{"team":"platform"},"comment":"x"}`, 400, "ends or duration: missing", nil},
		{"silence no matchers", "POST", "/silences", `{"duration":"1h","comment":"x"}`, 400, "silence needs force: its matchers select every incident", nil},
		{"silence of everything", "POST", "/silences", `{"matchers":{"class":"*","team":"**"},"duration":"1h","comment":"x"}`, 400, "silence needs force: its matchers select every incident", nil},
		{"silence of everything forced", "POST", "/silences", `{"matchers":{"class":"*"},"duration":"1h","comment":"region evacuation","force":true}`, 201, "",
			[]check{bodyHas(`"forced":{"by":"` + alice + `","reasons":["its matchers select every incident: nobody would be paged for anything"]}`)}},
		{"silence no comment", "POST", "/silences", `{"matchers":{"team":"platform"},"duration":"1h"}`, 400, "comment: missing", nil},
		{"silence bad pattern", "POST", "/silences", `{"matchers":{"class":"["},"duration":"1h","comment":"x"}`, 400, `matchers.class: "[" is not a valid pattern`, nil},
		{"silence bad duration", "POST", "/silences", `{"matchers":{"team":"platform"},"duration":"soon","comment":"x"}`, 400, `duration "soon"`, nil},
		{"silence bad time", "POST", "/silences", `{"matchers":{"team":"platform"},"ends":"tomorrow","comment":"x"}`, 400, "is not an RFC 3339 time", nil},
		{"silence past", "POST", "/silences", `{"matchers":{"team":"platform"},"ends":"2026-11-01T00:00:00Z","comment":"x"}`, 400, "is already past", nil},
		{"silence too long", "POST", "/silences", `{"matchers":{"team":"platform"},"duration":"73h","comment":"x"}`, 400, "silence needs force: it lasts 73h0m0s, longer than the 72h0m0s maximum", nil},
		{"silence too long forced", "POST", "/silences", `{"matchers":{"team":"platform"},"duration":"1000h","comment":"migration","force":true}`, 201, "",
			[]check{bodyHas(`"forced":{"by":"` + alice + `","reasons":["it lasts 1000h0m0s, longer than the 72h0m0s maximum"]}`)}},
		{"silence at the maximum", "POST", "/silences", `{"matchers":{"team":"platform"},"duration":"72h","comment":"long weekend"}`, 201, "", []check{bodyHas(`"id":"sil-`)}},
		{"silence unknown matcher", "POST", "/silences", `{"matchers":{"service":"x"},"duration":"1h","comment":"x"}`, 400, `unknown field "service"`, nil},
		{"silence end unknown", "DELETE", "/silences/sil-nope", "", 404, "silence sil-nope not found", nil},
		{"silences PUT", "PUT", "/silences", "", 405, "PUT is not allowed here", nil},
		// anything else
		{"no route", "GET", "/nothing/here", "", 404, "no such route: GET /nothing/here", nil},
		{"root", "GET", "/", "", 404, "no such route", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, kind)
			resp := f.do(f.request(tc.method, tc.path, tc.body, alice))
			if resp.StatusCode != tc.status {
				t.Fatalf("Got(%s %s) = %d %s; want %d", tc.method, tc.path, resp.StatusCode, resp.Body, tc.status)
			}
			if ct := resp.Headers["Content-Type"]; ct != "application/json; charset=utf-8" {
				t.Errorf("Got(Content-Type) = %q; want %q", ct, "application/json; charset=utf-8")
			}
			if tc.err != "" {
				if got := errorOf(t, resp); !strings.Contains(got, tc.err) {
					t.Errorf("Got(%s %s error) = %q; want it to contain %q", tc.method, tc.path, got, tc.err)
				}
			}
			for _, c := range tc.checks {
				c(t, f, resp.Body)
			}
		})
	}
}

func TestRefusedChangesLeaveTheIncident(t *testing.T) {
	f := newFixture(t, "memory")
	for _, tc := range []struct{ name, path, body string }{
		{"ack resolved", "/incidents/FB-RES-1/ack", `{}`},
		{"bad field", "/incidents/FB-RES-1/status", `{"status":"open","x":1}`},
		{"bad severity", "/incidents/FB-RES-1/severity", `{"severity":"sev0"}`},
	} {
		before := f.state("FB-RES-1")
		resp := f.do(f.request("POST", tc.path, tc.body, alice))
		if resp.StatusCode < 400 {
			t.Errorf("Got(%s) = %d; want a refusal", tc.name, resp.StatusCode)
		}
		if after := f.state("FB-RES-1"); after != before {
			t.Errorf("Got(state after %s) = %+v; want unchanged %+v", tc.name, after, before)
		}
	}
}

func TestAccessWithoutIAM(t *testing.T) {
	f := newFixture(t, "memory")
	before := f.state("FB-OPEN-1")
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/incidents", ""}, {"GET", "/incidents/FB-OPEN-1", ""}, {"POST", "/incidents/FB-OPEN-1/ack", "{}"},
		{"POST", "/incidents/FB-OPEN-1/resolve", "{}"}, {"POST", "/incidents/FB-OPEN-1/notes", `{"text":"x"}`},
		{"POST", "/incidents/FB-OPEN-1/severity", `{"severity":"sev4"}`}, {"POST", "/incidents/FB-OPEN-1/approvals/" + approvalK + "/approve", "{}"},
		{"GET", "/silences", ""}, {"POST", "/silences", `{"matchers":{"team":"platform"},"duration":"1h","comment":"x"}`},
		{"DELETE", "/silences/sil-x", ""}, {"GET", "/nothing", ""},
	} {
		resp := f.do(f.request(tc.method, tc.path, tc.body, ""))
		if resp.StatusCode != 403 || !strings.Contains(errorOf(t, resp), "signed links only") {
			t.Errorf("Got(%s %s without IAM) = %d %s; want 403", tc.method, tc.path, resp.StatusCode, resp.Body)
		}
	}
	if after := f.state("FB-OPEN-1"); after != before {
		t.Errorf("Got(state) = %+v; want unchanged %+v", after, before)
	}
	if n := len(f.sfn.Requests()); n != 0 {
		t.Errorf("Got(Step Functions calls) = %d; want 0", n)
	}
	// An IAM caller known only by its caller id acts as that id.
	req := f.request("POST", "/incidents/FB-OPEN-1/ack", "{}", alice)
	req.RequestContext.Authorizer.IAM.UserARN = ""
	if resp := f.do(req); resp.StatusCode != 200 || !strings.Contains(resp.Body, `"acknowledged_by":"AIDAEXAMPLE"`) {
		t.Errorf("Got(ack by caller id) = %d %s; want acknowledged by AIDAEXAMPLE", resp.StatusCode, resp.Body)
	}
}

// A Function URL event as Lambda delivers it (the documented payload, IAM auth).
func TestDocumentedEventShape(t *testing.T) {
	raw, err := os.ReadFile("testdata/function-url-iam.json")
	if err != nil {
		t.Fatal(err)
	}
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, "memory")
	resp := f.do(req)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"acknowledged_by":"arn:aws:iam::123456789012:user/example-user"`) {
		t.Errorf("Got(documented event) = %d %s; want the incident acknowledged by the event's IAM user", resp.StatusCode, resp.Body)
	}
	if resp.Headers["X-Request-Id"] != "c0ffee00-1111-2222-3333-444455556666" {
		t.Errorf("Got(X-Request-Id) = %q; want the event's request id", resp.Headers["X-Request-Id"])
	}
}

func TestBodies(t *testing.T) {
	f := newFixture(t, "memory")
	big := `{"text":"` + strings.Repeat("x", api.MaxBody) + `"}`
	cases := []struct {
		name   string
		req    events.LambdaFunctionURLRequest
		status int
		err    string
	}{
		{"too large", f.request("POST", "/incidents/FB-OPEN-1/notes", big, alice), 413, "larger than 64 KiB"},
		{"too large, base64", func() events.LambdaFunctionURLRequest {
			r := f.request("POST", "/incidents/FB-OPEN-1/notes", base64.StdEncoding.EncodeToString([]byte(big)), alice)
			r.IsBase64Encoded = true
			return r
		}(), 413, "larger than 64 KiB"},
		{"base64", func() events.LambdaFunctionURLRequest {
			r := f.request("POST", "/incidents/FB-OPEN-1/notes", base64.StdEncoding.EncodeToString([]byte(`{"text":"from base64"}`)), alice)
			r.IsBase64Encoded = true
			return r
		}(), 200, ""},
		{"bad base64", func() events.LambdaFunctionURLRequest {
			r := f.request("POST", "/incidents/FB-OPEN-1/notes", "%%%", alice)
			r.IsBase64Encoded = true
			return r
		}(), 400, "not valid base64"},
		{"form post", f.request("POST", "/incidents/FB-OPEN-1/ack", "note=x", alice, "Content-Type", "application/x-www-form-urlencoded"), 415, "Content-Type must be application/json"},
		{"no content type", func() events.LambdaFunctionURLRequest {
			r := f.request("POST", "/incidents/FB-OPEN-1/ack", "", alice)
			delete(r.Headers, "content-type")
			return r
		}(), 415, "Content-Type must be application/json"},
		{"json with charset", f.request("POST", "/incidents/FB-OPEN-1/ack", "{}", alice, "Content-Type", "application/json; charset=utf-8"), 200, ""},
		{"bad idempotency key", f.request("POST", "/incidents/FB-OPEN-1/notes", `{"text":"x"}`, alice, "Idempotency-Key", "has spaces"), 400, "Idempotency-Key must be"},
		{"bad path escape", func() events.LambdaFunctionURLRequest {
			r := f.request("GET", "/incidents/x", "", alice)
			r.RawPath = "/incidents/%zz"
			return r
		}(), 400, "the path is not valid"},
		{"long id", f.request("GET", "/incidents/"+strings.Repeat("F", 200), "", alice), 400, "at most 128 characters"},
	}
	for _, tc := range cases {
		resp := f.do(tc.req)
		if resp.StatusCode != tc.status {
			t.Errorf("Got(%s) = %d %s; want %d", tc.name, resp.StatusCode, resp.Body, tc.status)
			continue
		}
		if tc.err != "" && !strings.Contains(errorOf(t, resp), tc.err) {
			t.Errorf("Got(%s error) = %q; want %q", tc.name, errorOf(t, resp), tc.err)
		}
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t, "memory")
	before := f.state("FB-OPEN-1")
	for i := range 2 {
		resp := f.do(f.request("POST", "/incidents/FB-OPEN-1/ack", `{"note":"once"}`, alice, "Idempotency-Key", "cli-0123"))
		if resp.StatusCode != 200 {
			t.Fatalf("Got(ack #%d with the same key) = %d %s; want 200", i+1, resp.StatusCode, resp.Body)
		}
	}
	after := f.state("FB-OPEN-1")
	if after.Version != before.Version+1 || after.Timeline != before.Timeline+1 {
		t.Errorf("Got(state after a retried ack) = %+v; want one change from %+v", after, before)
	}
	resp := f.do(f.request("POST", "/incidents/FB-OPEN-1/ack", `{}`, alice, "Idempotency-Key", "cli-4567"))
	if resp.StatusCode != 409 {
		t.Errorf("Got(ack with another key) = %d; want 409", resp.StatusCode)
	}
	// A silence added twice with one key is one silence.
	body := `{"matchers":{"team":"platform"},"duration":"1h","comment":"deploy"}`
	a := f.do(f.request("POST", "/silences", body, alice, "Idempotency-Key", "cli-s1"))
	b := f.do(f.request("POST", "/silences", body, alice, "Idempotency-Key", "cli-s1"))
	var sa, sb api.SilenceResponse
	if err := json.Unmarshal([]byte(a.Body), &sa); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b.Body), &sb); err != nil {
		t.Fatal(err)
	}
	list, err := f.st.Silences(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sa.Silence.ID != sb.Silence.ID || len(list) != 1 {
		t.Errorf("Got(silences after a retried add) = %d (%q, %q); want one", len(list), sa.Silence.ID, sb.Silence.ID)
	}
}

func TestApprovalsResumeStepFunctions(t *testing.T) {
	path := "/incidents/FB-OPEN-1/approvals/" + approvalK
	t.Run("approve", func(t *testing.T) {
		f := newFixture(t, "memory")
		resp := f.do(f.request("POST", path+"/approve", `{"note":"go"}`, alice))
		if resp.StatusCode != 200 {
			t.Fatalf("Got(approve) = %d %s; want 200", resp.StatusCode, resp.Body)
		}
		sent := f.sfn.Of("SendTaskSuccess")
		if len(sent) != 1 || !sent[0].Signed {
			t.Fatalf("Got(SendTaskSuccess calls) = %+v; want one signed call", sent)
		}
		var in struct{ TaskToken, Output string }
		if err := json.Unmarshal(sent[0].JSON, &in); err != nil {
			t.Fatal(err)
		}
		if in.TaskToken != taskToken || in.Output != `{"approved":true,"by":"`+alice+`"}` {
			t.Errorf("Got(SendTaskSuccess) = %+v; want the approval's token and {approved, by}", in)
		}
		// A retry by the same caller resumes again and succeeds; another decision conflicts.
		if resp := f.do(f.request("POST", path+"/approve", `{}`, alice)); resp.StatusCode != 200 {
			t.Errorf("Got(approve again) = %d %s; want 200 (a retry)", resp.StatusCode, resp.Body)
		}
		resp = f.do(f.request("POST", path+"/reject", `{}`, alice))
		if resp.StatusCode != 409 || !strings.Contains(errorOf(t, resp), "was already approved by "+alice) {
			t.Errorf("Got(reject after approve) = %d %s; want 409 already approved", resp.StatusCode, resp.Body)
		}
		if n := len(f.sfn.Of("SendTaskFailure")); n != 0 {
			t.Errorf("Got(SendTaskFailure calls) = %d; want 0", n)
		}
	})
	t.Run("reject", func(t *testing.T) {
		f := newFixture(t, "memory")
		if resp := f.do(f.request("POST", path+"/reject", `{}`, alice)); resp.StatusCode != 200 {
			t.Fatalf("Got(reject) = %d %s; want 200", resp.StatusCode, resp.Body)
		}
		sent := f.sfn.Of("SendTaskFailure")
		if len(sent) != 1 {
			t.Fatalf("Got(SendTaskFailure calls) = %d; want 1", len(sent))
		}
		var in struct{ TaskToken, Error, Cause string }
		if err := json.Unmarshal(sent[0].JSON, &in); err != nil {
			t.Fatal(err)
		}
		if in.TaskToken != taskToken || in.Error != "Runbook.Rejected" || in.Cause != "rejected by "+alice {
			t.Errorf("Got(SendTaskFailure) = %+v; want Runbook.Rejected with the token", in)
		}
	})
	t.Run("execution gone", func(t *testing.T) {
		f := newFixture(t, "memory")
		f.sfn.Answer = func(r awstest.Request) (awstest.Reply, bool) {
			return awstest.StatesError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'"), true
		}
		resp := f.do(f.request("POST", path+"/approve", `{}`, alice))
		if resp.StatusCode != 409 || !strings.Contains(errorOf(t, resp), "no longer waited") {
			t.Errorf("Got(approve a timed-out task) = %d %s; want 409 no longer waited", resp.StatusCode, resp.Body)
		}
	})
	t.Run("step functions down", func(t *testing.T) {
		f := newFixture(t, "memory")
		f.sfn.Answer = func(r awstest.Request) (awstest.Reply, bool) {
			return awstest.Reply{Status: 500, Body: `{"__type":"InternalFailure","message":"secret detail 42"}`}, true
		}
		resp := f.do(f.request("POST", path+"/approve", `{}`, alice))
		if resp.StatusCode != 500 || errorOf(t, resp) != "internal error" || strings.Contains(resp.Body, "secret detail") {
			t.Errorf("Got(approve, Step Functions failing) = %d %s; want 500 internal error only", resp.StatusCode, resp.Body)
		}
		if !strings.Contains(f.logs.String(), "secret detail 42") {
			t.Errorf("Got(logs) without the failure's detail; want it logged")
		}
		// Step Functions back: the retry resumes the runbook.
		f.sfn.Answer = nil
		if resp := f.do(f.request("POST", path+"/approve", `{}`, alice)); resp.StatusCode != 200 {
			t.Errorf("Got(approve retried) = %d %s; want 200", resp.StatusCode, resp.Body)
		}
	})
}

func TestEndSilence(t *testing.T) {
	f := newFixture(t, "memory")
	resp := f.do(f.request("POST", "/silences", `{"matchers":{"team":"platform"},"duration":"2h","comment":"deploy"}`, alice))
	var s api.SilenceResponse
	if err := json.Unmarshal([]byte(resp.Body), &s); err != nil {
		t.Fatal(err)
	}
	f.advance(10 * time.Minute)
	resp = f.do(f.request("DELETE", "/silences/"+s.Silence.ID, "", alice))
	var ended api.SilenceResponse
	if err := json.Unmarshal([]byte(resp.Body), &ended); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !ended.Silence.Ends.Equal(t0.Add(10*time.Minute)) || !strings.Contains(ended.Silence.Comment, "ended early by "+alice) {
		t.Errorf("Got(end silence) = %d %s; want it ended now, by alice", resp.StatusCode, resp.Body)
	}
	if resp := f.do(f.request("DELETE", "/silences/"+s.Silence.ID, "", alice)); resp.StatusCode != 409 {
		t.Errorf("Got(end it again) = %d; want 409", resp.StatusCode)
	}
	// A silence that has not begun ends before it starts.
	resp = f.do(f.request("POST", "/silences", `{"matchers":{"team":"platform"},"starts":"2026-11-03T00:00:00Z","duration":"1h","comment":"later"}`, alice))
	if err := json.Unmarshal([]byte(resp.Body), &s); err != nil {
		t.Fatal(err)
	}
	if resp := f.do(f.request("DELETE", "/silences/"+s.Silence.ID, "", alice)); resp.StatusCode != 200 {
		t.Errorf("Got(end a pending silence) = %d %s; want 200", resp.StatusCode, resp.Body)
	}
	list, err := f.st.Silences(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range list {
		if sl.Active(f.clock()) || sl.Active(f.clock().Add(24*time.Hour)) {
			t.Errorf("Got(silence %s) active after it was ended", sl.ID)
		}
	}
}

// A store that fails (DynamoDB without its table): every route answers 500 with nothing
// but a request id, and logs the detail.
func TestInternalFailures(t *testing.T) {
	f := newFixture(t, "memory")
	db := dynamotest.SharedForTest(t).Client()
	broken := store.NewDynamo(db, "firebreak-no-such-table", f.clock)
	f.h.Store = broken
	f.h.Lifecycle = &lifecycle.Service{Store: broken, Now: f.clock}
	link, _, err := f.signer.Sign(context.Background(), "FB-OPEN-1", token.Ack, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	linkURL := token.LinkURL("", link, "FB-OPEN-1", token.Ack)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/incidents", ""}, {"GET", "/incidents/FB-OPEN-1", ""}, {"POST", "/incidents/FB-OPEN-1/ack", "{}"},
		{"POST", "/incidents/FB-OPEN-1/resolve", "{}"}, {"POST", "/incidents/FB-OPEN-1/status", `{"status":"mitigated"}`},
		{"POST", "/incidents/FB-OPEN-1/notes", `{"text":"x"}`}, {"POST", "/incidents/FB-OPEN-1/links", `{"url":"https://x.example.com"}`},
		{"POST", "/incidents/FB-OPEN-1/severity", `{"severity":"sev1"}`}, {"POST", "/incidents/FB-OPEN-1/owner", `{"team":"payments"}`},
		{"POST", "/incidents/FB-OPEN-1/approvals/" + approvalK + "/approve", "{}"},
		{"GET", "/silences", ""}, {"POST", "/silences", `{"matchers":{"team":"platform"},"duration":"1h","comment":"x"}`},
		{"DELETE", "/silences/sil-x", ""},
	} {
		req := f.request(tc.method, tc.path, tc.body, alice)
		req.RequestContext.RequestID = "req-" + tc.method + tc.path
		resp := f.do(req)
		want := `{"error":"internal error","request_id":"` + req.RequestContext.RequestID + `"}` + "\n"
		if resp.StatusCode != 500 || resp.Body != want {
			t.Errorf("Got(%s %s on a failing store) = %d %q; want 500 %q", tc.method, tc.path, resp.StatusCode, resp.Body, want)
		}
	}
	for _, method := range []string{"GET", "POST"} {
		resp := f.do(f.request(method, linkURL, "", ""))
		if resp.StatusCode != 500 || strings.Contains(resp.Body, "ResourceNotFound") || strings.Contains(resp.Body, "no-such-table") {
			t.Errorf("Got(%s signed link on a failing store) = %d %s; want a 500 page without details", method, resp.StatusCode, resp.Body)
		}
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "ResourceNotFoundException") || !strings.Contains(logs, `"request_id":"req-GET/incidents"`) {
		t.Errorf("Got(logs) = %s; want the store's error with the request id", logs)
	}
	if strings.Contains(logs, link) {
		t.Errorf("Got(logs) contain the link's token; want it never logged")
	}
}
