// Package runbooks holds Firebreak's remediation runbooks: Step Functions Standard
// state machines written in the Amazon States Language (JSONPath), one
// <name>.asl.json file per runbook, embedded in the binary.
//
// Every runbook takes the execution input dispatch passes (incident, event, window,
// runbook), walks the phases triage → diagnose → remediate → verify → document, and
// writes each phase to the incident's timeline through the runbook Lambda (the
// definition substitution ${RunbookFunctionArn}, invoked with lambda:invoke and the
// payload actions record, approve and notify). AWS calls are AWS SDK service
// integrations (arn:aws:states:::aws-sdk:<service>:<apiAction>). Every failure that
// is caught ends the same way: record(document, failed) → notify the owner → Fail.
//
// Definitions are deployed with their ${...} placeholders replaced by
// Substitute (locally) or by CDK's definition substitutions (in the stack).
package runbooks

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

//go:embed *.asl.json
var files embed.FS

const suffix = ".asl.json"

// Definitions returns every runbook definition keyed by runbook name (the file name
// without .asl.json).
func Definitions() (map[string][]byte, error) {
	entries, err := fs.Glob(files, "*"+suffix)
	if err != nil {
		return nil, fmt.Errorf("list runbooks: %w", err)
	}
	defs := make(map[string][]byte, len(entries))
	for _, name := range entries {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read runbook %s: %w", name, err)
		}
		defs[strings.TrimSuffix(name, suffix)] = data
	}
	return defs, nil
}

// Definition returns the definition of the named runbook.
func Definition(name string) ([]byte, error) {
	data, err := files.ReadFile(name + suffix)
	if err == nil {
		return data, nil
	}
	defs, derr := Definitions()
	if derr != nil {
		return nil, fmt.Errorf("runbook %q: %w", name, derr)
	}
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("runbook %q: no definition %s%s (runbooks: %s)", name, name, suffix, strings.Join(names, ", "))
}

var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]*)\}`)

// Substitute replaces the definition substitutions ${Name} in def with vars[Name], as
// Step Functions' DefinitionSubstitutions (CloudFormation, CDK) do, escaping each value
// for the JSON string it lands in (an ARN needs no escaping, so the result is the same).
// It fails when a ${Name} has no value, naming every such placeholder, and when a "${"
// does not start a well-formed placeholder, so that a definition never reaches Step
// Functions, or a local run, with a placeholder left in it.
func Substitute(def []byte, vars map[string]string) ([]byte, error) {
	starts := map[int]bool{}
	for _, loc := range placeholderRE.FindAllIndex(def, -1) {
		starts[loc[0]] = true
	}
	for i := 0; ; {
		j := bytes.Index(def[i:], []byte("${"))
		if j < 0 {
			break
		}
		i += j
		if !starts[i] {
			frag := def[i:min(len(def), i+40)]
			if k := bytes.IndexByte(frag, '}'); k >= 0 {
				frag = frag[:k+1]
			}
			return nil, fmt.Errorf("substitute: unterminated placeholder %q", frag)
		}
		i += 2
	}
	var missing []string
	seen := map[string]bool{}
	out := placeholderRE.ReplaceAllFunc(def, func(m []byte) []byte {
		name := string(placeholderRE.FindSubmatch(m)[1])
		v, ok := vars[name]
		if !ok {
			if !seen[name] {
				seen[name] = true
				missing = append(missing, "${"+name+"}")
			}
			return m
		}
		return jsonStringContent(v)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("substitute: no value for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// jsonStringContent is s encoded as the inside of a JSON string.
func jsonStringContent(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string into a buffer cannot fail
	q := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return q[1 : len(q)-1]
}
