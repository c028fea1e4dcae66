package procfs

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// ParseError is kernel.ParseError: a value in a /proc file that lx cannot
// parse, or that overflows its Go type or unit, with the file's path, the
// line and the key. Every reader of this package returns it for a
// malformed file.
type ParseError = kernel.ParseError

// parseErr returns a *ParseError for line and key; the read helpers fill
// in the path.
func parseErr(line int, key string, err error) error {
	return &ParseError{Line: line, Key: key, Err: err}
}

// atLine returns err, from the parser of one line, as a *ParseError at
// line n: a *ParseError without a line gets it, anything else is wrapped.
func atLine(n int, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		if pe.Line == 0 {
			pe.Line = n
		}
		return err
	}
	return &ParseError{Line: n, Err: err}
}

// withPath returns err, a parser's error, as a *ParseError naming path.
// A *ParseError without a path gets it; anything else is wrapped.
func withPath(path string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		if pe.Path == "" {
			pe.Path = path
		}
		return err
	}
	return &ParseError{Path: path, Err: err}
}

// errRange is the error for a value that does not fit its type or unit
// after conversion: conv names the conversion ("pages to bytes").
func errRange(conv string, num []byte) error {
	return &strconv.NumError{Func: conv, Num: string(num), Err: strconv.ErrRange}
}

// DoneError reports a read of a process or thread that was seen alive and
// has since exited and been reaped. errors.Is(err, os.ErrProcessDone) and
// errors.Is(err, syscall.ESRCH) are true for it; Unwrap gives the
// kernel's own error (ESRCH from a read, ENOENT from an open).
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

// NoProcessError reports a process id (or a thread id) that names no
// process (thread) in the FS: it never existed, or it was gone before lx
// first looked. It is not DoneError, which reports a process lx saw
// alive and that has exited since: errors.Is matches it with
// syscall.ESRCH and fs.ErrNotExist, never with os.ErrProcessDone.
// FS.Proc, FS.OpenProc and Proc.Thread return it.
type NoProcessError struct {
	// PID is the process or thread id asked for.
	PID int
	// ThreadOf is, when PID is the id of a thread that is not a thread
	// group leader (OpenProc of a thread id), the id of its process (the
	// thread group id); 0 otherwise.
	ThreadOf int
	// Err is the kernel's answer to the lookup (ESRCH from pidfd_open,
	// ENOENT from /proc, EINVAL from pidfd_open of a thread), or nil.
	Err error

	in int // for Proc.Thread: the process in which thread PID was asked for
}

// Error says "procfs: no such process: pid 42", "procfs: no such
// process: 43 is a thread of process 42", or "procfs: no such thread:
// tid 44 in process 42".
func (e *NoProcessError) Error() string {
	switch {
	case e.in != 0:
		return "procfs: no such thread: tid " + strconv.Itoa(e.PID) + " in process " + strconv.Itoa(e.in)
	case e.ThreadOf != 0:
		return "procfs: no such process: " + strconv.Itoa(e.PID) + " is a thread of process " + strconv.Itoa(e.ThreadOf)
	}
	return "procfs: no such process: pid " + strconv.Itoa(e.PID)
}

// Unwrap returns Err.
func (e *NoProcessError) Unwrap() error { return e.Err }

// Is makes errors.Is match syscall.ESRCH and fs.ErrNotExist.
func (e *NoProcessError) Is(target error) bool {
	return target == syscall.ESRCH || target == fs.ErrNotExist
}

// ioError turns an error from opening or reading p's file name into the
// error lx returns: a *fs.PathError naming the full path (also for an
// anchored Proc, whose syscalls see a relative one), and a *DoneError
// when the kernel said ESRCH or ENOENT and p's directory is gone. A live
// process's ESRCH stays ESRCH: the kernel says it for a process without
// user memory (a kernel thread, a zombie) on files such as environ.
func (p Proc) ioError(name string, err error) error {
	errno := errnoOf(err)
	if errno == 0 {
		return err // fs.ErrClosed from a closed anchored Proc
	}
	err = &fs.PathError{Op: opOf(err), Path: p.path(name), Err: errno}
	if (errno == sys.ESRCH || errno == sys.ENOENT) && !p.alive() {
		return &DoneError{PID: p.TID(), Err: err}
	}
	return err
}

var errNoColon = errors.New("line without ':'")

var errZeroProc = errors.New("zero Proc: use FS.Proc, FS.OpenProc or FS.Procs")

// noMemory reports whether err is the kernel's answer for a live process
// without user memory (a kernel thread, or a zombie that has released
// it): ESRCH from a process that is not gone.
func noMemory(err error) bool {
	return err != nil && errnoOf(err) == sys.ESRCH && !errors.Is(err, os.ErrProcessDone)
}
