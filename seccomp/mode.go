// Package seccomp holds secure computing mode (seccomp(2)): the mode of
// a thread, and seccomp filters: a Policy of rules on system calls and
// their arguments, compiled to a classic BPF Program.
//
// A thread's mode is the Seccomp line of /proc/PID/status (Linux 3.8),
// which procfs reads into a Mode; prctl(2) PR_GET_SECCOMP reports it for
// the calling thread.
//
// A filter (Linux 3.5, SECCOMP_MODE_FILTER; see
// Documentation/userspace-api/seccomp_filter.rst) is a classic BPF
// program the kernel runs on every system call of the threads it is
// installed on, over a struct seccomp_data (Data): the number, the
// architecture (an AUDIT_ARCH_ value, Arch), the instruction pointer and
// six arguments. It returns an Action. A Policy says what to return for
// which call of one architecture; Policy.Compile makes the Program and
// Program.Run interprets one without the kernel, as the tests do to
// check every compiled program against its policy. System call names
// and numbers come from tables generated from golang.org/x/sys for 386,
// amd64, arm, arm64 and riscv64 (Arch.Lookup, Arch.Name).
//
// Compiling needs no privilege and makes no system call. Install sets
// no_new_privs and installs a Program on the calling thread, or with
// InstallOptions.AllThreads on every thread of the process (seccomp(2),
// Linux 3.17; no privilege); ActionAvailable asks the kernel which
// actions it has (Linux 4.14).
//
// Go constants drop the kernel's SECCOMP_ prefix, which the package name
// already says, and keep MODE and RET: SECCOMP_MODE_FILTER is
// seccomp.ModeFilter, SECCOMP_RET_ALLOW seccomp.RetAllow. The mode's
// text form is lx's lower-case word, "filter"; the kernel prints the
// number.
package seccomp

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// Mode is a thread's seccomp mode (SECCOMP_MODE_* of
// include/uapi/linux/seccomp.h). A mode only ever rises: disabled, then
// strict or filter, and is inherited by children and kept across
// execve(2).
type Mode uint8

// The modes.
const (
	ModeDisabled Mode = 0 // SECCOMP_MODE_DISABLED: no restriction
	ModeStrict   Mode = 1 // SECCOMP_MODE_STRICT: only read, write, _exit and sigreturn
	ModeFilter   Mode = 2 // SECCOMP_MODE_FILTER: BPF filters decide (Linux 3.5)
)

var names = [...]string{"disabled", "strict", "filter"}

// String returns "disabled", "strict" or "filter", or the decimal number
// of a mode lx does not know ("3").
func (m Mode) String() string {
	if int(m) < len(names) {
		return names[m]
	}
	return strconv.Itoa(int(m))
}

// MarshalText returns String's text.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText sets *m from text Parse accepts.
func (m *Mode) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Parse returns the mode text names: "disabled", "strict" or "filter"
// (String's words, in lower case), or a decimal number 0..255 as the
// Seccomp line of /proc/PID/status prints it ("2"). The error wraps
// strconv.ErrSyntax, or strconv.ErrRange for a larger number.
func Parse(text string) (Mode, error) {
	for i, n := range names {
		if text == n {
			return Mode(i), nil
		}
	}
	n, err := parse.Uint([]byte(text))
	if err == nil && n > 255 {
		err = strconv.ErrRange
	}
	if err != nil {
		return 0, fmt.Errorf("seccomp: invalid mode %q: %w", text, err)
	}
	return Mode(n), nil
}
