package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayWritesSev1Reviews: beside the status page, replay writes the review of every
// sev1 incident it resolved, and says where; a newcomer opens it like the board.
func TestReplayWritesSev1Reviews(t *testing.T) {
	site := filepath.Join(t.TempDir(), "status")
	code, out, errs := run(t, "", "replay", "--status-page", site, samples)
	if code != 0 {
		t.Fatalf("replay --status-page: exit %d, stderr %s", code, errs)
	}
	files, err := filepath.Glob(filepath.Join(site, "reviews", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("reviews under %s: %v, %v; want the sev1 incidents' reviews", site, files, err)
	}
	if !strings.Contains(out, "open "+files[0]) {
		t.Errorf("replay output does not say where the first review is (%s):\n%s", files[0], out)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".md")
		if doc := string(b); !strings.HasPrefix(doc, "# Post-incident review: ") || !strings.Contains(doc, "Incident "+id+" · sev1") {
			t.Errorf("%s does not start as the sev1 review of %s:\n%.300s", f, id, doc)
		}
	}
}
