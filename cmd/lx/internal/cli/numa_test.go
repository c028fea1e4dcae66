package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/numa"
)

// numaFixture is a two-node machine whose node 1 has memory only (a copy
// of the numa package's testdata/6.12-memoryonly, here so that a vmtest
// guest, which gets each package's own testdata only, has it).
const numaFixture = "testdata/numa-memoryonly-6.12"

// numaJSON is what lx numa --json prints, for decoding with unknown
// fields refused.
type numaJSON struct {
	Possible  string      `json:"possible"`
	Online    string      `json:"online"`
	HasMemory string      `json:"has_memory"`
	HasCPU    string      `json:"has_cpu"`
	Nodes     []numa.Node `json:"nodes"`
}

func runNuma(t *testing.T, root string, args ...string) (string, string, int) {
	t.Helper()
	fsys, err := numa.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), &numaCommand{fs: fsys}, args, &Env{Stdout: &out, Stderr: &errOut})
	return out.String(), errOut.String(), code
}

func TestNumaFixture(t *testing.T) {
	out, stderr, code := runNuma(t, numaFixture)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `possible     0-3
online       0-1
with memory  0-1
with CPUs    0

NODE  CPUS  SIZE     FREE
0     0-3   7.8 GiB  5.7 GiB
1     -     16 GiB   16.0 GiB

distances:
NODE  0   1
0     10  20
1     20  10
`
	if out != want {
		t.Errorf("lx numa:\n%s\nwant:\n%s", out, want)
	}
	out, stderr, code = runNuma(t, numaFixture, "--json")
	if code != ExitOK {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var r numaJSON
	if err := decodeOne(out, &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Possible != "0-3" || r.HasCPU != "0" || len(r.Nodes) != 2 || r.Nodes[1].Meminfo.MemTotal != 16777216<<10 ||
		!r.Nodes[1].CPUs.IsEmpty() || r.Nodes[1].Distances[0] != (numa.Distance{Node: 0, Distance: 20}) {
		t.Errorf("lx numa --json = %+v", r)
	}
}

func TestNumaErrors(t *testing.T) {
	if _, stderr, code := runNuma(t, numaFixture, "extra"); code != ExitUsage || !strings.Contains(stderr, "no arguments") {
		t.Errorf("lx numa extra: exit %d, %q", code, stderr)
	}
	_, stderr, code := runNuma(t, t.TempDir())
	if code != ExitError || !strings.Contains(stderr, "possible") {
		t.Errorf("lx numa without node files: exit %d, %q", code, stderr)
	}
}

// TestNumaMatchesNumactl: lx numa --json and numactl --hardware agree on
// this machine: the nodes, their CPUs, their sizes (numactl prints MiB,
// rounded down), their free memory (read a moment apart, so within 64
// MiB) and the distances.
func TestNumaMatchesNumactl(t *testing.T) {
	numactl, err := exec.LookPath("numactl")
	if err != nil {
		t.Skip("no numactl (CI installs it):", err)
	}
	if _, err := numa.Online(); errors.Is(err, fs.ErrNotExist) {
		t.Skip("no NUMA in sysfs:", err)
	}
	hw, err := exec.Command(numactl, "--hardware").Output()
	if err != nil {
		t.Fatalf("numactl --hardware: %v", err)
	}
	out, stderr, code := runLX(t, "numa", "--json")
	if code != ExitOK {
		t.Fatalf("lx numa --json: exit %d: %s", code, stderr)
	}
	var r numaJSON
	if err := decodeOne(out, &r); err != nil {
		t.Fatal(err)
	}
	want := parseNumactl(t, hw)
	if len(r.Nodes) != len(want.nodes) {
		t.Fatalf("lx numa has %d nodes, numactl %d:\n%s", len(r.Nodes), len(want.nodes), hw)
	}
	for i, n := range r.Nodes {
		w := want.nodes[i]
		if n.ID != w.id || strings.Join(numaCPUWords(n), " ") != w.cpus {
			t.Errorf("node %d CPUs %v; numactl: node %d cpus %q", n.ID, n.CPUs, w.id, w.cpus)
		}
		if n.Meminfo.MemTotal>>20 != w.sizeMiB {
			t.Errorf("node %d size %d MiB; numactl %d MiB", n.ID, n.Meminfo.MemTotal>>20, w.sizeMiB)
		}
		if d := int64(n.Meminfo.MemFree>>20) - int64(w.freeMiB); d > 64 || d < -64 {
			t.Errorf("node %d free %d MiB; numactl %d MiB", n.ID, n.Meminfo.MemFree>>20, w.freeMiB)
		}
		for j, d := range n.Distances {
			if d.Distance != want.distances[i][j] {
				t.Errorf("distance %d->%d = %d; numactl %d", n.ID, d.Node, d.Distance, want.distances[i][j])
			}
		}
	}
}

func numaCPUWords(n numa.Node) []string {
	var w []string
	for c := range n.CPUs.All() {
		w = append(w, strconv.Itoa(c))
	}
	return w
}

type numactlHardware struct {
	nodes []struct {
		id               int
		cpus             string
		sizeMiB, freeMiB uint64
	}
	distances [][]int
}

// parseNumactl reads numactl --hardware's output: "node N cpus: ...",
// "node N size: M MB", "node N free: M MB", then the distance matrix
// after "node distances:".
func parseNumactl(t *testing.T, b []byte) numactlHardware {
	t.Helper()
	var h numactlHardware
	inDistances := false
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		line := s.Text()
		f := strings.Fields(line)
		switch {
		case line == "node distances:":
			inDistances = true
		case inDistances && len(f) > 0 && strings.HasSuffix(f[0], ":"):
			var row []int
			for _, v := range f[1:] {
				d, err := strconv.Atoi(v)
				if err != nil {
					t.Fatalf("numactl distance line %q", line)
				}
				row = append(row, d)
			}
			h.distances = append(h.distances, row)
		case len(f) >= 3 && f[0] == "node" && f[2] == "cpus:":
			id, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("numactl line %q", line)
			}
			h.nodes = append(h.nodes, struct {
				id               int
				cpus             string
				sizeMiB, freeMiB uint64
			}{id: id, cpus: strings.Join(f[3:], " ")})
		case len(f) == 5 && f[0] == "node" && (f[2] == "size:" || f[2] == "free:") && len(h.nodes) > 0:
			v, err := strconv.ParseUint(f[3], 10, 64)
			if err != nil {
				t.Fatalf("numactl line %q", line)
			}
			if f[2] == "size:" {
				h.nodes[len(h.nodes)-1].sizeMiB = v
			} else {
				h.nodes[len(h.nodes)-1].freeMiB = v
			}
		}
	}
	if len(h.nodes) == 0 || len(h.distances) != len(h.nodes) {
		t.Fatalf("cannot read numactl --hardware:\n%s", b)
	}
	return h
}
