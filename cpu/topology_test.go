package cpu

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lxgo/lx/cpuset"
)

// row is one CPU's topology in a compact form for the fixture tables.
func row(c Info) string {
	return fmt.Sprintf("cpu%d online=%v node=%d pkg=%d die=%d cluster=%d core=%d threads=%v pkgcpus=%v caches=%v",
		c.CPU, c.Online, c.Node, c.Package, c.Die, c.Cluster, c.Core, c.ThreadSiblings, c.CoreSiblings, c.Caches)
}

func cacheRow(c Cache) string {
	return fmt.Sprintf("%s id=%d size=%d line=%d ways=%d sets=%d cpus=%v", c.Name(), c.ID, c.Size, c.LineSize, c.Ways, c.Sets, c.CPUs)
}

func TestTopologyFixtures(t *testing.T) {
	for _, tc := range []struct {
		root   string
		cpus   []string
		caches []string
	}{
		{
			// Two packages of two cores of two threads, one NUMA node per
			// package, CPU 7 offline: no topology or caches, but its node.
			root: "smt-2socket",
			cpus: []string{
				"cpu0 online=true node=0 pkg=0 die=0 cluster=0 core=0 threads=0,4 pkgcpus=0-1,4-5 caches=[0 1 2 3]",
				"cpu1 online=true node=0 pkg=0 die=0 cluster=8 core=1 threads=1,5 pkgcpus=0-1,4-5 caches=[4 5 6 3]",
				"cpu2 online=true node=1 pkg=1 die=0 cluster=16 core=0 threads=2,6 pkgcpus=2-3,6 caches=[7 8 9 10]",
				"cpu3 online=true node=1 pkg=1 die=0 cluster=24 core=1 threads=3 pkgcpus=2-3,6 caches=[11 12 13 10]",
				"cpu4 online=true node=0 pkg=0 die=0 cluster=0 core=0 threads=0,4 pkgcpus=0-1,4-5 caches=[0 1 2 3]",
				"cpu5 online=true node=0 pkg=0 die=0 cluster=8 core=1 threads=1,5 pkgcpus=0-1,4-5 caches=[4 5 6 3]",
				"cpu6 online=true node=1 pkg=1 die=0 cluster=16 core=0 threads=2,6 pkgcpus=2-3,6 caches=[7 8 9 10]",
				"cpu7 online=false node=1 pkg=-1 die=-1 cluster=-1 core=-1 threads= pkgcpus= caches=[]",
			},
			caches: []string{
				"L1d id=0 size=49152 line=64 ways=12 sets=64 cpus=0,4",
				"L1i id=0 size=32768 line=64 ways=8 sets=64 cpus=0,4",
				"L2 id=0 size=2097152 line=64 ways=16 sets=2048 cpus=0,4",
				"L3 id=0 size=31457280 line=64 ways=12 sets=40960 cpus=0-1,4-5",
				"L1d id=1 size=49152 line=64 ways=12 sets=64 cpus=1,5",
				"L1i id=1 size=32768 line=64 ways=8 sets=64 cpus=1,5",
				"L2 id=1 size=2097152 line=64 ways=16 sets=2048 cpus=1,5",
				"L1d id=2 size=49152 line=64 ways=12 sets=64 cpus=2,6",
				"L1i id=2 size=32768 line=64 ways=8 sets=64 cpus=2,6",
				"L2 id=2 size=2097152 line=64 ways=16 sets=2048 cpus=2,6",
				"L3 id=1 size=31457280 line=64 ways=12 sets=40960 cpus=2-3,6",
				"L1d id=3 size=49152 line=64 ways=12 sets=64 cpus=3",
				"L1i id=3 size=32768 line=64 ways=8 sets=64 cpus=3",
				"L2 id=3 size=2097152 line=64 ways=16 sets=2048 cpus=3",
			},
		},
		{
			// Linux 4.9 without NUMA: no node directory, no cache ids,
			// die_id or cluster_id, and no ways or sets files.
			root: "nonuma-4.9",
			cpus: []string{
				"cpu0 online=true node=-1 pkg=0 die=-1 cluster=-1 core=0 threads=0 pkgcpus=0-1 caches=[0 1]",
				"cpu1 online=true node=-1 pkg=0 die=-1 cluster=-1 core=1 threads=1 pkgcpus=0-1 caches=[2 1]",
			},
			caches: []string{
				"L1d id=-1 size=32768 line=64 ways=0 sets=0 cpus=0",
				"L2 id=-1 size=1048576 line=64 ways=0 sets=0 cpus=0-1",
				"L1d id=-1 size=32768 line=64 ways=0 sets=0 cpus=1",
			},
		},
	} {
		fsys, err := NewFS("testdata/" + tc.root)
		if err != nil {
			t.Fatal(err)
		}
		top, err := fsys.Topology()
		if err != nil {
			t.Fatalf("%s: %v", tc.root, err)
		}
		var got []string
		for _, c := range top.CPUs {
			got = append(got, row(c))
		}
		if g, w := strings.Join(got, "\n"), strings.Join(tc.cpus, "\n"); g != w {
			t.Errorf("%s CPUs:\n%s\nwant:\n%s", tc.root, g, w)
		}
		got = got[:0]
		for _, c := range top.Caches {
			got = append(got, cacheRow(c))
		}
		if g, w := strings.Join(got, "\n"), strings.Join(tc.caches, "\n"); g != w {
			t.Errorf("%s caches:\n%s\nwant:\n%s", tc.root, g, w)
		}
	}
}

