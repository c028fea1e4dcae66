// Package timerfd wraps timerfd_create(2): timers that report their
// expirations through a file descriptor, on any of the kernel's timer
// clocks, relative or absolute, one-shot or periodic, with the
// expirations counted by the kernel so that none is lost when the reader
// is late.
//
// A [Timer] owns a close-on-exec, non-blocking timerfd registered with
// the Go runtime's poller: [Timer.Wait] parks the calling goroutine, not
// an OS thread, takes a context.Context, and returns an error matching
// os.ErrClosed when another goroutine closes the Timer. No goroutine
// outlives a call. Durations are time.Duration throughout: the kernel
// keeps nanoseconds.
//
// Minimum kernels: timerfd_create with TFD_CLOEXEC and TFD_NONBLOCK
// 2.6.27; TFD_TIMER_CANCEL_ON_SET 3.0; the alarm clocks 3.11; BootTime
// 3.15; TFD_IOC_SET_TICKS 3.17, and only in kernels built with
// CONFIG_CHECKPOINT_RESTORE. The alarm clocks need CAP_WAKE_ALARM;
// nothing else needs privilege. The timer belongs to the open file
// description: duplicates of the fd (dup(2), SCM_RIGHTS, fork(2)) share
// it and its expiration count. Absolute Monotonic and BootTime readings
// are in the caller's time namespace (Linux 5.6).
package timerfd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"time"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// ErrCanceled is matched (with errors.Is) by the error of [Timer.Wait]
// when the timer was set with AbsoluteOptions.CancelOnSet and the
// system's realtime clock has been set since (clock_settime(2),
// settimeofday(2), adjtimex(2) ADJ_SETOFFSET, or a jump at resume): the
// kernel's ECANCELED, which the error also matches. The timer stays
// armed for its old absolute time; set it again after deciding what the
// clock change means.
var ErrCanceled = errors.New("timer canceled: the realtime clock was set")

// Timer is a timerfd. It is safe for concurrent use.
type Timer struct {
	pfd   *poll.FD
	clock Clock
}

// New creates a disarmed timer on clock (timerfd_create(2)), close-on-exec
// and non-blocking. A clock timerfd does not take is an error matching
// fs.ErrInvalid; the alarm clocks without CAP_WAKE_ALARM fail with an
// error matching fs.ErrPermission (EPERM).
func New(clock Clock) (*Timer, error) {
	if !clock.valid() {
		return nil, fmt.Errorf("timerfd new: %v: %w", clock, fs.ErrInvalid)
	}
	fd, err := sys.TimerfdCreate(int(clock))
	if err != nil {
		return nil, fmt.Errorf("timerfd new %v: %w", clock, err)
	}
	pfd, err := poll.New(fd.File("timerfd:" + clock.String()))
	if err != nil {
		return nil, fmt.Errorf("timerfd new: %w", err)
	}
	return &Timer{pfd: pfd, clock: clock}, nil
}

// Clock returns the clock the timer follows.
func (t *Timer) Clock() Clock { return t.clock }

// Setting is a timer's state as timerfd_gettime(2) reports it.
type Setting struct {
	// Next is the time left until the next expiration (relative even
	// for an absolute timer); 0 when the timer is disarmed.
	Next time.Duration
	// Interval is the period of a periodic timer; 0 for a one-shot
	// timer.
	Interval time.Duration
}

// Armed reports whether the timer will expire again.
func (s Setting) Armed() bool { return s.Next != 0 }

// AbsoluteOptions modify SetAt and SetAtReading.
type AbsoluteOptions struct {
	// CancelOnSet (TFD_TIMER_CANCEL_ON_SET, Linux 3.0) makes Wait fail
	// with ErrCanceled when the system's realtime clock is set before
	// the timer expires, so that a program learns of the jump. Only
	// the realtime clocks (Realtime, RealtimeAlarm) take it.
	CancelOnSet bool
}

