package importer_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall/importer"
)

// fuzzImport: any file either fails with an error or imports into something that merges
// into a configuration that loads, or is refused; never a panic.
func fuzzImport(f *testing.F, dir string, convert func([]importer.File) (*importer.Result, error)) {
	files, err := importer.ReadDir("testdata/" + dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(file.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := convert([]importer.File{{Name: "fuzz.json", Data: data}})
		if err != nil {
			return
		}
		if _, err := importer.Fragment(res); err != nil {
			t.Fatalf("Fragment = %v", err)
		}
		merged, _, _, err := importer.Merge("firebreak.yaml", firebreak.ConfigBytes(), res, firebreak.ParseConfig)
		if err != nil {
			return
		}
		if _, err := config.Parse("firebreak.yaml", merged); err != nil {
			t.Fatalf("Merge returned a configuration that does not load: %v", err)
		}
	})
}

func FuzzIncidentManager(f *testing.F) { fuzzImport(f, "incident-manager", importer.IncidentManager) }

func FuzzOpsgenie(f *testing.F) { fuzzImport(f, "opsgenie", importer.Opsgenie) }
