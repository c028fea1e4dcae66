package capability

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Sets are the five capability sets of a thread (capabilities(7)): the
// effective, permitted and inheritable sets of capget(2), the bounding
// set and the ambient set. Current returns them for the calling thread;
// for another process procfs reads them from /proc/PID/status (CapEff,
// CapPrm, CapInh, CapBnd, CapAmb).
type Sets struct {
	Effective   Set // capabilities in force
	Permitted   Set // the limit of Effective and of what the thread may add to Inheritable
	Inheritable Set // kept across execve(2) for programs whose file inheritable set has them
	Bounding    Set // the limit of what execve(2) may grant (Linux 2.6.25)
	Ambient     Set // kept across execve(2) of programs without file capabilities (Linux 4.3)
}

// State returns the effective, permitted and inheritable sets of s as a
// State, whose text form is libcap's.
func (s Sets) State() State {
	return State{Effective: s.Effective, Permitted: s.Permitted, Inheritable: s.Inheritable}
}

// Current returns the calling thread's capability sets: capget(2) with
// the 64-bit interface (_LINUX_CAPABILITY_VERSION_3, Linux 2.6.26) for
// the effective, permitted and inheritable sets, prctl(2)
// PR_CAPBSET_READ for each capability up to Last for the bounding set,
// and PR_CAP_AMBIENT_IS_SET for each for the ambient set. It needs no
// privilege and reads no file. On a kernel before 4.3, which has no
// ambient set, Ambient is empty.
//
// The sets belong to a thread. In a Go program the threads share them
// unless a thread-scoped change (ThreadScope, internal/thread's locked
// threads) made one differ, so Current answers for the process.
func Current() (Sets, error) {
	e, p, i, err := sys.Capget()
	if err != nil {
		return Sets{}, fmt.Errorf("capability: read sets: %w", err)
	}
	s := Sets{Effective: Set(e), Permitted: Set(p), Inheritable: Set(i)}
	last, err := Last()
	if err != nil {
		return Sets{}, fmt.Errorf("capability: read sets: %w", err)
	}
	ambient := true
	for c := range last + 1 {
		in, err := sys.CapbsetRead(int(c))
		if err != nil {
			return Sets{}, fmt.Errorf("capability: read bounding set: %w", err)
		}
		if in {
			s.Bounding |= 1 << c
		}
		if !ambient {
			continue
		}
		in, err = sys.CapAmbientIsSet(int(c))
		if sys.Errno(err) == sys.EINVAL && c == 0 {
			ambient = false // before Linux 4.3: no ambient set
			continue
		}
		if err != nil {
			return Sets{}, fmt.Errorf("capability: read ambient set: %w", err)
		}
		if in {
			s.Ambient |= 1 << c
		}
	}
	return s, nil
}

// Scope says which threads a change applies to. There is no default: a
// caller names one.
type Scope uint8

const (
	// ProcessScope changes every thread of the process, through
	// syscall.AllThreadsSyscall: the runtime stops the world and has
	// each thread make the same system call. It needs a program built
	// without cgo (CGO_ENABLED=0, as lx's own command is): with cgo the
	// runtime does not know every thread, and the change fails with an
	// error matching errors.ErrUnsupported without touching any thread.
	// The call is made on one thread first; if it fails there, nothing
	// changed. If it then failed on another thread, the runtime would
	// end the process, so the threads must share one state, as they do
	// unless a ThreadScope change made one of them differ.
	ProcessScope Scope = iota + 1
	// ThreadScope changes the calling OS thread only. The Go scheduler
	// moves goroutines between threads, so the caller must hold the
	// thread (runtime.LockOSThread) for the change to mean anything,
	// and should let the thread end (return from the goroutine without
	// unlocking it) rather than give a thread with other capabilities
	// back to the scheduler. For a thread a child is forked from, this
	// is the scope; otherwise use ProcessScope.
	ThreadScope
)

// String returns "process" or "thread".
func (sc Scope) String() string {
	switch sc {
	case ProcessScope:
		return "process"
	case ThreadScope:
		return "thread"
	}
	return fmt.Sprintf("Scope(%d)", uint8(sc))
}

// check returns an error for a Scope that is neither constant.
func (sc Scope) check() error {
	if sc != ProcessScope && sc != ThreadScope {
		return fmt.Errorf("capability: invalid scope %d: %w", uint8(sc), fs.ErrInvalid)
	}
	return nil
}

// allThreadsErr turns AllThreadsSyscall's refusal in a cgo program into
// an error matching errors.ErrUnsupported.
func allThreadsErr(err error) error {
	if sys.Errno(err) == sys.ErrAllThreadsCgo {
		return fmt.Errorf("process-wide change needs a program built with CGO_ENABLED=0 (syscall.AllThreadsSyscall): %w: %w",
			errors.ErrUnsupported, err)
	}
	return err
}

// checkKnown returns an error naming the first capability of s the
// running kernel does not have (above Last).
func checkKnown(s Set) error {
	full, err := Full()
	if err != nil {
		return err
	}
	if extra := s &^ full; extra != 0 {
		last, _ := Last()
		for c := range extra.All() {
			return fmt.Errorf("capability %v: the running kernel's last capability is %v (%d): %w", c, last, last, fs.ErrInvalid)
		}
	}
	return nil
}