// Set arms the timer to expire after next, then every interval (0 for
// once), relative to now on the timer's clock (timerfd_settime(2)
// without TFD_TIMER_ABSTIME), and returns the previous setting. Setting a
// timer (Set, SetAt, SetAtReading, Disarm) discards the expirations no
// Wait has returned yet. next must
// be positive (Disarm disarms) and interval not negative: others are
// errors matching fs.ErrInvalid.
func (t *Timer) Set(next, interval time.Duration) (Setting, error) {
	if next <= 0 {
		return Setting{}, fmt.Errorf("timerfd set: first expiration %v is not positive (Disarm disarms): %w", next, fs.ErrInvalid)
	}
	return t.settime("timerfd set", 0, next, interval)
}

// SetAt arms a timer on a realtime clock (Realtime, RealtimeAlarm) to
// expire at the wall-clock time when, then every interval (0 for once),
// and returns the previous setting (timerfd_settime(2) with
// TFD_TIMER_ABSTIME). A time already past expires at once. The timer
// follows changes of the system time: setting the clock forward past
// when makes it expire. Timers on the other clocks have no wall-clock
// time: use SetAtReading. when must be after the Unix epoch and before
// the year 2262 (the kernel's 64-bit nanoseconds), and interval not
// negative: others are errors matching fs.ErrInvalid.
func (t *Timer) SetAt(when time.Time, interval time.Duration, opts *AbsoluteOptions) (Setting, error) {
	if !t.clock.realtime() {
		return Setting{}, fmt.Errorf("timerfd set at: %v has no wall-clock time (use SetAtReading): %w", t.clock, fs.ErrInvalid)
	}
	// 1<<63-1 nanoseconds is in April 2262.
	if sec := when.Unix(); sec < 0 || sec >= (1<<63-1)/int64(time.Second) {
		return Setting{}, fmt.Errorf("timerfd set at: %v is out of the clock's range: %w", when, fs.ErrInvalid)
	}
	reading := time.Duration(when.UnixNano())
	if reading <= 0 {
		return Setting{}, fmt.Errorf("timerfd set at: %v is the clock's epoch: %w", when, fs.ErrInvalid)
	}
	return t.setAbsolute("timerfd set at", reading, interval, opts)
}

// SetAtReading arms the timer to expire when its clock reads reading (as
// Clock.Now returns it), then every interval (0 for once), and returns
// the previous setting (timerfd_settime(2) with TFD_TIMER_ABSTIME). A
// reading already past expires at once. reading must be positive and
// interval not negative: others are errors matching fs.ErrInvalid.
func (t *Timer) SetAtReading(reading, interval time.Duration, opts *AbsoluteOptions) (Setting, error) {
	if reading <= 0 {
		return Setting{}, fmt.Errorf("timerfd set at reading: reading %v is not positive: %w", reading, fs.ErrInvalid)
	}
	return t.setAbsolute("timerfd set at reading", reading, interval, opts)
}

func (t *Timer) setAbsolute(op string, reading, interval time.Duration, opts *AbsoluteOptions) (Setting, error) {
	flags := sys.TFD_TIMER_ABSTIME
	if opts != nil && opts.CancelOnSet {
		if !t.clock.realtime() {
			// The kernel would ignore the flag without a word.
			return Setting{}, fmt.Errorf("%s: CancelOnSet needs a realtime clock, not %v: %w", op, t.clock, fs.ErrInvalid)
		}
		flags |= sys.TFD_TIMER_CANCEL_ON_SET
	}
	return t.settime(op, flags, reading, interval)
}

// Disarm stops the timer and returns its previous setting. Like every
// setting, it discards the expirations no Wait has returned yet.
func (t *Timer) Disarm() (Setting, error) { return t.settime("timerfd disarm", 0, 0, 0) }

