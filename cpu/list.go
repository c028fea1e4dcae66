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

// Online is the package-level Online for this FS.
func (fs FS) Online() (cpuset.Set, error) { return fs.readList("online") }

// Possible is the package-level Possible for this FS.
func (fs FS) Possible() (cpuset.Set, error) { return fs.readList("possible") }

// Present is the package-level Present for this FS.
func (fs FS) Present() (cpuset.Set, error) { return fs.readList("present") }

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
