// Package pseudofs is lx's rooted view of the kernel's pseudo-filesystems:
// /proc, /sys and the cgroup mount. Every reader in lx takes an FS, so tests
// point it at a testdata tree and containers at another procfs mount.
//
// The read helpers fill a caller's buffer with as few read(2) calls as the
// file allows (one, for the small files that dominate /proc) and allocate
// nothing once the buffer is large enough. A single read matters for more
// than speed: seq_file pseudo-files are only consistent within one read.
package pseudofs

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
)

// FS names the mount points of the pseudo-filesystems of one system.
type FS struct {
	Root   string // the system's root directory, normally /
	Proc   string // procfs, normally /proc
	Sys    string // sysfs, normally /sys
	Cgroup string // the cgroup mount root, normally /sys/fs/cgroup
}

// Default is the host's layout.
func Default() FS { return FS{Root: "/", Proc: "/proc", Sys: "/sys", Cgroup: "/sys/fs/cgroup"} }

// Rooted is the layout below the root directory root: root/proc, root/sys
// and root/sys/fs/cgroup. It does not look at the file system; NewRooted
// does.
func Rooted(root string) FS {
	root = filepath.Clean(root)
	return FS{
		Root:   root,
		Proc:   filepath.Join(root, "proc"),
		Sys:    filepath.Join(root, "sys"),
		Cgroup: filepath.Join(root, "sys", "fs", "cgroup"),
	}
}

// NewRooted is Rooted for the NewFS(root) constructor every view shares:
// root must name a directory ("/" for this machine, /proc/PID/root for
// what a process sees, a testdata tree). An empty root is fs.ErrInvalid;
// a missing one fs.ErrNotExist; a file ENOTDIR. The error is an
// *fs.PathError naming root, for the caller to add its own context to.
func NewRooted(root string) (FS, error) {
	if root == "" {
		return FS{}, &fs.PathError{Op: "open", Path: root, Err: fs.ErrInvalid}
	}
	st, err := os.Stat(root)
	if err != nil {
		return FS{}, err
	}
	if !st.IsDir() {
		return FS{}, &fs.PathError{Op: "open", Path: root, Err: syscall.ENOTDIR}
	}
	return Rooted(root), nil
}

// ProcPath joins elem under the procfs root.
func (fs FS) ProcPath(elem ...string) string { return join(fs.Proc, elem) }

// SysPath joins elem under the sysfs root.
func (fs FS) SysPath(elem ...string) string { return join(fs.Sys, elem) }

// CgroupPath joins elem under the cgroup root.
func (fs FS) CgroupPath(elem ...string) string { return join(fs.Cgroup, elem) }

func join(root string, elem []string) string {
	return filepath.Join(append([]string{root}, elem...)...)
}

// MinBuf is the initial size ReadFile gives a nil buffer: one page holds
// nearly every single-value and per-process file in /proc and /sys.
const MinBuf = 4096

// pathMax bounds the on-stack copy of a path; longer paths allocate.
const pathMax = 512

// ReadFile reads the whole file at path into buf[:0], growing buf only if
// the file does not fit, and returns the filled slice. With a buffer of
// sufficient capacity and a path shorter than 512 bytes it allocates
// nothing. Errors are *fs.PathError (open) or *os.SyscallError (read).
func ReadFile(path string, buf []byte) ([]byte, error) {
	return ReadFileAt(sys.AT_FDCWD, path, buf)
}

// ReadFileAt is ReadFile for a path relative to the directory fd dirfd.
func ReadFileAt(dirfd int, path string, buf []byte) ([]byte, error) {
	var stack [pathMax]byte
	var z []byte
	if len(path) < pathMax {
		z = stack[:len(path)+1]
	} else {
		z = make([]byte, len(path)+1)
	}
	copy(z, path)
	z[len(path)] = 0
	return ReadFileZ(dirfd, z, buf)
}

// ReadFileZ is ReadFileAt for a NUL-terminated path held in a byte slice,
// for callers that build paths without allocating (strconv.AppendInt into
// a stack array).
func ReadFileZ(dirfd int, path []byte, buf []byte) ([]byte, error) {
	fd, err := sys.OpenatZ(dirfd, path, sys.O_RDONLY)
	if err != nil {
		return buf[:0], err
	}
	buf, err = ReadAll(fd, buf)
	sys.CloseRaw(fd)
	return buf, err
}

// ReadAll reads fd from its current offset to EOF into buf[:0].
func ReadAll(fd int, buf []byte) ([]byte, error) {
	return readLoop(buf, func(p []byte, off int64) (int, error) { return sys.Read(fd, p) })
}

// PreadAll reads fd from offset 0 to EOF into buf[:0] with pread(2), leaving
// the file offset alone. A pseudo-file kept open and re-read this way costs
// one syscall per sample instead of open+read+close.
func PreadAll(fd int, buf []byte) ([]byte, error) {
	return readLoop(buf, func(p []byte, off int64) (int, error) { return sys.Pread(fd, p, off) })
}

func readLoop(buf []byte, read func(p []byte, off int64) (int, error)) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, MinBuf)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := read(buf[len(buf):cap(buf)], int64(len(buf)))
		if err != nil {
			return buf, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// Reader is an io.Reader over a pseudo-file for callers that stream large
// files (mountinfo on a busy host, /proc/PID/smaps).
var _ io.Reader = (*Reader)(nil)

// Reader reads a file opened with Open.
type Reader struct{ fd *sys.FD }

// Open opens path read-only, close-on-exec.
func Open(path string) (*Reader, error) {
	fd, err := sys.Open(path, sys.O_RDONLY)
	if err != nil {
		return nil, err
	}
	return &Reader{fd: fd}, nil
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := sys.Read(r.fd.Int(), p)
	runtime.KeepAlive(r) // the FD's cleanup must not close the fd mid-read
	if err == nil && n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, err
}

// Close closes the file; a second Close returns nil.
func (r *Reader) Close() error { return r.fd.Close() }

// bufPool holds read buffers for WithFile. Pointers to slices avoid an
// allocation per Put.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, MinBuf); return &b }}

// WithFile reads the file at path into a pooled buffer and calls parse with
// its contents. The buffer is reused after parse returns, so parse must not
// retain it. In steady state this allocates nothing, which is how lx's
// typed readers reach zero allocations per call.
func WithFile(path string, parse func(b []byte) error) error {
	return WithFileAt(sys.AT_FDCWD, path, parse)
}

// WithFileAt is WithFile for a path relative to the directory fd dirfd.
func WithFileAt(dirfd int, path string, parse func(b []byte) error) error {
	var stack [pathMax]byte
	var z []byte
	if len(path) < pathMax {
		z = stack[:len(path)+1]
	} else {
		z = make([]byte, len(path)+1)
	}
	copy(z, path)
	z[len(path)] = 0
	return WithFileZ(dirfd, z, parse)
}

// WithFileZ is WithFileAt for a NUL-terminated path in a byte slice.
func WithFileZ(dirfd int, path []byte, parse func(b []byte) error) error {
	bp := bufPool.Get().(*[]byte)
	b, err := ReadFileZ(dirfd, path, *bp)
	if err == nil {
		err = parse(b)
	}
	if cap(b) <= 1<<20 { // keep the pool from pinning huge buffers
		*bp = b[:0]
		bufPool.Put(bp)
	}
	return err
}
