package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// TestReviewCompleteAfterAnyFailedWrite fails each write of a review's life in turn,
// before it lands and after, and calls again after an error (dispatch redelivering the
// resolution; a person retrying): the review, its actions and the incident's timeline
// end as without the failure. The review is opened with its runbook gap filed as an
// action, two sections are written, one rewritten, and it is completed.
func TestReviewCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	const id = "FB-REV-1"
	calls := []struct {
		name string
		do   func(s *review.Service) error
	}{
		{"resolved", func(s *review.Service) error {
			inc, err := s.Store.Get(ctx, id)
			if err == nil {
				_, _, err = s.Resolved(ctx, inc, at(30))
			}
			return err
		}},
		{"edit summary", func(s *review.Service) error {
			_, err := s.Edit(ctx, id, review.SectionSummary, "A bad deploy.", "alice")
			return err
		}},
		{"edit lessons", func(s *review.Service) error {
			_, err := s.Edit(ctx, id, review.SectionLessons, "Canary first.", "bob")
			return err
		}},
		{"rewrite summary", func(s *review.Service) error {
			_, err := s.Edit(ctx, id, review.SectionSummary, "A bad deploy, rolled back.", "alice")
			return err
		}},
		{"complete", func(s *review.Service) error { _, err := s.Complete(ctx, id, "alice", false); return err }},
	}
	run := func(t *testing.T, fail *dynamotest.FailNthWrite) string {
		t.Helper()
		table := dynamotest.NewTable(t, db)
		clock := at(30)
		now := func() time.Time { return clock }
		w := store.NewDynamo(db, table, now) // intake and dispatch, which resolved it
		inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-rev", Class: "ops.alarm", Severity: incident.Sev1, Team: "platform",
			Runbook: "fix", Status: incident.Resolved, OpenedAt: t0, StateAt: at(30), ResolvedAt: at(30)}
		if _, _, err := w.Open(ctx, inc, incident.Entry{Incident: id, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
			t.Fatal(err)
		}
		if err := w.AddEntries(ctx, incident.Entry{Incident: id, At: at(5), Kind: incident.KindRunbookFailed, Key: "rb", Data: map[string]string{"runbook": "fix"}}); err != nil {
			t.Fatal(err)
		}
		fail.DynamoDB = db
		svc := &review.Service{Store: store.NewDynamo(fail, table, now), Config: &config.Config{}, Now: now}
		for i, c := range calls {
			clock = clock.Add(time.Minute)
			for try := 0; ; try++ {
				err := c.do(svc)
				if err == nil {
					break
				}
				if try == 3 {
					t.Fatalf("call %d (%s): still failing after %d tries: %v", i, c.name, try+1, err)
				}
			}
		}
		r, err := w.GetReview(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := w.ActionsOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range acts {
			actions = append(actions, fmt.Sprintf("%s %s %s", a.ID, a.Status, a.Source))
		}
		tl, err := w.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var entries []string
		for _, e := range tl {
			entries = append(entries, fmt.Sprintf("%s %s=%s by %s", e.At.Sub(t0), e.Kind, e.Key, e.Actor))
		}
		return fmt.Sprintf("review %s v%d by %s at %s sections %q\nactions %v\ntimeline %s", r.Status, r.Version, r.CompletedBy,
			r.CompletedAt.Sub(t0), r.Sections, actions, strings.Join(entries, "; "))
	}
	want := run(t, &dynamotest.FailNthWrite{})
	if !strings.HasPrefix(want, "review complete v5 by alice") || strings.Count(want, string(incident.KindReviewEdited)) != 3 {
		t.Fatalf("without failures:\n%s\nwant the review complete by alice after three edits (v5), each on the timeline", want)
	}
	dynamotest.EachWriteFailed(t, want, 5, run)
}
