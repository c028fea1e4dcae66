package cpu

import (
	"fmt"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// Online returns the CPUs that are online now: the ones the scheduler may
// run tasks on. It reads /sys/devices/system/cpu/online (sysfs ABI since
// Linux 2.6.28; no privilege). CPUs can go on- and offline at any time
// (CPU hotplug), so the answer may be stale as soon as it returns.
//
// A process's own CPU affinity (sched_getaffinity(2)) may be narrower; Go's
// runtime.NumCPU counts that affinity set, not this one.
func Online() (cpuset.Set, error) { return Default().Online() }

// Possible returns the CPUs that could ever be brought online on this boot,
// including CPUs that may be hotplugged later: the range the kernel sized
// its per-CPU data for. It reads /sys/devices/system/cpu/possible (sysfs
// ABI since Linux 2.6.28; no privilege). The set does not change while
// the system runs.
func Possible() (cpuset.Set, error) { return Default().Possible() }

// Present returns the CPUs that are physically present, online or not. It
// reads /sys/devices/system/cpu/present (sysfs ABI since Linux 2.6.28; no
// privilege).
func Present() (cpuset.Set, error) { return Default().Present() }

// Offline returns the CPUs that are present but not online, read from
// /sys/devices/system/cpu/offline (Linux 2.6.28; no privilege). The
// kernel computes it as possible minus online, so it may hold CPUs that
// are not present.
func Offline() (cpuset.Set, error) { return Default().Offline() }

// Isolated returns the CPUs isolated from the scheduler's load balancing
// by the isolcpus= boot parameter (the "domain" flavour), read from
// /sys/devices/system/cpu/isolated (Linux 4.1; no privilege). Nothing runs
// there unless its affinity puts it there. CPUs isolated by a cpuset
// cgroup partition are not listed.
func Isolated() (cpuset.Set, error) { return Default().Isolated() }

// NohzFull returns the adaptive-ticks CPUs of the nohz_full= boot
// parameter, read from /sys/devices/system/cpu/nohz_full (Linux 4.1; no
// privilege). A kernel built without CONFIG_NO_HZ_FULL has no such file:
// the error then matches fs.ErrNotExist, and no CPU is nohz_full.
func NohzFull() (cpuset.Set, error) { return Default().NohzFull() }

// KernelMax returns the highest CPU number the kernel was built for
// (NR_CPUS - 1), read from /sys/devices/system/cpu/kernel_max (Linux
// 2.6.28; no privilege). The CPUs that can exist on this boot, Possible,
// are usually far fewer.
func KernelMax() (int, error) { return Default().KernelMax() }

// Online is the package-level Online for this FS.
func (fs FS) Online() (cpuset.Set, error) { return fs.readList("online") }

// Possible is the package-level Possible for this FS.
func (fs FS) Possible() (cpuset.Set, error) { return fs.readList("possible") }

// Present is the package-level Present for this FS.
func (fs FS) Present() (cpuset.Set, error) { return fs.readList("present") }

// Offline is the package-level Offline for this FS.
func (fs FS) Offline() (cpuset.Set, error) { return fs.readList("offline") }

// Isolated is the package-level Isolated for this FS.
func (fs FS) Isolated() (cpuset.Set, error) { return fs.readList("isolated") }

// NohzFull is the package-level NohzFull for this FS.
func (fs FS) NohzFull() (cpuset.Set, error) { return fs.readList("nohz_full") }

// KernelMax is the package-level KernelMax for this FS.
func (fs FS) KernelMax() (int, error) {
	path := fs.fs.Sys + "/devices/system/cpu/kernel_max"
	var n int
	err := pseudofs.WithFile(path, func(b []byte) error {
		var err error
		n, err = parseCount(b)
		return parseErr(path, err)
	})
	if err != nil {
		return 0, fmt.Errorf("cpu kernel_max read: %w", err)
	}
	return n, nil
}

// readList reads one CPU list file of /sys/devices/system/cpu. The path
// is built on the stack, so a read allocates only the Set's words beyond
// what fits inline.
func (fs FS) readList(name string) (cpuset.Set, error) {
	var stack [256]byte
	path := append(stack[:0], fs.fs.Sys...)
	path = append(path, "/devices/system/cpu/"...)
	path = append(path, name...)
	path = append(path, 0)
	var set cpuset.Set
	err := pseudofs.WithFileZ(sys.AT_FDCWD, path, func(b []byte) error {
		var err error
		set, err = cpuset.ParseBytes(b)
		return err
	})
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("cpu %s read: %w", name, err)
	}
	return set, nil
}
