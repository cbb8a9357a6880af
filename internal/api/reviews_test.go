package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestReviewAndActionRoutes works a review through the API against both stores: show
// it, edit a section, refuse to complete it with no action filed, file an action (once
// however often it is sent), close it, complete the review.
func TestReviewAndActionRoutes(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return store.NewMemory(func() time.Time { return t0 }) },
		"dynamo": func(t *testing.T) store.Store {
			db, table := dynamotest.ForTest(t)
			return store.NewDynamo(db, table, func() time.Time { return t0 })
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) { reviewRoutes(t, mk(t)) })
	}
}

func reviewRoutes(t *testing.T, st store.Store) {
	ctx := context.Background()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	tick := 0 // every reading of the clock is a second later: the timeline keeps the order of the requests
	now := func() time.Time { tick++; return t0.Add(time.Duration(tick) * time.Second) }
	h := &api.Handler{Store: st, Lifecycle: &lifecycle.Service{Store: st, Config: cfg, Now: now}, Now: now,
		Reviews: &review.Service{Store: st, Config: cfg, Now: now},
		Actions: &action.Service{Store: st, Lister: st, Timeline: st, Schedule: review.Schedule(cfg), Teams: cfg.TeamNames, Now: now}}
	inc := incident.Incident{ID: "FB-REVIEWED-1", Seq: 1, Fingerprint: "fp", Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev1,
		Team: "platform", Status: incident.Resolved, OpenedAt: t0.Add(-2 * time.Hour), StateAt: t0.Add(-time.Hour), ResolvedAt: t0.Add(-time.Hour)}
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Key: "opened"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Reviews.Resolved(ctx, inc, inc.ResolvedAt); err != nil {
		t.Fatal(err)
	}
	send := func(method, path, body string, query map[string]string) (int, string) {
		t.Helper()
		req := events.LambdaFunctionURLRequest{RawPath: path, Body: body, QueryStringParameters: query,
			Headers: map[string]string{"content-type": "application/json"}}
		req.RequestContext.HTTP.Method = method
		req.RequestContext.Authorizer = &events.LambdaFunctionURLRequestContextAuthorizerDescription{
			IAM: &events.LambdaFunctionURLRequestContextAuthorizerIAMDescription{UserARN: alice}}
		resp, err := h.Handle(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Body
	}

	code, body := send(http.MethodGet, "/incidents/FB-REVIEWED-1/review", "", nil)
	var rr api.ReviewResponse
	if code != 200 || json.Unmarshal([]byte(body), &rr) != nil || !strings.HasPrefix(rr.Markdown, "# Post-incident review: cpu high") ||
		rr.Document.Review.Owner != "platform" || !rr.Document.Review.Due.Equal(inc.ResolvedAt.Add(120*time.Hour)) {
		t.Fatalf("GET review = %d %s; want 200, owner platform, due 5 days after the resolution", code, body)
	}
	steps := []struct {
		name, method, path, body string
		query                    map[string]string
		code                     int
		has                      string
	}{
		{"unknown review", "GET", "/incidents/FB-NONE-1/review", "", nil, 404, "has no review"},
		{"edit", "POST", "/incidents/FB-REVIEWED-1/review/edit", `{"section":"lessons","text":"Alarms need runbooks."}`, nil, 200, "Alarms need runbooks."},
		{"edit unknown section", "POST", "/incidents/FB-REVIEWED-1/review/edit", `{"section":"blame","text":"x"}`, nil, 400, `section \"blame\" is not one of`},
		{"edit with GET", "GET", "/incidents/FB-REVIEWED-1/review/edit", "", nil, 405, "not allowed"},
		{"complete, nothing filed", "POST", "/incidents/FB-REVIEWED-1/review/complete", `{}`, nil, 409, "no actions filed"},
		{"file an action", "POST", "/actions", `{"title":"Add a cpu runbook","owner":"platform","due":"2026-11-05T12:00:00Z","link_kind":"review","link":"FB-REVIEWED-1"}`, nil, 201, `"status":"open"`},
		{"file it again", "POST", "/actions", `{"title":"add a CPU runbook","owner":"platform","due":"2026-11-05T12:00:00Z","link_kind":"review","link":"FB-REVIEWED-1"}`, nil, 200, `"status":"open"`},
		{"file for an unknown team", "POST", "/actions", `{"title":"x","owner":"nobody","due":"2026-11-05T12:00:00Z","link_kind":"review","link":"FB-REVIEWED-1"}`, nil, 400, `owner: team \"nobody\" is not configured`},
		{"file on an unknown incident", "POST", "/actions", `{"title":"x","owner":"platform","due":"2026-11-05T12:00:00Z","link_kind":"incident","link":"FB-NONE-1"}`, nil, 404, "FB-NONE-1"},
		{"file with no due", "POST", "/actions", `{"title":"x","owner":"platform","link_kind":"problem","link":"PB-1"}`, nil, 400, "due: required"},
		{"list the owner's", "GET", "/actions", "", map[string]string{"owner": "platform"}, 200, `"count":1`},
		{"none overdue yet", "GET", "/actions", "", map[string]string{"overdue": "true"}, 200, `"count":0`},
		{"bad overdue", "GET", "/actions", "", map[string]string{"overdue": "maybe"}, 400, "overdue"},
		{"won't do, no reason", "POST", "/actions/" + action.ID("FB-REVIEWED-1", "Add a cpu runbook") + "/wontdo", `{}`, nil, 400, "reason: required"},
		{"done", "POST", "/actions/" + action.ID("FB-REVIEWED-1", "Add a cpu runbook") + "/done", `{}`, nil, 200, `"status":"done"`},
		{"done again", "POST", "/actions/" + action.ID("FB-REVIEWED-1", "Add a cpu runbook") + "/done", `{}`, nil, 200, `"status":"done"`},
		{"unknown action", "POST", "/actions/FB-NONE-1.aaaaaaaaa/done", `{}`, nil, 404, "FB-NONE-1"},
		{"complete", "POST", "/incidents/FB-REVIEWED-1/review/complete", `{}`, nil, 200, `"status":"complete"`},
		{"edit once complete", "POST", "/incidents/FB-REVIEWED-1/review/edit", `{"section":"lessons","text":"more"}`, nil, 409, "is complete"},
	}
	for _, s := range steps {
		code, body := send(s.method, s.path, s.body, s.query)
		if code != s.code || !strings.Contains(body, s.has) {
			t.Errorf("%s: %s %s = %d %s; want %d with %q", s.name, s.method, s.path, code, strings.TrimSpace(body), s.code, s.has)
		}
	}
	tl, err := st.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	want := "opened review-opened review-edited action-filed action-done review-completed"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline kinds = %s; want %s", strings.Join(kinds, " "), want)
	}
}
