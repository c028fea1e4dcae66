package timerfd

import (
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/sys"
)

// Clock is the clock a timer follows (timerfd_create(2)'s clockid).
type Clock int32

const (
	// Realtime is wall-clock time (CLOCK_REALTIME): it jumps when the
	// system time is set, and absolute timers follow the jump.
	Realtime Clock = sys.CLOCK_REALTIME
	// Monotonic (CLOCK_MONOTONIC) never jumps and stops while the
	// system is suspended.
	Monotonic Clock = sys.CLOCK_MONOTONIC
	// BootTime (CLOCK_BOOTTIME, Linux 3.15 for timers) is Monotonic
	// that keeps counting during suspend.
	BootTime Clock = sys.CLOCK_BOOTTIME
	// RealtimeAlarm (CLOCK_REALTIME_ALARM, Linux 3.11) is Realtime
	// whose expirations wake a suspended system. Creating the timer
	// needs CAP_WAKE_ALARM.
	RealtimeAlarm Clock = sys.CLOCK_REALTIME_ALARM
	// BootTimeAlarm (CLOCK_BOOTTIME_ALARM, Linux 3.11) is BootTime
	// whose expirations wake a suspended system. Creating the timer
	// needs CAP_WAKE_ALARM.
	BootTimeAlarm Clock = sys.CLOCK_BOOTTIME_ALARM
)

// String returns the kernel's name of the clock, "CLOCK_MONOTONIC"; a
// clock timerfd does not take prints as "Clock(N)".
func (c Clock) String() string {
	switch c {
	case Realtime:
		return "CLOCK_REALTIME"
	case Monotonic:
		return "CLOCK_MONOTONIC"
	case BootTime:
		return "CLOCK_BOOTTIME"
	case RealtimeAlarm:
		return "CLOCK_REALTIME_ALARM"
	case BootTimeAlarm:
		return "CLOCK_BOOTTIME_ALARM"
	}
	return "Clock(" + strconv.Itoa(int(c)) + ")"
}

// valid reports whether timerfd takes c.
func (c Clock) valid() bool {
	switch c {
	case Realtime, Monotonic, BootTime, RealtimeAlarm, BootTimeAlarm:
		return true
	}
	return false
}

// realtime reports whether c follows the system time, whose changes
// TFD_TIMER_CANCEL_ON_SET reports.
func (c Clock) realtime() bool { return c == Realtime || c == RealtimeAlarm }

// Now returns the clock's current reading (clock_gettime(2)), the value
// that [Timer.SetAtReading] takes: time since the Unix epoch for the
// realtime clocks, since boot for the others (without the time spent
// suspended for Monotonic). An alarm clock reads as the clock it follows.
// In a time namespace (Linux 5.6) Monotonic and BootTime read with the
// namespace's offsets, and timers set from such a reading expire at the
// same moment the reading names.
func (c Clock) Now() (time.Duration, error) {
	id := c
	switch c {
	case RealtimeAlarm:
		id = Realtime
	case BootTimeAlarm:
		id = BootTime
	}
	if !c.valid() {
		return 0, fmt.Errorf("timerfd clock now: %v: %w", c, fs.ErrInvalid)
	}
	sec, nsec, err := sys.ClockGettime(int32(id))
	if err != nil {
		return 0, fmt.Errorf("timerfd clock now: %v: %w", c, err)
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}
