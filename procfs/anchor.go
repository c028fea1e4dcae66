package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// PidFD is a pidfd (pidfd_open(2), clone(2) CLONE_PIDFD): an *os.File from
// os.StartProcess with syscall.SysProcAttr.PidFD or from os.NewFile, or a
// *pidfd.FD. procfs only borrows the fd for the duration of a call.
type PidFD interface {
	SyscallConn() (syscall.RawConn, error)
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
	pid, err := fs.pidfdPID(pidfd)
	if err != nil {
		return Proc{}, err
	}
	p := Proc{fs: fs, pid: pid}
	dir, err := sys.Open(p.Dir(), sys.O_RDONLY|sys.O_DIRECTORY)
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

var errNotPidFD = errors.New("not a pidfd (no Pid: line in fdinfo)")

// pidfdPID returns the PID a pidfd refers to in fs's PID namespace, from
// fs's /proc/self/fdinfo/FD. A reaped process gives a *DoneError.
func (fs FS) pidfdPID(pidfd PidFD) (int, error) {
	rc, err := pidfd.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("procfs anchor: %w", err)
	}
	var pid int
	var perr error
	cerr := rc.Control(func(fd uintptr) {
		path := fs.root + "/self/fdinfo/" + strconv.FormatUint(uint64(fd), 10)
		perr = pseudofs.WithFile(path, func(b []byte) error {
			var err error
			pid, err = parsePidfdFdinfoPID(b)
			return err
		})
		if perr != nil {
			perr = fmt.Errorf("procfs anchor: read %s: %w", path, perr)
		}
	})
	switch {
	case cerr != nil:
		return 0, fmt.Errorf("procfs anchor: %w", cerr)
	case perr != nil:
		return 0, perr
	case pid < 0:
		return 0, &DoneError{Err: fmt.Errorf("pidfd reports pid -1 (reaped): %w", syscall.ESRCH)}
	case pid == 0:
		return 0, fmt.Errorf("procfs anchor: process not visible in the PID namespace of %s: %w", fs.root, syscall.ESRCH)
	}
	return pid, nil
}

// parsePidfdFdinfoPID returns the value of the "Pid:" line of a pidfd's
// fdinfo (-1 once reaped, 0 if outside the reader's PID namespace).
func parsePidfdFdinfoPID(b []byte) (int, error) {
	for len(b) > 0 {
		var line []byte
		line, b = parse.Line(b)
		if v, ok := bytes.CutPrefix(line, []byte("Pid:")); ok {
			n, err := parse.Int(parse.Trim(v))
			return int(n), err
		}
	}
	return 0, errNotPidFD
}
