package cpu

import (
	"fmt"
	"testing"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// onEachCPU runs check on a locked thread pinned to each CPU of the
// process's affinity in turn, then restores the thread's affinity (or,
// if that fails, lets the runtime discard the thread).
func onEachCPU(t *testing.T, check func(cpu int) error) {
	t.Helper()
	err := thread.Run(func(th *thread.Thread) error {
		old, err := Affinity()
		if err != nil {
			return err
		}
		defer func() {
			if err := SetAffinity(old); err != nil {
				th.Taint()
				t.Errorf("restoring affinity %v: %v", old, err)
			}
		}()
		for c := range old.All() {
			if err := SetAffinity(cpuset.Of(c)); err != nil {
				return err
			}
			if err := check(c); err != nil {
				return fmt.Errorf("pinned to CPU %d: %w", c, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCurrentPinned: on a thread pinned to each CPU in turn, Current
// names that CPU and the node getcpu(2) and the topology give it.
func TestCurrentPinned(t *testing.T) {
	top, err := Default().Topology()
	if err != nil {
		t.Fatal(err)
	}
	nodeOf := map[int]int{}
	for _, c := range top.CPUs {
		nodeOf[c.CPU] = c.Node
	}
	t.Logf("method %v", CurrentMethod())
	onEachCPU(t, func(c int) error {
		cpu, node, err := Current()
		if err != nil {
			return err
		}
		gc, gn, err := sys.Getcpu()
		if err != nil {
			return err
		}
		if cpu != c || gc != c || node != gn {
			return fmt.Errorf("Current() = cpu %d node %d, getcpu = cpu %d node %d", cpu, node, gc, gn)
		}
		if want, ok := nodeOf[c]; ok && want >= 0 && node != want {
			return fmt.Errorf("Current() says node %d, sysfs %d", node, want)
		}
		return nil
	})
}

func TestCurrentMethodStable(t *testing.T) {
	m := CurrentMethod()
	if m != MethodRDPID && m != MethodRDTSCP && m != MethodGetcpu {
		t.Fatalf("CurrentMethod() = %v", m)
	}
	if again := CurrentMethod(); again != m {
		t.Errorf("CurrentMethod() = %v, then %v", m, again)
	}
}

func BenchmarkCurrent(b *testing.B) {
	b.ReportAllocs()
	b.Logf("method %v", CurrentMethod())
	for b.Loop() {
		if _, _, err := Current(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetcpuSyscall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := sys.Getcpu(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCurrentAllocs(t *testing.T) {
	CurrentMethod()
	if n := testing.AllocsPerRun(100, func() { Current() }); n != 0 {
		t.Errorf("Current: %v allocations per call, want 0", n)
	}
}
