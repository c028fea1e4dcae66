package cgroup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Cgroup is an open cgroup v2: a file descriptor of its directory in the
// unified hierarchy (O_RDONLY|O_DIRECTORY, close-on-exec). Every file of
// the cgroup is opened relative to that descriptor, so a cgroup that is
// renamed, or a path that is replaced, after Open cannot redirect a read
// or a write to another cgroup or another file system: the descriptor
// keeps naming the directory it was opened on. Open checks with fstatfs(2)
// that the directory is on cgroupfs (CGROUP2_SUPER_MAGIC), and files are
// opened with openat2(2) RESOLVE_BENEATH|RESOLVE_NO_XDEV|
// RESOLVE_NO_SYMLINKS (Linux 5.6; before it, openat(2) and an fstatfs(2)
// check of each file), so that nothing mounted over a cgroup file is
// followed. (This is runc's answer to the cost of securejoin on every
// cgroupfs read, opencontainers/runc#2921.) A Cgroup opened from an FS
// whose cgroup tree is plain files (a testdata fixture) skips the file
// system checks.
//
// The Cgroup owns its descriptor; Close is idempotent and does not pull
// the descriptor from under a call in progress. A Cgroup is safe for
// concurrent use. A removed cgroup's handle stays valid: its reads fail
// (ENODEV or ENOENT) and writes are refused.
type Cgroup struct {
	// mu guards f against Close while fd is in use: every use of fd
	// holds it for reading (dirT), Close for writing. (The descriptor is
	// never polled, so an RWMutex does what poll.ControlT would, without
	// its allocation per call.)
	mu sync.RWMutex
	f  *os.File // owns fd; nil after Close
	fd int

	mount Mount
	path  string // hierarchy path, "/" or "/a/b"
	dir   string // the directory's path when it was opened, for messages
	plain bool   // not cgroupfs: a tree of plain files
}

// Open opens the cgroup v2 at path in the unified hierarchy: the path as
// /proc/PID/cgroup shows it ("/" is the root, "/user.slice/a.scope"), not
// a file system path. See FS.Open.
func Open(path string) (*Cgroup, error) { return Default().Open(path) }

// OpenProcess opens the cgroup v2 that process pid belongs to, found in
// /proc/PID/cgroup. See FS.OpenProcess.
func OpenProcess(pid int) (*Cgroup, error) { return Default().OpenProcess(pid) }

// Open opens the cgroup at the hierarchy path p below this FS's cgroup2
// mount (UnifiedMount). No privilege is needed to open a cgroup; what may
// be done with it is decided by each file's permissions (see Delegation in
// the package documentation). A cgroup that does not exist gives an error
// matching fs.ErrNotExist, a path outside the mounted subtree as well.
// The returned Cgroup is the caller's to Close.
func (fs FS) Open(p string) (*Cgroup, error) {
	c, err := fs.open(p)
	if err != nil {
		return nil, fmt.Errorf("cgroup open: %w", err)
	}
	return c, nil
}

func (fsys FS) open(p string) (*Cgroup, error) {
	p, err := cleanPath(p)
	if err != nil {
		return nil, err
	}
	m, err := fsys.unifiedMount()
	if err != nil {
		return nil, err
	}
	return openIn(m, fsys.fs.Root != "/", p)
}

// openIn opens the cgroup at p below the mount m. plainOK allows a mount
// that is not cgroupfs (an FS rooted in a testdata tree).
func openIn(m Mount, plainOK bool, p string) (*Cgroup, error) {
	rel, ok := m.rel(p)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("outside the hierarchy mounted at %s (its root is %s): %w", m.Point, m.Root, fs.ErrNotExist)}
	}
	mfd, err := sys.Open(m.Point, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer mfd.Close()
	plain := false
	magic, err := sys.FstatfsType(mfd.Int())
	if err != nil {
		return nil, &fs.PathError{Op: "fstatfs", Path: m.Point, Err: sys.Errno(err)}
	}
	if magic != sys.CGROUP2_SUPER_MAGIC {
		if !plainOK {
			return nil, fmt.Errorf("%s: %w (filesystem type %#x)", m.Point, errNotCgroupMount, magic)
		}
		plain = true
	}
	dir, _ := m.dir(p)
	var fd *sys.FD
	if rel == "" {
		fd, err = sys.Dup(mfd.Int())
	} else {
		var raw int
		raw, err = openBelow(mfd.Int(), rel, sys.O_RDONLY|sys.O_DIRECTORY, plain)
		if err == nil {
			fd = sys.NewFD(raw)
		}
	}
	if err != nil {
		return nil, pathError(dir, err)
	}
	return newCgroup(fd, m, p, dir, plain), nil
}

