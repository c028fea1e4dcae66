package cpu

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"syscall"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// A thread's CPU affinity is the set of CPUs the scheduler may run it on
// (sched_setaffinity(2)). It belongs to each thread, not to the process;
// a new thread (clone(2), pthread_create, a thread the Go runtime starts)
// inherits the mask of the thread that creates it, and a child process
// that of the thread that forks it.

// Affinity returns the CPU affinity of the calling thread
// (sched_getaffinity(2) on thread 0; no privilege). Call
// runtime.LockOSThread first: otherwise the goroutine may move to another
// thread, with another mask, at any moment.
func Affinity() (cpuset.Set, error) {
	s, err := getAffinity(0)
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("cpu affinity get: %w", err)
	}
	return s, nil
}

// SetAffinity sets the CPU affinity of the calling thread
// (sched_setaffinity(2) on thread 0; no privilege). It affects the
// calling thread only, and the threads and processes it creates later.
// Lock the goroutine to its thread (runtime.LockOSThread) before, and keep
// it locked while the mask is in force: the Go runtime otherwise runs
// other goroutines on the thread and this one on others, and a thread
// with a narrowed mask goes back to the runtime's pool when the goroutine
// unlocks (restore the mask first, or end the goroutine still locked so
// that the runtime discards the thread).
//
// Every CPU of cpus must be a possible CPU (/sys/devices/system/cpu/
// possible, read once, or the kernel's CPU count where sysfs is not
// mounted): a CPU
// beyond is an error naming it, matching fs.ErrInvalid, as is an empty
// set. The kernel fails with EINVAL when none of the CPUs is online and
// allowed by the thread's cpuset cgroup.
func SetAffinity(cpus cpuset.Set) error {
	if err := setAffinity(0, cpus); err != nil {
		return fmt.Errorf("cpu affinity set: %w", err)
	}
	return nil
}

// ThreadAffinity returns the CPU affinity of thread tid, of any process
// (sched_getaffinity(2); no privilege). tid must be 1..2^31-1 (an error
// matching fs.ErrInvalid otherwise); a thread that does not exist gives
// an error matching syscall.ESRCH.
func ThreadAffinity(tid int) (cpuset.Set, error) {
	if err := kernel.CheckPID(tid); err != nil {
		return cpuset.Set{}, fmt.Errorf("cpu affinity get: %w", err)
	}
	s, err := getAffinity(tid)
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("cpu affinity get: thread %d: %w", tid, err)
	}
	return s, nil
}

// SetThreadAffinity sets the CPU affinity of thread tid, of any process
// (sched_setaffinity(2)): that thread only. A thread of another user
// needs CAP_SYS_NICE in its user namespace (EPERM otherwise). tid and
// cpus are checked as by ThreadAffinity and SetAffinity.
func SetThreadAffinity(tid int, cpus cpuset.Set) error {
	if err := kernel.CheckPID(tid); err != nil {
		return fmt.Errorf("cpu affinity set: %w", err)
	}
	if err := setAffinity(tid, cpus); err != nil {
		return fmt.Errorf("cpu affinity set: thread %d: %w", tid, err)
	}
	return nil
}

// ProcessAffinity returns the CPU affinity of process pid's main thread
// (whose thread id is pid), as taskset -p shows it. Its other threads may
// have other masks: ThreadAffinity reads each.
func ProcessAffinity(pid int) (cpuset.Set, error) {
	return ThreadAffinity(pid)
}

// SetProcessAffinity sets the CPU affinity of every thread of process pid
// (0: the calling process; otherwise 1..2^31-1), as taskset -a -p does: it lists
// /proc/PID/task and sets each thread's mask, and lists again until a pass
// finds no thread it has not set, so that a thread created during the
// change by a thread not yet changed is caught too. Threads created
// afterwards inherit the new mask from their creator, which by then has
// it. Threads that exit meanwhile are skipped. If pid is the calling
// process, the Go runtime's threads change too, and so do the threads it
// starts later: it creates them from one of its own, already changed.
//
// Privilege as for SetThreadAffinity, for each thread. The change is not
// atomic: until it returns, some threads have the old mask. On error some
// threads may have the new mask and some the old.
func SetProcessAffinity(pid int, cpus cpuset.Set) error {
	if pid == 0 {
		pid = sys.Getpid()
	}
	if err := kernel.CheckPID(pid); err != nil {
		return fmt.Errorf("cpu affinity set: %w", err)
	}
	mask, err := affinityMask(cpus)
	if err != nil {
		return fmt.Errorf("cpu affinity set: %w", err)
	}
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		return fmt.Errorf("cpu affinity set: %w", err)
	}
	done := map[int]bool{}
	for {
		fresh := 0
		for th, err := range p.Threads() {
			if err != nil {
				return fmt.Errorf("cpu affinity set: process %d: %w", pid, err)
			}
			tid := th.TID()
			if done[tid] {
				continue
			}
			done[tid] = true
			fresh++
			if err := sys.SchedSetaffinity(tid, mask); err != nil {
				if errors.Is(err, syscall.ESRCH) {
					continue // the thread has exited
				}
				return fmt.Errorf("cpu affinity set: process %d thread %d: %w", pid, tid, err)
			}
		}
		if fresh == 0 {
			return nil
		}
	}
}

// possibleCPUs is the running system's possible CPUs, which do not change
// while it runs: read once. Without sysfs (a container without /sys) it
// is the kernel's CPU count, which sched_getaffinity reports rounded up
// to 64.
var possibleCPUs = sync.OnceValues(func() (cpuset.Set, error) {
	if possible, err := Possible(); err == nil {
		return possible, nil
	}
	mask, err := getAffinityWords(0)
	if err != nil {
		return cpuset.Set{}, err
	}
	return cpuset.Range(0, len(mask)*64-1), nil
})

// getAffinity reads a thread's mask, growing the buffer while the kernel
// says it is too small for its CPU count.
func getAffinity(tid int) (cpuset.Set, error) {
	mask, err := getAffinityWords(tid)
	if err != nil {
		return cpuset.Set{}, err
	}
	return cpuset.FromWords(mask)
}

// getAffinityWords returns a thread's mask as long as the kernel's.
func getAffinityWords(tid int) ([]uint64, error) {
	words := 16 // 1024 CPUs, glibc's CPU_SETSIZE
	for {
		mask := make([]uint64, words)
		n, err := sys.SchedGetaffinity(tid, mask)
		if errors.Is(err, syscall.EINVAL) && words < cpuset.MaxCPU/64+1 {
			words *= 4
			continue
		}
		if err != nil {
			return nil, err
		}
		return mask[:(n+7)/8], nil
	}
}

func setAffinity(tid int, cpus cpuset.Set) error {
	mask, err := affinityMask(cpus)
	if err != nil {
		return err
	}
	return sys.SchedSetaffinity(tid, mask)
}

// affinityMask checks cpus against the possible CPUs and returns the
// kernel mask.
func affinityMask(cpus cpuset.Set) ([]uint64, error) {
	if cpus.IsEmpty() {
		return nil, fmt.Errorf("empty CPU set: %w", fs.ErrInvalid)
	}
	possible, err := possibleCPUs()
	if err != nil {
		return nil, err
	}
	for c := range cpus.Difference(possible).All() {
		return nil, &kernel.RangeError{What: "cpu", Value: int64(c), Min: 0, Max: int64(possible.Len() - 1)}
	}
	return cpus.Words(), nil
}
