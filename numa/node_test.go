package numa

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/cpuset"
)

func TestNodeFixtures(t *testing.T) {
	for _, tc := range []struct {
		root                                  string
		possible, online, memory, normal, cpu string
		cpus                                  []string
		distances                             [][]Distance
		total, free                           []uint64
	}{
		{
			root: "6.18-single", possible: "0", online: "0", memory: "0", normal: "0", cpu: "0",
			cpus:      []string{"0-1"},
			distances: [][]Distance{{{0, 10}}},
			total:     []uint64{24731408 << 10},
			free:      []uint64{22103248 << 10},
		},
		{
			root: "6.12-two", possible: "0-1", online: "0-1", memory: "0-1", normal: "0-1", cpu: "0-1",
			cpus:      []string{"0", "1"},
			distances: [][]Distance{{{0, 10}, {1, 20}}, {{0, 20}, {1, 10}}},
			total:     []uint64{490260 << 10, 516096 << 10},
			free:      []uint64{312440 << 10, 401000 << 10},
		},
		{
			// Node 1 is memory only (a CXL expander): no CPUs, only
			// movable memory. Possible nodes exceed the online ones.
			root: "6.12-memoryonly", possible: "0-3", online: "0-1", memory: "0-1", normal: "0", cpu: "0",
			cpus:      []string{"0-3", ""},
			distances: [][]Distance{{{0, 10}, {1, 20}}, {{0, 20}, {1, 10}}},
			total:     []uint64{8155000 << 10, 16777216 << 10},
			free:      []uint64{6000000 << 10, 16777000 << 10},
		},
	} {
		t.Run(tc.root, func(t *testing.T) {
			fsys, err := NewFS("testdata/" + tc.root)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name string
				read func() (cpuset.Set, error)
				want string
			}{
				{"possible", fsys.Possible, tc.possible},
				{"online", fsys.Online, tc.online},
				{"has_memory", fsys.HasMemory, tc.memory},
				{"has_normal_memory", fsys.HasNormalMemory, tc.normal},
				{"has_cpu", fsys.HasCPU, tc.cpu},
			} {
				got, err := f.read()
				if err != nil {
					t.Fatalf("%s: %v", f.name, err)
				}
				if got.String() != f.want {
					t.Errorf("%s = %q, want %q", f.name, got, f.want)
				}
			}
			nodes, err := fsys.Nodes()
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != len(tc.cpus) {
				t.Fatalf("%d nodes, want %d", len(nodes), len(tc.cpus))
			}
			for i, n := range nodes {
				if n.ID != i {
					t.Errorf("node %d has ID %d", i, n.ID)
				}
				if n.CPUs.String() != tc.cpus[i] {
					t.Errorf("node %d CPUs %q, want %q", i, n.CPUs, tc.cpus[i])
				}
				if !equalDistances(n.Distances, tc.distances[i]) {
					t.Errorf("node %d distances %v, want %v", i, n.Distances, tc.distances[i])
				}
				if n.Meminfo.MemTotal != tc.total[i] || n.Meminfo.MemFree != tc.free[i] {
					t.Errorf("node %d MemTotal %d MemFree %d, want %d %d", i, n.Meminfo.MemTotal, n.Meminfo.MemFree, tc.total[i], tc.free[i])
				}
				st, err := fsys.NodeNumastat(i)
				if err != nil {
					t.Fatal(err)
				}
				if st.Hit == 0 || st.LocalNode == 0 {
					t.Errorf("node %d numastat %+v: no hits", i, st)
				}
				vm, err := fsys.NodeVmstat(i)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := vm.Get("nr_free_pages"); !ok {
					t.Errorf("node %d vmstat lacks nr_free_pages: %v", i, vm)
				}
			}
		})
	}
}

