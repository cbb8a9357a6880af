// Package cfnlint checks synthesized CloudFormation templates with cfn-lint, AWS's
// CloudFormation linter: every resource against the CloudFormation resource schemas,
// IAM action names, intrinsic functions and more. It is a check independent of CDK, whose
// synthesis, assertions and cdk-nag all share CDK's view of what CloudFormation accepts.
//
// Every error or warning fails the check unless the suppression file (infra/cfn-lint.yaml)
// lists it with a reason. `make synth` runs it on cdk.out (infra/cmd/firebreak-cfnlint),
// and the stack tests run it on the templates they synthesize.
package cfnlint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// ErrNotInstalled is returned by Find when no cfn-lint is on the PATH.
var ErrNotInstalled = errors.New("cfn-lint is not installed: pip install cfn-lint (https://github.com/aws-cloudformation/cfn-lint)")

// Finding is one problem cfn-lint reports.
type Finding struct {
	Template string // file name of the template
	Rule     string // e.g. E3002
	Level    string // Error, Warning or Informational
	Resource string // logical id; "" when the finding is not about a resource
	Line     int
	Message  string
}

func (f Finding) String() string {
	where := f.Template
	if f.Line > 0 {
		where += fmt.Sprintf(":%d", f.Line)
	}
	if f.Resource != "" {
		where += " " + f.Resource
	}
	return fmt.Sprintf("%s: %s %s: %s", where, f.Rule, f.Level, f.Message)
}

// Fails reports whether the finding fails the check when nothing suppresses it:
// errors and warnings do, informational findings do not.
func (f Finding) Fails() bool { return f.Level == "Error" || f.Level == "Warning" }

// Suppression accepts the findings of one rule, on resources and in templates whose
// names match the globs (path.Match syntax; empty matches all), for a reason.
type Suppression struct {
	Rule     string `yaml:"rule"`
	Resource string `yaml:"resource"`
	Template string `yaml:"template"`
	Reason   string `yaml:"reason"`
}

// Matches reports whether s accepts f.
func (s Suppression) Matches(f Finding) bool {
	return s.Rule == f.Rule && glob(s.Resource, f.Resource) && glob(s.Template, f.Template)
}

func glob(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

type suppressionFile struct {
	Suppressions []Suppression `yaml:"suppressions"`
}

// LoadSuppressions reads the suppression file strictly: unknown keys are errors, and each
// entry needs a rule and a reason.
func LoadSuppressions(file string) ([]Suppression, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var sf suppressionFile
	doc, err := strictyaml.Decode(file, data, &sf)
	if err != nil {
		return nil, err
	}
	var errs strictyaml.Errors
	for i, s := range sf.Suppressions {
		key := fmt.Sprintf("suppressions[%d]", i)
		if strings.TrimSpace(s.Rule) == "" {
			errs = append(errs, doc.Errorf(key+".rule", "missing: the cfn-lint rule id, e.g. W3005"))
		}
		if strings.TrimSpace(s.Reason) == "" {
			errs = append(errs, doc.Errorf(key+".reason", "missing: say why the finding is acceptable"))
		}
		for _, g := range []struct{ name, v string }{{"resource", s.Resource}, {"template", s.Template}} {
			if _, err := path.Match(g.v, ""); err != nil {
				errs = append(errs, doc.Errorf(key+"."+g.name, "%q is not a valid glob: %v", g.v, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return sf.Suppressions, nil
}

// Find returns the cfn-lint executable on the PATH.
func Find() (string, error) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		return "", ErrNotInstalled
	}
	return bin, nil
}

// Templates returns the CloudFormation templates CDK wrote to an assembly directory
// (cdk.out): every *.template.json, sorted.
func Templates(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.template.json in %s: synthesize first (make synth)", dir)
	}
	sort.Strings(files)
	return files, nil
}

// report is one entry of `cfn-lint --format json`.
type report struct {
	Filename string `json:"Filename"`
	Level    string `json:"Level"`
	Message  string `json:"Message"`
	Location struct {
		Path  []any `json:"Path"`
		Start struct {
			LineNumber int `json:"LineNumber"`
		} `json:"Start"`
	} `json:"Location"`
	Rule struct {
		ID string `json:"Id"`
	} `json:"Rule"`
}

// Lint runs cfn-lint on the templates and returns what it found.
func Lint(ctx context.Context, bin string, templates []string) ([]Finding, error) {
	args := append([]string{"--format", "json", "--non-zero-exit-code", "none", "--"}, templates...)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("cfn-lint: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var reports []report
	if err := json.Unmarshal(stdout.Bytes(), &reports); err != nil {
		return nil, fmt.Errorf("cfn-lint: read its JSON report: %w (stderr: %s)", err, strings.TrimSpace(stderr.String()))
	}
	out := make([]Finding, 0, len(reports))
	for _, r := range reports {
		f := Finding{Template: filepath.Base(r.Filename), Rule: r.Rule.ID, Level: r.Level,
			Line: r.Location.Start.LineNumber, Message: r.Message}
		if p := r.Location.Path; len(p) >= 2 && p[0] == "Resources" {
			f.Resource, _ = p[1].(string)
		}
		out = append(out, f)
	}
	return out, nil
}

// Result is the outcome of a check.
type Result struct {
	Failures   []Finding     // errors and warnings no suppression accepts
	Suppressed []Finding     // findings a suppression accepts
	Unused     []Suppression // suppressions that accepted nothing
}

// Judge sorts findings into failures and suppressed ones.
func Judge(findings []Finding, suppressions []Suppression) Result {
	var r Result
	used := make([]bool, len(suppressions))
	for _, f := range findings {
		accepted := false
		for i, s := range suppressions {
			if s.Matches(f) {
				used[i], accepted = true, true
			}
		}
		switch {
		case accepted:
			r.Suppressed = append(r.Suppressed, f)
		case f.Fails():
			r.Failures = append(r.Failures, f)
		}
	}
	for i, s := range suppressions {
		if !used[i] {
			r.Unused = append(r.Unused, s)
		}
	}
	return r
}

// Check lints the templates with the cfn-lint at bin and judges the findings against
// the suppressions.
func Check(ctx context.Context, bin string, templates []string, suppressions []Suppression) (Result, error) {
	findings, err := Lint(ctx, bin, templates)
	if err != nil {
		return Result{}, err
	}
	return Judge(findings, suppressions), nil
}
