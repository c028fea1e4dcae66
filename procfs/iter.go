package procfs

import (
	"encoding/binary"
	"fmt"
	iofs "io/fs"
	"iter"
	"sync"
	"weak"

	"github.com/lxgo/lx/internal/sys"
)

// Procs yields every process in fs (in increasing PID order on procfs) by listing
// the numeric entries of the mount point (threads are not listed; see
// Proc.Threads). Processes that start during the listing may or may not be
// seen; a yielded process may have exited by the time it is read, which
// the read reports with an error matching os.ErrProcessDone. A listing
// error is yielded once, last.
//
// The Procs are not anchored (see Proc). Each opens its files relative to
// the directory that was listed ("PID/stat" below it), not by path from
// "/": a scan spares a lookup of the mount point on every open, and the
// Procs keep reading the procfs they were listed from, even on a thread
// that has since entered another mount namespace. The FS holds that
// directory open, one close-on-exec O_PATH descriptor shared by its
// listings of the same directory, until no Proc of them is left (the
// garbage collector then closes it). FS, Dir and errors name the paths
// by the mount point as usual.
//
// The listing reads directory entries with getdents64(2) into a pooled
// buffer and allocates nothing in steady state: not per process, and not
// per listing when the loop ranges over Procs() directly. The listing
// that opens the held directory allocates for it.
func (fs FS) Procs() iter.Seq2[Proc, error] {
	// A small function, so that it is inlined and the closure stays on
	// the caller's stack.
	return func(yield func(Proc, error) bool) { fs.procs(yield) }
}

// procs is the body of Procs.
func (fs FS) procs(yield func(Proc, error) bool) {
	c := fs.conf()
	if c.base != nil {
		c = c.base
	}
	stopped := false
	var stack [256]byte
	fd, err := sys.OpenatZ(sys.AT_FDCWD, append(append(stack[:0], c.proc...), 0), sys.O_RDONLY|sys.O_DIRECTORY)
	if err == nil {
		defer sys.CloseRaw(fd)
		lfs := FS{c: c.listing(fd)}
		err = listDir(fd, func(pid int) bool {
			if !yield(Proc{fs: lfs, pid: pid}, nil) {
				stopped = true
				return false
			}
			return true
		})
	}
	if err != nil && !stopped {
		if errno := sys.Errno(err); errno != 0 {
			err = &iofs.PathError{Op: opOf(err), Path: c.proc, Err: errno}
		}
		yield(Proc{}, fmt.Errorf("procfs list: %w", err))
	}
}

// listing returns the conf of the Procs that a listing of c.proc through
// the directory fd yields, which open their files relative to that
// directory: "PID/stat" instead of "/proc/PID/stat", which spares the
// lookup of "/" and "proc" (and the crossing into the procfs mount) on
// every open. A scan of 300 processes cost 1.6-1.9% more with absolute
// paths (docs/performance.md). The Procs also read the procfs they were
// listed from, even if the mount namespace of the thread that reads them
// is another or /proc has been mounted over since.
//
// The directory is held by the listed conf, one descriptor shared by
// every listing of c that finds the same directory (device and inode) as
// the last one, and closed once no Proc refers to that conf. A listing
// of another directory (another mount namespace's /proc) replaces it.
// If the conf cannot be made, the Procs open their files by path.
func (c *fsConf) listing(fd int) *fsConf {
	st, err := sys.Fstat(fd)
	if err != nil {
		return c
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.listed.Value(); l != nil && l.dev == st.Dev && l.ino == st.Ino {
		return l
	}
	// O_PATH: a descriptor for lookups only, with no offset shared with
	// anything.
	dir, err := sys.Openat(fd, ".", sys.O_PATH|sys.O_DIRECTORY)
	if err != nil {
		return c
	}
	at := dir.Int()
	if at < 0 {
		return c
	}
	l := &fsConf{root: c.root, proc: c.proc, kind: c.kind, at: at, base: c, dir: dir, dev: st.Dev, ino: st.Ino}
	c.listed = weak.Make(l)
	return l
}

// direntBufSize is the getdents64 buffer: about 1,000 /proc entries a
// call (24 to 32 bytes each). With 8 KiB a scan of 300 processes made
// three calls instead of two and cost about 1% more (BenchmarkPaired
// scan-300).
const direntBufSize = 32768

var direntPool = sync.Pool{New: func() any { return new([direntBufSize]byte) }}

// listNumeric opens the directory path (relative to dirfd) and calls fn
// with each entry whose name is a positive decimal number, until fn
// returns false. It allocates nothing for a path shorter than 256 bytes.
func listNumeric(dirfd int, path string, fn func(n int) bool) error {
	var stack [256]byte
	z := append(append(stack[:0], path...), 0)
	fd, err := sys.OpenatZ(dirfd, z, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer sys.CloseRaw(fd)
	return listDir(fd, fn)
}

// listDir is listNumeric for the open directory fd.
func listDir(fd int, fn func(n int) bool) error {
	buf := direntPool.Get().(*[direntBufSize]byte)
	defer direntPool.Put(buf)
	for {
		n, err := sys.Getdents64(fd, buf[:])
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if !eachNumericDirent(buf[:n], fn) {
			return nil
		}
	}
}

// eachNumericDirent walks packed linux_dirent64 records (d_ino u64, d_off
// s64, d_reclen u16, d_type u8, d_name NUL-terminated) and calls fn for the
// numeric names. It returns false when fn does.
func eachNumericDirent(b []byte, fn func(n int) bool) bool {
	for len(b) >= 19 {
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen < 19 || reclen > len(b) {
			return true // malformed; the kernel never does this
		}
		name := b[19:reclen]
		b = b[reclen:]
		var n int64
		ok := len(name) > 0 && name[0] != 0 && name[0] != '0'
		for i := 0; ok && i < len(name) && name[i] != 0; i++ {
			c := name[i] - '0'
			if n = n*10 + int64(c); c > 9 || n > 1<<31-1 {
				ok = false
			}
		}
		if ok && !fn(int(n)) {
			return false
		}
	}
	return true
}
