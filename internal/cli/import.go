package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/oncall/importer"
)

var importCmd = &command{
	name: "import", args: "incident-manager|opsgenie DIR", summary: "import contacts, rotations, overrides and escalation plans from Incident Manager or Opsgenie",
	about: `Without --into the imported contacts, schedules, overrides and escalation plans are printed as
configuration; with it FILE is rewritten as itself plus the import (its text and comments kept),
and only if the result loads. What could not be carried over is listed on stderr. See
docs/oncall.md.`,
	arguments: [][2]string{
		{"incident-manager", "DIR holds JSON as printed by aws ssm-contacts list-contacts, list-contact-channels, get-contact, list-rotations and list-rotation-overrides (any file names)"},
		{"opsgenie", "DIR holds Opsgenie REST API responses: users (?expand=contact for SMS numbers), schedules?expand=rotation, schedule overrides and escalations"},
	},
	example: "firebreak import incident-manager ./ssm-contacts-export --into firebreak.yaml\nfirebreak import opsgenie ./opsgenie-export",
	run:     runImport,
}

func runImport(_ context.Context, env Env, args []string) error {
	fs := newFlags("import", env)
	into := fs.String("into", "", "configuration `FILE` to add the import to (rewritten only if the result loads)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: want a source (incident-manager or opsgenie) and a directory", errUsage)
	}
	var convert func([]importer.File) (*importer.Result, error)
	switch pos[0] {
	case "incident-manager":
		convert = importer.IncidentManager
	case "opsgenie":
		convert = importer.Opsgenie
	default:
		return fmt.Errorf("%w: %q is not incident-manager or opsgenie", errUsage, pos[0])
	}
	files, err := importer.ReadDir(pos[1])
	if err != nil {
		return err
	}
	res, err := convert(files)
	if err != nil {
		return err
	}
	// The base: --into, else ./firebreak.yaml, else the built-in configuration.
	baseFile, base := *into, []byte(nil)
	switch {
	case baseFile != "":
		if base, err = os.ReadFile(baseFile); err != nil {
			return fmt.Errorf("read %s: %w", baseFile, err)
		}
	default:
		baseFile = firebreak.ConfigFile
		if base, err = os.ReadFile(baseFile); err != nil {
			base = firebreak.ConfigBytes()
		}
	}
	merged, added, notes, err := importer.Merge(baseFile, base, res, firebreak.ParseConfig)
	if err != nil {
		return err
	}
	if *into != "" {
		if err := writeFileAtomic(*into, merged); err != nil {
			return err
		}
	} else {
		frag, err := importer.Fragment(added)
		if err != nil {
			return err
		}
		if _, err := env.Stdout.Write(frag); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "imported from %s: %s, %s, %s, %s", res.Source, plural(len(added.Contacts), "contact"),
		plural(len(added.Schedules), "schedule"), plural(len(added.Overrides), "override"), plural(len(added.Escalations), "escalation plan"))
	if *into != "" {
		fmt.Fprintf(env.Stderr, " into %s", *into)
	}
	fmt.Fprintln(env.Stderr)
	if cfg, err := firebreak.ParseConfig(baseFile, merged); err == nil {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(env.Stderr, "warning: %v\n", w)
		}
	}
	left := append(append([]string(nil), res.NotCarried...), notes...)
	if len(left) > 0 {
		fmt.Fprintln(env.Stderr, "could not carry over (or changed on the way):")
		for _, n := range left {
			fmt.Fprintf(env.Stderr, "  - %s\n", n)
		}
	}
	return nil
}

// writeFileAtomic replaces path with data, keeping its mode: a crash leaves the old or
// the new file, never half of one.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".firebreak-import-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