func (t *Timer) settime(op string, flags int, value, interval time.Duration) (Setting, error) {
	if interval < 0 {
		return Setting{}, fmt.Errorf("%s: interval %v is negative: %w", op, interval, fs.ErrInvalid)
	}
	old, err := poll.ControlT(t.pfd, "timerfd_settime", func(fd int) (sys.Itimerspec, error) {
		return sys.TimerfdSettime(fd, flags, sys.Itimerspec{Value: int64(value), Interval: int64(interval)})
	})
	if err != nil {
		return Setting{}, fmt.Errorf("%s: %w", op, err)
	}
	return Setting{Next: time.Duration(old.Value), Interval: time.Duration(old.Interval)}, nil
}

// Setting returns the timer's current setting (timerfd_gettime(2)).
func (t *Timer) Setting() (Setting, error) {
	cur, err := poll.ControlT(t.pfd, "timerfd_gettime", sys.TimerfdGettime)
	if err != nil {
		return Setting{}, fmt.Errorf("timerfd setting: %w", err)
	}
	return Setting{Next: time.Duration(cur.Value), Interval: time.Duration(cur.Interval)}, nil
}

// Wait waits until the timer has expired at least once since the last
// Wait and returns the number of expirations in between (more than 1
// when the reader was late for a periodic timer), resetting the count.
// It waits in the poller: ctx cancels the wait (the error is ctx.Err()),
// and Close ends it with an error matching os.ErrClosed. A disarmed timer
// with no expirations pending waits until it is armed and expires. For a
// CancelOnSet timer whose clock was set the error matches ErrCanceled.
func (t *Timer) Wait(ctx context.Context) (uint64, error) {
	// The file's own read through the poller allocates nothing (see
	// poll.FD.Read); a timerfd read is all 8 bytes or an error.
	var b [8]byte
	if _, err := t.pfd.Read(ctx, b[:]); err != nil {
		return 0, waitError(err)
	}
	return binary.NativeEndian.Uint64(b[:]), nil
}

// waitError adds Wait's context to err, and ErrCanceled to ECANCELED.
func waitError(err error) error {
	if errors.Is(err, syscall.ECANCELED) {
		return fmt.Errorf("timerfd wait: %w (%w)", ErrCanceled, err)
	}
	return fmt.Errorf("timerfd wait: %w", err)
}

// SetTicks sets the expiration count that the next Wait returns to n and
// wakes a waiting reader (ioctl(2) TFD_IOC_SET_TICKS,
// include/uapi/linux/timerfd.h: _IOW('T', 0, __u64); Linux 3.17). It
// exists for checkpoint/restore (CRIU restores a timer's pending count
// with it), and kernels built without CONFIG_CHECKPOINT_RESTORE lack it:
// the error then matches errors.ErrUnsupported. n must not be 0 (an
// error matching fs.ErrInvalid).
func (t *Timer) SetTicks(n uint64) error {
	if n == 0 {
		return fmt.Errorf("timerfd set ticks: 0 ticks: %w", fs.ErrInvalid)
	}
	_, err := poll.ControlT(t.pfd, "ioctl TFD_IOC_SET_TICKS", func(fd int) (struct{}, error) {
		return struct{}{}, sys.TimerfdSetTicks(fd, n)
	})
	if errors.Is(err, syscall.ENOTTY) {
		return fmt.Errorf("timerfd set ticks: %w", &kernel.FeatureError{Feature: "TFD_IOC_SET_TICKS (CONFIG_CHECKPOINT_RESTORE)", MinKernel: kernel.V(3, 17), Err: err})
	}
	if err != nil {
		return fmt.Errorf("timerfd set ticks: %w", err)
	}
	return nil
}

// Close closes the timer; a blocked Wait returns an error matching
// os.ErrClosed. Close is idempotent.
func (t *Timer) Close() error { return t.pfd.Close() }

// SyscallConn returns the raw connection of the timerfd, for handing the
// fd to another process or an event loop lx does not wrap. The fd is
// valid only inside Control; do not change its flags.
func (t *Timer) SyscallConn() (syscall.RawConn, error) { return t.pfd.File().SyscallConn() }
