package procfs

import (
	"fmt"
	"io/fs"
	"iter"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Thread returns the thread tid of p's process, reading
// /proc/PID/task/TID/... (the per-thread stat, status, comm, io, ...). It
// checks that tid is in 1..2^31-1 (otherwise the error matches
// fs.ErrInvalid) and that the thread exists in p's process: a tid that is
// not one of its threads gives an error matching syscall.ESRCH, a process
// that has exited one matching os.ErrProcessDone. A thread of an anchored
// Proc reads through the same directory fd: it cannot name a thread of
// another process, and fails once the process is gone (a TID reused by a
// new thread of the same process is not detected). Close on a thread
// closes the process's directory.
func (p Proc) Thread(tid int) (Proc, error) {
	if err := kernel.CheckPID(tid); err != nil {
		return Proc{}, fmt.Errorf("procfs open thread: %w", err)
	}
	th := p
	th.tid = tid
	dirfd, path, err := th.at("")
	if err != nil {
		return Proc{}, err
	}
	_, err = sys.Fstatat(dirfd, path, 0)
	p.keepAlive()
	if err != nil {
		if e := sys.Errno(err); e != 0 {
			err = &fs.PathError{Op: "fstatat", Path: th.Dir(), Err: e}
		}
		if e := sys.Errno(err); e == sys.ENOENT || e == sys.ESRCH {
			if !p.process().alive() {
				return Proc{}, &DoneError{PID: p.pid, Err: err}
			}
			return Proc{}, &NoProcessError{PID: tid, Err: err, in: p.pid}
		}
		return Proc{}, fmt.Errorf("procfs open thread: %w", err)
	}
	return th, nil
}

// process returns the whole-process Proc of p.
func (p Proc) process() Proc {
	p.tid = 0
	return p
}

// Threads yields the threads of p's process (the numeric entries of
// /proc/PID/task) in the kernel's order: the main thread (TID = PID)
// first, then the others in the order they were created, which is
// increasing TID order only until the kernel's PIDs wrap around at
// pid_max. Threads may start or exit during the listing. A process that
// has exited gives one error matching os.ErrProcessDone.
func (p Proc) Threads() iter.Seq2[Proc, error] {
	return func(yield func(Proc, error) bool) {
		proc := p.process()
		dirfd, path, err := proc.at("task")
		if err != nil {
			yield(Proc{}, err)
			return
		}
		stopped := false
		err = listNumeric(dirfd, path, func(tid int) bool {
			th := proc
			th.tid = tid
			if !yield(th, nil) {
				stopped = true
				return false
			}
			return true
		})
		proc.keepAlive()
		if err != nil && !stopped {
			yield(Proc{}, proc.ioError("task", err))
		}
	}
}
