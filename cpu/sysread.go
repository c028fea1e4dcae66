package cpu

import (
	"errors"
	"io/fs"
	"strconv"
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

// openReader opens the directory path for a sysReader.
func openReader(path string) (*sysReader, error) {
	fd, err := sys.Open(path, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	// The raw fd is owned by the reader from here on: close releases it.
	return &sysReader{dir: fd.Release(), path: path, buf: make([]byte, 0, pseudofs.MinBuf)}, nil
}

func (r *sysReader) close() { sys.CloseRaw(r.dir) }

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
	b, err := pseudofs.ReadFileZ(r.dir, r.rel[:r.n+1], r.buf)
	r.buf = b[:0]
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: pe.Op, Path: r.name(), Err: pe.Err}
		}
		return nil, &fs.PathError{Op: "read", Path: r.name(), Err: err}
	}
	return b, nil
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
