package escalate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestHeldOpeningsDecidedWhenEachReadFailsOnce: each read of the tick fails the first
// time it is made. A decision that began again with its reads after each failure got one
// read further per try and ran out of tries (each decision makes more distinct reads
// than it has tries); the decision makes a failed read again where it is, so the tick
// decides all three openings, as without failures: FB-B and FB-C grouped under FB-A,
// one page.
func TestHeldOpeningsDecidedWhenEachReadFailsOnce(t *testing.T) {
	db, table := dynamotest.ForTest(t)
	f := &dynamotest.FailFirstReads{DynamoDB: db}
	r := threeOfOneGroup(t, newHeldRun(t, "2m", f, table))
	f.Arm()
	rep, err := r.e.Tick(context.Background())
	if rep.HeldDecided != 3 || err != nil && strings.Contains(err.Error(), "held opening") {
		t.Fatalf("each read failing once: %d decided, %v; want all 3 decided in the tick", rep.HeldDecided, err)
	}
	if f.Failed() < 10 {
		t.Fatalf("%d reads failed; want each of the tick's once", f.Failed())
	}
	for _, id := range []string{"FB-B", "FB-C"} {
		if got := r.state(t, id); !strings.Contains(got, `parent="FB-A"`) {
			t.Errorf("%s: %s; want grouped under FB-A, the earliest", id, got)
		}
	}
	if pages := r.pages(); len(pages) != 1 {
		t.Errorf("pages %q; want one, FB-A's (the group's)", pages)
	}
}
