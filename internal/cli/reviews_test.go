package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// TestReviewsAndActionsCLI: a sev1 resolved through the CLI has a review; it cannot be
// completed until an action is filed; the action is filed, listed and done; a section
// is written from a file; the review is completed.
func TestReviewsAndActionsCLI(t *testing.T) {
	s := serve(t, samples)
	var list api.ListResponse
	if err := json.Unmarshal([]byte(s.ok(t, "list", "--json", "--limit", "1000")), &list); err != nil {
		t.Fatal(err)
	}
	var id string
	for _, inc := range list.Incidents {
		if inc.Status == incident.Open && id == "" {
			id = inc.ID
		}
	}
	if id == "" {
		t.Fatal("no open incident among the samples")
	}
	s.ok(t, "severity", id, "sev1", "--reason", "customers see it")
	s.ok(t, "resolve", id, "--note", "fixed")

	md := s.ok(t, "review", id)
	for _, want := range []string{"# Post-incident review:", "## Detection and response", "## Timeline", "## Contributing factors", "None filed yet"} {
		if !strings.Contains(md, want) {
			t.Errorf("incidents review %s = %q; want %q", id, md, want)
		}
	}
	var rr api.ReviewResponse
	if err := json.Unmarshal([]byte(s.ok(t, "review", id, "--json")), &rr); err != nil || rr.Document.Review.ID != id {
		t.Errorf("incidents review --json = %+v, %v; want the structured review of %s", rr.Document.Review, err, id)
	}
	code, _, errs := s.cli(t, "review", id, "complete")
	if code != 1 || !strings.Contains(errs, "no actions filed") || !strings.Contains(errs, "HTTP 409") {
		t.Errorf("review complete with no action = exit %d, %q; want 1, no actions filed (409)", code, errs)
	}

	actions := func(args ...string) (int, string, string) {
		return run(t, "", append([]string{"actions", "--api", s.base}, args...)...)
	}
	code, out, errs := actions("add", "--review", id, "--title", "Add a runbook", "--owner", "platform", "--due", "5d")
	m := regexp.MustCompile(`^Action (\S+): Add a runbook \(owner platform, due `).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("actions add = exit %d, %q, %q; want the action filed", code, out, errs)
	}
	if code, out, _ := actions("list", "--owner", "platform"); code != 0 || !strings.Contains(out, m[1]) || !strings.Contains(out, "open") {
		t.Errorf("actions list --owner platform = exit %d, %q; want %s open", code, out, m[1])
	}
	if code, _, errs := actions("add", "--title", "x", "--owner", "platform", "--due", "5d"); code != 2 || !strings.Contains(errs, "--review ID, --incident ID or --problem ID") {
		t.Errorf("actions add with no link = exit %d, %q; want a usage error", code, errs)
	}
	if code, _, errs := actions("add", "--review", id, "--title", "x", "--owner", "platform", "--due", "soon"); code != 2 || !strings.Contains(errs, `--due "soon" is not a date`) {
		t.Errorf("actions add --due soon = exit %d, %q; want a usage error", code, errs)
	}
	if code, out, errs := actions("done", m[1]); code != 0 || !strings.Contains(out, "is done") {
		t.Errorf("actions done = exit %d, %q, %q; want done", code, out, errs)
	}

	f := filepath.Join(t.TempDir(), "lessons.md")
	if err := os.WriteFile(f, []byte("Alarms without a runbook page people at night.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := s.ok(t, "review", id, "edit", "--section", "lessons", "--file", f); !strings.Contains(out, "section lessons saved") {
		t.Errorf("review edit = %q; want saved", out)
	}
	if out := s.ok(t, "review", id, "complete"); !strings.Contains(out, "complete, with 1 action(s)") {
		t.Errorf("review complete = %q; want complete with 1 action", out)
	}
	md = s.ok(t, "review", id)
	for _, want := range []string{"Alarms without a runbook page people at night.", m[1], "review complete"} {
		if !strings.Contains(md, want) {
			t.Errorf("review after completion lacks %q:\n%s", want, md)
		}
	}
}
