package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

// printProblems shows the problems a replay opened and the mean times to mitigate and
// resolve per severity.
func printProblems(w io.Writer, s replay.Summary) {
	var times []string
	for _, sev := range incident.Severities {
		t, ok := s.Report[string(sev)]
		if !ok {
			continue
		}
		var parts []string
		if t.MTTMSeconds != nil {
			parts = append(parts, "time to mitigate "+seconds(*t.MTTMSeconds))
		}
		if t.MTTRSeconds != nil {
			parts = append(parts, "to resolve "+seconds(*t.MTTRSeconds))
		}
		if len(parts) > 0 {
			times = append(times, fmt.Sprintf("  %s  mean %s", sev, strings.Join(parts, ", ")))
		}
	}
	if len(times) > 0 {
		fmt.Fprintf(w, "Response, by severity:\n%s\n", strings.Join(times, "\n"))
	}
	fmt.Fprintf(w, "Problems opened: %d\n", s.Problems)
	for _, p := range s.ProblemList {
		fmt.Fprintln(w, wrap(fmt.Sprintf("%s  %s  explains %s", p.ID, p.Fingerprint, strings.Join(p.Incidents, ", ")), width, "  "))
	}
}

func seconds(v float64) string {
	return time.Duration(v * float64(time.Second)).Round(time.Second).String()
}
