package ns

import (
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// UnshareOptions modify Unshare. nil means defaults.
type UnshareOptions struct {
	// TimeOffsets, with CloneNewTime, are written to the new time
	// namespace before the thread that created it ends. That is the only
	// moment they can be: /proc/PID/timens_offsets is reached through a
	// process whose time namespace for children it is, and no process is
	// left once the thread is gone. nil leaves the offsets inherited from
	// the caller's time namespace. Needs CAP_SYS_TIME (in the caller's
	// user namespace).
	TimeOffsets *TimeOffsets
}

// errNewPID explains why Unshare cannot make a PID namespace.
var errNewPID = fmt.Errorf("%w: unshare(CLONE_NEWPID) creates a PID namespace for the thread's "+
	"future children, which cannot be opened (pid_for_children is missing) until a first process "+
	"exists in it, and in which no process can be created (fork fails with ENOMEM) once that first "+
	"process, its init, has exited; a disposable thread has no process to keep it: start the "+
	"process with CLONE_NEWPID instead (syscall.SysProcAttr.Cloneflags, as package spawn does)", fs.ErrInvalid)

// Unshare creates new namespaces of the kinds in flags (unshare(2)) on a
// disposable thread, which is thrown away afterwards, and returns handles
// that keep them alive, by Type (Cgroup, IPC, Mnt, Net, Time, UTS). The
// caller's thread and the process stay in their namespaces; to use the new
// ones, pass the handles to Do, bind-mount them (BindMount), or hand them
// to a process launcher. The caller closes the handles.
//
// The new namespaces start as copies where the kernel copies (a mount
// namespace gets a copy of the caller's mounts, with their propagation: a
// mount made in it under a shared mount still propagates to the original,
// so make its mounts private first, as unshare(1) does, before mounting
// in it) and empty otherwise (a network namespace has only a loopback
// device, down). A time namespace created by unshare(2) is one for
// children: the handle is the thread's time_for_children, which no
// process has entered; its offsets can only be set through
// opts.TimeOffsets, and (see Do) a Go program cannot join it, only start a
// process in it.
//
// CLONE_NEWUSER and CLONE_NEWPID are refused with an error that says why
// (a user namespace needs a single-threaded process, see NewUser; a PID
// namespace needs its first process). Other bits are an error matching
// fs.ErrInvalid.
//
// Privilege: CAP_SYS_ADMIN in the caller's user namespace.
func Unshare(flags CloneFlags, opts *UnshareOptions) (map[Type]*Handle, error) {
	switch {
	case flags == 0 || flags&^allFlags != 0:
		return nil, fmt.Errorf("ns unshare: invalid namespace flags %v: %w", flags, fs.ErrInvalid)
	case flags&CloneNewUser != 0:
		return nil, fmt.Errorf("ns unshare: %w", &MultithreadedError{Type: User})
	case flags&CloneNewPID != 0:
		return nil, fmt.Errorf("ns unshare: %w", errNewPID)
	case opts != nil && opts.TimeOffsets != nil && flags&CloneNewTime == 0:
		return nil, fmt.Errorf("ns unshare: time offsets without CLONE_NEWTIME: %w", fs.ErrInvalid)
	}
	handles := map[Type]*Handle{}
	err := thread.Run(func(th *thread.Thread) error {
		th.Taint()
		// CLONE_NEWNS implies CLONE_FS: the kernel unshares the
		// thread's root and working directory too.
		if err := sys.Unshare(int(flags)); err != nil {
			return err
		}
		if opts != nil && opts.TimeOffsets != nil {
			if err := SetTimeOffsets(th.TID(), *opts.TimeOffsets); err != nil {
				return err
			}
		}
		for t := Cgroup; t <= numTypes; t++ {
			if t.Base() != t || flags&t.CloneFlag() == 0 {
				continue
			}
			open := t
			if t == Time {
				open = TimeForChildren
			}
			h, err := Current(open)
			if err != nil {
				return err
			}
			handles[t] = h
		}
		return nil
	})
	if err != nil {
		for _, h := range handles {
			h.Close()
		}
		return nil, fmt.Errorf("ns unshare %v: %w", flags, err)
	}
	return handles, nil
}
