package procfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// Proc is one process, or one thread of a process, in an FS. It is a small
// value: copy it freely.
//
// A Proc made by FS.Proc, FS.Self or FS.Procs reads /proc/PID/... by path.
// That is the cheapest way, but if the process exits and its PID is reused
// between two reads, the second read silently describes the new process.
// A Proc made by FS.ProcFromPidFD holds the /proc/PID directory open and was
// checked against a pidfd, so every read describes the same process or
// fails (see ProcFromPidFD); such a Proc must be closed.
//
// A Proc made by Thread or Threads reads /proc/PID/task/TID/..., the files
// of one thread; it shares the directory (and the PID-reuse guarantee) of
// the Proc it came from.
//
// Reads of a process that has exited (and been reaped) return an error for
// which errors.Is(err, os.ErrProcessDone) and errors.Is(err, syscall.ESRCH)
// are both true. Reads of a zombie succeed (State is StateZombie).
type Proc struct {
	fs  FS
	pid int // the process (thread group) id, or the pid a pidfd named
	tid int // 0 for the whole process, else a thread id in /proc/PID/task
	// dir is the open /proc/PID directory of an anchored Proc, nil for
	// path-based reads. Copies of the Proc share it.
	dir *sys.FD
}

// Proc returns the process pid in fs. It does not check that the process
// exists; the first read does. Reads go by path: see Proc for the PID-reuse
// caveat and ProcFromPidFD for the race-free form.
func (fs FS) Proc(pid int) Proc { return Proc{fs: fs, pid: pid} }

// Self returns the calling process, by its PID as getpid(2) reports it.
// In an FS mounted for another PID namespace that PID may name a different
// process, or none.
func (fs FS) Self() Proc { return fs.Proc(sys.Getpid()) }

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
// by FS.ProcFromPidFD, or is a thread of such a Proc).
func (p Proc) Anchored() bool { return p.dir != nil }

// FS returns the filesystem p reads.
func (p Proc) FS() FS { return p.fs }

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

// Close releases the directory of an anchored Proc; afterwards its reads
// fail with fs.ErrClosed. It does nothing for a path-based Proc. Close is
// idempotent; all copies of p (and threads made from it) share the
// directory, so closing one closes all. Close must not run concurrently
// with reads through the same Proc.
func (p Proc) Close() error {
	if p.dir == nil {
		return nil
	}
	return p.dir.Close()
}

func (p Proc) appendDir(b []byte) []byte {
	b = append(b, p.fs.root...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(p.pid), 10)
	if p.tid != 0 {
		b = append(b, "/task/"...)
		b = strconv.AppendInt(b, int64(p.tid), 10)
	}
	return b
}

// appendRel appends the path of name relative to the anchored directory.
func (p Proc) appendRel(b []byte, name string) []byte {
	if p.tid != 0 {
		b = append(b, "task/"...)
		b = strconv.AppendInt(b, int64(p.tid), 10)
		b = append(b, '/')
	}
	return append(b, name...)
}

// open opens the file name of p (O_RDONLY, close-on-exec, plus flags) and
// returns the raw fd, which the caller owns.
func (p Proc) open(name string, flags int) (int, error) {
	var stack [256]byte
	var fd int
	var err error
	if p.dir != nil {
		dfd := p.dir.Int()
		if dfd < 0 {
			return -1, &fs.PathError{Op: "open", Path: p.Dir() + "/" + name, Err: fs.ErrClosed}
		}
		z := append(p.appendRel(stack[:0], name), 0)
		fd, err = sys.OpenatZ(dfd, z, sys.O_RDONLY|flags)
	} else {
		z := append(append(append(p.appendDir(stack[:0]), '/'), name...), 0)
		fd, err = sys.OpenatZ(sys.AT_FDCWD, z, sys.O_RDONLY|flags)
	}
	if err != nil {
		return -1, p.fileError(name, err)
	}
	return fd, nil
}

