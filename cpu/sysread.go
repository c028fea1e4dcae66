package cpu

import (
	"errors"
	"io/fs"
	"strconv"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// sysReader reads the small files below one sysfs directory through a
// directory fd, into one buffer it reuses: after the first file a read
// allocates nothing, and each open resolves only the path below the
// directory.
type sysReader struct {
	dir  int    // the directory's fd
	path string // the directory's path, for errors
	buf  []byte
	rel  [128]byte // the NUL-terminated relative path being built
	n    int       // bytes of rel in use
}

// readerPool keeps sysReaders (and their buffers) between reads of the
// topology.
var readerPool = sync.Pool{New: func() any { return &sysReader{buf: make([]byte, 0, pseudofs.MinBuf)} }}

// openReader opens the directory path for a sysReader.
func openReader(path string) (*sysReader, error) {
	fd, err := sys.Open(path, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	r := readerPool.Get().(*sysReader)
	// The raw fd is owned by the reader from here on: close releases it.
	r.dir, r.path = fd.Release(), path
	return r, nil
}

// close closes the directory and gives the reader back to the pool.
func (r *sysReader) close() {
	sys.CloseRaw(r.dir)
	r.dir, r.path = -1, ""
	if cap(r.buf) <= 1<<20 {
		readerPool.Put(r)
	}
}

// reset starts a new relative path.
func (r *sysReader) reset() *sysReader { r.n = 0; return r }

// s appends a path element (or part of one).
func (r *sysReader) s(elem string) *sysReader {
	r.n += copy(r.rel[r.n:len(r.rel)-1], elem)
	return r
}

// i appends a number.
func (r *sysReader) i(n int) *sysReader {
	var d [20]byte
	return r.s(string(strconv.AppendInt(d[:0], int64(n), 10)))
}

// name returns the relative path built so far, for errors.
func (r *sysReader) name() string { return r.path + "/" + string(r.rel[:r.n]) }

// read reads the file at the relative path built with reset, s and i.
// The slice is valid until the next read. A missing file gives an error
// matching fs.ErrNotExist; errors name the full path.
func (r *sysReader) read() ([]byte, error) {
	if r.n >= len(r.rel)-1 {
		return nil, &fs.PathError{Op: "open", Path: r.name(), Err: syscall.ENAMETOOLONG}
	}
	r.rel[r.n] = 0
	b, err := r.readFile()
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: pe.Op, Path: r.name(), Err: pe.Err}
		}
		return nil, &fs.PathError{Op: "read", Path: r.name(), Err: err}
	}
	return b, nil
}

// readFile opens the file and reads it, with one read(2) when it is
// shorter than the buffer: a sysfs attribute (at most a page) comes whole
// from its first read, and a short read of a regular file (a testdata
// tree) is its end.
func (r *sysReader) readFile() ([]byte, error) {
	fd, err := sys.OpenatZ(r.dir, r.rel[:r.n+1], sys.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer sys.CloseRaw(fd)
	b := r.buf[:cap(r.buf)]
	n, err := sys.Read(fd, b)
	for err == nil && n == len(b) {
		// A file as long as the buffer, or longer: grow it, read on.
		b = append(b[:n], 0)
		b = b[:cap(b)]
		var m int
		if m, err = sys.Read(fd, b[n:]); m == 0 {
			break
		}
		n += m
	}
	if err != nil {
		return nil, err
	}
	r.buf = b[:0]
	return b[:n], nil
}

// id reads an id file; a missing file is -1 (unknown).
func (r *sysReader) id() (int, error) {
	b, err := r.read()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return -1, nil
		}
		return 0, err
	}
	v, err := parseID(b)
	return v, parseErr(r.name(), err)
}
