package cli_test

import (
	"os"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
)

const importData = "../oncall/importer/testdata/"

func TestImportInto(t *testing.T) {
	for _, src := range []string{"incident-manager", "opsgenie"} {
		t.Run(src, func(t *testing.T) {
			path := writeConfig(t, firebreak.ConfigBytes())
			code, out, errs := run(t, "", "import", src, importData+src, "--into", path)
			if code != 0 || out != "" {
				t.Fatalf("import %s --into: exit %d, stdout %q, stderr %s", src, code, out, errs)
			}
			if !strings.Contains(errs, "could not carry over") || !strings.Contains(errs, "1 escalation plan into "+path) {
				t.Errorf("import stderr = %s; want the summary and what could not be carried over", errs)
			}
			cfg, err := config.Load(path)
			if err != nil {
				t.Fatalf("written configuration does not load: %v", err)
			}
			if len(cfg.Escalations) == 0 || len(cfg.Schedules) < 4 {
				t.Errorf("written configuration has %d schedules, %d escalations; want the imported ones too", len(cfg.Schedules), len(cfg.Escalations))
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
				t.Errorf("mode = %v; want the file's own 0640 kept", st.Mode().Perm())
			}
			code, out, errs = run(t, "", "oncall", "--config", path, "--at", "2026-03-10T09:00:00Z", "--json")
			if code != 0 || !strings.Contains(out, `"schedule": "platform-primary"`) {
				t.Errorf("oncall on the imported configuration: exit %d, %s %s", code, out, errs)
			}
		})
	}
}

func TestImportPrintsTheSectionsWithoutInto(t *testing.T) {
	code, out, errs := run(t, "", "import", "opsgenie", importData+"opsgenie")
	if code != 0 || !strings.HasPrefix(out, "# Imported from Opsgenie") || !strings.Contains(out, "schedules:\n  ny-nights:") {
		t.Errorf("import opsgenie: exit %d, stdout %q, stderr %s; want the imported sections", code, out, errs)
	}
}

func TestImportLeavesAConfigThatDoesNotLoadAlone(t *testing.T) {
	broken := strings.Replace(string(firebreak.ConfigBytes()), "version: 1", "version: 7", 1)
	path := writeConfig(t, []byte(broken))
	code, _, errs := run(t, "", "import", "incident-manager", importData+"incident-manager", "--into", path)
	if code != 1 || !strings.Contains(errs, "does not load before the import") || !strings.Contains(errs, "version: must be 1") {
		t.Errorf("import --into broken: exit %d, %s; want a refusal naming the problem", code, errs)
	}
	if got, _ := os.ReadFile(path); string(got) != broken {
		t.Errorf("the configuration was changed")
	}
	for _, args := range [][]string{{"import", "pagerduty", "x"}, {"import", "opsgenie"}} {
		if code, _, errs := run(t, "", args...); code != 2 {
			t.Errorf("%v = exit %d, %s; want a usage error", args, code, errs)
		}
	}
	if code, _, errs := run(t, "", "import", "opsgenie", t.TempDir()); code != 1 || !strings.Contains(errs, "holds no .json files") {
		t.Errorf("import of an empty directory = exit %d, %s", code, errs)
	}
}