// readFile reads the file name of p (a name below /proc/PID such as "stat"
// or "fdinfo/3") into a pooled buffer and hands it to parse, which must not
// keep the buffer. It allocates nothing on success. Errors: a process that
// has exited gives an error matching os.ErrProcessDone and syscall.ESRCH;
// an error returned by parse is wrapped with the file's path.
func (p Proc) readFile(name string, parse func(b []byte) error) error {
	var stack [256]byte
	var err error
	if p.dir != nil {
		dfd := p.dir.Int()
		if dfd < 0 {
			return &fs.PathError{Op: "open", Path: p.Dir() + "/" + name, Err: fs.ErrClosed}
		}
		err = pseudofs.WithFileZ(dfd, append(p.appendRel(stack[:0], name), 0), parse)
	} else {
		z := append(append(append(p.appendDir(stack[:0]), '/'), name...), 0)
		err = pseudofs.WithFileZ(sys.AT_FDCWD, z, parse)
	}
	if err != nil {
		return p.fileError(name, err)
	}
	return nil
}

// readSingle is readFile for the single-record seq_files (stat, statm,
// status, limits, io, comm): the kernel generates the whole text on the
// first read(2) and returns all of it when the buffer is large enough, so
// a short read is the end of the file and the usual extra read that
// returns 0 is skipped. (This is not true of multi-record seq_files such
// as maps, which return short reads at record boundaries.)
func (p Proc) readSingle(name string, parse func(b []byte) error) error {
	fd, err := p.open(name, 0)
	if err != nil {
		return err
	}
	bp := singlePool.Get().(*[]byte)
	b, err := readOnce(fd, *bp)
	sys.CloseRaw(fd)
	if err == nil {
		err = parse(b)
	}
	if cap(b) <= 1<<20 {
		*bp = b[:0]
		singlePool.Put(bp)
	}
	if err != nil {
		return p.fileError(name, err)
	}
	return nil
}

var singlePool = sync.Pool{New: func() any { b := make([]byte, 0, pseudofs.MinBuf); return &b }}

// readOnce reads fd from its start into buf[:0] with one read(2) when the
// file fits, growing buf and reading on otherwise.
func readOnce(fd int, buf []byte) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, pseudofs.MinBuf)
	}
	n, err := sys.Read(fd, buf[:cap(buf)])
	if err != nil {
		return buf[:0], err
	}
	if n < cap(buf) {
		return buf[:n], nil
	}
	// Full: read on from the current offset, growing the buffer.
	b := buf[:n]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := sys.Read(fd, b[len(b):cap(b)])
		if err != nil {
			return b, err
		}
		if m == 0 {
			return b, nil
		}
		b = b[:len(b)+m]
	}
}

// fileError turns an error from opening or reading p's file name into the
// error lx returns: ESRCH, and ENOENT once the process is gone, become a
// *DoneError; errors without an errno come from a parser and get the path.
func (p Proc) fileError(name string, err error) error {
	switch sys.Errno(err) {
	case sys.ESRCH:
		return &DoneError{PID: p.TID(), Err: err}
	case sys.ENOENT:
		if !p.alive() {
			return &DoneError{PID: p.TID(), Err: err}
		}
		return err
	case 0:
		if errors.Is(err, fs.ErrClosed) {
			return err
		}
		return fmt.Errorf("procfs parse %s/%s: %w", p.Dir(), name, err)
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
	} else {
		_, err = sys.Fstatat(sys.AT_FDCWD, p.Dir(), 0)
	}
	return sys.Errno(err) != sys.ENOENT && sys.Errno(err) != sys.ESRCH
}

// DoneError reports a read of a process or thread that has exited and been
// reaped. errors.Is(err, os.ErrProcessDone) and errors.Is(err,
// syscall.ESRCH) are true for it; Unwrap gives the kernel's own error
// (ESRCH from a read, or ENOENT from an open).
type DoneError struct {
	PID int   // the process or thread id that is gone, 0 if unknown
	Err error // what the kernel said
}

func (e *DoneError) Error() string {
	if e.PID <= 0 {
		return "procfs: process has exited: " + e.Err.Error()
	}
	return "procfs: process " + strconv.Itoa(e.PID) + " has exited: " + e.Err.Error()
}

// Unwrap returns the kernel's error.
func (e *DoneError) Unwrap() error { return e.Err }

// Is makes errors.Is match os.ErrProcessDone and syscall.ESRCH.
func (e *DoneError) Is(target error) bool {
	return target == os.ErrProcessDone || target == syscall.ESRCH
}
