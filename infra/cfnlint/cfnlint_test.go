package cfnlint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	w3005 := Finding{Template: "Firebreak.template.json", Rule: "W3005", Level: "Warning", Resource: "FunctionsapiFunction1"}
	e3002 := Finding{Template: "Firebreak.template.json", Rule: "E3002", Level: "Error", Resource: "HealthDashboard1"}
	info := Finding{Template: "Firebreak.template.json", Rule: "I3042", Level: "Informational", Resource: "Queue1"}
	for _, tc := range []struct {
		name                 string
		sups                 []Suppression
		failures, suppressed int
		unused               int
	}{
		{"nothing suppressed", nil, 2, 0, 0},
		{"rule and resource glob", []Suppression{{Rule: "W3005", Resource: "Functions*", Reason: "r"}}, 1, 1, 0},
		{"glob that misses", []Suppression{{Rule: "W3005", Resource: "Runbooks*", Reason: "r"}}, 2, 0, 1},
		{"other template", []Suppression{{Rule: "E3002", Template: "Forwarder*", Reason: "r"}}, 2, 0, 1},
		{"every resource", []Suppression{{Rule: "E3002", Reason: "r"}, {Rule: "W3005", Reason: "r"}}, 0, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Judge([]Finding{w3005, e3002, info}, tc.sups)
			if len(r.Failures) != tc.failures || len(r.Suppressed) != tc.suppressed || len(r.Unused) != tc.unused {
				t.Errorf("Judge = %d failures, %d suppressed, %d unused; want %d, %d, %d",
					len(r.Failures), len(r.Suppressed), len(r.Unused), tc.failures, tc.suppressed, tc.unused)
			}
			for _, f := range r.Failures {
				if f.Level == "Informational" {
					t.Errorf("Judge failed an informational finding: %s", f)
				}
			}
		})
	}
}

func TestLoadSuppressions(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		wantErr    []string
	}{
		{"empty list", "suppressions: []\n", nil},
		{"complete", "suppressions:\n  - rule: W3005\n    resource: \"Functions*\"\n    reason: CDK adds it\n", nil},
		{"no reason", "suppressions:\n  - rule: W3005\n", []string{":2: suppressions[0].reason: missing"}},
		{"no rule", "suppressions:\n  - reason: why\n", []string{":2: suppressions[0].rule: missing"}},
		{"unknown key", "suppressions:\n  - rule: W3005\n    reason: r\n    resorce: x\n", []string{"resorce", "unknown key"}},
		{"bad glob", "suppressions:\n  - rule: W3005\n    resource: \"[\"\n    reason: r\n", []string{"suppressions[0].resource", "not a valid glob"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "cfn-lint.yaml")
			if err := os.WriteFile(file, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadSuppressions(file)
			if tc.wantErr == nil {
				if err != nil {
					t.Errorf("LoadSuppressions(%q) = %v; want no error", tc.body, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadSuppressions(%q) = nil error; want %q", tc.body, tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadSuppressions(%q) = %q; want it to contain %q", tc.body, err, w)
				}
			}
		})
	}
}

// The repository's own suppression file loads.
func TestShippedSuppressions(t *testing.T) {
	if _, err := LoadSuppressions("../cfn-lint.yaml"); err != nil {
		t.Fatal(err)
	}
}

func TestTemplates(t *testing.T) {
	dir := t.TempDir()
	if _, err := Templates(dir); err == nil || !strings.Contains(err.Error(), "no *.template.json") {
		t.Errorf("Templates(empty dir) = %v; want an error saying no template", err)
	}
	for _, n := range []string{"B.template.json", "A.template.json", "manifest.json"} {
		os.WriteFile(filepath.Join(dir, n), []byte("{}"), 0o644)
	}
	got, err := Templates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || filepath.Base(got[0]) != "A.template.json" || filepath.Base(got[1]) != "B.template.json" {
		t.Errorf("Templates = %v; want A and B templates, sorted", got)
	}
}
