package cgroup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/procfs"
)

// The fixtures are real cgroupfs files: testdata/v2-6.1 and v2-6.12 from
// the vmtest guests (a pure v2 hierarchy, a child cgroup "child" with
// every controller), testdata/hybrid-6.18 from this project's hybrid
// hosts (the unified hierarchy holds only hugetlb; v1 memory, cpu,
// cpuacct and pids beside it). testdata/v1-limited is written by hand: a
// v1 cgroup with limits set, cpu and cpuacct mounted together.

// openFixture opens the cgroup p of the fixture tree root.
func openFixture(t *testing.T, root, p string) *Cgroup {
	t.Helper()
	c, err := mustFS(t, root).Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestFixtureMount(t *testing.T) {
	for root, want := range map[string]string{
		"testdata/v2-6.12":     "testdata/v2-6.12/sys/fs/cgroup",
		"testdata/hybrid-6.18": "testdata/hybrid-6.18/sys/fs/cgroup/unified",
	} {
		m, err := mustFS(t, root).UnifiedMount()
		if err != nil || m.Point != want || m.Root != "/" {
			t.Errorf("%s: UnifiedMount = %+v, %v; want %s", root, m, err, want)
		}
	}
	if _, err := mustFS(t, "testdata/v1-limited").UnifiedMount(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("v1 fixture UnifiedMount = %v, want ErrNotExist", err)
	}
	c := openFixture(t, "testdata/v2-6.12", "/child")
	if c.Path() != "/child" || c.Dir() != "testdata/v2-6.12/sys/fs/cgroup/child" || c.String() != "/child" {
		t.Errorf("Path %q Dir %q", c.Path(), c.Dir())
	}
	if c.Mount().Point != "testdata/v2-6.12/sys/fs/cgroup" {
		t.Errorf("Mount = %+v", c.Mount())
	}
	p, err := mustFS(t, "testdata/v2-6.12").OpenProcess(1)
	if err != nil || p.Path() != "/child" {
		t.Fatalf("OpenProcess(1) = %v, %v", p, err)
	}
	p.Close()
	if _, err := mustFS(t, "testdata/v2-6.12").Open("/nochild"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}

// TestFixtureRead reads every file of the guests' child cgroup.
func TestFixtureRead(t *testing.T) {
	for _, k := range []string{"v2-6.1", "v2-6.12"} {
		t.Run(k, func(t *testing.T) {
			c := openFixture(t, "testdata/"+k, "/child")
			check := func(what string, got, want any, err error) {
				t.Helper()
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, %v; want %v", what, got, err, want)
				}
			}
			cs, err := c.Controllers()
			check("Controllers", cs, Controllers{CPUSet, CPU, IO, Memory, HugeTLB, Pids, RDMA, Misc}, err)
			sc, err := c.SubtreeControl()
			check("SubtreeControl", sc, Controllers{}, err)
			typ, err := c.Type()
			check("Type", typ, Domain, err)
			procs, err := c.Procs()
			check("Procs", procs, []int(nil), err)
			st, err := c.State()
			check("State", st, State{}, err)
			md, err := c.MaxDepth()
			check("MaxDepth", md, Unlimited, err)
			stat, err := c.Stat()
			if err != nil || stat.Descendants != 0 || (k == "v2-6.12") != (stat.Subsys[Memory] == 1) {
				t.Errorf("Stat = %+v, %v", stat, err)
			}
			cpuMax, err := c.CPUMax()
			check("CPUMax", cpuMax, CPUMax{UnlimitedQuota, 100 * time.Millisecond}, err)
			w, err := c.CPUWeight()
			check("CPUWeight", w, uint64(100), err)
			nice, err := c.CPUWeightNice()
			check("CPUWeightNice", nice, 0, err)
			idle, err := c.CPUIdle()
			check("CPUIdle", idle, Off, err)
			burst, err := c.CPUMaxBurst()
			check("CPUMaxBurst", burst, time.Duration(0), err)
			cst, err := c.CPUStat()
			check("CPUStat", cst, CPUStat{}, err)
			for name, f := range map[string]func() (Max, error){"min": c.MemoryMin, "low": c.MemoryLow} {
				v, err := f()
				check("memory."+name, v, Max(0), err)
			}
			for name, f := range map[string]func() (Max, error){"high": c.MemoryHigh, "max": c.MemoryMax, "swap.max": c.MemorySwapMax, "zswap.max": c.MemoryZswapMax, "pids.max": c.PidsMax} {
				v, err := f()
				check(name, v, Unlimited, err)
			}
			for name, f := range map[string]func() (uint64, error){"memory.current": c.MemoryCurrent, "memory.peak": c.MemoryPeak, "swap.current": c.MemorySwapCurrent, "zswap.current": c.MemoryZswapCurrent, "pids.current": c.PidsCurrent, "pids.peak": c.PidsPeak} {
				v, err := f()
				check(name, v, uint64(0), err)
			}
			og, err := c.MemoryOOMGroup()
			check("MemoryOOMGroup", og, Off, err)
			me, err := c.MemoryEvents()
			check("MemoryEvents", me, MemoryEvents{}, err)
			me, err = c.MemoryEventsLocal()
			check("MemoryEventsLocal", me, MemoryEvents{}, err)
			ms, err := c.MemoryStat()
			if err != nil || len(ms.Entries) < 40 || ms.Entries[0] != (StatEntry{"anon", 0}) {
				t.Errorf("MemoryStat = %d entries, %v", len(ms.Entries), err)
			}
			pe, err := c.PidsEvents()
			check("PidsEvents", pe, PidsEvents{}, err)
			pl, err := c.PidsEventsLocal()
			if k == "v2-6.1" {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("PidsEventsLocal on 6.1 = %v, want ErrNotExist", err)
				}
			} else {
				check("PidsEventsLocal", pl, PidsEvents{}, err)
			}
			iomax, err := c.IOMax()
			check("IOMax", iomax, []IOLimit(nil), err)
			iost, err := c.IOStat()
			check("IOStat", iost, []IOStat(nil), err)
			iow, err := c.IOWeight()
			check("IOWeight", iow, IOWeight{Default: 100}, err)
			cpus, err := c.CPUSetCPUs()
			check("CPUSetCPUs", cpus.IsEmpty(), true, err)
			eff, err := c.CPUSetCPUsEffective()
			check("CPUSetCPUsEffective", eff.String(), "0-1", err)
			mems, err := c.CPUSetMemsEffective()
			check("CPUSetMemsEffective", mems.String(), "0", err)
			part, err := c.CPUSetPartition()
			check("CPUSetPartition", part, Partition{Type: Member}, err)
			sizes, err := c.HugeTLBSizes()
			check("HugeTLBSizes", sizes, []uint64{2 << 20, 1 << 30}, err)
			hm, err := c.HugeTLBMax(2 << 20)
			check("HugeTLBMax", hm, Unlimited, err)
			he, err := c.HugeTLBEvents(1 << 30)
			check("HugeTLBEvents", he, uint64(0), err)
			for _, r := range []procfs.Resource{procfs.ResourceCPU, procfs.ResourceMemory, procfs.ResourceIO} {
				p, err := c.Pressure(r)
				check(r.String()+".pressure", p, procfs.Pressure{HasSome: true, HasFull: true}, err)
			}
			if _, err := c.Pressure(procfs.ResourceIRQ); !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("irq.pressure (not built in Debian's kernels) = %v, want ErrUnsupported", err)
			}
			kids, err := openFixture(t, "testdata/"+k, "/").Children()
			check("root Children", kids, []string{"child"}, err)
		})
	}
}

