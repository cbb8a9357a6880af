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
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestReportFollowUps: GET /report carries the follow-ups section (review.Section, as
// functions/api and firebreak serve wire it): actions filed and closed through the API
// are counted done on time, late, won't do, overdue; the review is overdue, then
// completed late. Against both stores.
func TestReportFollowUps(t *testing.T) {
	stores := map[string]func(t *testing.T, now func() time.Time) store.Store{
		"memory": func(t *testing.T, now func() time.Time) store.Store { return store.NewMemory(now) },
		"dynamo": func(t *testing.T, now func() time.Time) store.Store { return dynamotest.Store(t, now) },
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			clock := t0
			now := func() time.Time { return clock }
			reportFollowUps(t, mk(t, now), now, func(d time.Duration) { clock = clock.Add(d) })
		})
	}
}

func reportFollowUps(t *testing.T, st store.Store, now func() time.Time, advance func(time.Duration)) {
	ctx := context.Background()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	h := &api.Handler{Store: st, Lifecycle: &lifecycle.Service{Store: st, Config: cfg, Now: now}, Now: now,
		Reviews:        &review.Service{Store: st, Config: cfg, Now: now},
		Actions:        &action.Service{Store: st, Lister: st, Timeline: st, Schedule: review.Schedule(cfg), Teams: cfg.TeamNames, Now: now},
		Problems:       st,
		ReportSections: []report.Contributor{review.Section{Store: st}}}
	inc := incident.Incident{ID: "FB-REVIEWED-1", Seq: 1, Fingerprint: "fp", Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev1,
		Team: "platform", Status: incident.Resolved, OpenedAt: t0.Add(-2 * time.Hour), StateAt: t0, ResolvedAt: t0}
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Key: "opened"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Reviews.Resolved(ctx, inc, inc.ResolvedAt); err != nil { // due in 5 days
		t.Fatal(err)
	}
	send := func(method, path, body string, query map[string]string) string {
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
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s %s = %d %s", method, path, body, resp.StatusCode, resp.Body)
		}
		return resp.Body
	}
	file := func(title string, due time.Duration) string {
		t.Helper()
		b, _ := json.Marshal(api.ActionRequest{Title: title, Owner: "platform", Due: t0.Add(due), LinkKind: "review", Link: inc.ID})
		send(http.MethodPost, "/actions", string(b), nil)
		return action.ID(inc.ID, title)
	}
	onTime, late, wont := file("on time", 2*day), file("late", day), file("wont do", 3*day)
	file("overdue", 4*day)
	file("due after the period", 10*day)
	advance(36 * time.Hour)
	send(http.MethodPost, "/actions/"+onTime+"/done", `{}`, nil)
	send(http.MethodPost, "/actions/"+late+"/done", `{}`, nil)
	send(http.MethodPost, "/actions/"+wont+"/wontdo", `{"reason":"the class is retired"}`, nil)
	advance(6*day - 36*time.Hour) // t0+6d: the review (due t0+5d) and the "overdue" action (t0+4d) are past due

	followUps := func() review.FollowUps {
		t.Helper()
		body := send(http.MethodGet, "/report", "", map[string]string{"since": "7d"})
		var r struct {
			Sections map[string]json.RawMessage `json:"sections"`
		}
		var f review.FollowUps
		if err := json.Unmarshal([]byte(body), &r); err != nil || json.Unmarshal(r.Sections[review.SectionName], &f) != nil {
			t.Fatalf("GET /report = %s; want a %s section", body, review.SectionName)
		}
		return f
	}
	got := followUps()
	want := review.FollowUps{Outcomes: review.Outcomes{From: now().Add(-7 * day), To: now(),
		ActionsDoneOnTime: 1, ActionsDoneLate: 1, ActionsWontDo: 1, ActionsOverdue: 1, ReviewsOverdue: 1}, OverdueNow: 1}
	if !got.From.Equal(want.From) || !got.To.Equal(want.To) {
		t.Errorf("follow-ups period = %s to %s; want %s to %s", got.From, got.To, want.From, want.To)
	}
	got.From, got.To = want.From, want.To
	if got != want {
		t.Errorf("follow-ups at t0+6d = %+v; want %+v", got, want)
	}

	send(http.MethodPost, "/incidents/"+inc.ID+"/review/complete", `{}`, nil)
	got = followUps()
	if got.ReviewsLate != 1 || got.ReviewsOverdue != 0 || got.ReviewsOnTime != 0 {
		t.Errorf("follow-ups after the late completion = %+v; want 1 review completed late, none overdue", got)
	}
	if !strings.Contains(send(http.MethodGet, "/report", "", nil), `"actions_overdue_now":1`) {
		t.Errorf("GET /report does not say one action is overdue now")
	}
}
