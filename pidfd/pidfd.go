// Package pidfd wraps process file descriptors (pidfd_open(2)): handles
// that refer to one process (or, with PIDFD_THREAD, one thread) for as long
// as they are open, so a signal, a wait or an information query can never
// reach a different process that happens to reuse the PID.
//
// An [FD] owns a close-on-exec, non-blocking pidfd registered with the Go
// runtime's poller. [FD.Wait] and [FD.WaitExited] park the calling goroutine,
// not an OS thread: a program can wait for thousands of processes with a
// handful of threads. Every blocking call takes a context.Context and no
// goroutine outlives a call.
//
// Minimum kernels: pidfd_send_signal 5.1, pidfd_open 5.3, waitid(P_PIDFD)
// 5.4, pidfd_getfd 5.6, PIDFD_NONBLOCK 5.10, pidfs, PIDFD_THREAD and the
// PIDFD_SIGNAL_* scopes 6.9, namespace ioctls 6.11, PIDFD_GET_INFO and pidfs
// file handles 6.13, exit information 6.15, core dump information 6.16.
// Missing interfaces are reported as errors matching errors.ErrUnsupported
// (*kernel.FeatureError); [FD.Info] falls back to /proc on kernels without
// PIDFD_GET_INFO.
//
// Errors for a process that has exited and been reaped match
// os.ErrProcessDone and syscall.ESRCH (or syscall.ECHILD for waits).
package pidfd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// FD is an open pidfd. It is safe for concurrent use; Close wakes every
// blocked Wait, which then returns an error matching os.ErrClosed.
type FD struct {
	pfd *poll.FD
	pid int // at open time, or -1 if unknown
	// id caches the pidfs inode number (0 = not yet known).
	id atomic.Uint64
}

// OpenOptions modify Open. The zero value (or nil) opens a pidfd for a
// process (a thread-group leader).
type OpenOptions struct {
	// Thread opens a pidfd for the single thread whose thread id is the
	// pid argument (PIDFD_THREAD, Linux 6.9). Such a pidfd becomes
	// readable when that thread exits, and signals sent through it go to
	// that thread.
	Thread bool
}

// Open opens a pidfd for the process pid (pidfd_open(2), Linux 5.3), or
// for the thread pid when opts.Thread is set (Linux 6.9). The pidfd is
// close-on-exec and non-blocking (PIDFD_NONBLOCK, 5.10; on 5.3 to 5.9
// O_NONBLOCK is set with fcntl instead).
//
// No privilege is needed: a pidfd alone grants nothing. Signalling,
// getfd and namespace access check permissions at the time of the call.
// A PID names a process only until it is reaped and reused; Open is
// race-free only for one's own unreaped children (whose PID cannot be
// reused) or when the caller checks afterwards, for example with
// [FD.Info], that it opened the intended process.
//
// pid must be 1 to 2^31-1 (kernel.MaxPID): a larger value would reach the
// kernel cut to 32 bits and name another process, so it is rejected with
// an error matching fs.ErrInvalid before any system call.
func Open(pid int, opts *OpenOptions) (*FD, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return nil, fmt.Errorf("pidfd open: %w", err)
	}
	thread := opts != nil && opts.Thread
	fd, err := open(pid, thread)
	if err != nil {
		return nil, fmt.Errorf("pidfd open %d: %w", pid, err)
	}
	return newFD(fd, pid)
}

func open(pid int, thread bool) (*sys.FD, error) {
	flags := sys.PIDFD_NONBLOCK
	if thread {
		flags |= sys.PIDFD_THREAD
	}
	fd, err := sys.PidfdOpen(pid, flags)
	if err == nil {
		return fd, nil
	}
	switch sys.Errno(err) {
	case sys.ENOSYS:
		return nil, feature.PidfdOpen.Unsupported(err)
	case sys.EINVAL:
		if thread {
			if perr := feature.PidfdThread.Check(); errors.Is(perr, errors.ErrUnsupported) {
				return nil, perr
			}
		}
		if perr := feature.PidfdNonblock.Check(); errors.Is(perr, errors.ErrUnsupported) {
			// 5.3 to 5.9: open blocking and set O_NONBLOCK ourselves.
			fd, err := sys.PidfdOpen(pid, flags&^sys.PIDFD_NONBLOCK)
			if err != nil {
				return nil, err
			}
			if err := sys.SetNonblock(fd.Int()); err != nil {
				fd.Close()
				return nil, err
			}
			return fd, nil
		}
		if !thread {
			return nil, threadHint(pid, err)
		}
	case sys.ENOENT:
		// 6.9 and later: pid is a thread that is not a thread-group leader.
		if !thread {
			return nil, threadHint(pid, err)
		}
	}
	return nil, err
}