// SetState sets the effective, permitted and inheritable sets (capset(2))
// of the threads scope names. The kernel allows: permitted only
// shrinking; effective within the new permitted; inheritable within the
// old permitted plus the old inheritable, and within the bounding set,
// unless the thread has CAP_SETPCAP (capabilities(7)). A refused change
// is an error matching fs.ErrPermission (EPERM) and changes nothing.
// Lowering permitted also lowers the ambient set. Every capability in st
// must be one the running kernel has (see Last): one it lacks is an
// error naming it, before any system call.
func SetState(scope Scope, st State) error {
	if err := scope.check(); err != nil {
		return err
	}
	if err := checkKnown(st.Effective | st.Permitted | st.Inheritable); err != nil {
		return fmt.Errorf("capability: set state %v: %w", st, err)
	}
	e, p, i := uint64(st.Effective), uint64(st.Permitted), uint64(st.Inheritable)
	var err error
	if scope == ThreadScope {
		err = sys.Capset(e, p, i)
	} else {
		err = allThreadsErr(sys.CapsetAllThreads(e, p, i))
	}
	if err != nil {
		return fmt.Errorf("capability: set state %v: %w", st, err)
	}
	return nil
}

// DropBound removes the capabilities of caps from the bounding set of the
// threads scope names (prctl(2) PR_CAPBSET_DROP, one call per
// capability, Linux 2.6.25). It needs CAP_SETPCAP; without it the error
// matches fs.ErrPermission and nothing was dropped. A capability not in
// the bounding set is dropped again without error. Every capability must
// be one the running kernel has (see Last): one it lacks is an error
// naming it, before any system call.
func DropBound(scope Scope, caps Set) error {
	if err := scope.check(); err != nil {
		return err
	}
	if err := checkKnown(caps); err != nil {
		return fmt.Errorf("capability: drop from bounding set: %w", err)
	}
	for c := range caps.All() {
		var err error
		if scope == ThreadScope {
			err = sys.CapbsetDrop(int(c))
		} else {
			err = allThreadsErr(sys.CapbsetDropAllThreads(int(c)))
		}
		if err != nil {
			return fmt.Errorf("capability: drop %v from bounding set: %w", c, err)
		}
	}
	return nil
}

// ambientMin is the kernel that has ambient capabilities.
var ambientMin = kernel.Version{Major: 4, Minor: 3}

// RaiseAmbient adds the capabilities of caps to the ambient set of the
// threads scope names (prctl(2) PR_CAP_AMBIENT_RAISE, one call per
// capability, Linux 4.3). The kernel allows a capability that is in both
// the permitted and the inheritable set, unless SecbitNoCapAmbientRaise
// is set: RaiseAmbient checks that first (with Current and
// CurrentSecurebits of the calling thread) and changes nothing when a
// capability fails it, with an error naming it that matches
// fs.ErrPermission. On a kernel before 4.3 the error is a
// *kernel.FeatureError. Every capability must be one the running kernel
// has (see Last).
func RaiseAmbient(scope Scope, caps Set) error {
	if err := scope.check(); err != nil {
		return err
	}
	if err := checkKnown(caps); err != nil {
		return fmt.Errorf("capability: raise ambient: %w", err)
	}
	cur, err := Current()
	if err != nil {
		return fmt.Errorf("capability: raise ambient: %w", err)
	}
	if missing := caps &^ (cur.Permitted & cur.Inheritable); missing != 0 {
		return fmt.Errorf("capability: raise ambient %v: not in both the permitted and the inheritable set: %w", missing, fs.ErrPermission)
	}
	if caps != 0 {
		bits, err := CurrentSecurebits()
		if err != nil {
			return fmt.Errorf("capability: raise ambient: %w", err)
		}
		if bits&SecbitNoCapAmbientRaise != 0 {
			return fmt.Errorf("capability: raise ambient %v: %v is set: %w", caps, SecbitNoCapAmbientRaise, fs.ErrPermission)
		}
	}
	return ambient(scope, sys.CapAmbientRaise, caps, "raise ambient")
}

// LowerAmbient removes the capabilities of caps from the ambient set of
// the threads scope names (prctl(2) PR_CAP_AMBIENT_LOWER, Linux 4.3). It
// needs no privilege. Every capability must be one the running kernel
// has (see Last).
func LowerAmbient(scope Scope, caps Set) error {
	if err := scope.check(); err != nil {
		return err
	}
	if err := checkKnown(caps); err != nil {
		return fmt.Errorf("capability: lower ambient: %w", err)
	}
	return ambient(scope, sys.CapAmbientLower, caps, "lower ambient")
}

// ClearAmbient empties the ambient set of the threads scope names
// (prctl(2) PR_CAP_AMBIENT_CLEAR_ALL, Linux 4.3). It needs no privilege.
func ClearAmbient(scope Scope) error {
	if err := scope.check(); err != nil {
		return err
	}
	var err error
	if scope == ThreadScope {
		err = sys.CapAmbient(sys.CapAmbientClearAll, 0)
	} else {
		err = allThreadsErr(sys.CapAmbientAllThreads(sys.CapAmbientClearAll, 0))
	}
	if err != nil {
		return fmt.Errorf("capability: clear ambient: %w", ambientErr(err))
	}
	return nil
}

// ambientErr makes the EINVAL of a kernel without ambient capabilities a
// *kernel.FeatureError.
func ambientErr(err error) error {
	if sys.Errno(err) == sys.EINVAL {
		if _, perr := sys.CapAmbientIsSet(0); sys.Errno(perr) == sys.EINVAL {
			return &kernel.FeatureError{Feature: "ambient capabilities", MinKernel: ambientMin, Err: err}
		}
	}
	return err
}

// ambient makes the ambient operation op for each capability of caps.
func ambient(scope Scope, op int, caps Set, what string) error {
	for c := range caps.All() {
		var err error
		if scope == ThreadScope {
			err = sys.CapAmbient(op, int(c))
		} else {
			err = allThreadsErr(sys.CapAmbientAllThreads(op, int(c)))
		}
		if err != nil {
			return fmt.Errorf("capability: %s %v: %w", what, c, ambientErr(err))
		}
	}
	return nil
}