func TestTopologySummaryFixture(t *testing.T) {
	fsys, err := NewFS("testdata/smt-2socket")
	if err != nil {
		t.Fatal(err)
	}
	top, err := fsys.Topology()
	if err != nil {
		t.Fatal(err)
	}
	if s, c, th := top.Sockets(), top.Cores(), top.ThreadsPerCore(); s != 2 || c != 4 || th != 2 {
		t.Errorf("sockets, cores, threads per core = %d, %d, %d; want 2, 4, 2", s, c, th)
	}
	if c, ok := top.Cache(3, 3, CacheUnified); !ok || c.ID != 1 {
		t.Errorf("Cache(3, L3) = %+v, %v; want id 1", c, ok)
	}
	if _, ok := top.Cache(7, 1, CacheData); ok {
		t.Error("offline CPU 7 has an L1d cache")
	}
	if _, ok := top.Cache(99, 1, CacheData); ok {
		t.Error("CPU 99 has an L1d cache")
	}
}

func TestListsFixture(t *testing.T) {
	fsys, err := NewFS("testdata/smt-2socket")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		read func() (cpuset.Set, error)
		want string
	}{
		{"offline", fsys.Offline, "7"},
		{"isolated", fsys.Isolated, "3"},
		{"nohz_full", fsys.NohzFull, "3"},
	} {
		got, err := f.read()
		if err != nil || got.String() != f.want {
			t.Errorf("%s = %v, %v; want %s", f.name, got, err, f.want)
		}
	}
	if n, err := fsys.KernelMax(); n != 8191 || err != nil {
		t.Errorf("KernelMax = %d, %v; want 8191", n, err)
	}
	old, err := NewFS("testdata/nonuma-4.9")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.NohzFull(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NohzFull without the file = %v, want fs.ErrNotExist", err)
	}
	if s, err := old.Offline(); err != nil || !s.IsEmpty() {
		t.Errorf("Offline = %v, %v; want empty", s, err)
	}
}

func TestSMTFixtures(t *testing.T) {
	fsys, err := NewFS("testdata/smt-2socket")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := fsys.SMTState(); err != nil || s != (SMT{Control: SMTOn, Active: true}) {
		t.Errorf("SMTState = %+v, %v", s, err)
	}
	old, err := NewFS("testdata/nonuma-4.9")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.SMTState(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SMTState before 4.18 = %v, want fs.ErrNotExist", err)
	}
}

func TestModelFixture(t *testing.T) {
	fsys, err := NewFS("testdata/smt-2socket")
	if err != nil {
		t.Fatal(err)
	}
	m, err := fsys.Model()
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz" || m.Vendor != "GenuineIntel" || !m.Flags.Has("rdpid") || len(m.Flags) != 15 {
		t.Errorf("Model = %+v", m)
	}
	// A tree without /proc has no model.
	single, err := NewFS("testdata/single")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := single.Model(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Model without proc = %v, want fs.ErrNotExist", err)
	}
}

