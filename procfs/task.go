package procfs

import (
	"fmt"
	"io/fs"
	"iter"

	"github.com/lxgo/lx/internal/sys"
)

// Thread returns the thread tid of p's process, reading
// /proc/PID/task/TID/... (the per-thread stat, status, comm, io, ...). It
// does not check that the thread exists. A thread of an anchored Proc reads
// through the same directory fd: it cannot name a thread of another
// process, and fails once the process is gone (a TID reused by a new thread
// of the same process is not detected). Close on a thread closes the
// process's directory.
func (p Proc) Thread(tid int) Proc {
	p.tid = tid
	return p
}

// Threads yields the threads of p's process (the numeric entries of
// /proc/PID/task), in increasing TID order, the main thread (TID = PID)
// included. Threads may start or exit during the listing. A process that
// has exited gives one error matching os.ErrProcessDone.
func (p Proc) Threads() iter.Seq2[Proc, error] {
	return func(yield func(Proc, error) bool) {
		proc := p
		proc.tid = 0
		dirfd, path := sys.AT_FDCWD, proc.Dir()+"/task"
		if proc.dir != nil {
			if dirfd = proc.dir.Int(); dirfd < 0 {
				yield(Proc{}, fmt.Errorf("procfs list threads of pid %d: %w", p.pid, fs.ErrClosed))
				return
			}
			path = "task"
		}
		stopped := false
		err := listNumeric(dirfd, path, func(tid int) bool {
			if !yield(proc.Thread(tid), nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(Proc{}, fmt.Errorf("procfs list threads of pid %d: %w", p.pid, proc.fileError("task", err)))
		}
	}
}