// newCgroup wraps fd, an open cgroup directory, in a Cgroup.
func newCgroup(fd *sys.FD, m Mount, p, dir string, plain bool) *Cgroup {
	raw := fd.Int()
	return &Cgroup{f: fd.File(dir), fd: raw, mount: m, path: p, dir: dir, plain: plain}
}

// dirT runs fn with the cgroup's directory fd, which stays open until fn
// returns. After Close it returns an error matching os.ErrClosed naming
// op, without calling fn.
func dirT[T any](c *Cgroup, op string, fn func(dirfd int) (T, error)) (T, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.f == nil {
		var zero T
		return zero, &fs.PathError{Op: op, Path: c.dir, Err: os.ErrClosed}
	}
	return fn(c.fd)
}

// OpenProcess opens the cgroup v2 of process pid as this FS's
// /proc/PID/cgroup names it. The process may move between the read and
// the open; for a race-free answer open the cgroup by the id that
// PIDFD_GET_INFO reports for a pidfd (pidfd.Info.CgroupID, OpenID). A
// process that does not exist gives an error matching fs.ErrNotExist.
func (fsys FS) OpenProcess(pid int) (*Cgroup, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return nil, fmt.Errorf("cgroup open: %w", err)
	}
	m, err := fsys.OfProcess(pid)
	if err != nil {
		return nil, fmt.Errorf("cgroup open: %w", err)
	}
	p, ok := m.Unified()
	if !ok {
		return nil, fmt.Errorf("cgroup open: process %d has no cgroup v2 line in /proc/%d/cgroup: %w", pid, pid, fs.ErrNotExist)
	}
	return fsys.Open(p)
}

// Path returns the cgroup's path in the hierarchy, as /proc/PID/cgroup
// names it: "/" for the root, "/a/b" below it. It is the path the Cgroup
// was opened by; a later rename does not change it.
func (c *Cgroup) Path() string { return c.path }

// Dir returns the directory the Cgroup was opened as:
// "/sys/fs/cgroup/a/b". Like Path it does not follow renames.
func (c *Cgroup) Dir() string { return c.dir }

// Mount returns the mount the Cgroup was opened through.
func (c *Cgroup) Mount() Mount { return c.mount }

// String returns Path.
func (c *Cgroup) String() string { return c.path }

// Close closes the directory descriptor. A second Close returns nil.
// Closing does nothing to the cgroup itself.
func (c *Cgroup) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f = nil
	return err
}

// SyscallConn returns the raw connection of the directory descriptor, for
// calls lx does not wrap (attaching a BPF program with BPF_PROG_ATTACH,
// passing the descriptor over a unix socket). The descriptor is valid
// only inside Control.
func (c *Cgroup) SyscallConn() (syscall.RawConn, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.f == nil {
		return nil, &fs.PathError{Op: "syscallconn", Path: c.dir, Err: os.ErrClosed}
	}
	return c.f.SyscallConn()
}

// DirFile returns a new *os.File for the cgroup's directory, a duplicate
// (fcntl F_DUPFD_CLOEXEC) of the Cgroup's descriptor that the caller owns
// and must close. It is what clone3(2)'s CLONE_INTO_CGROUP (Linux 5.7)
// takes, to start a child directly inside the cgroup instead of moving it
// there after it started:
//
//	f, err := cg.DirFile()
//	...
//	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
//	err = cmd.Start()
//	f.Close() // once Start has returned: the child does not inherit it
//
// Calling Fd on this file is harmless: a directory descriptor is never in
// non-blocking mode, so Fd does not change it. The file stays valid after
// the Cgroup is closed. Starting a child inside needs write access to the
// cgroup's cgroup.procs (and the delegation rules of moving a process
// there); the kernel refuses a cgroup that has controllers enabled in its
// cgroup.subtree_control (EBUSY), as it refuses moving a process into one.
//
// Kernels from 6.14 on (seen up to 6.18.44) kill such a child at once
// (SIGKILL, before it runs) if cgroup.kill was ever written in the target
// cgroup: the fork compares the kill counter of the parent's cgroup with
// the target's. Start children in a cgroup that has not been killed, or
// move them with MoveProcess.
func (c *Cgroup) DirFile() (*os.File, error) {
	fd, err := dirT(c, "fcntl", sys.Dup)
	if err != nil {
		return nil, fmt.Errorf("cgroup dir file %s: %w", c.dir, err)
	}
	return fd.File(c.dir), nil
}

// file returns the path of the cgroup file name, for messages.
func (c *Cgroup) file(name string) string { return c.dir + "/" + name }

// useOpenat2 is whether files are opened with openat2(2); a variable so
// that tests can take the openat(2) path that kernels before 5.6 take.
var useOpenat2 = openat2Available