// writeTree writes files (path: content) under a new directory and
// returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		p = filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestTopologyErrors: a malformed value is an error naming the file and
// matching fs.ErrInvalid; the files the kernel may lack are not errors.
func TestTopologyErrors(t *testing.T) {
	const cpu0 = "sys/devices/system/cpu/cpu0/"
	base := func() map[string]string {
		return map[string]string{
			"sys/devices/system/cpu/present":      "0\n",
			"sys/devices/system/cpu/online":       "0\n",
			cpu0 + "topology/core_id":             "0\n",
			cpu0 + "topology/physical_package_id": "0\n",
			cpu0 + "cache/index0/level":           "1\n",
			cpu0 + "cache/index0/type":            "Data\n",
		}
	}
	for _, tc := range []struct {
		file, content string
	}{
		{cpu0 + "topology/core_id", "x\n"},
		{cpu0 + "topology/die_id", "-2\n"},
		{cpu0 + "topology/cluster_id", "4294967296\n"},
		{cpu0 + "topology/thread_siblings_list", "0-\n"},
		{cpu0 + "cache/index0/level", "\n"},
		{cpu0 + "cache/index0/type", "Da ta\n"},
		{cpu0 + "cache/index0/size", "18446744073709551615K\n"},
		{cpu0 + "cache/index0/shared_cpu_list", "zz\n"},
		{"sys/devices/system/node/online", "0\n"}, // node0/cpulist missing is fine...
		{"sys/devices/system/node/node0/cpulist", "0-x\n"},
	} {
		files := base()
		files[tc.file] = tc.content
		if tc.file == "sys/devices/system/node/node0/cpulist" {
			files["sys/devices/system/node/online"] = "0\n"
		}
		fsys, err := NewFS(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		_, err = fsys.Topology()
		if tc.file == "sys/devices/system/node/online" {
			if err != nil {
				t.Errorf("a node without cpulist: %v", err)
			}
			continue
		}
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), tc.file) {
			t.Errorf("%s = %q: Topology() = %v; want fs.ErrInvalid naming the file", tc.file, tc.content, err)
		}
	}
	// The bare minimum: present and online, nothing else.
	fsys, err := NewFS(writeTree(t, map[string]string{"sys/devices/system/cpu/present": "0\n", "sys/devices/system/cpu/online": "0\n"}))
	if err != nil {
		t.Fatal(err)
	}
	top, err := fsys.Topology()
	if err != nil || len(top.CPUs) != 1 || row(top.CPUs[0]) != "cpu0 online=true node=-1 pkg=-1 die=-1 cluster=-1 core=-1 threads= pkgcpus= caches=[]" {
		t.Errorf("Topology of a bare tree = %+v, %v", top, err)
	}
	// Without present, nothing.
	fsys, err = NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Topology(); !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "cpu topology read: ") {
		t.Errorf("Topology of an empty tree = %v, want fs.ErrNotExist", err)
	}
}