// threadHint adds to err, pidfd_open's answer for pid without PIDFD_THREAD
// (EINVAL before 6.9, ENOENT since), the advice to use OpenOptions.Thread,
// but only when that is the cause: pid is a thread whose thread group id
// (the Tgid line of /proc/PID/status) is another.
func threadHint(pid int, err error) error {
	p, perr := procfs.Default().Proc(pid)
	if perr != nil {
		return err
	}
	st, serr := p.Status()
	if serr != nil || st.TGID == pid || kernel.CheckPID(st.TGID) != nil {
		return err
	}
	return fmt.Errorf("%w (%d is a thread of process %d, not its leader: use OpenOptions.Thread to open the thread)", err, pid, st.TGID)
}

// Self opens a pidfd for the calling process.
func Self() (*FD, error) {
	pid := sys.Getpid()
	fd, err := open(pid, false)
	if err != nil {
		return nil, fmt.Errorf("pidfd open self: %w", err)
	}
	return newFD(fd, pid)
}

// FromProcess opens a pidfd for p with pidfd_open(p.Pid).
//
// This is race-free only while p is an unreaped child of the caller: until
// it is waited for, a child's PID cannot be reused. Once p.Wait has
// returned, or for a process found with os.FindProcess that is not a
// child, the PID may already name another process. (The runtime's own
// pidfd, os.Process.WithHandle, is not adopted: it is blocking, and p.Wait
// waits on it.) For a child started by os/exec, prefer [FromCmd] with
// SysProcAttr.PidFD, which has no window at all.
func FromProcess(p *os.Process) (*FD, error) {
	if p == nil || p.Pid <= 0 {
		return nil, errors.New("pidfd from process: nil or released process")
	}
	return Open(p.Pid, nil)
}

// FromCmd adopts the pidfd the kernel returned for a started cmd whose
// SysProcAttr.PidFD pointed at an int (CLONE_PIDFD, Linux 5.2). It takes
// ownership of *cmd.SysProcAttr.PidFD, setting it to -1, even on error.
//
// The Go runtime keeps a duplicate of that pidfd for cmd.Wait, sharing its
// open file description, and waits on it with a blocking waitid; setting
// O_NONBLOCK on it would make cmd.Wait fail with EAGAIN. So FromCmd leaves
// it alone: it opens a private non-blocking pidfd for cmd.Process.Pid,
// then sends signal 0 through the clone pidfd, which proves the child had
// not been reaped (so its PID had not been reused) when the new pidfd was
// opened, and closes the clone pidfd. After reaping the child with
// [FD.Wait], call cmd.Process.Release to close the runtime's pidfd; a
// cmd.Wait after that fails with ECHILD.
func FromCmd(cmd *exec.Cmd) (*FD, error) {
	if cmd == nil || cmd.Process == nil {
		return nil, errors.New("pidfd from cmd: command not started")
	}
	if cmd.SysProcAttr == nil || cmd.SysProcAttr.PidFD == nil {
		return nil, errors.New("pidfd from cmd: cmd.SysProcAttr.PidFD was not set before Start")
	}
	raw := *cmd.SysProcAttr.PidFD
	*cmd.SysProcAttr.PidFD = -1
	if raw < 0 {
		return nil, fmt.Errorf("pidfd from cmd: no pidfd (SysProcAttr.PidFD = %d)", raw)
	}
	orig := sys.NewFD(raw)
	defer orig.Close()
	if err := kernel.CheckPID(cmd.Process.Pid); err != nil {
		return nil, fmt.Errorf("pidfd from cmd: %w", err)
	}
	fd, err := reopen(raw, cmd.Process.Pid, 0)
	if err != nil {
		return nil, fmt.Errorf("pidfd from cmd: %w", err)
	}
	return newFD(fd, cmd.Process.Pid)
}