// TestFixtureRoot reads the root cgroups' statistics, which have values.
func TestFixtureRoot(t *testing.T) {
	root := openFixture(t, "testdata/v2-6.12", "/")
	cst, err := root.CPUStat()
	want := CPUStat{Usage: 9620 * time.Millisecond, User: 424 * time.Millisecond, System: 9196 * time.Millisecond}
	if err != nil || cst != want {
		t.Errorf("CPUStat = %+v, %v; want %+v", cst, err, want)
	}
	ms, err := root.MemoryStat()
	if err != nil || ms.Anon != 4595712 || ms.File != 7491584 || ms.Shmem != 7491584 || ms.AnonTHP != 4194304 {
		t.Errorf("MemoryStat = %+v, %v", ms, err)
	}
	st, err := root.Stat()
	if err != nil || st.Descendants != 1 || st.Subsys[CPU] != 2 || st.DyingSubsys[Misc] != 0 || len(st.Subsys) != 9 {
		t.Errorf("Stat = %+v, %v", st, err)
	}
	p, err := openFixture(t, "testdata/v2-6.1", "/").Pressure(procfs.ResourceCPU)
	if err != nil || p.Some.Avg10 != 4.18 || p.Some.Total != 1803409*time.Microsecond {
		t.Errorf("Pressure = %+v, %v", p, err)
	}
	h := openFixture(t, "testdata/hybrid-6.18", "/child")
	if m, err := h.HugeTLBMax(2 << 20); err != nil || m != Unlimited {
		t.Errorf("6.18's default hugetlb.2MB.max = %v, %v; want Unlimited", m, err)
	}
	if m, err := h.HugeTLBRsvdMax(1 << 30); err != nil || m != Unlimited {
		t.Errorf("6.18's default hugetlb.1GB.rsvd.max = %v, %v; want Unlimited", m, err)
	}
	if _, err := h.MemoryMax(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("memory.max without the controller = %v, want ErrNotExist", err)
	}
}

