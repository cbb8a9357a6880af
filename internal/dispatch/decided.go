package dispatch

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// maxDecided bounds the openings a process remembers as decided to page.
const maxDecided = 4096

// decided remembers the openings this process decided page (no silence, inhibition or
// grouping keeps them quiet). A stream record is retried whole: without it, every retry
// of an opening whose page or runbook start failed would read the silences and list
// the inhibit and grouping candidates again (up to nine requests), and under sustained
// failures a retry had to get all of them through before it could reach the step that
// failed. With it, a retry goes on from the first step not done: the decision is the one
// the first attempt acted on (it may have started the runbook and paged some
// recipients already), so keeping it is also what makes the retry consistent. A quiet
// decision needs no memory: it is written on the incident (its parent or silence),
// which the retry reads. Safe for concurrent use; forgotten at random when full (the
// retry then decides again, as before).
type decided struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func decidedKey(inc incident.Incident) string { return inc.ID + "@v" + strconv.Itoa(inc.Version) }

func (d *decided) loud(inc incident.Incident) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.m[decidedKey(inc)]
	return ok
}

func (d *decided) setLoud(inc incident.Incident) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]struct{}{}
	}
	if len(d.m) >= maxDecided {
		for k := range d.m {
			delete(d.m, k)
			break
		}
	}
	d.m[decidedKey(inc)] = struct{}{}
}

// decideQuiet is quiet for an opening, remembering a decision to page.
func (d *Dispatcher) decideQuiet(ctx context.Context, inc incident.Incident, at time.Time) (*Quiet, error) {
	if inc.SilencedBy == "" && inc.Parent == "" && d.decided.loud(inc) {
		return nil, nil
	}
	q, err := d.quiet(ctx, inc, at)
	if err == nil && q == nil {
		d.decided.setLoud(inc)
	}
	return q, err
}
