package cpu

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/sys"
)

// TestTSCAuxPinned: RDPID, RDTSCP and getcpu(2) agree on a locked thread
// pinned to each CPU in turn, in Linux's layout (node<<12 | cpu).
func TestTSCAuxPinned(t *testing.T) {
	hasRDPID, hasRDTSCP := tscAuxInstructions()
	if !hasRDPID && !hasRDTSCP {
		t.Skip("the CPU has neither RDPID nor RDTSCP")
	}
	if CurrentMethod() == MethodGetcpu {
		// The first-use check found TSC_AUX disagreeing with getcpu (a
		// hypervisor that does not keep it, more than 4096 CPUs): Current
		// uses the system call, and the instructions are not expected
		// to agree.
		t.Skip("TSC_AUX disagrees with getcpu here; Current uses getcpu")
	}
	onEachCPU(t, func(c int) error {
		gc, gn, err := sys.Getcpu()
		if err != nil {
			return err
		}
		if gc != c {
			return fmt.Errorf("getcpu says CPU %d", gc)
		}
		want := uint64(gn)<<12 | uint64(gc)
		if hasRDPID {
			if v := rdpid(); v != want {
				return fmt.Errorf("RDPID = %#x, getcpu: cpu %d node %d (%#x)", v, gc, gn, want)
			}
		}
		if hasRDTSCP {
			if v := rdtscp(); v != want {
				return fmt.Errorf("RDTSCP = %#x, getcpu: cpu %d node %d (%#x)", v, gc, gn, want)
			}
		}
		return nil
	})
}

// TestCurrentEachMethod forces each method Current can use, and the
// first-use choice, and checks the answers on each CPU. The assembly fast
// path tail-calls currentSlow for every method but RDPID.
func TestCurrentEachMethod(t *testing.T) {
	hasRDPID, hasRDTSCP := tscAuxInstructions()
	chosen := CurrentMethod()
	defer method.Store(uint32(chosen))
	methods := []Method{MethodGetcpu}
	if hasRDPID {
		methods = append(methods, MethodRDPID)
	}
	if hasRDTSCP {
		methods = append(methods, MethodRDTSCP)
	}
	for _, m := range methods {
		method.Store(uint32(m))
		onEachCPU(t, func(c int) error {
			cpu, node, err := Current()
			if err != nil {
				return err
			}
			_, gn, _ := sys.Getcpu()
			if cpu != c || node != gn {
				return fmt.Errorf("%v: Current() = %d, %d; want %d, %d", m, cpu, node, c, gn)
			}
			return nil
		})
	}
	// First use: nothing chosen yet; Current chooses, and chooses as
	// before.
	method.Store(0)
	chooseOnce = sync.Once{}
	if _, _, err := Current(); err != nil {
		t.Fatal(err)
	}
	if m := Method(method.Load()); m != chosen {
		t.Errorf("first use chose %v, before %v", m, chosen)
	}
	if hasRDPID && chosen != MethodRDPID {
		t.Logf("the CPU has RDPID but TSC_AUX disagrees with getcpu: %v", chosen)
	}
}

func BenchmarkRDPID(b *testing.B) {
	if has, _ := tscAuxInstructions(); !has {
		b.Skip("the CPU has no RDPID")
	}
	b.ReportAllocs()
	for b.Loop() {
		rdpid()
	}
}

func BenchmarkRDTSCP(b *testing.B) {
	if _, has := tscAuxInstructions(); !has {
		b.Skip("the CPU has no RDTSCP")
	}
	b.ReportAllocs()
	for b.Loop() {
		rdtscp()
	}
}

var sinkCPU int

// BenchmarkCurrentPaired times Current, a bare RDPID and the getcpu(2)
// system call in alternating batches within one loop and reports each
// (current-ns, rdpid-ns, getcpu-ns) and the ratios current/rdpid and
// getcpu/current: on a shared machine the ratios hold where separate
// benchmarks drift.
//
//	go test -run '^$' -bench CurrentPaired -benchtime 1s -count 6 ./cpu
func BenchmarkCurrentPaired(b *testing.B) {
	if has, _ := tscAuxInstructions(); !has {
		b.Skip("the CPU has no RDPID")
	}
	if m := CurrentMethod(); m != MethodRDPID {
		b.Skipf("Current uses %v", m)
	}
	const batch, sysBatch = 256, 16
	var cur, raw, sysc time.Duration
	n, sum := 0, 0
	curBatch := func() {
		start := time.Now()
		for range batch {
			c, _, _ := Current()
			sum += c
		}
		cur += time.Since(start)
	}
	rawBatch := func() {
		start := time.Now()
		for range batch {
			sum += int(rdpid())
		}
		raw += time.Since(start)
	}
	for b.Loop() {
		// The order alternates, so that neither side always runs
		// first after the clock read.
		if n%2 == 0 {
			curBatch()
			rawBatch()
		} else {
			rawBatch()
			curBatch()
		}
		start := time.Now()
		for range sysBatch {
			c, _, _ := sys.Getcpu()
			sum += c
		}
		sysc += time.Since(start)
		n++
	}
	sinkCPU = sum
	b.ReportMetric(float64(cur.Nanoseconds())/float64(n*batch), "current-ns")
	b.ReportMetric(float64(raw.Nanoseconds())/float64(n*batch), "rdpid-ns")
	b.ReportMetric(float64(sysc.Nanoseconds())/float64(n*sysBatch), "getcpu-ns")
	b.ReportMetric(float64(cur)/float64(raw), "current/rdpid")
	b.ReportMetric(float64(sysc)*batch/sysBatch/float64(cur), "getcpu/current")
}