// FromFile adopts a pidfd received from elsewhere (SCM_RIGHTS, SO_PEERPIDFD,
// fd inheritance). It takes ownership of f and closes it, even on error.
//
// lx needs a non-blocking pidfd for the poller, but O_NONBLOCK belongs to
// the open file description, which f may share with other holders (the
// sender of a passed fd, the Go runtime for a SysProcAttr.PidFD): setting
// it would make their blocking waitid(P_PIDFD) fail with EAGAIN. So unless
// f is already non-blocking, FromFile opens a private pidfd for the same
// task (pidfd_open of the PID in f's fdinfo, with PIDFD_THREAD if f has
// it, then signal 0 through f to prove the PID was not reused meanwhile).
// Only when that is impossible, because the process has been reaped or
// is not visible in the caller's PID namespace, does FromFile duplicate f
// and set O_NONBLOCK on the shared description.
//
// FromFile reads /proc/self/fdinfo/FD to check that f is a pidfd and to
// learn its PID, so it needs procfs mounted.
func FromFile(f *os.File) (*FD, error) {
	if f == nil {
		return nil, errors.New("pidfd from file: nil file")
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("pidfd from file: %w", err)
	}
	var fd *sys.FD
	pid := -1
	cerr := rc.Control(func(raw uintptr) {
		if pid, err = fdinfoPid(int(raw)); err != nil {
			return
		}
		var flags int
		if flags, err = sys.FcntlGetfl(int(raw)); err != nil {
			return
		}
		if flags&sys.O_NONBLOCK != 0 {
			fd, err = sys.Dup(int(raw))
			return
		}
		fd, err = reopen(int(raw), pid, flags&sys.PIDFD_THREAD)
	})
	if cerr != nil {
		return nil, fmt.Errorf("pidfd from file: %w", cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("pidfd from file %s: %w", f.Name(), err)
	}
	return newFD(fd, pid)
}

// FromFileWithPID adopts f, a pidfd whose PID the caller already knows:
// typically the pidfd that clone(2) or clone3(2) returned with CLONE_PIDFD
// (syscall.SysProcAttr.PidFD given to syscall.ForkExec) together with the
// PID that the same call returned. It takes ownership of f and closes it,
// even on error. pid must be 1 to 2^31-1 (fs.ErrInvalid otherwise).
//
// Unlike FromFile it reads no fdinfo and opens no other pidfd: one
// fcntl(2) duplicates f's descriptor and another sets O_NONBLOCK, which
// the poller needs. So the caller vouches for two things that are not
// checked:
//
//   - f is a pidfd, and pid is the process (or, for a PIDFD_THREAD pidfd,
//     the thread) it was made for, in the caller's PID namespace. Every
//     operation goes through the pidfd and reaches the process it refers
//     to whatever pid says; only PID reports pid as it was given. A
//     descriptor that is no pidfd makes the methods fail (EBADF,
//     EINVAL).
//   - No one else uses f's open file description. O_NONBLOCK is a flag of
//     the description, so a duplicate that another holder waits on with a
//     blocking waitid(P_PIDFD) would get EAGAIN from then on. A clone
//     pidfd that the caller alone holds qualifies; the pidfd of an
//     os/exec start does not (the runtime keeps a duplicate for cmd.Wait:
//     use FromCmd), nor does one received from another process (use
//     FromFile).
func FromFileWithPID(f *os.File, pid int) (*FD, error) {
	if f == nil {
		return nil, errors.New("pidfd from file: nil file")
	}
	defer f.Close()
	if err := kernel.CheckPID(pid); err != nil {
		return nil, fmt.Errorf("pidfd from file %s: %w", f.Name(), err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("pidfd from file %s: %w", f.Name(), err)
	}
	var fd *sys.FD
	cerr := rc.Control(func(raw uintptr) {
		if fd, err = sys.Dup(int(raw)); err != nil {
			return
		}
		if err = sys.SetNonblock(fd.Int()); err != nil {
			fd.Close()
		}
	})
	if cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("pidfd from file %s: %w", f.Name(), err)
	}
	return newFD(fd, pid)
}

// reopen returns a non-blocking pidfd for the task of the blocking pidfd
// raw (whose PID is pid, or -1 or 0 when it has none) without changing
// raw's shared flags; see FromFile.
func reopen(raw, pid, thread int) (*sys.FD, error) {
	if kernel.CheckPID(pid) == nil {
		fd, err := open(pid, thread != 0)
		if err == nil {
			// raw's task still exists (a zombie accepts signal 0; EPERM
			// also means it exists), so pid named it when fd was opened.
			serr := sys.PidfdSendSignal(raw, 0, nil, 0)
			if serr == nil || sys.Errno(serr) == sys.EPERM {
				return fd, nil
			}
			fd.Close()
		}
	}
	// Reaped (its description's flags no longer matter to anyone's
	// waitid) or not visible in our PID namespace: share the description.
	fd, err := sys.Dup(raw)
	if err != nil {
		return nil, err
	}
	if err := sys.SetNonblock(fd.Int()); err != nil {
		fd.Close()
		return nil, err
	}
	return fd, nil
}

// newFD hands a non-blocking pidfd to the poller.
func newFD(fd *sys.FD, pid int) (*FD, error) {
	f := fd.File("pidfd:" + strconv.Itoa(pid))
	pfd, err := poll.New(f)
	if err != nil {
		return nil, fmt.Errorf("pidfd: %w", err)
	}
	return &FD{pfd: pfd, pid: pid}, nil
}

// PID returns the process (or thread) id the pidfd was opened for, in the
// caller's PID namespace; -1 if a pidfd adopted with FromFile referred to
// a process that had already been reaped. The value is not re-checked: a
// PID outlives its process only until it is reused. Use [FD.Info] for a
// checked answer.
func (f *FD) PID() int { return f.pid }

// Close closes the pidfd. It does not affect the process. Close is
// idempotent.
func (f *FD) Close() error { return f.pfd.Close() }

// SyscallConn returns the raw connection of the pidfd, for calls lx does not
// wrap (setns(2) on a pidfd, passing it over a unix socket). The fd is valid
// only inside Control; do not change its flags.
func (f *FD) SyscallConn() (syscall.RawConn, error) { return f.pfd.File().SyscallConn() }

// processDone marks err (ESRCH, ECHILD) as "the process has finished":
// the result matches both os.ErrProcessDone and err.
func processDone(err error) error {
	return fmt.Errorf("%w (%w)", os.ErrProcessDone, err)
}
