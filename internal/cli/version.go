package cli

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

var versionCmd = &command{
	name: "version", summary: "print the version of this binary: module version, VCS revision and Go version",
	about: `The module version is the tag the binary was built at (go install MODULE@VERSION, or a checkout
at a tag), else a pseudo-version of the commit, or (devel) for a build without VCS information;
then the revision, its commit time, and "modified" when the checkout had uncommitted changes.`,
	example: "firebreak version",
	run:     runVersion,
}

func runVersion(_ context.Context, env Env, args []string) error {
	fs := newFlags("version", env)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: version takes no arguments", errUsage)
	}
	bi, ok := debug.ReadBuildInfo()
	_, err = fmt.Fprintln(env.Stdout, versionLine(bi, ok))
	return err
}

// versionLine says which build this is, from its build information:
// "firebreak v1.2.3 (revision 0123abcd4567, 2026-11-02T10:00:00Z, modified) go1.26.0".
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "firebreak (unknown version: built without module support)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev[:min(len(rev), 12)])
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if settings["vcs.modified"] == "true" {
		vcs = append(vcs, "modified")
	}
	line := "firebreak " + v
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	if bi.GoVersion != "" {
		line += " " + bi.GoVersion
	}
	return line
}
