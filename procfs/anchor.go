package procfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// PidFD is a pidfd (pidfd_open(2), clone(2) CLONE_PIDFD): an *os.File from
// os.StartProcess with syscall.SysProcAttr.PidFD or from os.NewFile, or a
// *pidfd.FD. procfs only borrows the fd for the duration of a call.
type PidFD interface {
	SyscallConn() (syscall.RawConn, error)
}

// OpenProc opens process pid through a pidfd (pidfd_open(2), Linux 5.3)
// and returns a Proc anchored to it, as ProcFromPidFD does: every read
// describes that process or fails with an error matching os.ErrProcessDone
// once it has exited and been reaped, even if its PID is reused. The Proc
// holds the pidfd and the /proc/PID directory; Close releases both. PidFD
// gives a duplicate of the pidfd to callers that want one (to signal or
// wait for the process, or for its pidfs id through pidfd.FromFile).
//
// pid is checked first (1..2^31-1, or an error matching fs.ErrInvalid). A
// pid that names no process gives a *NoProcessError (matching
// syscall.ESRCH and fs.ErrNotExist, not os.ErrProcessDone); for the id of
// a thread that is not its process's main thread, its ThreadOf is the
// process's id. pid is interpreted in the calling
// process's PID namespace, as pidfd_open(2) does; the Proc reads fs, which
// must be a procfs mount in which the caller is visible (its own /proc, or
// that of a descendant PID namespace), and its PID is the process's PID in
// fs's namespace.
//
// On a kernel without pidfd_open (before 5.3; ENOSYS) OpenProc falls back
// to FS.Proc: the Proc reads by path, Anchored reports false and PidFD
// fails. No privilege is needed; reading some files needs ptrace access
// as usual.
func (fs FS) OpenProc(pid int) (Proc, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return Proc{}, fmt.Errorf("procfs open: %w", err)
	}
	// Before 5.3 (the shared, cached probe says ENOSYS) read by path.
	if err := feature.PidfdOpen.Check(); errors.Is(err, errors.ErrUnsupported) {
		return fs.Proc(pid)
	}
	pfd, err := sys.PidfdOpen(pid, 0)
	switch sys.Errno(err) {
	case 0:
	case sys.ESRCH:
		return Proc{}, &NoProcessError{PID: pid, Err: err}
	case sys.EINVAL, sys.ENOENT:
		// pid names a task that is not a thread-group leader, a thread,
		// for which pidfd_open wants PIDFD_THREAD (6.9): older kernels
		// say EINVAL, recent ones (6.18) ENOENT.
		if tgid, ok := fs.threadGroup(pid); ok && tgid != pid {
			return Proc{}, &NoProcessError{PID: pid, ThreadOf: tgid, Err: err}
		}
		if sys.Errno(err) == sys.ENOENT {
			return Proc{}, &NoProcessError{PID: pid, Err: err}
		}
		return Proc{}, fmt.Errorf("procfs open pid %d: %w", pid, err)
	default:
		return Proc{}, fmt.Errorf("procfs open pid %d: %w", pid, err)
	}
	p, err := fs.anchor(pfd.Int())
	runtime.KeepAlive(pfd)
	if err != nil {
		pfd.Close()
		return Proc{}, err
	}
	p.pidfd = pfd
	return p, nil
}

// threadGroup returns the thread group of task id, from the Tgid line of
// /proc/ID/status (a thread's directory exists though listings hide it).
func (fs FS) threadGroup(id int) (int, bool) {
	st, err := Proc{fs: fs, pid: id}.Status()
	return st.TGID, err == nil && st.TGID > 0
}

// PidFD returns a duplicate of the pidfd OpenProc opened for p (or for the
// process of the thread p), as an *os.File that the caller owns and must
// close; it stays valid after p is closed. It is a plain pidfd (not
// O_NONBLOCK); pidfd.FromFile adopts it. A Proc without a pidfd (made by
// FS.Proc, FS.Procs or FS.ProcFromPidFD, or by OpenProc on a kernel without
// pidfd_open) gives an error matching errors.ErrUnsupported.
func (p Proc) PidFD() (*os.File, error) {
	if p.pidfd == nil {
		return nil, fmt.Errorf("procfs pidfd of %v: not opened with one: %w", p, errors.ErrUnsupported)
	}
	raw := p.pidfd.Int()
	if raw < 0 {
		return nil, fmt.Errorf("procfs pidfd of %v: %w", p, fs.ErrClosed)
	}
	dup, err := sys.Dup(raw)
	runtime.KeepAlive(p.pidfd)
	if err != nil {
		return nil, fmt.Errorf("procfs pidfd of %v: %w", p, err)
	}
	return dup.File("pidfd"), nil
}

