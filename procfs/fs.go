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
// Views: Default is the running system's /proc; NewFS(root) reads
// root/proc, where root stands for "/" of the system whose files are read
// (a container's /proc/PID/root, a testdata tree).
//
// Processes: FS.Procs iterates over all processes (getdents64 into a
// pooled buffer), Proc.Threads over a process's threads. FS.Proc(pid)
// checks the pid and that the process exists. FS.OpenProc(pid) opens the
// process through a pidfd and anchors every read to it, so that a reused
// PID can never be read by mistake; FS.ProcFromPidFD does the same for a
// pidfd the caller has. A Sampler keeps the files of many processes open
// and re-reads them with pread(2), for monitoring loops.
//
// Times: start times are durations since boot (Stat.StartTime); pass
// kernel.BootTime() to Stat.StartedAt for the wall-clock time, exact to
// the 10 ms tick (KernelStat.BootTime, /proc/stat's btime, is whole
// seconds).
//
// Errors. A pid outside 1..2^31-1 gives an error matching fs.ErrInvalid
// (a *kernel.RangeError). A pid that names no process gives an error
// matching syscall.ESRCH ("no such process"). A process that was seen
// alive and has since exited and been reaped gives an error matching
// os.ErrProcessDone and syscall.ESRCH (a *DoneError): os.ErrProcessDone
// means that and nothing else. Kernel threads and zombies are alive: their
// files that describe user memory (cmdline, environ, smaps_rollup, exe)
// read as empty values. A file the kernel does not provide gives
// fs.ErrNotExist; a file that needs ptrace access (environ, io, exe)
// gives fs.ErrPermission. Open and read errors are *fs.PathError naming
// the file; a malformed or overflowing value is a *ParseError naming the
// file, the line and the key.
package procfs

import (
	"fmt"
	"sync"
	"weak"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// FS is the procfs of one system: root/proc. It is a one-word value; copy
// it freely. Every Default FS is equal to every other; the FS of a NewFS
// call is equal to its copies only. The zero value is not usable; use
// Default or NewFS.
type FS struct {
	// c is shared by the copies and never changed. A pointer keeps FS,
	// and the Proc that holds one, small: a Proc is copied for every
	// call that takes it by value, and on the readers' paths those
	// copies showed in BenchmarkPaired.
	c *fsConf
}

// fsConf is what an FS reads.
type fsConf struct {
	root string // the system's root directory
	proc string // root/proc, the procfs mount point
	// kind says whether proc is known to be a real procfs mount:
	// fsDefault asks defaultIsProcfs, which checks /proc once.
	kind fsKind

	// at and pre are where the files of a process are opened from: the
	// directory descriptor and the path's prefix, "PID/stat" appended to
	// it. An FS's own conf opens by path: AT_FDCWD and proc + "/".
	at  int
	pre string

	// The conf of the Procs a listing yields (Procs) opens relative to
	// the directory it listed: at is dir, held open, pre is "", and base
	// is the FS's own conf (Proc.FS returns it; errors and Dir name the
	// paths by it). dev and ino identify that directory. base is nil
	// for an FS's own conf.
	base     *fsConf
	dir      *sys.FD
	dev, ino uint64

	// listed is the conf of the last listing of an FS's own conf, held
	// weakly: once no Proc refers to it, the collector frees it and the
	// cleanup of dir closes the directory. mu guards it.
	mu     sync.Mutex
	listed weak.Pointer[fsConf]
}

// defaultConf is Default's, shared by every Default FS; noConf is the
// zero FS's, whose paths name nothing.
var defaultConf, noConf = newConf("/", pseudofs.Default().Proc, fsDefault), newConf("", "", fsDefault)

// newConf returns the conf of an FS reading proc, below root: its
// processes' files opened by path.
func newConf(root, proc string, kind fsKind) *fsConf {
	return &fsConf{root: root, proc: proc, kind: kind, at: sys.AT_FDCWD, pre: proc + "/"}
}

// conf returns what fs reads.
func (fs FS) conf() *fsConf {
	if fs.c == nil {
		return noConf
	}
	return fs.c
}

type fsKind uint8

const (
	fsDefault fsKind = iota // Default(): /proc, checked lazily
	fsProcfs                // statfs says PROC_SUPER_MAGIC
	fsOther                 // a directory tree that is not procfs (a testdata tree)
)

// Default returns the running system's procfs, /proc. Reads fail with
// fs.ErrNotExist if nothing is mounted there.
func Default() FS { return FS{c: defaultConf} }

// NewFS returns the procfs of the system whose root directory is root: it
// reads root/proc. root is "/" for this machine, /proc/PID/root for the
// system a process (a container) sees, or a directory tree laid out like
// one (testdata). NewFS checks that root/proc is a directory and whether
// it is a real procfs mount (statfs(2)); a tree that is not is read as
// files, with no kernel-specific shortcuts.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err == nil {
		_, err = pseudofs.NewRooted(pfs.Proc)
	}
	if err != nil {
		return FS{}, fmt.Errorf("procfs open: %w", err)
	}
	proc := pfs.Proc
	kind := fsOther
	if magic, err := sys.StatfsType(proc); err == nil && magic == sys.PROC_SUPER_MAGIC {
		kind = fsProcfs
	}
	return FS{c: newConf(pfs.Root, proc, kind)}, nil
}

// Root returns the system root directory the FS reads below: "/" for
// Default.
func (fs FS) Root() string { return fs.conf().root }

// MountPoint returns the procfs directory the FS reads: Root()/proc.
func (fs FS) MountPoint() string { return fs.conf().proc }

// isProcfs reports whether the FS is a real procfs mount, whose files
// behave as the kernel documents (the size of /proc/PID/fd, for one).
func (fs FS) isProcfs() bool {
	switch fs.conf().kind {
	case fsProcfs:
		return true
	case fsDefault:
		return defaultIsProcfs()
	}
	return false
}

// defaultIsProcfs checks once whether /proc is a procfs mount. A failed
// statfs (nothing mounted) counts as no.
var defaultIsProcfs = sync.OnceValue(func() bool {
	magic, err := sys.StatfsType(pseudofs.Default().Proc)
	return err == nil && magic == sys.PROC_SUPER_MAGIC
})