func equalDistances(a, b []Distance) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNodeFixtureValues checks every field of one meminfo and numastat.
func TestNodeFixtureValues(t *testing.T) {
	fsys, err := NewFS("testdata/6.12-two")
	if err != nil {
		t.Fatal(err)
	}
	st, err := fsys.NodeNumastat(1)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Numastat{Hit: 1001, Miss: 12, Foreign: 34, InterleaveHit: 56, LocalNode: 901, OtherNode: 78}); st != want {
		t.Errorf("numastat = %+v, want %+v", st, want)
	}
	m, err := NewFS("testdata/6.18-single")
	if err != nil {
		t.Fatal(err)
	}
	mi, err := m.NodeMeminfo(0)
	if err != nil {
		t.Fatal(err)
	}
	if mi.ActiveFile != 931664<<10 || mi.FileHugePages != 4096<<10 || mi.SReclaimable != 352808<<10 || mi.HugePagesTotal != 0 {
		t.Errorf("meminfo = %+v", mi)
	}
}

func TestNodeErrors(t *testing.T) {
	fsys, err := NewFS("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	var pe *ParseError
	if _, err := fsys.Online(); !errors.As(err, &pe) || !strings.HasSuffix(pe.Path, "node/online") {
		t.Errorf("Online = %v, want a *ParseError naming the file", err)
	}
	if _, err := fsys.NodeDistances(0); err == nil || !strings.Contains(err.Error(), "online") {
		t.Errorf("NodeDistances with a bad online file = %v", err)
	}
	if _, err := fsys.distances(0, cpuset.Of(0, 1)); !errors.As(err, &pe) || !strings.Contains(err.Error(), "distance above 255") {
		t.Errorf("distances = %v, want distance above 255", err)
	}
	if _, err := fsys.NodeMeminfo(0); !errors.As(err, &pe) || pe.Key != "MemFree" || pe.Line != 2 {
		t.Errorf("NodeMeminfo = %v, want a *ParseError at MemFree, line 2", err)
	}
	if _, err := fsys.NodeNumastat(0); !errors.As(err, &pe) || pe.Key != "numa_hit" {
		t.Errorf("NodeNumastat = %v, want a *ParseError at numa_hit", err)
	}
	if _, err := fsys.NodeVmstat(0); !errors.As(err, &pe) || pe.Line != 2 {
		t.Errorf("NodeVmstat = %v, want a repeated-counter error at line 2", err)
	}
	// A node that does not exist, and numbers no kernel has.
	if _, err := fsys.NodeCPUs(7); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "node7") {
		t.Errorf("NodeCPUs(7) = %v, want fs.ErrNotExist naming node7", err)
	}
	for _, n := range []int{-1, MaxNode + 1} {
		for name, read := range map[string]func(int) error{
			"cpus":      func(n int) error { _, err := fsys.NodeCPUs(n); return err },
			"distances": func(n int) error { _, err := fsys.NodeDistances(n); return err },
			"meminfo":   func(n int) error { _, err := fsys.NodeMeminfo(n); return err },
			"numastat":  func(n int) error { _, err := fsys.NodeNumastat(n); return err },
			"vmstat":    func(n int) error { _, err := fsys.NodeVmstat(n); return err },
		} {
			err := read(n)
			if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "node "+strconv.Itoa(n)) {
				t.Errorf("%s(%d) = %v, want fs.ErrInvalid naming the node", name, n, err)
			}
		}
	}
	if _, err := NewFS("testdata/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS(missing) = %v", err)
	}
}

