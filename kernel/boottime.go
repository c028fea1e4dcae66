package kernel

import (
	"fmt"
	"time"

	"github.com/lxgo/lx/internal/sys"
)

// BootTime returns the wall-clock time at which the system booted:
// CLOCK_REALTIME minus CLOCK_BOOTTIME (clock_gettime(2); CLOCK_BOOTTIME
// needs Linux 2.6.39), read back to back. Add a process's start time
// (procfs Stat.StartTime, a duration since boot) to it to get the wall-clock
// time the process started.
//
// Precision: the two clocks are read within about a microsecond of each
// other (BOOTTIME is read before and after REALTIME and the midpoint is
// used), so the result is exact to about a microsecond, far finer than
// the whole seconds of the btime line of /proc/stat, which is up to one
// second early.
//
// The result is derived from the wall clock: it moves when the clock is
// set (by an administrator, NTP stepping the clock or a VM resuming), so
// two calls can disagree by however much the clock was adjusted in
// between, and a program that caches it keeps the boot time of the clock
// it saw. Like /proc/stat's btime, it is relative to the caller's time
// namespace (time_namespaces(7)), whose CLOCK_BOOTTIME may be offset. No
// privilege is needed.
func BootTime() (time.Time, error) {
	bs1, bn1, err := sys.ClockGettime(sys.CLOCK_BOOTTIME)
	if err != nil {
		return time.Time{}, fmt.Errorf("boot time read: %w", err)
	}
	rs, rn, err := sys.ClockGettime(sys.CLOCK_REALTIME)
	if err != nil {
		return time.Time{}, fmt.Errorf("boot time read: %w", err)
	}
	bs2, bn2, err := sys.ClockGettime(sys.CLOCK_BOOTTIME)
	if err != nil {
		return time.Time{}, fmt.Errorf("boot time read: %w", err)
	}
	// Uptimes fit a Duration for 292 years; the midpoint of the two
	// BOOTTIME reads is the best estimate of BOOTTIME when REALTIME was
	// read.
	up1 := time.Duration(bs1)*time.Second + time.Duration(bn1)
	up2 := time.Duration(bs2)*time.Second + time.Duration(bn2)
	up := up1 + (up2-up1)/2
	return time.Unix(rs, rn).Add(-up), nil
}
