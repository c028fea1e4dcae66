// Package sched holds the value types of CPU scheduling (sched(7)): the
// scheduling policies.
//
// The package is pure: no system calls. A process's policy is field 41 of
// /proc/PID/stat, which procfs reads into a Policy.
//
// Go constants drop the kernel's SCHED_ prefix, which the package name
// already says: SCHED_FIFO is sched.FIFO. Every concept package of lx
// follows that rule. The text form is the kernel's name, "SCHED_FIFO",
// as chrt(1) prints it.
package sched

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// Policy is a scheduling policy (SCHED_* of include/uapi/linux/sched.h),
// possibly with the ResetOnFork flag, as sched_getscheduler(2) returns
// it and sched_setscheduler(2) takes it.
type Policy uint32

// The policies.
const (
	Other    Policy = 0 // SCHED_OTHER (the kernel's SCHED_NORMAL): the default time-sharing policy
	FIFO     Policy = 1 // SCHED_FIFO: real-time, first in first out
	RR       Policy = 2 // SCHED_RR: real-time, round robin
	Batch    Policy = 3 // SCHED_BATCH: CPU-bound batch work (Linux 2.6.16)
	Iso      Policy = 4 // SCHED_ISO: reserved, never implemented
	Idle     Policy = 5 // SCHED_IDLE: only when nothing else runs (Linux 2.6.23)
	Deadline Policy = 6 // SCHED_DEADLINE: earliest deadline first, set with sched_setattr(2) (Linux 3.14)
	Ext      Policy = 7 // SCHED_EXT: a BPF scheduler of sched_ext (Linux 6.12)

	// ResetOnFork is SCHED_RESET_ON_FORK (Linux 2.6.32), a flag or-ed
	// into a policy: children of the thread start with SCHED_OTHER (and a
	// non-negative nice value) instead of inheriting a real-time policy.
	// sched_getscheduler(2) and chrt(1) report it with the policy; field
	// 41 of /proc/PID/stat never includes it.
	ResetOnFork Policy = 0x40000000
)

var names = [...]string{"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
	"SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", "SCHED_EXT"}

const resetOnForkName = "SCHED_RESET_ON_FORK"

// Base returns p without the ResetOnFork flag.
func (p Policy) Base() Policy { return p &^ ResetOnFork }

// ResetsOnFork reports whether p carries the ResetOnFork flag.
func (p Policy) ResetsOnFork() bool { return p&ResetOnFork != 0 }

// String returns the policy's kernel name, "SCHED_FIFO", or the decimal
// number of a policy lx does not know ("8"), followed by
// "|SCHED_RESET_ON_FORK" when p carries that flag, as chrt(1) prints it.
func (p Policy) String() string {
	b := p.Base()
	var s string
	if int(b) < len(names) {
		s = names[b]
	} else {
		s = strconv.FormatUint(uint64(b), 10)
	}
	if p.ResetsOnFork() {
		s += "|" + resetOnForkName
	}
	return s
}

// MarshalText returns String's text.
func (p Policy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText sets *p from text Parse accepts.
func (p *Policy) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Parse returns the policy text names: a kernel name with or without
// "SCHED_" in any ASCII case ("SCHED_FIFO", "fifo"; "SCHED_NORMAL" and
// "normal" for SCHED_OTHER), or a decimal number 0..4294967295, which
// may include the ResetOnFork bit; either may be followed by
// "|SCHED_RESET_ON_FORK" (String's form). The error wraps
// strconv.ErrSyntax, or strconv.ErrRange for a larger number.
func Parse(text string) (Policy, error) {
	p, err := parsePolicy(text)
	if err != nil {
		return 0, fmt.Errorf("sched: invalid policy %q: %w", text, err)
	}
	return p, nil
}

func parsePolicy(text string) (Policy, error) {
	name, flag, hasFlag := strings.Cut(text, "|")
	var p Policy
	if hasFlag {
		if !strings.EqualFold(unprefix(flag), "RESET_ON_FORK") || !isASCII(flag) {
			return 0, strconv.ErrSyntax
		}
		p = ResetOnFork
	}
	if name != "" && name[0]-'0' <= 9 {
		n, err := parse.Uint([]byte(name))
		if err == nil && n > math.MaxUint32 {
			err = strconv.ErrRange
		}
		return p | Policy(n), err
	}
	short := unprefix(name)
	if !isASCII(short) {
		return 0, strconv.ErrSyntax
	}
	if strings.EqualFold(short, "NORMAL") {
		return p | Other, nil
	}
	for i, n := range names {
		if strings.EqualFold(short, n[len("SCHED_"):]) {
			return p | Policy(i), nil
		}
	}
	return 0, strconv.ErrSyntax
}

// unprefix removes a leading "SCHED_" in any case.
func unprefix(s string) string {
	if len(s) > len("SCHED_") && strings.EqualFold(s[:len("SCHED_")], "SCHED_") {
		return s[len("SCHED_"):]
	}
	return s
}

// isASCII reports whether s is ASCII, so that strings.EqualFold folds
// only ASCII letters (it would take the Kelvin sign for a 'K').
func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
