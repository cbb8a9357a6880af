package asl_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/asl/asltest"
)

func differentialFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "differential", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/differential/*.json files")
	}
	return files
}

// TestDifferentialLocalStepFunctions runs every case of testdata/differential through
// internal/asl and through aws-local-stepfunctions and requires the same outcome.
func TestDifferentialLocalStepFunctions(t *testing.T) {
	for _, file := range differentialFiles(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			f, err := asltest.LoadDiffFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := asl.Parse(f.Definition); err != nil {
				t.Fatalf("Parse(%s) = %v", file, err)
			}
			asltest.DiffCheckAll(t, f.Definition, f.Cases)
		})
	}
}

// TestValidateDifferentialDefinitions runs asl-validator on the differential definitions.
func TestValidateDifferentialDefinitions(t *testing.T) {
	for _, file := range differentialFiles(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			f, err := asltest.LoadDiffFile(file)
			if err != nil {
				t.Fatal(err)
			}
			asltest.Validate(t, f.Definition)
		})
	}
}
