package seccomp

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"syscall"
)

// Action is what a filter decides for a system call: a SECCOMP_RET_
// value of include/uapi/linux/seccomp.h, the action in the high 16 bits
// and its data (an errno, a tracer's message) in the low 16. See
// seccomp(2), "Filter return values".
//
// The text form is lx's: the lower-case action name, with the data in
// parentheses where the action takes some: "kill-process",
// "kill-thread", "trap", "errno(1)", "user-notify", "trace(7)", "log",
// "allow". A value that is not one of these (an unknown action, data on
// an action that takes none, an errno above 4095) prints as "0x" and 8
// hexadecimal digits, which ParseAction reads back but a filter refuses.
type Action uint32

// The actions without data. RetErrno and RetTrace make the others.
const (
	RetKillProcess Action = 0x80000000 // SECCOMP_RET_KILL_PROCESS: kill the whole process (Linux 4.14)
	RetKillThread  Action = 0x00000000 // SECCOMP_RET_KILL_THREAD: kill the calling thread
	RetTrap        Action = 0x00030000 // SECCOMP_RET_TRAP: send SIGSYS
	RetUserNotif   Action = 0x7fc00000 // SECCOMP_RET_USER_NOTIF: ask the listener's supervisor (Linux 5.0)
	RetLog         Action = 0x7ffc0000 // SECCOMP_RET_LOG: allow and log (Linux 4.14)
	RetAllow       Action = 0x7fff0000 // SECCOMP_RET_ALLOW: allow
)

const (
	retErrno      Action = 0x00050000 // SECCOMP_RET_ERRNO
	retTrace      Action = 0x7ff00000 // SECCOMP_RET_TRACE
	retActionFull        = 0xffff0000 // SECCOMP_RET_ACTION_FULL
	retData              = 0x0000ffff // SECCOMP_RET_DATA
	maxErrno             = 4095       // MAX_ERRNO: the kernel clamps a larger errno to it
)

// RetErrno returns the action that fails the call with errno e without
// running it (SECCOMP_RET_ERRNO). The error wraps fs.ErrInvalid for e
// above 4095, the kernel's MAX_ERRNO. Errno 0 makes the skipped call
// return 0.
func RetErrno(e syscall.Errno) (Action, error) {
	if e > maxErrno {
		return 0, fmt.Errorf("seccomp: errno %d is above %d: %w", uint64(e), maxErrno, fs.ErrInvalid)
	}
	return retErrno | Action(e), nil
}

// RetTrace returns the action that stops the caller for its ptrace(2)
// tracer with PTRACE_EVENT_SECCOMP and msg as the event message
// (SECCOMP_RET_TRACE); without a tracer the call fails with ENOSYS.
func RetTrace(msg uint16) Action { return retTrace | Action(msg) }

// Kind returns the action without its data: RetErrno's and RetTrace's
// values with data 0, or one of the constants.
func (a Action) Kind() Action { return a & retActionFull }

// Data returns the action's data: the errno of RetErrno, the message of
// RetTrace.
func (a Action) Data() uint16 { return uint16(a & retData) }

var actionNames = []struct {
	a    Action
	name string
	data bool
}{
	{RetKillProcess, "kill-process", false},
	{RetKillThread, "kill-thread", false},
	{RetTrap, "trap", false},
	{retErrno, "errno", true},
	{RetUserNotif, "user-notify", false},
	{retTrace, "trace", true},
	{RetLog, "log", false},
	{RetAllow, "allow", false},
}

// Valid reports whether the kernel knows a and its data is what the
// action takes: no data where it takes none, an errno of at most 4095.
func (a Action) Valid() bool {
	_, ok := a.name()
	return ok
}

func (a Action) name() (string, bool) {
	for _, n := range actionNames {
		if n.a != a.Kind() {
			continue
		}
		switch {
		case !n.data && a.Data() == 0:
			return n.name, true
		case n.a == retErrno && a.Data() <= maxErrno, n.a == retTrace:
			return n.name + "(" + strconv.Itoa(int(a.Data())) + ")", true
		}
	}
	return "", false
}

// String returns the text form: "allow", "errno(1)", or "0x" and 8
// hexadecimal digits for a value that is not Valid.
func (a Action) String() string {
	if s, ok := a.name(); ok {
		return s
	}
	return fmt.Sprintf("0x%08x", uint32(a))
}

// MarshalText returns String's text.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText sets *a from text ParseAction accepts.
func (a *Action) UnmarshalText(text []byte) error {
	v, err := ParseAction(string(text))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseAction returns the action text names, in String's form exactly:
// "kill-process", "errno(13)" (decimal, 0..4095, no sign or leading
// zeros), "trace(7)" (0..65535), or "0x" and 8 lower-case hexadecimal
// digits for a value String prints that way. The error wraps
// fs.ErrInvalid and names text.
func ParseAction(text string) (Action, error) {
	name, arg, paren := strings.Cut(text, "(")
	for _, n := range actionNames {
		if n.name != name || n.data != paren {
			continue
		}
		if !n.data {
			return n.a, nil
		}
		num, ok := strings.CutSuffix(arg, ")")
		v, err := strconv.ParseUint(num, 10, 16)
		if !ok || err != nil || strconv.FormatUint(v, 10) != num {
			break
		}
		a := n.a | Action(v)
		if !a.Valid() {
			break
		}
		return a, nil
	}
	if hex, ok := strings.CutPrefix(text, "0x"); ok && len(hex) == 8 {
		if v, err := strconv.ParseUint(hex, 16, 32); err == nil && Action(v).String() == text {
			return Action(v), nil
		}
	}
	return 0, fmt.Errorf("seccomp: invalid action %q: %w", text, fs.ErrInvalid)
}
