package seccomp

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// InstallOptions are Install's optional settings. nil means the
// defaults: the calling thread only, no flags.
type InstallOptions struct {
	// AllThreads installs the filter on every thread of the process at
	// once (SECCOMP_FILTER_FLAG_TSYNC, Linux 3.17), which also gives them
	// the caller's no_new_privs. It fails with a *SyncError if a thread
	// has filters the caller's do not descend from.
	AllThreads bool
	// Log logs every action but RetAllow to the audit log
	// (SECCOMP_FILTER_FLAG_LOG, Linux 4.14), subject to
	// /proc/sys/kernel/seccomp/actions_logged.
	Log bool
	// SpecAllow leaves speculative store bypass mitigation off
	// (SECCOMP_FILTER_FLAG_SPEC_ALLOW, Linux 4.17), which a filter
	// otherwise turns on.
	SpecAllow bool
}

// SyncError is Install's error when AllThreads could not install the
// filter because thread TID has seccomp filters that are not ancestors of
// the caller's (it installed its own): the kernel then installs the
// filter on no thread.
type SyncError struct {
	TID int // the thread id that could not synchronise
}

func (e *SyncError) Error() string {
	return "seccomp: install: thread " + strconv.Itoa(e.TID) + " cannot take the filter (TSYNC): its filters differ"
}

// Install sets the calling thread's no_new_privs (prctl(2)
// PR_SET_NO_NEW_PRIVS: execve(2) grants no privilege any more; it cannot
// be undone) and installs prog as a seccomp filter, seccomp(2)
// SECCOMP_SET_MODE_FILTER (Linux 3.17 for the system call; filters since
// 3.5). It needs no privilege. Filters only add up: a thread's calls go
// through every filter it has, the strictest action winning; none can be
// removed. They are inherited over fork(2), clone(2) and execve(2).
//
// Without opts.AllThreads the filter is on the calling OS thread only:
// call Install from a goroutine that has called runtime.LockOSThread and
// never unlocks it (the thread then dies with the goroutine), or the
// runtime will run other goroutines on the filtered thread. With
// AllThreads it is on every thread of the process, and threads created
// later inherit it.
//
// The program must be Compile's or otherwise valid for the kernel
// (1..MaxInstructions instructions); the kernel checks it again. Errors
// wrap fs.ErrInvalid for an empty or too long program, the errno of
// prctl or seccomp otherwise (EINVAL also for a flag the kernel lacks),
// or are a *SyncError.
func Install(prog Program, opts *InstallOptions) error {
	filter, flags, err := prepare("install", prog, opts)
	if err != nil {
		return err
	}
	if err := sys.SetNoNewPrivs(); err != nil {
		return fmt.Errorf("seccomp: install: %w", err)
	}
	tid, err := sys.SeccompSetModeFilter(filter, flags)
	if err != nil {
		return fmt.Errorf("seccomp: install: %w", err)
	}
	if tid > 0 {
		return &SyncError{TID: tid}
	}
	return nil
}

// prepare checks prog's length and returns it in the kernel's layout
// with the filter flags of opts (nil: none), for Install and
// InstallListener (op names which, in errors).
func prepare(op string, prog Program, opts *InstallOptions) ([]sys.SockFilter, uint, error) {
	if len(prog) == 0 || len(prog) > MaxInstructions {
		return nil, 0, fmt.Errorf("seccomp: %s: %d instructions, not 1..%d: %w", op, len(prog), MaxInstructions, fs.ErrInvalid)
	}
	if opts == nil {
		opts = &InstallOptions{}
	}
	var flags uint
	if opts.AllThreads {
		flags |= sys.SECCOMP_FILTER_FLAG_TSYNC
	}
	if opts.Log {
		flags |= sys.SECCOMP_FILTER_FLAG_LOG
	}
	if opts.SpecAllow {
		flags |= sys.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	filter := make([]sys.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = sys.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return filter, flags, nil
}

// ActionAvailable reports whether the running kernel knows the action
// kind a (its data is ignored): seccomp(2) SECCOMP_GET_ACTION_AVAIL,
// Linux 4.14, no privilege. Before 4.14 the error is a
// *kernel.FeatureError (errors.ErrUnsupported); the actions that 4.14
// added (RetKillProcess, RetLog) are missing there too.
func ActionAvailable(a Action) (bool, error) {
	err := sys.SeccompActionAvail(uint32(a.Kind()))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.EOPNOTSUPP):
		return false, nil
	case errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENOSYS):
		return false, &kernel.FeatureError{Feature: "SECCOMP_GET_ACTION_AVAIL", MinKernel: kernel.V(4, 14), Err: err}
	}
	return false, fmt.Errorf("seccomp: action %v: %w", a, err)
}
