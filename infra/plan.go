package infra

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/runbook"
)

// plan is everything the stack is built from, read and checked before any construct is
// made, so that a bad input is a Go error naming the file and what to do, not a jsii
// panic half-way through synthesis.
type plan struct {
	functions []string // functions/<name> to deploy, sorted
	specs     map[string]functionSpec
	rules     []events.Rule  // catalog rules to deploy, in catalog order
	patterns  map[string]any // their patterns, decoded for the template
	runbooks  []runbookPlan  // sorted by name
	retention string         // awslogs.RetentionDays value
}

// runbookPlan is one runbook: its definition and the permissions derived from it.
type runbookPlan struct {
	Name, File    string
	Definition    string
	Permissions   []runbook.Permission
	Substitutions []string // ${Name} placeholders the definition uses, sorted
	// DryRun runbooks run inside the dispatch Lambda (runbooks.<name>.dry_run): dispatch
	// never starts their state machine.
	DryRun bool
	// Callback is set when a Task waits for a task token (.waitForTaskToken): an
	// approval the api resumes with SendTaskSuccess or SendTaskFailure.
	Callback bool
}

// SubstRunbookFunctionArn is the one definition substitution the stack provides to
// runbook definitions: the ARN of the Go task Lambda (functions/runbook).
const SubstRunbookFunctionArn = "RunbookFunctionArn"

// TaskFunction is the functions/ directory of the Go task Lambda runbooks invoke.
const TaskFunction = "runbook"

// APIFunction is the functions/ directory of the API Lambda, which verifies the
// one-click links; RotateFunction rotates the keys that sign them.
const (
	APIFunction    = "api"
	RotateFunction = "rotate"
)

