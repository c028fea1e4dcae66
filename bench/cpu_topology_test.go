package bench

import (
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/lxgo/lx/cpu"
	"github.com/prometheus/procfs/sysfs"
)

// cpuTopo is the topology both libraries report for one CPU, typed as a
// program uses it: prometheus/procfs returns strings, which its users
// convert (node_exporter and others: strconv on the ids, a CPU list
// parser on the sibling lists).
type cpuTopo struct {
	CPU, Package, Core int
	Online             bool
	Threads, Siblings  []int
}

// topoInputs are the sysfs trees compared: this machine's, and a
// fixture of two sockets, two cores each with two threads, one CPU
// offline (cpu/testdata/smt-2socket), where lx reads a core's files once
// for both its threads.
var topoInputs = []struct{ name, root string }{
	{"host", "/"},
	{"smt2socket", "../cpu/testdata/smt-2socket"},
}

// promTopology reads the topology as prometheus/procfs's users do:
// fs.CPUs() (a glob of cpu[0-9]*), then per CPU Topology() (a stat and
// four reads) and Online() (a CPU without an online file, CPU 0 on x86,
// cannot be taken offline: online; an offline CPU has no topology
// directory), the ids through strconv and the lists through the usual
// hand-rolled parser (handrolled, cpuset_test.go).
func promTopology(pfs sysfs.FS) ([]cpuTopo, error) {
	cpus, err := pfs.CPUs()
	if err != nil {
		return nil, err
	}
	out := make([]cpuTopo, 0, len(cpus))
	for _, c := range cpus {
		n, err := strconv.Atoi(c.Number())
		if err != nil {
			return nil, err
		}
		t := cpuTopo{CPU: n, Package: -1, Core: -1}
		online, err := c.Online()
		if errors.Is(err, fs.ErrNotExist) {
			online, err = true, nil
		}
		if err != nil {
			return nil, err
		}
		t.Online = online
		topo, err := c.Topology()
		if errors.Is(err, fs.ErrNotExist) {
			out = append(out, t)
			continue
		}
		if err != nil {
			return nil, err
		}
		if t.Core, err = strconv.Atoi(topo.CoreID); err != nil {
			return nil, err
		}
		if t.Package, err = strconv.Atoi(topo.PhysicalPackageID); err != nil {
			return nil, err
		}
		if t.Threads, err = handrolled([]byte(topo.ThreadSiblingsList)); err != nil {
			return nil, err
		}
		if t.Siblings, err = handrolled([]byte(topo.CoreSiblingsList)); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b cpuTopo) int { return a.CPU - b.CPU })
	return out, nil
}

// lxTopology is the same from lx's cpu.FS.CPUs, which also reads each
// CPU's die, cluster and NUMA node.
func lxTopology(fsys cpu.FS) ([]cpuTopo, error) {
	infos, err := fsys.CPUs()
	if err != nil {
		return nil, err
	}
	out := make([]cpuTopo, 0, len(infos))
	for _, c := range infos {
		out = append(out, cpuTopo{
			CPU: c.CPU, Package: c.Package, Core: c.Core, Online: c.Online,
			Threads: slices.Collect(c.ThreadSiblings.All()), Siblings: slices.Collect(c.CoreSiblings.All()),
		})
	}
	return out, nil
}

func topoFS(tb testing.TB, root string) (cpu.FS, sysfs.FS) {
	lfs, err := cpu.NewFS(root)
	if err != nil {
		tb.Fatal(err)
	}
	pfs, err := sysfs.NewFS(root + "/sys")
	if err != nil {
		tb.Fatal(err)
	}
	return lfs, pfs
}

// BenchmarkCPUTopology discovers the CPU topology: lx's cpu.FS.CPUs
// against prometheus/procfs's sysfs CPUs/Topology/Online, answer-checked
// by TestCPUTopologyAgrees. impl=lx-caches is lx's full cpu.FS.Topology,
// which reads every cache as well (prometheus/procfs has no cache
// reader).
func BenchmarkCPUTopology(b *testing.B) {
	for _, in := range topoInputs {
		lfs, pfs := topoFS(b, in.root)
		b.Run("input="+in.name+"/impl=lx", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lfs.CPUs(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("input="+in.name+"/impl=lx-caches", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lfs.Topology(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("input="+in.name+"/impl=procfs", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := promTopology(pfs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCPUTopologyAgrees checks that lx and prometheus/procfs report the
// same CPUs, online state, package and core ids and sibling lists on each
// benchmark input.
func TestCPUTopologyAgrees(t *testing.T) {
	for _, in := range topoInputs {
		lfs, pfs := topoFS(t, in.root)
		want, err := promTopology(pfs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := lxTopology(lfs)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%s: lx has %d CPUs, procfs %d", in.name, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.CPU != w.CPU || g.Online != w.Online || g.Package != w.Package || g.Core != w.Core ||
				!slices.Equal(g.Threads, w.Threads) || !slices.Equal(g.Siblings, w.Siblings) {
				t.Errorf("%s: lx %+v, procfs %+v", in.name, g, w)
			}
		}
	}
}

// BenchmarkCPUTopologyPaired times lx's cpu.FS.CPUs and the
// prometheus/procfs reading alternately in one loop (the order swapping
// every iteration) and reports both (lx-ns, procfs-ns) and procfs/lx:
// on a shared machine the ratio holds where separate sub-benchmarks
// drift. The answers are those TestCPUTopologyAgrees compares.
func BenchmarkCPUTopologyPaired(b *testing.B) {
	for _, in := range topoInputs {
		lfs, pfs := topoFS(b, in.root)
		b.Run("input="+in.name, func(b *testing.B) {
			var lxT, prT time.Duration
			lx := func() {
				start := time.Now()
				if _, err := lfs.CPUs(); err != nil {
					b.Fatal(err)
				}
				lxT += time.Since(start)
			}
			pr := func() {
				start := time.Now()
				if _, err := promTopology(pfs); err != nil {
					b.Fatal(err)
				}
				prT += time.Since(start)
			}
			i := 0
			for b.Loop() {
				if i++; i%2 == 0 {
					lx()
					pr()
				} else {
					pr()
					lx()
				}
			}
			b.ReportMetric(float64(lxT.Nanoseconds())/float64(i), "lx-ns")
			b.ReportMetric(float64(prT.Nanoseconds())/float64(i), "procfs-ns")
			b.ReportMetric(float64(prT)/float64(lxT), "procfs/lx")
		})
	}
}
