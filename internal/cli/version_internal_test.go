package cli

import (
	"runtime/debug"
	"testing"
)

func TestVersionLine(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123abcd4567890fedcba"},
		{Key: "vcs.time", Value: "2026-11-02T10:00:00Z"}}
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}}, true, "firebreak v1.2.3 go1.26.0"},
		{"checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: rev}, true,
			"firebreak (devel) (revision 0123abcd4567, 2026-11-02T10:00:00Z) go1.26.0"},
		{"modified checkout", &debug.BuildInfo{GoVersion: "go1.26.0", Settings: append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, true,
			"firebreak (devel) (revision 0123abcd4567, 2026-11-02T10:00:00Z, modified) go1.26.0"},
		{"no build info", nil, false, "firebreak (unknown version: built without module support)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionLine(tc.bi, tc.ok); got != tc.want {
				t.Errorf("versionLine(%s) = %q; want %q", tc.name, got, tc.want)
			}
		})
	}
}
