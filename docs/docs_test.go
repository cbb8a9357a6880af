package docs

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// repoRoot is the repository, seen from this package's directory (where go test runs).
const repoRoot = ".."

// documents returns README.md and every docs/*.md, as paths relative to the repository.
func documents(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{"README.md"}
	for _, f := range files {
		rel, err := filepath.Rel(repoRoot, f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, filepath.ToSlash(rel))
	}
	return docs
}

func read(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// section returns the part of a Markdown document from heading to the next heading of
// the same level ("" when there is no such heading).
func section(doc, heading string) string {
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		return ""
	}
	s := doc[i+1+len(heading):]
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if j := strings.Index(s, "\n"+level); j >= 0 {
		s = s[:j]
	}
	return s
}

// readmeLimit is what a newcomer reads in ten minutes; depth goes to docs/<topic>.md.
const readmeLimit = 25 * 1024

func TestREADMEIsATenMinuteRead(t *testing.T) {
	if n := len(read(t, "README.md")); n >= readmeLimit {
		t.Errorf("README.md is %d bytes; want under %d: move depth to docs/<topic>.md and link it under ## Where to go next", n, readmeLimit)
	}
}

// TestLayoutListsEveryPackage keeps the README's layout table and internal/ in step:
// every Go package under internal/ has a row, and every internal/ row is a package.
func TestLayoutListsEveryPackage(t *testing.T) {
	layout := section(read(t, "README.md"), "## Layout")
	if layout == "" {
		t.Fatal("README.md has no ## Layout section")
	}
	row := regexp.MustCompile("(?m)^\\| `(internal/[^`]+?)/?` \\|")
	listed := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(layout, -1) {
		listed[m[1]] = true
	}

	packages := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(repoRoot, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".go") {
			return nil
		}
		rel, err := filepath.Rel(repoRoot, filepath.Dir(path))
		if err != nil {
			return err
		}
		packages[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(packages) == 0 {
		t.Fatal("found no Go package under internal/")
	}

	for _, p := range sortedKeys(packages) {
		if !listed[p] {
			t.Errorf("README.md ## Layout has no row for package %s; add | `%s` | what it owns |", p, p)
		}
	}
	for _, p := range sortedKeys(listed) {
		if !packages[p] {
			t.Errorf("README.md ## Layout lists %s, which is not a Go package under internal/; remove or rename the row", p)
		}
	}
}

// link is one relative Markdown link of a document.
type link struct {
	line   int
	target string
}

var (
	linkRE   = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	codeSpan = regexp.MustCompile("`[^`]*`")
)

// linksAndHeadings reads a Markdown document: its relative links (outside code) and the
// anchors of its headings as GitHub makes them.
func linksAndHeadings(doc string) (links []link, anchors map[string]bool) {
	anchors = map[string]bool{}
	seen := map[string]int{}
	fenced := false
	sc := bufio.NewScanner(strings.NewReader(doc))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if strings.HasPrefix(line, "#") {
			text := strings.TrimSpace(strings.TrimLeft(line, "#"))
			a := slug(text)
			if k := seen[a]; k > 0 {
				anchors[fmt.Sprintf("%s-%d", a, k)] = true
			} else {
				anchors[a] = true
			}
			seen[a]++
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links = append(links, link{line: n, target: target})
		}
	}
	return links, anchors
}

// slug is GitHub's anchor for a heading: lower case, spaces to dashes, and every
// character but letters, digits, dashes and underscores dropped.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestLinksResolve: every relative link in README.md and docs/*.md names a file that
// exists and, when it has a #fragment, a heading of that file.
func TestLinksResolve(t *testing.T) {
	docs := documents(t)
	anchors := map[string]map[string]bool{}
	links := map[string][]link{}
	for _, d := range docs {
		links[d], anchors[d] = linksAndHeadings(read(t, d))
	}
	for _, d := range docs {
		t.Run(d, func(t *testing.T) {
			for _, l := range links[d] {
				file, fragment, _ := strings.Cut(l.target, "#")
				target := d
				if file != "" {
					target = filepath.ToSlash(filepath.Join(filepath.Dir(d), file))
					if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(target))); err != nil {
						t.Errorf("%s:%d: link %q: %s does not exist", d, l.line, l.target, target)
						continue
					}
				}
				if fragment == "" {
					continue
				}
				heads, ok := anchors[target]
				if !ok {
					heads = map[string]bool{}
					if strings.HasSuffix(target, ".md") {
						_, heads = linksAndHeadings(read(t, target))
					}
				}
				if !heads[fragment] {
					t.Errorf("%s:%d: link %q: %s has no heading with anchor #%s", d, l.line, l.target, target, fragment)
				}
			}
		})
	}
}

// TestMakeTargets keeps the documents' make commands the Makefile's: every `make X`
// they show as code is a target, and the README names every target `make help` lists.
func TestMakeTargets(t *testing.T) {
	targets := map[string]bool{}
	help := regexp.MustCompile(`(?m)^([a-z-]+):.*## `)
	for _, m := range help.FindAllStringSubmatch(read(t, "Makefile"), -1) {
		targets[m[1]] = true
	}
	if len(targets) == 0 {
		t.Fatal("the Makefile has no target with a ## description (make help lists none)")
	}

	named := regexp.MustCompile("(?m)(?:`|^)make ([a-z][a-z-]*)") // in code: `make X` or a command line
	for _, d := range documents(t) {
		for _, m := range named.FindAllStringSubmatch(read(t, d), -1) {
			if !targets[m[1]] {
				t.Errorf("%s names `make %s`; the Makefile has no such target (make help: %s)", d, m[1], strings.Join(sortedKeys(targets), ", "))
			}
		}
	}

	readme := read(t, "README.md")
	for _, target := range sortedKeys(targets) {
		if !strings.Contains(readme, "`"+target+"`") && !strings.Contains(readme, "make "+target) {
			t.Errorf("README.md does not name the make target %q that `make help` lists", target)
		}
	}
}

// TestRunbookCatalog keeps the runbook catalog of docs/operations.md and firebreak.yaml
// in step: one row per runbook, naming every class that starts it.
func TestRunbookCatalog(t *testing.T) {
	cfg, err := config.Load(filepath.Join(repoRoot, "firebreak.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	catalog := section(read(t, "docs/operations.md"), "## Runbook catalog")
	if catalog == "" {
		t.Fatal("docs/operations.md has no ## Runbook catalog section")
	}
	rows := map[string]string{}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\| ([^|]*) \\|")
	for _, m := range row.FindAllStringSubmatch(catalog, -1) {
		rows[m[1]] = m[2]
	}

	classes := map[string][]string{}
	for _, c := range cfg.Taxonomy {
		if c.Runbook != "" {
			classes[c.Runbook] = append(classes[c.Runbook], c.Class)
		}
	}
	for _, name := range sortedKeys(cfg.Runbooks) {
		t.Run(name, func(t *testing.T) {
			started, ok := rows[name]
			if !ok {
				t.Fatalf("docs/operations.md runbook catalog has no row for runbook %s", name)
			}
			var listed []string
			for _, f := range strings.Split(started, ",") {
				listed = append(listed, strings.Trim(strings.TrimSpace(f), "`"))
			}
			want := classes[name]
			slices.Sort(listed)
			slices.Sort(want)
			if !slices.Equal(listed, want) {
				t.Errorf("runbook catalog row %s starts for %v; want firebreak.yaml's classes %v", name, listed, want)
			}
		})
	}
	for name := range rows {
		if _, ok := cfg.Runbooks[name]; !ok {
			t.Errorf("docs/operations.md runbook catalog lists %s; firebreak.yaml has no such runbook", name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