// copyTree copies the fixture tree src into a new temporary directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestFixtureWrite runs the setters on a copy of a fixture, where the
// files are plain: each writes the kernel's text, which the test reads
// back from the file.
func TestFixtureWrite(t *testing.T) {
	root := copyTree(t, "testdata/v2-6.12")
	c := openFixture(t, root, "/child")
	file := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(c.Dir(), name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, want string
		set        func() (any, error)
	}{
		{"memory.max", "1048576", func() (any, error) { return c.SetMemoryMax(1 << 20) }},
		{"memory.high", "max", func() (any, error) { return c.SetMemoryHigh(Unlimited) }},
		{"memory.min", "4096", func() (any, error) { return c.SetMemoryMin(4096) }},
		{"memory.low", "8192", func() (any, error) { return c.SetMemoryLow(8192) }},
		{"memory.swap.max", "0", func() (any, error) { return c.SetMemorySwapMax(0) }},
		{"memory.zswap.max", "max", func() (any, error) { return c.SetMemoryZswapMax(Unlimited) }},
		{"memory.oom.group", "1", func() (any, error) { return c.SetMemoryOOMGroup(On) }},
		{"pids.max", "64", func() (any, error) { return c.SetPidsMax(64) }},
		{"cpu.max", "50000 100000", func() (any, error) {
			return c.SetCPUMax(CPUMax{Quota(50 * time.Millisecond), 100 * time.Millisecond})
		}},
		{"cpu.max.burst", "20000", func() (any, error) { return c.SetCPUMaxBurst(20 * time.Millisecond) }},
		{"cpu.weight", "250", func() (any, error) { return c.SetCPUWeight(250) }},
		{"cpu.weight.nice", "-5", func() (any, error) { return c.SetCPUWeightNice(-5) }},
		{"cpu.idle", "1", func() (any, error) { return c.SetCPUIdle(On) }},
		{"cpuset.cpus", "0-1,3\n", func() (any, error) { return c.SetCPUSetCPUs(cpuset.Of(0, 1, 3)) }},
		{"cpuset.mems", "\n", func() (any, error) { return c.SetCPUSetMems(cpuset.Set{}) }},
		{"cpuset.cpus.partition", "root", func() (any, error) { return c.SetCPUSetPartition(Root) }},
		{"io.max", "8:16 rbps=2097152 wbps=max riops=max wiops=120", func() (any, error) {
			return c.SetIOMax(IOLimit{Dev: procfs.Dev{Major: 8, Minor: 16}, RBps: 2 << 20, WBps: Unlimited, RIOPS: Unlimited, WIOPS: 120})
		}},
		{"io.weight", "default 300", func() (any, error) { return c.SetIOWeight(300) }},
		{"hugetlb.2MB.max", "4194304", func() (any, error) { return c.SetHugeTLBMax(2<<20, 4<<20) }},
		{"hugetlb.1GB.rsvd.max", "max", func() (any, error) { return c.SetHugeTLBRsvdMax(1<<30, Unlimited) }},
		{"cgroup.max.depth", "3", func() (any, error) { return c.SetMaxDepth(3) }},
		{"cgroup.max.descendants", "max", func() (any, error) { return c.SetMaxDescendants(Unlimited) }},
		{"cgroup.subtree_control", "+memory +pids -io", func() (any, error) {
			return c.SetSubtreeControl(Controllers{Memory, Pids}, Controllers{IO})
		}},
		{"cgroup.type", "threaded", func() (any, error) { return c.SetType(Threaded) }},
		{"cgroup.procs", "4242", func() (any, error) { return nil, c.MoveProcess(4242) }},
		{"cgroup.threads", "4243", func() (any, error) { return nil, c.MoveThread(4243) }},
		{"memory.reclaim", "1048576", func() (any, error) { return nil, c.MemoryReclaim(1 << 20) }},
		{"cgroup.kill", "1", func() (any, error) { return nil, c.Kill() }},
	} {
		got, err := tc.set()
		if f := file(tc.name); f != tc.want {
			t.Errorf("%s: wrote %q, want %q (result %v, %v)", tc.name, f, tc.want, got, err)
		}
		// Reading back a plain file that holds a write's text works for
		// the files whose write and read forms agree.
		if err != nil && !strings.Contains(err.Error(), "cgroup.subtree_control") && tc.name != "cgroup.type" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if w, err := c.SetIODeviceWeight(procfs.Dev{Major: 8, Minor: 16}, 0); err == nil || file("io.weight") != "8:16 default" {
		t.Errorf("SetIODeviceWeight(0) wrote %q (%v, %v)", file("io.weight"), w, err)
	}
	if _, err := c.SetIODeviceWeight(procfs.Dev{Major: 8, Minor: 16}, 500); file("io.weight") != "8:16 500" {
		t.Errorf("SetIODeviceWeight(500) wrote %q (%v)", file("io.weight"), err)
	}
	// The range checks, before any write.
	for name, err := range map[string]error{
		"cpu.weight 0":        second(c.SetCPUWeight(0)),
		"cpu.weight 10001":    second(c.SetCPUWeight(10001)),
		"cpu.weight.nice 20":  second(c.SetCPUWeightNice(20)),
		"cpu.max period":      second(c.SetCPUMax(CPUMax{UnlimitedQuota, 2 * time.Second})),
		"cpu.max.burst":       second(c.SetCPUMaxBurst(maxCFSRuntime + time.Microsecond)),
		"cpu.max.burst 1ns":   second(c.SetCPUMaxBurst(1)),
		"cpu.idle 2":          second(c.SetCPUIdle(2)),
		"pids.max":            second(c.SetPidsMax(1 << 22)),
		"io.max 0":            second(c.SetIOMax(IOLimit{RBps: 0, WBps: Unlimited, RIOPS: Unlimited, WIOPS: Unlimited})),
		"io.max riops 2^32":   second(c.SetIOMax(IOLimit{RBps: Unlimited, WBps: Unlimited, RIOPS: 1 << 32, WIOPS: Unlimited})),
		"io.weight 0":         second(c.SetIOWeight(0)),
		"io.weight dev 10001": second(c.SetIODeviceWeight(procfs.Dev{}, 10001)),
		"hugetlb size":        second(c.SetHugeTLBMax(3<<20, 1)),
		"partition":           second(c.SetCPUSetPartition(0)),
		"memory.reclaim 0":    c.MemoryReclaim(0),
		"move pid 0":          c.MoveProcess(0),
		"move tid -1":         c.MoveThread(-1),
	} {
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if got := file("cpu.weight"); got != "250" {
		t.Errorf("a refused value reached the file: cpu.weight %q", got)
	}
	// Children, NewChild and Remove on plain directories.
	sub, err := c.NewChild("sub")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if kids, err := c.Children(); err != nil || !slices.Equal(kids, []string{"sub"}) {
		t.Errorf("Children = %v, %v", kids, err)
	}
	if err := sub.Remove(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if kids, err := c.Children(); err != nil || len(kids) != 0 {
		t.Errorf("Children after Remove = %v, %v", kids, err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestFixtureV1(t *testing.T) {
	v, err := mustFS(t, "testdata/v1-limited").V1Of(1)
	if err != nil {
		t.Fatal(err)
	}
	for ctrl, want := range map[string]string{
		"memory": "testdata/v1-limited/sys/fs/cgroup/memory/job", "cpu": "testdata/v1-limited/sys/fs/cgroup/cpu,cpuacct/job",
		"cpuacct": "testdata/v1-limited/sys/fs/cgroup/cpu,cpuacct/job", "pids": "testdata/v1-limited/sys/fs/cgroup/pids/job", "blkio": "",
	} {
		if got := v.Dir(ctrl); got != want {
			t.Errorf("Dir(%s) = %q, want %q", ctrl, got, want)
		}
	}
	check := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	mm, err := v.MemoryMax()
	check("MemoryMax", mm, Max(1<<30), err)
	mc, err := v.MemoryCurrent()
	check("MemoryCurrent", mc, uint64(100<<20), err)
	mp, err := v.MemoryPeak()
	check("MemoryPeak", mp, uint64(200<<20), err)
	sm, err := v.MemorySwapMax()
	check("MemorySwapMax", sm, Max(512<<20), err)
	sc, err := v.MemorySwapCurrent()
	check("MemorySwapCurrent", sc, uint64(10<<20), err)
	me, err := v.MemoryEvents()
	check("MemoryEvents", me, MemoryEvents{Max: 7, OOMKill: 2}, err)
	cm, err := v.CPUMax()
	check("CPUMax", cm, CPUMax{Quota(50 * time.Millisecond), 100 * time.Millisecond}, err)
	sh, err := v.CPUShares()
	check("CPUShares", sh, uint64(512), err)
	cs, err := v.CPUStat()
	check("CPUStat", cs, CPUStat{Usage: 2500 * time.Millisecond, User: 1800 * time.Millisecond, System: 700 * time.Millisecond,
		NrPeriods: 120, NrThrottled: 30, Throttled: 1500 * time.Millisecond}, err)
	pm, err := v.PidsMax()
	check("PidsMax", pm, Max(100), err)
	pc, err := v.PidsCurrent()
	check("PidsCurrent", pc, uint64(5), err)

	// The real hybrid host: no limits, and pids at a cgroup with files.
	h, err := mustFS(t, "testdata/hybrid-6.18").V1Of(4242)
	if err != nil {
		t.Fatal(err)
	}
	hm, err := h.MemoryMax()
	check("hybrid MemoryMax", hm, Unlimited, err)
	hs, err := h.MemorySwapMax()
	check("hybrid MemorySwapMax", hs, Unlimited, err)
	hsc, err := h.MemorySwapCurrent()
	check("hybrid MemorySwapCurrent", hsc, uint64(196956160-196694016), err)
	hc, err := h.CPUMax()
	check("hybrid CPUMax", hc, CPUMax{UnlimitedQuota, 100 * time.Millisecond}, err)
	hp, err := h.PidsMax()
	check("hybrid PidsMax", hp, Unlimited, err)
	hst, err := h.CPUStat()
	if err != nil || hst.Usage != 8911631820791 || hst.User != 772745*procfs.ClockTick {
		t.Errorf("hybrid CPUStat = %+v, %v", hst, err)
	}
	// Not mounted: an error naming the hierarchy.
	if _, err := (V1{}).MemoryMax(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "memory hierarchy") {
		t.Errorf("MemoryMax of an empty view = %v", err)
	}
	if _, err := mustFS(t, "testdata/v2-6.12").V1Of(1); err != nil {
		t.Errorf("V1Of on a pure v2 tree = %v, want an empty view", err)
	}
}
