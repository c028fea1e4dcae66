package kernel

import (
	"io/fs"
	"strconv"
)

// MaxPID is the largest process or thread id there can be: pid_t is a
// signed 32-bit integer on every architecture, so a Go int above it would
// be truncated on its way into a syscall and name another process
// (1<<32 + 1 becomes 1, init). The kernel's own ceiling, pid_max
// (/proc/sys/kernel/pid_max, at most 4194304), is lower; ids above it are
// valid numbers that name no process, and the kernel says ESRCH for them.
const MaxPID = 1<<31 - 1

// CheckPID returns nil when pid is a process or thread id that can reach
// the kernel unchanged (1..MaxPID), and otherwise a *RangeError naming it,
// which matches fs.ErrInvalid. Every lx function that takes a pid from its
// caller checks it with CheckPID before any syscall.
func CheckPID(pid int) error {
	if pid < 1 || pid > MaxPID {
		return &RangeError{What: "pid", Value: int64(pid), Min: 1, Max: MaxPID}
	}
	return nil
}

// RangeError reports a number from a caller or a file that is outside the
// range the kernel accepts. errors.Is(err, fs.ErrInvalid) is true for it.
type RangeError struct {
	What     string // what the number is: "pid", "cpu", ...
	Value    int64  // the number given
	Min, Max int64  // the accepted range, inclusive
}

func (e *RangeError) Error() string {
	return "invalid " + e.What + " " + strconv.FormatInt(e.Value, 10) + ": want " +
		strconv.FormatInt(e.Min, 10) + ".." + strconv.FormatInt(e.Max, 10)
}

// Is makes errors.Is(err, fs.ErrInvalid) true.
func (e *RangeError) Is(target error) bool { return target == fs.ErrInvalid }
