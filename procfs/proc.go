package procfs

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Proc is one process, or one thread of a process, in an FS. It is a small
// value: copy it freely.
//
// A Proc made by FS.Proc or FS.Self reads /proc/PID/... by path. A Proc
// yielded by FS.Procs reads PID/... relative to the /proc directory that
// was listed, which the FS holds open (see Procs): it reads the procfs
// the PID came from. Both are the cheapest ways, but if the process exits
// and its PID is reused between two reads, the second read silently
// describes the new process.
// A Proc made by FS.OpenProc or FS.ProcFromPidFD holds the /proc/PID
// directory open and was checked against a pidfd, so every read describes
// the same process or fails (see ProcFromPidFD); such a Proc must be
// closed.
//
// A Proc made by Thread or Threads reads /proc/PID/task/TID/..., the files
// of one thread; it shares the directory (and the PID-reuse guarantee) of
// the Proc it came from.
//
// Every way to get a Proc checks that the process existed, so a read that
// finds it gone reports that it has exited: an error for which
// errors.Is(err, os.ErrProcessDone) and errors.Is(err, syscall.ESRCH) are
// both true. Reads of a zombie succeed (State is StateZombie). The zero
// Proc names no process; its reads fail.
type Proc struct {
	fs  FS
	pid int // the process (thread group) id, or the pid a pidfd named
	tid int // 0 for the whole process, else a thread id in /proc/PID/task
	// dir is the open /proc/PID directory of an anchored Proc, nil for
	// path-based reads. Copies of the Proc share it.
	dir *sys.FD
	// pidfd is the pidfd OpenProc opened, nil otherwise. Copies share it.
	pidfd *sys.FD
}

// Proc returns the process pid in fs, reading by path (see Proc for the
// PID-reuse caveat, and OpenProc for the race-free form). It checks that
// pid is in 1..2^31-1 (otherwise the error matches fs.ErrInvalid and names
// pid) and that /proc/PID exists, with one fstatat(2); a pid that names no
// process gives an error matching syscall.ESRCH (and fs.ErrNotExist), not
// os.ErrProcessDone. A thread id also has a /proc/TID directory (hidden
// from listings); Proc accepts it and reads that thread's view of the
// process.
func (fs FS) Proc(pid int) (Proc, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return Proc{}, fmt.Errorf("procfs open: %w", err)
	}
	p := Proc{fs: fs, pid: pid}
	if err := p.exists(); err != nil {
		return Proc{}, err
	}
	return p, nil
}

// exists checks that p's directory is there, for a Proc not yet seen
// alive: a missing one is "no such process".
func (p Proc) exists() error {
	var stack [128]byte
	_, err := sys.Fstatat(p.fs.conf().at, string(p.appendOpenDir(stack[:0])), 0)
	p.keepAlive()
	if err == nil {
		return nil
	}
	if e := sys.Errno(err); e == sys.ENOENT || e == sys.ESRCH {
		return &NoProcessError{PID: p.pid, Err: err}
	}
	return fmt.Errorf("procfs open: %w", err)
}

// Self returns the calling process, by its PID as getpid(2) reports it,
// without a check. In an FS of another PID namespace that PID may name a
// different process, or none.
func (fs FS) Self() Proc { return Proc{fs: fs, pid: sys.Getpid()} }

// PID returns the process id. For a thread (see Thread) it is the id of the
// thread group; TID returns the thread's own id.
func (p Proc) PID() int { return p.pid }

// TID returns the thread id of a Proc made by Thread or Threads, and the
// process id otherwise (the main thread's id equals the process id).
func (p Proc) TID() int {
	if p.tid != 0 {
		return p.tid
	}
	return p.pid
}

// IsThread reports whether p reads the files of one thread
// (/proc/PID/task/TID) rather than those of the whole process.
func (p Proc) IsThread() bool { return p.tid != 0 }

// Anchored reports whether p holds its /proc/PID directory open (it was made
// by FS.OpenProc or FS.ProcFromPidFD, or is a thread of such a Proc).
func (p Proc) Anchored() bool { return p.dir != nil }

// FS returns the filesystem p reads.
func (p Proc) FS() FS {
	if c := p.fs.c; c != nil && c.base != nil {
		return FS{c: c.base} // a Proc of a listing
	}
	return p.fs
}

// Dir returns the path of p's directory: /proc/PID or /proc/PID/task/TID.
// For an anchored Proc the path may name another process after a PID reuse;
// p itself keeps reading the right one.
func (p Proc) Dir() string {
	return string(p.appendDir(nil))
}

// String returns "pid N" or "pid N tid M".
func (p Proc) String() string {
	s := "pid " + strconv.Itoa(p.pid)
	if p.tid != 0 {
		s += " tid " + strconv.Itoa(p.tid)
	}
	return s
}

// Close releases what an anchored Proc holds: its directory, and the pidfd
// OpenProc opened. Afterwards its reads fail with fs.ErrClosed. It does
// nothing for a path-based Proc. Close is idempotent; all copies of p (and
// threads made from it) share the descriptors, so closing one closes all.
// Close must not run concurrently with reads through the same Proc.
func (p Proc) Close() error {
	var err error
	if p.dir != nil {
		err = p.dir.Close()
	}
	if p.pidfd != nil {
		if e := p.pidfd.Close(); err == nil {
			err = e
		}
	}
	return err
}

// alive reports whether p's directory still exists: a missing file below
// an existing directory is just missing (an older kernel, a config option),
// while a missing directory means the process is gone. For an anchored Proc
// the directory fd outlives the process, so the test is whether "stat",
// which every process has, can still be looked up through it.
func (p Proc) alive() bool {
	var err error
	if p.dir != nil {
		dfd := p.dir.Int()
		if dfd < 0 {
			return false
		}
		_, err = sys.Fstatat(dfd, string(p.appendRel(nil, "stat")), 0)
		p.keepAlive()
	} else {
		_, err = sys.Fstatat(p.fs.conf().at, string(p.appendOpenDir(nil)), 0)
		p.keepAlive()
	}
	return sys.Errno(err) != sys.ENOENT && sys.Errno(err) != sys.ESRCH
}
