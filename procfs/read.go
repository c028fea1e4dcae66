package procfs

import (
	"io/fs"
	"math/bits"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// This file is the one place where files are read and errors are mapped:
// every reader goes through read, readInto or readFS (or, for iterators
// and writers, withFile and ioError), so that an open or read error is a
// *fs.PathError (or *DoneError) naming the file, and a parse error is a
// *ParseError naming it, for every file alike.

// read reads p's file name (a name below /proc/PID such as "cgroup" or
// "fdinfo/3") into a pooled buffer and parses it.
func read[T any](p Proc, name string, parse func([]byte) (T, error)) (T, error) {
	var v T
	err := p.withFile(name, false, func(b []byte) error {
		var err error
		v, err = parse(b)
		return err
	})
	return v, err
}

// readInto reads p's single-record file name (stat, statm, status, limits,
// io, comm, oom_score, ...) into *v, with one read(2) and no allocation in
// steady state.
func readInto[T any](p Proc, name string, v *T, parse func([]byte, *T) error) error {
	return p.withFile(name, true, func(b []byte) error { return parse(b, v) })
}

// readSmall reads p's single-record file name (stat, statm) into small, a
// buffer on the caller's stack, with one read(2) when it fits; the parse
// that follows then touches no pooled memory, and the pool's Get and Put
// are spared: they cost as much as parsing statm. A file that fills small
// is read on (from the offset the first read left) into
// a pooled buffer, bp, which the caller returns with putBuf after
// parsing. The caller must call the parser directly, not through a func
// value, or small would move to the heap.
func (p Proc) readSmall(name string, small []byte) (b []byte, bp *[]byte, err error) {
	var fd, n int
	if p.dir == nil && p.pid > 0 {
		var stack [256]byte
		if fd, n, err = sys.ReadOnceZ(p.fs.conf().at, p.appendPathZ(stack[:0], name), 0, small); err != nil {
			err = p.ioError(name, err)
		}
		p.keepAlive()
	} else {
		fd, n, err = p.readFirst(name, small)
	}
	if err != nil || fd < 0 {
		return small[:n], nil, err
	}
	return p.readRest(name, small[:n], fd)
}

// readRest reads the rest of p's file name from fd, open at the offset
// len(first) after a first read into first, into a pooled buffer bp,
// closes fd, and returns all of the file; the caller returns bp with
// putBuf.
func (p Proc) readRest(name string, first []byte, fd int) (b []byte, bp *[]byte, err error) {
	// A separate variable: first (the caller's stack) must not flow into
	// *bp.
	bp = bufPool.Get().(*[]byte)
	buf, err := readOn(fd, append((*bp)[:0], first...))
	*bp = buf
	sys.CloseRaw(fd)
	if err != nil {
		putBuf(bp)
		return nil, nil, p.ioError(name, err)
	}
	return buf, bp, nil
}

// readFS reads the file name below fs's mount point ("loadavg",
// "pressure/io") into a pooled buffer and parses it.
func readFS[T any](fsys FS, name string, parse func([]byte) (T, error)) (T, error) {
	var v T
	err := fsys.withFile(name, false, func(b []byte) error {
		var err error
		v, err = parse(b)
		return err
	})
	return v, err
}

// readFSSingle is readFS for the single-record files (meminfo, loadavg,
// uptime, pressure/*: single_open in the kernel), which one read(2)
// returns whole; see Proc.withFile.
func readFSSingle[T any](fsys FS, name string, parse func([]byte) (T, error)) (T, error) {
	var v T
	err := fsys.withFile(name, true, func(b []byte) error {
		var err error
		v, err = parse(b)
		return err
	})
	return v, err
}

// readSmall is Proc.readSmall for the single-record file name below fs's
// mount point (meminfo): read into small, on the caller's stack, and on
// into a pooled buffer bp (which the caller returns with putBuf) when it
// does not fit. Errors are *fs.PathError naming the file.
func (fsys FS) readSmall(name string, small []byte) (b []byte, bp *[]byte, err error) {
	var stack [256]byte
	path := append(append(append(stack[:0], fsys.conf().proc...), '/'), name...)
	fd, n, err := sys.ReadOnceZ(sys.AT_FDCWD, append(path, 0), 0, small)
	if err == nil && fd >= 0 {
		bp = bufPool.Get().(*[]byte)
		*bp, err = readOn(fd, append((*bp)[:0], small[:n]...))
		sys.CloseRaw(fd)
		if err != nil {
			putBuf(bp)
			bp = nil
		}
	}
	if err != nil {
		if errno := errnoOf(err); errno != 0 {
			err = &fs.PathError{Op: opOf(err), Path: string(path), Err: errno}
		}
		return nil, nil, err
	}
	if bp != nil {
		return *bp, bp, nil
	}
	return small[:n], nil, nil
}

// readFSInto is readFS into *v, for readers that reuse a value.
func readFSInto[T any](fsys FS, name string, v *T, parse func([]byte, *T) error) error {
	return fsys.withFile(name, false, func(b []byte) error { return parse(b, v) })
}

// withFile reads the file name below fs's mount point into a pooled buffer
// and calls fn with it; fn must not keep the buffer. single is for the
// single-record files, as in Proc.withFile. Open and read errors are
// *fs.PathError; an error from fn becomes a *ParseError naming the file.
func (fsys FS) withFile(name string, single bool, fn func(b []byte) error) error {
	var stack [256]byte
	path := append(append(append(stack[:0], fsys.conf().proc...), '/'), name...)
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	var b []byte
	var fd int
	var err error
	if single {
		// One call opens, reads and (when the file fitted) closes.
		var n int
		buf := poolBuf(bp)
		if fd, n, err = sys.ReadOnceZ(sys.AT_FDCWD, append(path, 0), 0, buf); err == nil {
			b = buf[:n]
			if fd >= 0 {
				b, err = readOn(fd, b)
				sys.CloseRaw(fd)
			}
		}
	} else if fd, err = sys.OpenatZ(sys.AT_FDCWD, append(path, 0), sys.O_RDONLY); err == nil {
		b, err = pseudofs.ReadAll(fd, *bp)
		sys.CloseRaw(fd)
	}
	*bp = b
	if err != nil {
		if errno := errnoOf(err); errno != 0 {
			err = &fs.PathError{Op: opOf(err), Path: string(path), Err: errno}
		}
		return err
	}
	if err := fn(b); err != nil {
		return withPath(string(path), err)
	}
	return nil
}

// withFile reads p's file name and calls fn with its bytes; fn must not
// keep them. single is for the single-record seq_files (stat, statm,
// status, limits, io, comm): the kernel generates the whole text on the
// first read(2) and returns all of it when the buffer is large enough, so
// a short read is the end of the file and the usual extra read that
// returns 0 is skipped. (This is not true of multi-record seq_files such
// as maps, which return short reads at record boundaries.) It allocates
// nothing in steady state.
func (p Proc) withFile(name string, single bool, fn func(b []byte) error) error {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	var b []byte
	var fd int
	var err error
	if single {
		var n int
		buf := poolBuf(bp)
		if fd, n, err = p.readFirst(name, buf); err != nil {
			return err
		}
		b = buf[:n]
		if fd >= 0 {
			b, err = readOn(fd, b)
			sys.CloseRaw(fd)
		}
	} else {
		if fd, err = p.open(name, 0); err != nil {
			return err
		}
		b, err = pseudofs.ReadAll(fd, *bp)
		sys.CloseRaw(fd)
	}
	*bp = b
	if err != nil {
		return p.ioError(name, err)
	}
	if err := fn(b); err != nil {
		return withPath(p.path(name), err)
	}
	return nil
}

// bufPool holds read buffers. Pointers to slices avoid an allocation per
// Put.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, pseudofs.MinBuf); return &b }}

// putBuf returns a buffer to the pool, unless it grew huge (a large maps
// or mountinfo), which the pool would pin.
func putBuf(bp *[]byte) {
	if cap(*bp) <= 1<<20 {
		*bp = (*bp)[:0]
		bufPool.Put(bp)
	}
}

// poolBuf returns the whole capacity of the pooled buffer *bp, which
// sys.ReadOnceZ reads into: at least pseudofs.MinBuf bytes.
func poolBuf(bp *[]byte) []byte {
	if cap(*bp) == 0 {
		*bp = make([]byte, 0, pseudofs.MinBuf)
	}
	return (*bp)[:cap(*bp)]
}

// readOn reads fd from its current offset to its end, appending to b and
// growing it: the rest of a file whose first read filled the buffer.
func readOn(fd int, b []byte) ([]byte, error) {
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

// open opens p's file name (O_RDONLY, close-on-exec, plus flags) and
// returns the raw fd, which the caller owns. Errors are mapped by ioError.
func (p Proc) open(name string, flags int) (int, error) {
	var stack [256]byte
	dfd, z, err := p.pathZ(stack[:0], name)
	if err != nil {
		return -1, err
	}
	fd, err := sys.OpenatZ(dfd, z, sys.O_RDONLY|flags)
	p.keepAlive() // a cleanup must not close dfd during the call
	if err != nil {
		return -1, p.ioError(name, err)
	}
	return fd, nil
}

// appendPathZ appends the NUL-terminated path of p's file name as it is
// opened, relative to p.fs.conf().at: "/proc/PID/name", or "PID/name"
// for a Proc of a listing. It and appendDir take a pointer: copying the
// Proc for each call on a reader's path showed in BenchmarkPaired (statm
// 1.040-1.045 with the copies of what was then a nine-word Proc,
// 1.032-1.037 without). The caller keeps p alive (keepAlive) over the
// call that uses the path.
func (p *Proc) appendPathZ(b []byte, name string) []byte {
	return append(append(append(p.appendDirAs(b, true), '/'), name...), 0)
}

// appendOpenDir appends p's directory as it is opened, relative to
// p.fs.conf().at (see appendPathZ).
func (p *Proc) appendOpenDir(b []byte) []byte { return p.appendDirAs(b, true) }

// keepAlive keeps what p's reads open relative to reachable up to the
// call: the anchored directory and a listing's conf, whose descriptors
// their cleanups close once unreachable.
func (p *Proc) keepAlive() {
	runtime.KeepAlive(p.dir)
	runtime.KeepAlive(p.fs.c)
}

// readFirst opens p's file name and reads it once into buf, with
// sys.ReadOnceZ: the file read whole and closed (fd -1) when n < len(buf);
// otherwise fd is open at offset n, and the caller reads on and closes it.
// Errors are mapped by ioError. readSmall (and ReadStat, Statm and
// ReadStatus) make the same call themselves for a path-based Proc, the
// common case: on the hot path of a per-process reader every call level
// costs about 1% of a /proc/PID/statm read (BenchmarkPaired), which a file
// the kernel generates in about two microseconds is that sensitive to.
func (p Proc) readFirst(name string, buf []byte) (fd, n int, err error) {
	var stack [256]byte
	dfd, z, err := p.pathZ(stack[:0], name)
	if err != nil {
		return -1, 0, err
	}
	fd, n, err = sys.ReadOnceZ(dfd, z, 0, buf)
	p.keepAlive()
	if err != nil {
		return -1, 0, p.ioError(name, err)
	}
	return fd, n, nil
}

// pathZ appends to b the NUL-terminated path of p's file name and returns
// the directory it is relative to: the anchored directory or the FS's
// (see appendPathZ). The caller keeps p alive (keepAlive) over the call
// that uses it.
func (p Proc) pathZ(b []byte, name string) (int, []byte, error) {
	if err := p.usable(name); err != nil {
		return -1, nil, err
	}
	if p.dir == nil {
		return p.fs.conf().at, p.appendPathZ(b, name), nil
	}
	dfd := p.dir.Int()
	if dfd < 0 {
		return -1, nil, &fs.PathError{Op: "open", Path: p.path(name), Err: fs.ErrClosed}
	}
	return dfd, append(p.appendRel(b, name), 0), nil
}

// usable rejects the zero Proc, which names no process.
func (p Proc) usable(name string) error {
	if p.pid <= 0 {
		return &fs.PathError{Op: "open", Path: name, Err: errZeroProc}
	}
	return nil
}

// at returns the directory fd and path to use with an *at system call for
// name below the process's directory: the anchored directory fd and the
// relative name, or the FS's (see appendPathZ). The caller keeps p alive
// (keepAlive) over the call.
func (p Proc) at(name string) (int, string, error) {
	if err := p.usable(name); err != nil {
		return -1, "", err
	}
	if p.dir != nil {
		dfd := p.dir.Int()
		if dfd < 0 {
			return -1, "", &fs.PathError{Op: "open", Path: p.path(name), Err: fs.ErrClosed}
		}
		return dfd, string(p.appendRel(nil, name)), nil
	}
	var stack [128]byte
	return p.fs.conf().at, string(append(append(p.appendOpenDir(stack[:0]), '/'), name...)), nil
}

// path returns the full path of p's file name, as errors name it.
func (p Proc) path(name string) string {
	var stack [128]byte
	return string(append(append(p.appendDir(stack[:0]), '/'), name...))
}

// appendDir appends p's directory as Dir and errors name it,
// /proc/PID or /proc/PID/task/TID.
func (p *Proc) appendDir(b []byte) []byte { return p.appendDirAs(b, false) }

// appendDirAs appends p's directory as it is opened (appendOpenDir) or
// named (appendDir). It is the one call a reader's path building makes:
// with a call more, to append the prefix apart, statm's ratio was
// 1.043-1.054 against 1.036-1.040 (BenchmarkPaired).
func (p *Proc) appendDirAs(b []byte, open bool) []byte {
	c := p.fs.conf()
	if !open && c.base != nil {
		c = c.base
	}
	b = append(b, c.pre...)
	b = appendID(b, p.pid)
	if p.tid != 0 {
		b = append(b, "/task/"...)
		b = appendID(b, p.tid)
	}
	return b
}

// appendRel appends the path of name relative to the anchored directory.
func (p Proc) appendRel(b []byte, name string) []byte {
	if p.tid != 0 {
		b = append(b, "task/"...)
		b = appendID(b, p.tid)
		b = append(b, '/')
	}
	return append(b, name...)
}

// appendID appends the decimal form of a pid or tid. Every path-based
// read builds its path anew, and strconv.AppendInt, general in base and
// width, formats into a buffer of its own and copies: this writes the
// digits in place, two at a time. A scratch pairing that varied only the
// path building measured statm's ratio at 1.045-1.054 with strconv and
// 1.039-1.044 with this (docs/performance.md). A value outside
// 0..2^32-1 (no pid) goes to strconv.
func appendID(b []byte, id int) []byte {
	if id < 0 || uint64(id) > 1<<32-1 {
		return strconv.AppendInt(b, int64(id), 10)
	}
	x := uint32(id)
	// The number of digits: log10 from the bit length (1233/4096 is
	// just above log10(2)), corrected by one comparison.
	n := bits.Len32(x) * 1233 >> 12
	if x >= pow10u32[n] {
		n++
	}
	n = max(n, 1) // 0
	b = slices.Grow(b, n)
	b = b[:len(b)+n]
	d := b[len(b)-n:]
	i := n
	for x >= 100 {
		q := x / 100
		r := 2 * (x - 100*q)
		i -= 2
		d[i], d[i+1] = digitPairs[r], digitPairs[r+1]
		x = q
	}
	if x >= 10 {
		d[i-2], d[i-1] = digitPairs[2*x], digitPairs[2*x+1]
	} else {
		d[i-1] = byte('0' + x)
	}
	return b
}

var pow10u32 = [...]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// digitPairs holds the two digits of 0 to 99.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// opOf returns the operation an error from internal/sys names: the Op of
// a *fs.PathError or the call of an *os.SyscallError. (A type switch, not
// errors.As: internal/sys returns these unwrapped, and errors.As would
// allocate on every error.)
func opOf(err error) string {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Op
	case *os.SyscallError:
		return e.Syscall
	}
	return "read"
}

// errnoOf returns the errno of an error from internal/sys, or 0. It looks
// through the two wrappers internal/sys uses without allocating, and asks
// sys.Errno about anything else.
func errnoOf(err error) syscall.Errno {
	switch e := err.(type) {
	case nil:
		return 0
	case syscall.Errno:
		return e
	case *fs.PathError:
		if errno, ok := e.Err.(syscall.Errno); ok {
			return errno
		}
	case *os.SyscallError:
		if errno, ok := e.Err.(syscall.Errno); ok {
			return errno
		}
	}
	return sys.Errno(err)
}
