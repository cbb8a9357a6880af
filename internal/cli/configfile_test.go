package cli_test

import (
	"os"
	"path/filepath"
	"testing"
)

// writeConfig writes a configuration to firebreak.yaml in a new directory that also
// links the repository's runbooks/, so the runbook definitions it names resolve (a
// configuration outside the repository reads them beside itself).
func writeConfig(t *testing.T, body []byte) string {
	t.Helper()
	dir := t.TempDir()
	runbooks, err := filepath.Abs(filepath.Join("..", "..", "runbooks"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(runbooks, filepath.Join(dir, "runbooks")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(path, body, 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}
