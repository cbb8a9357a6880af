package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
)

func TestValue(t *testing.T) {
	type inner struct{ N int }
	type sev string
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"string", "a\"b", `"a\"b"`},
		{"named string", sev("sev2"), `main.sev("sev2")`},
		{"duration", 90 * time.Second, "90 * time.Second"},
		{"odd duration", 1500 * time.Microsecond, "time.Duration(1500000)"},
		{"bytes", []byte(`{"a":1}`), `[]uint8("{\"a\":1}")`},
		{"empty slice", []string{}, "[]string{}"},
		{"nil slice", []string(nil), "nil"},
		{"any", map[string]any{"b": []any{"x", true, 2.5}, "a": nil}, "map[string]interface {}{\n\"a\": nil,\n\"b\": []interface {}{\n\"x\",\ntrue,\nfloat64(2.5),\n},\n}"},
		{"pointers", struct {
			P *inner
			B *bool
			Z *inner
		}{&inner{3}, new(bool), nil}, "struct { P *main.inner; B *bool; Z *main.inner }{\nP: &main.inner{\nN: 3,\n},\nB: ptr(false),\n}"},
		{"utc", time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC), "time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)"},
		{"offset", time.Date(2026, 3, 1, 22, 0, 0, 0, time.FixedZone("", 7200)), `time.Date(2026, 3, 1, 22, 0, 0, 0, time.FixedZone("", 7200))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := (&writer{imports: map[string]bool{}}).value(reflect.ValueOf(tc.v), "v")
			if err != nil || got != tc.want {
				t.Errorf("value(%#v) = %q, %v; want %q", tc.v, got, err, tc.want)
			}
		})
	}
}

func TestValueErrors(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatalf("no time zone database (Go's own is $GOROOT/lib/time/zoneinfo.zip): %v", err)
	}
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"unexported", struct{ a int }{1}, "v.a: unexported fields"},
		{"int keys", map[int]string{1: "a"}, "v: map keys of int"},
		{"func", func() {}, "v: values of kind func"},
		{"zone", time.Date(2026, 1, 1, 0, 0, 0, 0, berlin), "v: time zone Europe/Berlin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&writer{imports: map[string]bool{}}).value(reflect.ValueOf(tc.v), "v")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("value(%T) = %v; want an error containing %q", tc.v, err, tc.want)
			}
		})
	}
}

// rich exercises what the shipped firebreak.yaml may not: one-off silences with
// offsets, a custom fallback with a title, inhibit rules, grouping, dry-run runbooks.
const rich = `version: 1
defaults: {team: platform, reopen_within: 0s}
teams:
  platform: {email: [oncall@example.com], sms: ["+15555550100"], secondary: backup}
  backup: {name: Backup, email: []}
runbooks:
  fix: {definition: runbooks/ec2-restart.asl.json, dry_run: true}
taxonomy:
  - class: ops.alarm
    match: {"source": ["aws.cloudwatch"], "detail": {"state": {"value": [{"anything-but": ["OK"]}]}, "x": [{"exists": false}]}}
    severity: sev2
    severity_from_source: {HIGH: sev1}
    runbook: fix
    incident: true
    title: "{{.Resource}} broke"
fallback:
  class: misc.unclassified
  severity: info
  incident: false
  title: "{{.Source}} {{index .Attrs \"missing\"}}"
severities:
  sev1: {channels: [email, sms], acknowledge_within: 5m, update_every: 30m, resolve_within: 4h, escalation: [{after: 90s, notify: [secondary], repeat: 2, every: 1h30m}]}
  sev2: {channels: [email], acknowledge_within: 15m, update_every: 1h, resolve_within: 8h}
  sev3: {channels: [email], acknowledge_within: 1h}
  sev4: {channels: []}
silences:
  - id: freeze
    comment: migration
    matchers: {team: platform, tags: {env: prod}}
    starts: 2026-03-01T22:00:00+02:00
    ends: 2026-03-02T06:00:00Z
inhibit:
  - {name: outage, source: {class: "ops.*"}, target: {class: "ops.*"}, equal: [account, "attr:az"]}
grouping: {window: 10m, by: [account, resource_prefix]}
deploy: {intake: {batch_size: 10, batching_window: 0s}}
`

// TestSourceCompiles: the Go source written for a configuration compiles and returns,
// field by field, what parsing the YAML gives.
func TestSourceCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short (testing.Short): builds a program")
	}
	cfg, err := config.Parse("rich.yaml", []byte(rich))
	if err != nil {
		t.Fatalf("Parse(rich) = %v", err)
	}
	src, err := Source(cfg, "main", "compiled")
	if err != nil {
		t.Fatalf("Source = %v", err)
	}
	// The program must be inside the module to import internal/config.
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("testdata", "rich-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove("testdata") // when empty
	defer os.RemoveAll(dir)
	check := `package main

import (
	"fmt"
	"os"
	"reflect"

	"github.com/firebreak-ops/firebreak/internal/config"
)

const rich = ` + "`" + rich + "`" + `

func main() {
	want, err := config.Parse("rich.yaml", []byte(rich))
	if err != nil {
		panic(err)
	}
	got := compiled()
	if got.Taxonomy[0].TitleT != nil || got.Fallback.TitleT != nil {
		fmt.Println("compiled() parsed title templates; want the values alone, Derive left to the caller")
		os.Exit(1)
	}
	if err := got.Derive(); err != nil {
		panic(err)
	}
	g, w := reflect.ValueOf(*got), reflect.ValueOf(*want)
	for i := 0; i < g.NumField(); i++ {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			fmt.Printf("%s: got %#v; want %#v\n", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
	if !reflect.DeepEqual(got, want) {
		os.Exit(1)
	}
}
`
	for name, data := range map[string][]byte{"config_gen.go": src, "main.go": []byte(check)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("go", "run", "./"+filepath.ToSlash(dir)).CombinedOutput(); err != nil {
		t.Errorf("the source written for rich.yaml does not give what Parse gives (%v):\n%s\nsource:\n%s", err, out, src)
	}
}

// TestSourcePlainTitles: the source says whether every title is plain (classify.Plain).
func TestSourcePlainTitles(t *testing.T) {
	for _, tc := range []struct {
		title string
		want  string
	}{
		{`"{{.Resource}} broke"`, "const PlainTitles = true"},
		{`"{{if .Resource}}{{.Resource}} broke{{end}}"`, "const PlainTitles = false"},
	} {
		t.Run(tc.title, func(t *testing.T) {
			cfg, err := config.Parse("rich.yaml", []byte(strings.Replace(rich, `"{{.Resource}} broke"`, tc.title, 1)))
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			src, err := Source(cfg, "main", "compiled")
			if err != nil {
				t.Fatalf("Source = %v", err)
			}
			if !strings.Contains(string(src), tc.want) {
				t.Errorf("Source(title %s) has no %q", tc.title, tc.want)
			}
		})
	}
}