func TestParseDistance(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  bool
	}{
		{"10\n", []int{10}, false},
		{"10 20 30\n", []int{10, 20, 30}, false},
		{"10 255", []int{10, 255}, false},
		{"10 256\n", nil, true},
		{"", nil, true},
		{"\n", nil, true},
		{"10 x\n", nil, true},
		{"10\n20\n", nil, true},
		{"-1\n", nil, true},
	} {
		got, err := parseDistance([]byte(tc.in))
		if (err != nil) != tc.err || len(got) != len(tc.want) {
			t.Errorf("parseDistance(%q) = %v, %v", tc.in, got, err)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("parseDistance(%q) = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}

func TestParseMeminfo(t *testing.T) {
	for _, tc := range []struct {
		in   string
		node int
		want Meminfo
		err  string
	}{
		{"Node 0 MemTotal:       4 kB\nNode 0 HugePages_Total:     3\n", 0, Meminfo{MemTotal: 4096, HugePagesTotal: 3}, ""},
		{"Node 12 Active(anon):   1 kB\nNode 12 Inactive(file): 2 kB\n", 12, Meminfo{ActiveAnon: 1024, InactiveFile: 2048}, ""},
		{"Node 0 NewThing:   1 kB\n\n", 0, Meminfo{}, ""},
		{"", 0, Meminfo{}, ""},
		{"Node 1 MemTotal: 4 kB\n", 0, Meminfo{}, "another node"},
		{"Nod 0 MemTotal: 4 kB\n", 0, Meminfo{}, "Node"},
		{"Node x MemTotal: 4 kB\n", 0, Meminfo{}, "invalid syntax"},
		{"Node 0 MemTotal 4 kB\n", 0, Meminfo{}, "no key"},
		{"Node 0 MemTotal: 18014398509481984 kB\n", 0, Meminfo{}, "out of range"},
		{"Node 0 HugePages_Free: 1 kB\n", 0, Meminfo{}, "invalid syntax"},
	} {
		var m Meminfo
		err := parseMeminfo([]byte(tc.in), tc.node, &m)
		if tc.err == "" {
			if err != nil || m != tc.want {
				t.Errorf("parseMeminfo(%q) = %+v, %v; want %+v", tc.in, m, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("parseMeminfo(%q) = %v, want an error containing %q", tc.in, err, tc.err)
		}
	}
}

func TestParseCounters(t *testing.T) {
	var s Numastat
	if err := parseNumastat([]byte("numa_hit 5\nnew_counter 7\nother_node 9\n"), &s); err != nil || s != (Numastat{Hit: 5, OtherNode: 9}) {
		t.Errorf("parseNumastat = %+v, %v", s, err)
	}
	for _, bad := range []string{"numa_hit\n", "numa_hit 1 2\n", "numa_hit -1\n", "numa_hit 18446744073709551616\n"} {
		if err := parseNumastat([]byte(bad), &s); err == nil {
			t.Errorf("parseNumastat(%q) succeeded", bad)
		}
	}
	v, err := parseVmstat([]byte("a 1\nb 2\n"))
	if err != nil || len(v) != 2 || v[1] != (Counter{"b", 2}) {
		t.Errorf("parseVmstat = %v, %v", v, err)
	}
	if x, ok := v.Get("a"); !ok || x != 1 {
		t.Errorf("Get(a) = %d, %v", x, ok)
	}
	if _, ok := v.Get("c"); ok {
		t.Error("Get(c) found a counter")
	}
	if _, err := parseVmstat([]byte("a 1\na 2\n")); err == nil {
		t.Error("parseVmstat accepted a repeated counter")
	}
}

func TestParseNodeList(t *testing.T) {
	if s, err := parseNodeList([]byte("0-1,3\n")); err != nil || s.String() != "0-1,3" {
		t.Errorf("parseNodeList = %v, %v", s, err)
	}
	if _, err := parseNodeList([]byte("1024\n")); err == nil {
		t.Error("parseNodeList accepted node 1024")
	}
}

// TestLiveNodes: this machine's files parse, and agree with each other.
func TestLiveNodes(t *testing.T) {
	online, err := Online()
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no NUMA in sysfs (a kernel without CONFIG_NUMA): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	possible, err := Possible()
	if err != nil {
		t.Fatal(err)
	}
	if !online.Difference(possible).IsEmpty() {
		t.Errorf("online %v not within possible %v", online, possible)
	}
	nodes, err := Nodes()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Meminfo.MemTotal == 0 && n.CPUs.IsEmpty() {
			t.Errorf("node %d has neither memory nor CPUs", n.ID)
		}
		for _, d := range n.Distances {
			if d.Node == n.ID && d.Distance != 10 {
				t.Errorf("node %d distance to itself %d", n.ID, d.Distance)
			}
		}
		if _, err := NodeNumastat(n.ID); err != nil {
			t.Error(err)
		}
		if v, err := NodeVmstat(n.ID); err != nil || len(v) == 0 {
			t.Errorf("NodeVmstat(%d) = %d counters, %v", n.ID, len(v), err)
		}
	}
	for _, read := range []func() (cpuset.Set, error){HasMemory, HasNormalMemory, HasCPU} {
		if s, err := read(); err != nil || !s.Difference(online).IsEmpty() {
			t.Errorf("node state %v, %v: not within online %v", s, err, online)
		}
	}
}
