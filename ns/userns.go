package ns

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// UserOptions say how NewUser maps ids. nil means no maps: every id is
// unmapped (shown as the overflow id, 65534) in the new namespace.
type UserOptions struct {
	// UIDMap and GIDMap are written to the new namespace when not empty;
	// see WriteUIDMap and WriteGIDMap for who may write what. An
	// unprivileged caller may map exactly its own effective uid (gid), in
	// one line.
	UIDMap, GIDMap IDMap
	// Setgroups is written before GIDMap. The zero value means
	// SetgroupsDeny, the only choice an unprivileged caller has when it
	// writes a GIDMap; SetgroupsAllow needs CAP_SETGID in the caller's
	// user namespace. Without a GIDMap nothing is written.
	Setgroups Setgroups
}

// NewUser creates a user namespace and returns a Handle to it, without the
// calling process entering it, which a Go program cannot do (see Do). The
// handle serves where the kernel takes a user namespace fd: an idmapped
// mount (mount_setattr(2) MOUNT_ATTR_IDMAP), the owner of namespaces
// created by a process that joins it, NS_GET_* queries. The namespace
// lives as long as the handle, or anything else referring to it.
//
// How: a user namespace is made by a process, so NewUser starts a helper
// process with clone(2) CLONE_NEWUSER through syscall.ForkExec, with
// Ptrace set: the child calls ptrace(PTRACE_TRACEME) and executes
// /proc/self/exe, and the kernel stops it with SIGTRAP once execve(2) has
// succeeded, before the program's first instruction. None of the caller's
// code runs in the child except the standard library's fork path, and
// nothing is re-executed. The parent writes the maps to the child's
// /proc/PID files, takes its user namespace (OpenPidFD on the clone's
// pidfd: PIDFD_GET_USER_NAMESPACE, or /proc/PID/ns/user bracketed by the
// pidfd), then kills it (SIGKILL) and reaps it. All of this happens on one
// locked thread, which is the helper's tracer and the thread its
// parent-death signal (SIGKILL) watches: if the caller dies half way the
// helper dies too, and it never runs.
//
// The alternative, a raw clone(2) whose child blocks in a system call, was
// rejected: in a pure-Go program that child would run the caller's Go code
// on a forked copy of the runtime without the runtime's fork preparations
// (signal masking, stack guards), and clone's argument order differs
// between architectures.
//
// Requirements: the kernel must allow the caller to create a user
// namespace (unprivileged users may on most kernels;
// user.max_user_namespaces must not be reached) and to ptrace its own
// child (a Yama ptrace_scope of 3 or a seccomp filter on ptrace forbid
// it); the caller must be able to execute and read its own executable
// without capabilities (execute: the helper's privileges are those of the
// new namespace; read: otherwise the helper is not dumpable and its
// /proc/PID files are out of reach). Programs that reap every child
// (wait(-1)) must not run while NewUser does.
func NewUser(opts *UserOptions) (*Handle, error) {
	if opts == nil {
		opts = &UserOptions{}
	}
	if len(opts.UIDMap) > 0 {
		if err := opts.UIDMap.Validate(); err != nil {
			return nil, fmt.Errorf("ns new user: uid map: %w", err)
		}
	}
	if len(opts.GIDMap) > 0 {
		if err := opts.GIDMap.Validate(); err != nil {
			return nil, fmt.Errorf("ns new user: gid map: %w", err)
		}
	}
	setgroups := opts.Setgroups
	if setgroups == 0 {
		setgroups = SetgroupsDeny
	}
	if setgroups != SetgroupsAllow && setgroups != SetgroupsDeny {
		return nil, fmt.Errorf("ns new user: invalid setgroups policy %v", setgroups)
	}
	var h *Handle
	// The thread is not tainted: starting a process changes nothing on
	// it. It is locked so that it stays the helper's tracer and
	// parent-death thread until the helper is reaped.
	err := thread.Run(func(*thread.Thread) error {
		pidfd := -1
		attr := &syscall.ProcAttr{Sys: &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWUSER,
			Ptrace:     true,
			Pdeathsig:  syscall.SIGKILL,
			PidFD:      &pidfd,
		}}
		pid, err := syscall.ForkExec("/proc/self/exe", []string{"lx-ns-helper"}, attr)
		if err != nil {
			return fmt.Errorf("start helper process: %w", err)
		}
		helper := &helperProcess{pid: pid}
		if pidfd >= 0 {
			helper.pidfd = sys.NewFD(pidfd)
		}
		defer helper.end()
		if err := helper.writeMaps(opts.UIDMap, opts.GIDMap, setgroups); err != nil {
			return err
		}
		h, err = helper.userNamespace()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ns new user: %w", err)
	}
	return h, nil
}

// helperProcess is NewUser's stopped child.
type helperProcess struct {
	pid   int
	pidfd *sys.FD // nil if the kernel gave none (before 5.2)
}

func (p *helperProcess) writeMaps(uids, gids IDMap, setgroups Setgroups) error {
	if len(uids) > 0 {
		if err := WriteUIDMap(p.pid, uids); err != nil {
			return err
		}
	}
	if len(gids) > 0 {
		if err := WriteSetgroups(p.pid, setgroups); err != nil {
			return err
		}
		if err := WriteGIDMap(p.pid, gids); err != nil {
			return err
		}
	}
	return nil
}

// userNamespace opens the helper's user namespace.
func (p *helperProcess) userNamespace() (*Handle, error) {
	if p.pidfd == nil {
		// Race-free too: the helper is our unreaped child.
		return OpenPID(p.pid, User)
	}
	h, err := openPidfd(p.pidfd.Int(), p.pid, User)
	if err != nil {
		return nil, fmt.Errorf("open helper's user namespace: %w", err)
	}
	return h, nil
}

// end kills and reaps the helper. Until it is reaped its PID cannot be
// reused, so signalling by PID is safe when there is no pidfd.
func (p *helperProcess) end() {
	if p.pidfd == nil || sys.PidfdSendSignal(p.pidfd.Int(), syscall.SIGKILL, nil, 0) != nil {
		sys.Kill(p.pid, syscall.SIGKILL)
	}
	if p.pidfd != nil && !errors.Is(feature.PidfdWaitid.Check(), errors.ErrUnsupported) {
		sys.Waitid(sys.P_PIDFD, p.pidfd.Int(), sys.WEXITED)
	} else {
		sys.Waitid(sys.P_PID, p.pid, sys.WEXITED)
	}
	if p.pidfd != nil {
		p.pidfd.Close()
	}
}
