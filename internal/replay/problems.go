package replay

import (
	"context"
	"fmt"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/report"
)

// ProblemRef is one problem a replay opened.
type ProblemRef struct {
	ID          string   `json:"id"`
	Fingerprint string   `json:"fingerprint"`
	Incidents   []string `json:"incidents"`
}

// summariseProblems fills the problems and the response report of a finished replay.
func summariseProblems(ctx context.Context, l *pipeline.Local, sum *Summary, each func(yield func(incident.Incident) error) error) error {
	probs, err := l.Store.ListProblems(ctx, problem.Filter{})
	if err != nil {
		return fmt.Errorf("replay: problems: %w", err)
	}
	sum.ProblemList = []ProblemRef{}
	for i := len(probs) - 1; i >= 0; i-- { // oldest first
		p, err := l.Store.GetProblem(ctx, probs[i].ID)
		if err != nil {
			return fmt.Errorf("replay: problem %s: %w", probs[i].ID, err)
		}
		sum.ProblemList = append(sum.ProblemList, ProblemRef{ID: p.ID, Fingerprint: p.Fingerprint, Incidents: p.Incidents})
	}
	sum.Problems = len(sum.ProblemList)
	rep, err := report.Build(ctx, report.Input{Until: sum.Until, By: report.BySeverity, Each: each, Config: l.Config})
	if err != nil {
		return fmt.Errorf("replay: report: %w", err)
	}
	sum.Report = report.BySeverityTimes(rep)
	return nil
}
