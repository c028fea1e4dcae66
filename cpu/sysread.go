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
// directory fd (pseudofs.ReadFileZ), into one buffer it reuses: a read
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

// readFile reads the file into the reader's buffer, through pseudofs
// (openat relative to the directory fd, read to the end, close).
func (r *sysReader) readFile() ([]byte, error) {
	b, err := pseudofs.ReadFileZ(r.dir, r.rel[:r.n+1], r.buf)
	if cap(b) <= 1<<20 {
		r.buf = b[:0]
	}
	return b, err
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
