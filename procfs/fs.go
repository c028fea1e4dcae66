// Package procfs reads the kernel's process filesystem (proc(5)) into typed
// Go values: per-process files through a Proc handle, optionally anchored to
// a pidfd so that a reused PID is detected, and the system-wide files
// (meminfo, stat, loadavg, pressure, ...) through an FS.
//
// Every file has its own Go file here, a reader method and a pure parser.
// Values are in base units: bytes, time.Duration, cpuset.Set. Readers use
// pooled buffers and allocate nothing in steady state unless the value
// itself holds strings; names (Comm) live in fixed-size arrays.
//
// Processes: FS.Procs iterates over all processes (getdents64 into a
// pooled buffer), Proc.Threads over a process's threads. FS.ProcFromPidFD
// anchors a Proc to a pidfd so that a reused PID can never be read by
// mistake. A Sampler keeps the files of many processes open and re-reads
// them with pread(2), for monitoring loops.
//
// Errors: reading a process that has exited and been reaped gives an
// error matching os.ErrProcessDone and syscall.ESRCH (a *DoneError); a
// file the kernel does not provide gives fs.ErrNotExist; a file that needs
// ptrace access (environ, io) gives fs.ErrPermission.
package procfs

import (
	"fmt"
	"os"

	"github.com/lxgo/lx/internal/pseudofs"
)

// DefaultMountPoint is where procfs is normally mounted.
const DefaultMountPoint = "/proc"

// FS is a procfs mount. The zero value is not usable; use Default or NewFS.
type FS struct {
	root string
}

// Default returns the FS at /proc.
func Default() FS { return FS{root: DefaultMountPoint} }

// NewFS returns the FS mounted at mountPoint (a container's /proc, or a
// testdata tree). It checks that mountPoint is a directory.
func NewFS(mountPoint string) (FS, error) {
	st, err := os.Stat(mountPoint)
	if err != nil {
		return FS{}, fmt.Errorf("procfs open: %w", err)
	}
	if !st.IsDir() {
		return FS{}, fmt.Errorf("procfs open %s: not a directory", mountPoint)
	}
	return FS{root: mountPoint}, nil
}

// MountPoint returns the directory the FS reads.
func (fs FS) MountPoint() string { return fs.root }

// readFile reads one file below the mount point into a pooled buffer and
// hands it to parse (which must not keep it).
func (fs FS) readFile(name string, parse func(b []byte) error) error {
	return pseudofs.WithFile(fs.root+"/"+name, parse)
}
