package cpu

import (
	"sync"
	"sync/atomic"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// Implemented in current_amd64.s.
func rdpid() uint64
func rdtscp() uint64

// method is the Method Current uses, 0 until the first use has chosen.
var (
	method     atomic.Uint32
	chooseOnce sync.Once
)

// current is Current: its RDPID case in assembly, one call with
// nothing but the instruction in it; the other cases in currentSlow.
func current() (cpu, node int, err error)

// currentSlow is current when the method is not MethodRDPID, or not yet
// chosen; current (assembly) tail-calls it. Only assembly calls it: the
// blank reference tells staticcheck it is used.
var _ = currentSlow

func currentSlow() (cpu, node int, err error) {
	switch Method(method.Load()) {
	case MethodRDPID:
		v := rdpid()
		return int(v & 0xfff), int(v >> 12), nil
	case MethodRDTSCP:
		v := rdtscp()
		return int(v & 0xfff), int(v >> 12), nil
	case MethodGetcpu:
		return getcpu()
	}
	chooseOnce.Do(func() { method.Store(uint32(choose())) })
	return currentSlow()
}

func currentMethod() Method {
	chooseOnce.Do(func() { method.Store(uint32(choose())) })
	return Method(method.Load())
}

// tscAuxInstructions reports whether the CPU has RDPID (CPUID leaf 7,
// ECX bit 22) and RDTSCP (leaf 0x80000001, EDX bit 27).
func tscAuxInstructions() (hasRDPID, hasRDTSCP bool) {
	if maxLeaf, _, _, _ := sys.CPUID(0, 0); maxLeaf >= 7 {
		_, _, ecx, _ := sys.CPUID(7, 0)
		hasRDPID = ecx&(1<<22) != 0
	}
	if maxExt, _, _, _ := sys.CPUID(0x80000000, 0); maxExt >= 0x80000001 {
		_, _, _, edx := sys.CPUID(0x80000001, 0)
		hasRDTSCP = edx&(1<<27) != 0
	}
	return hasRDPID, hasRDTSCP
}

// choose picks Current's method: the fastest instruction whose TSC_AUX
// agrees with getcpu(2), else getcpu(2).
func choose() Method {
	hasRDPID, hasRDTSCP := tscAuxInstructions()
	var candidates []Method
	if hasRDPID {
		candidates = append(candidates, MethodRDPID)
	}
	if hasRDTSCP {
		candidates = append(candidates, MethodRDTSCP)
	}
	if len(candidates) == 0 {
		return MethodGetcpu
	}
	// sched_getaffinity reports nr_cpu_ids rounded up to 64 bits in bytes:
	// more than 512 bytes means CPU numbers beyond TSC_AUX's 12 bits. A
	// 1 KiB mask holds x86's largest NR_CPUS (8192); a kernel that wants
	// more fails with EINVAL.
	var mask [128]uint64
	n, err := sys.SchedGetaffinity(0, mask[:])
	if err != nil || n > 4096/8 {
		return MethodGetcpu
	}
	allowed, err := cpuset.FromWords(mask[:])
	if err != nil || allowed.IsEmpty() {
		return MethodGetcpu
	}
	// Check on the lowest and the highest CPU the process may use: a
	// register that was never written reads 0 and would agree on CPU 0 of
	// node 0 alone.
	var cpus []int
	for c := range allowed.All() {
		if len(cpus) == 0 {
			cpus = append(cpus, c)
		}
		if c != cpus[0] {
			cpus = append(cpus[:1], c)
		}
	}
	chosen := MethodGetcpu
	thread.Run(func(t *thread.Thread) error {
		t.Taint() // its affinity changes: the thread is thrown away
		for _, m := range candidates {
			if tscAuxAgrees(m, cpus) {
				chosen = m
				return nil
			}
		}
		return nil
	})
	return chosen
}

// tscAuxAgrees reports whether method m's reading of TSC_AUX agrees with
// getcpu(2) on each of cpus, pinning the calling (locked, disposable)
// thread to each in turn. Where pinning is not allowed (a seccomp filter,
// a cpuset change under way) it compares on whatever CPU the thread is,
// between two getcpu calls that agree with each other.
func tscAuxAgrees(m Method, cpus []int) bool {
	read := rdpid
	if m == MethodRDTSCP {
		read = rdtscp
	}
	for _, c := range cpus {
		one := cpuset.Of(c).Words()
		pinned := sys.SchedSetaffinity(0, one) == nil
		ok := false
		for try := 0; try < 100 && !ok; try++ {
			c1, n1, err := sys.Getcpu()
			if err != nil {
				return false
			}
			v := read()
			c2, n2, err := sys.Getcpu()
			if err != nil {
				return false
			}
			if c1 != c2 || n1 != n2 {
				continue // moved between the calls
			}
			if int(v&0xfff) != c1 || int(v>>12) != n1 || pinned && c1 != c {
				return false
			}
			ok = true
		}
		if !ok {
			return false
		}
	}
	return true
}
