package sys

import "golang.org/x/sys/unix"

// Clock ids for ClockGettime (clock_gettime(2), include/uapi/linux/time.h).
const (
	CLOCK_REALTIME  = unix.CLOCK_REALTIME  // wall-clock time; jumps when the clock is set
	CLOCK_MONOTONIC = unix.CLOCK_MONOTONIC // time since boot, stopped during suspend
	CLOCK_BOOTTIME  = unix.CLOCK_BOOTTIME  // time since boot, suspend included (2.6.39)
)

// ClockGettime calls clock_gettime(2) and returns the time of clock as
// seconds and nanoseconds.
func ClockGettime(clock int32) (sec, nsec int64, err error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return 0, 0, wrap("clock_gettime", err)
	}
	return int64(ts.Sec), int64(ts.Nsec), nil
}
