package procfs

import (
	"strconv"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// Proc is one process (or thread) in an FS. A Proc made by FS.Proc reads
// /proc/PID/... by path, which is cheapest but can read a different process
// if the PID is reused; a Proc made from a pidfd holds the /proc/PID
// directory open and is checked against the pidfd (see FS.ProcFromPidfd).
type Proc struct {
	fs  FS
	pid int
	// dirfd is an open /proc/PID directory, or -1 for path-based reads.
	dirfd *sys.FD
}

// Proc returns the process pid in fs. It does not check that the process
// exists; the first read does.
func (fs FS) Proc(pid int) Proc { return Proc{fs: fs, pid: pid} }

// Self returns the calling process.
func (fs FS) Self() Proc { return fs.Proc(sys.Getpid()) }

// PID returns the process id.
func (p Proc) PID() int { return p.pid }

// readFile reads /proc/PID/name into a pooled buffer and hands it to parse,
// which must not keep it. It allocates nothing.
func (p Proc) readFile(name string, parse func(b []byte) error) error {
	if p.dirfd != nil {
		return pseudofs.WithFileAt(p.dirfd.Int(), name, parse)
	}
	var stack [256]byte
	b := append(stack[:0], p.fs.root...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(p.pid), 10)
	b = append(b, '/')
	b = append(b, name...)
	b = append(b, 0)
	return pseudofs.WithFileZ(sys.AT_FDCWD, b, parse)
}