// TestTopologyLive reads every topology and cache file of every online
// CPU of this machine one by one and checks that Topology, which reads a
// core's files once for all its threads and a cache's once for all its
// CPUs, gives the same values.
func TestTopologyLive(t *testing.T) {
	top, err := Default().Topology()
	if err != nil {
		t.Fatal(err)
	}
	present, err := Present()
	if err != nil {
		t.Fatal(err)
	}
	if len(top.CPUs) != present.Count() {
		t.Fatalf("%d CPUs, %d present", len(top.CPUs), present.Count())
	}
	dir := "/sys/devices/system/cpu/"
	readID := func(p string) int {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return -1
		}
		if err != nil {
			t.Fatal(err)
		}
		v, err := parseID(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return v
	}
	readList := func(p string) cpuset.Set {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s, err := cpuset.ParseBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range top.CPUs {
		if !c.Online {
			continue
		}
		tdir := fmt.Sprintf("%scpu%d/topology/", dir, c.CPU)
		if _, err := os.Stat(tdir); err != nil {
			t.Skipf("no topology directory: %v", err)
		}
		want := Info{
			CPU: c.CPU, Online: true, Node: c.Node,
			Package: readID(tdir + "physical_package_id"), Die: readID(tdir + "die_id"),
			Cluster: readID(tdir + "cluster_id"), Core: readID(tdir + "core_id"),
			ThreadSiblings: readList(tdir + "thread_siblings_list"), CoreSiblings: readList(tdir + "core_siblings_list"),
			Caches: c.Caches,
		}
		if row(c) != row(want) {
			t.Errorf("Topology: %s\nfiles:    %s", row(c), row(want))
		}
		ents, _ := os.ReadDir(fmt.Sprintf("%scpu%d/cache", dir, c.CPU))
		n := 0
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "index") {
				n++
			}
		}
		if len(c.Caches) != n {
			t.Errorf("cpu%d: %d caches, %d index directories", c.CPU, len(c.Caches), n)
			continue
		}
		for m, idx := range c.Caches {
			cdir := fmt.Sprintf("%scpu%d/cache/index%d/", dir, c.CPU, m)
			got := top.Caches[idx]
			if lvl := readID(cdir + "level"); got.Level != lvl {
				t.Errorf("%s: level %d, Topology says %d", cdir, lvl, got.Level)
			}
			if id := readID(cdir + "id"); got.ID != id {
				t.Errorf("%s: id %d, Topology says %d", cdir, id, got.ID)
			}
			if s := readList(cdir + "shared_cpu_list"); !s.Equal(got.CPUs) {
				t.Errorf("%s: shared_cpu_list %v, Topology says %v", cdir, s, got.CPUs)
			}
			if b, err := os.ReadFile(cdir + "type"); err == nil && strings.TrimSpace(string(b)) != string(got.Type) {
				t.Errorf("%s: type %q, Topology says %q", cdir, b, got.Type)
			}
		}
	}
	// Each CPU's node is the node directory its cpuN/nodeM link names.
	for _, c := range top.CPUs {
		ents, err := os.ReadDir(fmt.Sprintf("%scpu%d", dir, c.CPU))
		if err != nil {
			t.Fatal(err)
		}
		want := -1
		for _, e := range ents {
			var n int
			if _, err := fmt.Sscanf(e.Name(), "node%d", &n); err == nil {
				want = n
			}
		}
		if c.Node != want {
			t.Errorf("cpu%d: node %d, its link says %d", c.CPU, c.Node, want)
		}
	}
}

func BenchmarkTopology(b *testing.B) {
	b.ReportAllocs()
	fsys := Default()
	for b.Loop() {
		if _, err := fsys.Topology(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCPUs(b *testing.B) {
	b.ReportAllocs()
	fsys := Default()
	for b.Loop() {
		if _, err := fsys.CPUs(); err != nil {
			b.Fatal(err)
		}
	}
}

// A cache whose first CPU's shared_cpu_list names a CPU whose own id file
// says another cache (as qemu's guests with one core per socket report
// L3) is two caches: the ids win.
func TestCacheIDOverridesSharedList(t *testing.T) {
	files := map[string]string{
		"sys/devices/system/cpu/possible": "0-1\n",
		"sys/devices/system/cpu/present":  "0-1\n",
		"sys/devices/system/cpu/online":   "0-1\n",
	}
	for cpu, id := range []string{"0", "1"} {
		dir := fmt.Sprintf("sys/devices/system/cpu/cpu%d/cache/index0/", cpu)
		files[dir+"level"] = "3\n"
		files[dir+"type"] = "Unified\n"
		files[dir+"id"] = id + "\n"
		files[dir+"shared_cpu_list"] = "0-1\n"
	}
	fsys, err := NewFS(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	top, err := fsys.Topology()
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Caches) != 2 || top.Caches[top.CPUs[0].Caches[0]].ID != 0 || top.Caches[top.CPUs[1].Caches[0]].ID != 1 {
		t.Fatalf("caches %+v, cpus %+v; want one L3 per CPU, ids 0 and 1", top.Caches, top.CPUs)
	}
}
