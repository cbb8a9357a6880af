package runbook

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/asl"
)

// FunctionVariable is the definition substitution naming the runbook task Lambda.
const FunctionVariable = "RunbookFunctionArn"

var placeholderRe = regexp.MustCompile(`\$\{[A-Za-z0-9_]+\}`)

// Compile substitutes the definition variables and parses a runbook; a variable left
// unreplaced is an error naming it.
func Compile(name string, definition []byte, vars map[string]string) (*asl.Machine, error) {
	s := string(definition)
	for k, v := range vars {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		s = strings.ReplaceAll(s, "${"+k+"}", strings.Trim(string(b), `"`))
	}
	if left := placeholderRe.FindAllString(s, -1); len(left) > 0 {
		sort.Strings(left)
		return nil, fmt.Errorf("runbook %s: definition variable %s has no value", name, left[0])
	}
	m, err := asl.Parse([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("runbook %s: %w", name, err)
	}
	return m, nil
}

// CompileLocal compiles every runbook for local runs, with the task Lambda in-process.
func CompileLocal(defs map[string][]byte) (map[string]*asl.Machine, error) {
	out := make(map[string]*asl.Machine, len(defs))
	for name, def := range defs {
		m, err := Compile(name, def, map[string]string{FunctionVariable: LocalFunctionARN})
		if err != nil {
			return nil, err
		}
		out[name] = m
	}
	return out, nil
}

// ParseFixtures decodes dry-run fixtures: {"<Task state>": [{"output": …} | {"error": …, "cause": …}]}.
func ParseFixtures(name string, data []byte) (Fixtures, error) {
	var f Fixtures
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("dry-run fixtures of %s: %w", name, err)
	}
	return f, nil
}
