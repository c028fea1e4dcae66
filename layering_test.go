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

// layer of each non-domain package; domain packages are everything else
// that is public. Lower numbers are lower layers.
var layers = map[string]int{
	"internal/abi":      0,
	"internal/parse":    0,
	"internal/sys":      1,
	"kernel":            2,
	"cpuset":            2,
	"internal/feature":  3,
	"internal/poll":     3,
	"internal/thread":   3,
	"internal/pseudofs": 3,
	// domain packages are layer 4
	"internal/cli": 5,
	"cmd/lx":       6,
}

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

func layerOf(rel string) int {
	if l, ok := layers[rel]; ok {
		return l
	}
	return 4
}

// allowedEdges reads the "domain edges" table of docs/architecture.md:
// lines of the form "| from | to |" after the "<!-- edges -->" marker.
func allowedEdges(t *testing.T) map[[2]string]bool {
	f, err := os.Open("docs/architecture.md")
	if err != nil {
		t.Fatalf("open architecture doc: %v", err)
	}
	defer f.Close()
	edges := map[[2]string]bool{}
	row := regexp.MustCompile("^\\|\\s*`([a-z0-9/]+)`\\s*\\|\\s*`([a-z0-9/]+)`\\s*\\|")
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.Contains(line, "<!-- edges -->") {
			in = true
			continue
		}
		if in && strings.Contains(line, "<!-- /edges -->") {
			break
		}
		if m := row.FindStringSubmatch(line); in && m != nil {
			edges[[2]string{m[1], m[2]}] = true
		}
	}
	return edges
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	edges := allowedEdges(t)
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
		from := layerOf(rel)
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
			switch {
			case isTestOnly(to) && !isTestOnly(rel):
				t.Errorf("%s (library code) imports test helper %s", rel, to)
			case strings.HasPrefix(rel, "internal/cli") && strings.HasPrefix(to, "internal/") && !strings.HasPrefix(to, "internal/cli"):
				t.Errorf("internal/cli imports %s: the CLI uses public packages only", to)
			case layerOf(to) > from:
				t.Errorf("%s (layer %d) imports %s (layer %d): arrows point down only", rel, from, to, layerOf(to))
			case from == 4 && layerOf(to) == 4 && !isTestOnly(rel) && !edges[[2]string{rel, to}]:
				t.Errorf("domain package %s imports domain package %s: not an edge in docs/architecture.md", rel, to)
			case from == layerOf(to) && from < 4 && rel != to:
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
