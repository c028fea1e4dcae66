package lx_test

// TestLayering enforces the layer rules of DESIGN.md section 1 and the
// domain-to-domain edges allowed in docs/architecture.md.

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

const mod = "github.com/lxgo/lx"

type pkg struct {
	ImportPath   string
	Imports      []string
	GoFiles      []string
	TestGoFiles  []string
	XTestGoFiles []string
	Dir          string
}

// layer of each package that is neither a concept package (layer
// conceptLayer, listed in docs/architecture.md) nor a domain package
// (domainLayer: every other public package). Lower numbers are lower
// layers.
var layers = map[string]int{
	"internal/abi":      0,
	"internal/parse":    0,
	"internal/flagtext": 0,
	"internal/sys":      1,
	"kernel":            2,
	"cpuset":            2,
	"internal/feature":  3,
	"internal/poll":     3,
	"internal/thread":   3,
	"internal/pseudofs": 3,
	// concept packages are layer 4, domain packages layer 5
	"cmd/lx": 7,
}

const (
	conceptLayer = 4 // each concept's value types: capability, signal, ns, ...
	domainLayer  = 5 // procfs, pidfd, cgroup, ...: may use every concept package
	cliLayer     = 6 // cmd/lx/internal/...: public packages only
)

// test-only helpers may be imported by tests of any layer but by no
// library code.
var testOnlyRoots = []string{"internal/testutil", "internal/vmtest"}

// isTestOnly reports whether rel is a test helper or lives under one (the
// vmtest matrix command, the guest self-test package).
func isTestOnly(rel string) bool {
	for _, r := range testOnlyRoots {
		if rel == r || strings.HasPrefix(rel, r+"/") {
			return true
		}
	}
	return false
}

// isCLI reports whether rel is the lx command's implementation.
func isCLI(rel string) bool { return strings.HasPrefix(rel, "cmd/lx/internal/") }

func layerOf(rel string, concepts map[string]bool) int {
	if l, ok := layers[rel]; ok {
		return l
	}
	switch {
	case isCLI(rel):
		return cliLayer
	case concepts[rel]:
		return conceptLayer
	}
	return domainLayer
}

// docTable reads the rows of a table of docs/architecture.md between
// "<!-- NAME -->" and "<!-- /NAME -->": the backquoted package names in
// the first cols cells of each row.
func docTable(t *testing.T, name string, cols int) [][]string {
	f, err := os.Open("docs/architecture.md")
	if err != nil {
		t.Fatalf("open architecture doc: %v", err)
	}
	defer f.Close()
	var rows [][]string
	cell := "\\s*`([a-z0-9/]+)`\\s*\\|"
	row := regexp.MustCompile("^\\|" + strings.Repeat(cell, cols))
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.Contains(line, "<!-- "+name+" -->") {
			in = true
			continue
		}
		if in && strings.Contains(line, "<!-- /"+name+" -->") {
			return rows
		}
		if m := row.FindStringSubmatch(line); in && m != nil {
			rows = append(rows, m[1:])
		}
	}
	t.Fatalf("docs/architecture.md has no %q table", name)
	return nil
}

// allowedEdges reads the "edges" table of docs/architecture.md: the
// imports allowed between two concept or two domain packages.
func allowedEdges(t *testing.T) map[[2]string]bool {
	edges := map[[2]string]bool{}
	for _, r := range docTable(t, "edges", 2) {
		edges[[2]string{r[0], r[1]}] = true
	}
	return edges
}

// conceptPackages reads the "concepts" table of docs/architecture.md.
func conceptPackages(t *testing.T) map[string]bool {
	concepts := map[string]bool{}
	for _, r := range docTable(t, "concepts", 1) {
		concepts[r[0]] = true
	}
	return concepts
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	edges := allowedEdges(t)
	concepts := conceptPackages(t)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		if rel == "" {
			continue // the root package holds only this test
		}
		from := layerOf(rel, concepts)
		for _, imp := range p.Imports {
			if imp == "golang.org/x/sys/unix" && rel != "internal/sys" {
				t.Errorf("%s imports x/sys/unix: only internal/sys may", rel)
			}
			if strings.HasPrefix(imp, "golang.org/x/") && imp != "golang.org/x/sys/unix" {
				t.Errorf("%s imports %s: lx depends on x/sys/unix only", rel, imp)
			}
			if !strings.HasPrefix(imp, mod+"/") {
				continue
			}
			to := strings.TrimPrefix(imp, mod+"/")
			toLayer := layerOf(to, concepts)
			switch {
			case isTestOnly(to) && !isTestOnly(rel):
				t.Errorf("%s (library code) imports test helper %s", rel, to)
			case isCLI(rel) && strings.Contains(to+"/", "internal/") && !isCLI(to):
				t.Errorf("%s imports %s: the CLI uses public packages only", rel, to)
			case toLayer > from:
				t.Errorf("%s (layer %d) imports %s (layer %d): arrows point down only", rel, from, to, toLayer)
			case (from == conceptLayer || from == domainLayer) && toLayer == from && !isTestOnly(rel) && !edges[[2]string{rel, to}]:
				t.Errorf("package %s imports %s of its own layer: not an edge in docs/architecture.md", rel, to)
			case from == toLayer && from < conceptLayer && rel != to:
				t.Errorf("%s imports %s from the same layer", rel, to)
			}
		}
		checkUnsafe(t, rel, p)
	}
	if n < 5 {
		t.Fatalf("go list found only %d packages", n)
	}
}

// checkUnsafe: unsafe only in internal/sys, internal/abi and *_unsafe.go.
func checkUnsafe(t *testing.T, rel string, p pkg) {
	if rel == "internal/sys" || rel == "internal/abi" {
		return
	}
	files := append(append(append([]string{}, p.GoFiles...), p.TestGoFiles...), p.XTestGoFiles...)
	for _, f := range files {
		if strings.HasSuffix(f, "_unsafe.go") || strings.HasSuffix(f, "_unsafe_test.go") {
			continue
		}
		b, err := os.ReadFile(p.Dir + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if regexp.MustCompile(`(?m)^\s*(import\s+)?"unsafe"`).Match(b) {
			t.Errorf("%s/%s imports unsafe: only internal/sys, internal/abi and *_unsafe.go may", rel, f)
		}
	}
}
