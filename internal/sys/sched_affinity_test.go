package sys_test

import (
	"errors"
	"math/bits"
	"runtime"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

// TestSchedAffinity reads the calling thread's mask, checks it against
// runtime.NumCPU (which counts the same mask at startup), sets it back
// unchanged, and checks the errors of empty masks.
func TestSchedAffinity(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mask := make([]uint64, 1024)
	n, err := sys.SchedGetaffinity(0, mask)
	if err != nil {
		t.Fatal(err)
	}
	if n <= 0 || n%8 != 0 && bits.UintSize == 64 {
		t.Errorf("SchedGetaffinity wrote %d bytes", n)
	}
	count := 0
	for _, w := range mask {
		count += bits.OnesCount64(w)
	}
	if count != runtime.NumCPU() {
		t.Errorf("mask has %d CPUs, runtime.NumCPU() = %d", count, runtime.NumCPU())
	}
	if err := sys.SchedSetaffinity(0, mask[:(n+7)/8]); err != nil {
		t.Errorf("SchedSetaffinity(the same mask): %v", err)
	}
	if _, err := sys.SchedGetaffinity(0, nil); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("SchedGetaffinity(nil) = %v, want EINVAL", err)
	}
	if err := sys.SchedSetaffinity(0, make([]uint64, 1)); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("SchedSetaffinity(no CPU) = %v, want EINVAL", err)
	}
}

func TestGetcpu(t *testing.T) {
	cpu, node, err := sys.Getcpu()
	if err != nil {
		t.Fatal(err)
	}
	if cpu < 0 || node < 0 {
		t.Errorf("Getcpu() = %d, %d", cpu, node)
	}
}