func openat2Available() bool { return feature.Openat2.Check() == nil }

// errNotCgroupFile reports a file below a cgroup directory that is not
// on cgroupfs (something mounted over it).
var errNotCgroupFile = errors.New("not on cgroupfs")

// resolveBeneath are the openat2(2) rules for every cgroup file: stay
// below the directory, on its file system, and follow no symlink.
const resolveBeneath = sys.RESOLVE_BENEATH | sys.RESOLVE_NO_XDEV | sys.RESOLVE_NO_SYMLINKS | sys.RESOLVE_NO_MAGICLINKS

// openBelow opens name (a relative path) below the directory dirfd and
// returns the raw fd, which the caller closes. Unless plain, the file must
// be on cgroupfs.
func openBelow(dirfd int, name string, flags int, plain bool) (int, error) {
	var stack [128]byte
	z := append(append(stack[:0], name...), 0)
	if useOpenat2() {
		return sys.Openat2Z(dirfd, z, flags, resolveBeneath)
	}
	fd, err := sys.OpenatZ(dirfd, z, flags|sys.O_NOFOLLOW)
	if err != nil || plain {
		return fd, err
	}
	magic, err := sys.FstatfsType(fd)
	if err == nil && magic != sys.CGROUP2_SUPER_MAGIC {
		err = fmt.Errorf("filesystem type %#x: %w", magic, errNotCgroupFile)
	}
	if err != nil {
		sys.CloseRaw(fd)
		return -1, err
	}
	return fd, nil
}

// openFile opens the cgroup's file name with flags and returns the raw
// fd, which the caller closes.
func (c *Cgroup) openFile(name string, flags int) (int, error) {
	fd, err := dirT(c, "open", func(dirfd int) (int, error) {
		return openBelow(dirfd, name, flags, c.plain)
	})
	if err != nil {
		return -1, pathError(c.file(name), err)
	}
	return fd, nil
}

// pathError returns err, from a system call on the file at p, as an
// *fs.PathError naming p: the caller's full path, not the relative one
// the call saw. A closed Cgroup's error passes unchanged.
func pathError(p string, err error) error {
	if errors.Is(err, os.ErrClosed) {
		return err
	}
	op := "open"
	var pe *fs.PathError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		op = pe.Op
	case errors.As(err, &se):
		op = se.Syscall
	}
	if errno := sys.Errno(err); errno != 0 {
		return &fs.PathError{Op: op, Path: p, Err: errno}
	}
	return &fs.PathError{Op: op, Path: p, Err: err}
}

// bufPool holds read buffers. Pointers to slices avoid an allocation per
// Put.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, pseudofs.MinBuf); return &b }}

// withFile reads the cgroup's file name into a pooled buffer and calls fn
// with it; fn must not keep the buffer. Open and read errors are
// *fs.PathError naming the file; an error from fn becomes a *ParseError
// naming it.
func (c *Cgroup) withFile(name string, fn func(b []byte) error) error {
	fd, err := c.openFile(name, sys.O_RDONLY)
	if err != nil {
		return err
	}
	bp := bufPool.Get().(*[]byte)
	b, err := pseudofs.ReadAll(fd, *bp)
	sys.CloseRaw(fd)
	if err == nil {
		if err = fn(b); err != nil {
			err = withPath(c.file(name), err)
		}
	} else {
		err = pathError(c.file(name), err)
	}
	if cap(b) <= 1<<20 {
		*bp = b[:0]
		bufPool.Put(bp)
	}
	return err
}

// readFile reads and parses the cgroup's file name.
func readFile[T any](c *Cgroup, name string, parse func([]byte) (T, error)) (T, error) {
	var v T
	err := c.withFile(name, func(b []byte) error {
		var err error
		v, err = parse(b)
		return err
	})
	return v, err
}

// writeFile writes data to the cgroup's file name in one write(2), as
// cgroupfs wants: the kernel parses each write on its own.
func (c *Cgroup) writeFile(name string, data []byte) error {
	flags := sys.O_WRONLY
	if c.plain {
		// A plain file keeps what is beyond a shorter write; cgroupfs
		// has no such bytes.
		flags |= sys.O_TRUNC
	}
	fd, err := c.openFile(name, flags)
	if err != nil {
		return err
	}
	n, err := sys.Write(fd, data)
	sys.CloseRaw(fd)
	if err != nil {
		return &fs.PathError{Op: "write", Path: c.file(name), Err: sys.Errno(err)}
	}
	if n != len(data) {
		return &fs.PathError{Op: "write", Path: c.file(name), Err: io.ErrShortWrite}
	}
	return nil
}

// child returns the hierarchy path of the child called name.
func (c *Cgroup) child(name string) string { return path.Join(c.path, name) }