// ProcFromPidFD returns a Proc for the process pidfd refers to, anchored
// against PID reuse: every read through it describes that process, or fails
// with an error matching os.ErrProcessDone (and syscall.ESRCH) once the
// process has exited and been reaped. The returned Proc holds the
// /proc/PID directory open; Close it. The pidfd stays the caller's and may
// be closed at any time after ProcFromPidFD returns.
//
// How it works. ProcFromPidFD reads the PID from the pidfd (the "Pid:" line
// of /proc/self/fdinfo/FD, Linux 5.3+, which says -1 once the process is
// reaped and 0 if it is not visible in fs's PID namespace), opens
// /proc/PID as a directory (O_DIRECTORY), and then reads the pidfd's PID
// again. A PID number stays attached to one process from its creation
// until it is reaped, and only then can be reused. The pidfd's process
// existed before the first read; if it still holds PID after the open, it
// held PID during the open, so the directory opened is its own. Procfs
// binds an open /proc/PID directory to that process (its struct pid), not
// to the number: after the process is reaped, lookups through the
// directory fail (ENOENT) and open files fail (ESRCH), even if the number
// is reused. So one check at open time makes every later read safe; no
// per-read check is needed.
//
// A pidfd for a thread (PIDFD_THREAD, Linux 6.9+) gives that thread's
// /proc/TID directory. fs must be a real procfs mount in which the calling
// process is visible (its own /proc, or that of a descendant PID
// namespace): the pidfd is found through fs's /proc/self. No privilege is
// needed to anchor; reading some files needs ptrace access as usual.
func (fs FS) ProcFromPidFD(pidfd PidFD) (Proc, error) {
	rc, err := pidfd.SyscallConn()
	if err != nil {
		return Proc{}, fmt.Errorf("procfs anchor: %w", err)
	}
	var p Proc
	var aerr error
	if err := rc.Control(func(fd uintptr) { p, aerr = fs.anchor(int(fd)) }); err != nil {
		return Proc{}, fmt.Errorf("procfs anchor: %w", err)
	}
	return p, aerr
}

// anchor is ProcFromPidFD for the raw pidfd fd, which the caller keeps
// open during the call.
func (fs FS) anchor(pidfd int) (Proc, error) {
	pid, err := fs.pidfdPID(pidfd)
	if err != nil {
		return Proc{}, err
	}
	p := Proc{fs: fs, pid: pid}
	dir, err := sys.Openat(p.fs.conf().at, string(p.appendOpenDir(nil)), sys.O_RDONLY|sys.O_DIRECTORY)
	p.keepAlive()
	if err != nil {
		if e := sys.Errno(err); e == sys.ENOENT || e == sys.ESRCH {
			return Proc{}, &DoneError{PID: pid, Err: err}
		}
		return Proc{}, fmt.Errorf("procfs anchor: %w", err)
	}
	again, err := fs.pidfdPID(pidfd)
	if err == nil && again != pid {
		err = &DoneError{PID: pid, Err: fmt.Errorf("pidfd now reports pid %d: %w", again, syscall.ESRCH)}
	}
	if err != nil {
		dir.Close()
		return Proc{}, err
	}
	p.dir = dir
	return p, nil
}

// PidfdPID returns the PID of the process pidfd refers to, in fs's PID
// namespace, from the "Pid:" line of fs's /proc/self/fdinfo/FD (Linux 5.3;
// FDInfo.PidfdPID). A process that has exited and been reaped gives an
// error matching os.ErrProcessDone; one that is not visible in fs's PID
// namespace an error matching syscall.ESRCH; a descriptor that is not a
// pidfd one matching fs.ErrInvalid. The PID can be reused once the process
// is reaped: to read the process's files, anchor with ProcFromPidFD, whose
// Status gives its PPid, Tgid and ids race-free.
func (fs FS) PidfdPID(pidfd PidFD) (int, error) {
	rc, err := pidfd.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("procfs pidfd pid: %w", err)
	}
	var pid int
	var perr error
	if err := rc.Control(func(fd uintptr) { pid, perr = fs.pidfdPID(int(fd)) }); err != nil {
		return 0, fmt.Errorf("procfs pidfd pid: %w", err)
	}
	return pid, perr
}

var errNotPidFD = fmt.Errorf("not a pidfd (no Pid: line in its fdinfo): %w", fs.ErrInvalid)

// pidfdPID returns the PID the raw pidfd refers to in fs's PID namespace,
// from fs's /proc/self/fdinfo/FD.
func (fs FS) pidfdPID(pidfd int) (int, error) {
	var name [40]byte
	info, err := readFS(fs, string(strconv.AppendInt(append(name[:0], "self/fdinfo/"...), int64(pidfd), 10)), parseFDInfo)
	switch {
	case err != nil:
		return 0, fmt.Errorf("procfs pidfd pid: %w", err)
	case !info.Pidfd:
		return 0, fmt.Errorf("procfs pidfd pid of fd %d: %w", pidfd, errNotPidFD)
	case info.PidfdPID < 0:
		return 0, &DoneError{Err: fmt.Errorf("pidfd reports pid -1 (reaped): %w", syscall.ESRCH)}
	case info.PidfdPID == 0:
		return 0, fmt.Errorf("procfs pidfd pid: process not visible in the PID namespace of %s: %w", fs.conf().proc, syscall.ESRCH)
	}
	return info.PidfdPID, nil
}