var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z0-9_:]+)\}`)

func newPlan(p Props) (*plan, error) {
	var errs []error
	pl := &plan{specs: functionSpecs}
	if p.specs != nil {
		pl.specs = p.specs
	}
	cfg := p.Config
	if cfg == nil {
		return nil, errors.New("no configuration")
	}

	// Functions: every directory under functions/, each one the stack knows how to wire,
	// each one built.
	fns := p.Functions
	if fns == nil {
		var err error
		if fns, err = functionDirs(p.Root); err != nil {
			return nil, err
		}
	}
	buildDir := p.BuildDir
	if buildDir == "" {
		buildDir = filepath.Join(p.Root, "build")
	}
	var known []string
	for name := range pl.specs {
		known = append(known, name)
	}
	sort.Strings(known)
	var missing []string
	deployed := map[string]bool{}
	for _, fn := range fns {
		deployed[fn] = true
	}
	for _, fn := range fns {
		spec, ok := pl.specs[fn]
		if !ok {
			errs = append(errs, fmt.Errorf("functions/%s: the stack does not know how to wire this Lambda (it knows %s); add its spec and wiring to infra/functions.go", fn, strings.Join(known, ", ")))
			continue
		}
		if _, err := tableAccess(spec.Store); err != nil {
			errs = append(errs, fmt.Errorf("functions/%s: %w", fn, err))
		}
		bootstrap := filepath.Join(buildDir, fn, "bootstrap")
		if st, err := os.Stat(bootstrap); err != nil || st.IsDir() {
			missing = append(missing, bootstrap)
		}
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("missing Lambda build output %s: run `make build` first (make synth and make deploy do)", strings.Join(missing, ", ")))
	}
	pl.functions = append([]string(nil), fns...)
	sort.Strings(pl.functions)
	// The link keys come as a pair: the api verifies links signed with the key ring,
	// and the rotation function keeps the ring.
	if deployed[APIFunction] != deployed[RotateFunction] {
		have, lack := APIFunction, RotateFunction
		if deployed[RotateFunction] {
			have, lack = RotateFunction, APIFunction
		}
		errs = append(errs, fmt.Errorf("functions/%s needs functions/%s: the api verifies one-click links signed with the link-keys secret, which the rotate Lambda rotates; deploy both or neither", have, lack))
	}

	// Rules: the catalog's, filtered by deploy.rules.
	all, err := events.Rules()
	if err != nil {
		errs = append(errs, err)
	}
	want := map[string]bool{}
	for _, r := range cfg.Deploy.Rules {
		want[r] = true
	}
	pl.patterns = map[string]any{}
	for _, r := range all {
		if len(want) > 0 && !want[r.Name] {
			continue
		}
		var p any
		if err := json.Unmarshal(r.Pattern, &p); err != nil {
			errs = append(errs, fmt.Errorf("events/catalog.yaml: rule %s: pattern: %w", r.Name, err))
			continue
		}
		pl.rules = append(pl.rules, r)
		pl.patterns[r.Name] = p
	}
	if len(all) > 0 && len(pl.rules) == 0 {
		errs = append(errs, fmt.Errorf("%s: deploy.rules selects no catalog rule", cfg.File))
	}

	pl.retention, err = retentionDays(cfg.Deploy.LogRetentionDays)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: deploy.log_retention_days: %w", cfg.File, err))
	}

	// Runbooks: each definition read, parsed and its permissions derived.
	hasTask := false
	for _, fn := range fns {
		hasTask = hasTask || fn == TaskFunction
	}
	var names []string
	for name := range cfg.Runbooks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rb := cfg.Runbooks[name]
		rp, err := planRunbook(p.Root, name, rb, hasTask)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pl.runbooks = append(pl.runbooks, rp)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return pl, nil
}

func planRunbook(root, name string, rb *config.Runbook, hasTask bool) (runbookPlan, error) {
	file := rb.Definition
	data, err := os.ReadFile(filepath.Join(root, file))
	if errors.Is(err, fs.ErrNotExist) {
		return runbookPlan{}, fmt.Errorf("runbook %s: its definition %s (runbooks.%s.definition) does not exist", name, file, name)
	}
	if err != nil {
		return runbookPlan{}, fmt.Errorf("runbook %s: read its definition: %w", name, err)
	}
	perms, err := runbook.Permissions(data)
	if err != nil {
		return runbookPlan{}, fmt.Errorf("runbook %s: %s: %w", name, file, err)
	}
	m, err := asl.Parse(data)
	if err != nil { // Permissions parsed it already
		return runbookPlan{}, fmt.Errorf("runbook %s: %s: %w", name, file, err)
	}
	rp := runbookPlan{Name: name, File: file, Definition: string(data), Permissions: perms, DryRun: rb.DryRun}
	for _, res := range m.Resources() {
		rp.Callback = rp.Callback || strings.HasSuffix(res, ".waitForTaskToken")
	}
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(rp.Definition, -1) {
		seen[m[1]] = true
	}
	for s := range seen {
		switch s {
		case SubstRunbookFunctionArn:
			if !hasTask {
				return runbookPlan{}, fmt.Errorf("runbook %s: %s invokes ${%s}, the Go task Lambda, but functions/%s does not exist: add it (and its wiring in infra/functions.go) before deploying this runbook", name, file, s, TaskFunction)
			}
		default:
			return runbookPlan{}, fmt.Errorf("runbook %s: %s uses ${%s}; the stack substitutes only ${%s}", name, file, s, SubstRunbookFunctionArn)
		}
		rp.Substitutions = append(rp.Substitutions, s)
	}
	sort.Strings(rp.Substitutions)
	return rp, nil
}

// functionDirs lists the Lambdas: the directories under functions/ holding a main.go.
func functionDirs(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, fmt.Errorf("list the Lambdas: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); err == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// retentionDays maps a number of days to the CloudWatch Logs retention it names.
func retentionDays(days int) (string, error) {
	values := []struct {
		days int
		name string
	}{
		{1, "ONE_DAY"}, {3, "THREE_DAYS"}, {5, "FIVE_DAYS"}, {7, "ONE_WEEK"}, {14, "TWO_WEEKS"},
		{30, "ONE_MONTH"}, {60, "TWO_MONTHS"}, {90, "THREE_MONTHS"}, {120, "FOUR_MONTHS"},
		{150, "FIVE_MONTHS"}, {180, "SIX_MONTHS"}, {365, "ONE_YEAR"}, {400, "THIRTEEN_MONTHS"},
		{545, "EIGHTEEN_MONTHS"}, {731, "TWO_YEARS"}, {1096, "THREE_YEARS"}, {1827, "FIVE_YEARS"},
		{2192, "SIX_YEARS"}, {2557, "SEVEN_YEARS"}, {2922, "EIGHT_YEARS"}, {3288, "NINE_YEARS"},
		{3653, "TEN_YEARS"},
	}
	var allowed []string
	for _, v := range values {
		if v.days == days {
			return v.name, nil
		}
		allowed = append(allowed, fmt.Sprint(v.days))
	}
	return "", fmt.Errorf("%d is not a CloudWatch Logs retention (%s)", days, strings.Join(allowed, ", "))
}
