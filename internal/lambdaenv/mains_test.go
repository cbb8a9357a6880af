package lambdaenv_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMainsAreThin: every Lambda's main is under 60 lines and starts through
// lambdaenv.Start, the one fatal path (no log.Fatal, panic or os.Exit of its own).
func TestMainsAreThin(t *testing.T) {
	mains, err := filepath.Glob("../../functions/*/main.go")
	if err != nil || len(mains) == 0 {
		t.Fatalf("functions/*/main.go: %v (found %d)", err, len(mains))
	}
	for _, path := range mains {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src := string(b)
			if n := strings.Count(src, "\n"); n >= 60 {
				t.Errorf("%s: %d lines; want under 60 (logic belongs in internal/)", path, n)
			}
			if !strings.Contains(src, "lambdaenv.Start(") {
				t.Errorf("%s: does not start through lambdaenv.Start", path)
			}
			for _, fatal := range []string{"log.Fatal", "panic(", "os.Exit("} {
				if strings.Contains(src, fatal) {
					t.Errorf("%s: calls %s; want lambdaenv.Start's fatal path only", path, fatal)
				}
			}
		})
	}
}
