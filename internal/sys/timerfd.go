package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// timerfd_create(2), timerfd_settime(2), timerfd_gettime(2) and the
// TFD_IOC_SET_TICKS ioctl.

// Clock ids timerfd_create(2) accepts besides those of clock.go
// (include/uapi/linux/time.h).
const (
	CLOCK_REALTIME_ALARM = unix.CLOCK_REALTIME_ALARM // REALTIME that wakes a suspended system (3.11, CAP_WAKE_ALARM)
	CLOCK_BOOTTIME_ALARM = unix.CLOCK_BOOTTIME_ALARM // BOOTTIME that wakes a suspended system (3.11, CAP_WAKE_ALARM)
)

// timerfd_settime(2) flags.
const (
	TFD_TIMER_ABSTIME       = unix.TFD_TIMER_ABSTIME
	TFD_TIMER_CANCEL_ON_SET = unix.TFD_TIMER_CANCEL_ON_SET
)

// TFD_IOC_SET_TICKS is _IOW('T', 0, __u64), include/uapi/linux/timerfd.h
// (Linux 3.17, only with CONFIG_CHECKPOINT_RESTORE; ENOTTY otherwise).
var TFD_IOC_SET_TICKS = IOW('T', 0, 8)

// TimerfdCreate creates a timer on clock with timerfd_create(2),
// close-on-exec and non-blocking, and returns the owned fd.
func TimerfdCreate(clock int) (*FD, error) {
	fd, err := retry1(func() (int, error) {
		return unix.TimerfdCreate(clock, unix.TFD_CLOEXEC|unix.TFD_NONBLOCK)
	})
	if err != nil {
		return nil, wrap("timerfd_create", err)
	}
	return NewFD(fd), nil
}

// Itimerspec is struct itimerspec in nanoseconds: the time to the next
// expiration (or, with TFD_TIMER_ABSTIME, the clock reading at which it
// happens; 0 disarms) and the period.
type Itimerspec struct {
	Value, Interval int64
}

// timespec converts ns, which must be >= 0, to a Timespec, failing with
// ERANGE where time_t is 32 bits and ns is too far away for it.
func timespec(ns int64) (unix.Timespec, error) {
	ts := unix.NsecToTimespec(ns)
	if ts.Nano() != ns {
		return ts, unix.ERANGE
	}
	return ts, nil
}

// TimerfdSettime arms (or, with a zero Value, disarms) the timer fd with
// timerfd_settime(2) and returns its previous setting.
func TimerfdSettime(fd, flags int, v Itimerspec) (Itimerspec, error) {
	var nv, old unix.ItimerSpec
	var err error
	if nv.Value, err = timespec(v.Value); err != nil {
		return Itimerspec{}, wrap("timerfd_settime", err)
	}
	if nv.Interval, err = timespec(v.Interval); err != nil {
		return Itimerspec{}, wrap("timerfd_settime", err)
	}
	if err := unix.TimerfdSettime(fd, flags, &nv, &old); err != nil {
		return Itimerspec{}, wrap("timerfd_settime", err)
	}
	return Itimerspec{Value: old.Value.Nano(), Interval: old.Interval.Nano()}, nil
}

// TimerfdGettime returns the timer's setting with timerfd_gettime(2): the
// time left to the next expiration (always relative, 0 when disarmed) and
// the period.
func TimerfdGettime(fd int) (Itimerspec, error) {
	var cur unix.ItimerSpec
	if err := unix.TimerfdGettime(fd, &cur); err != nil {
		return Itimerspec{}, wrap("timerfd_gettime", err)
	}
	return Itimerspec{Value: cur.Value.Nano(), Interval: cur.Interval.Nano()}, nil
}

// TimerfdSetTicks sets the expiration count the next read returns
// (TFD_IOC_SET_TICKS) and wakes waiters. ticks must not be 0 (EINVAL).
func TimerfdSetTicks(fd int, ticks uint64) error {
	_, err := IoctlPtr(fd, TFD_IOC_SET_TICKS, unsafe.Pointer(&ticks))
	return err
}
