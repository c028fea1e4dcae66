package bench

import (
	"syscall"
	"unsafe"
)

// rawFile is the floor every reader is measured against: openat(2) of a
// path converted to a C string once, read(2) into a reused buffer, close,
// no parsing. syscall.Open would allocate the C string on every call; the
// floor does not, so that it is as fast as reading a file can be.
type rawFile struct {
	path []byte // NUL-terminated
}

func newRawFile(path string) rawFile { return rawFile{path: append([]byte(path), 0)} }

const atFDCWD = -100 // AT_FDCWD

func (r rawFile) open() (int, error) { return openatZ(atFDCWD, r.path) }

// openatZ opens the NUL-terminated path relative to dirfd.
func openatZ(dirfd int, path []byte) (int, error) {
	fd, _, e := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
		syscall.O_RDONLY|syscall.O_CLOEXEC, 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// readOnce opens, reads once and closes: the whole file, for the
// single-record seq_files (stat, statm, status, limits), whose text the
// kernel generates at the first read.
func (r rawFile) readOnce(buf []byte) (int, error) {
	fd, err := r.open()
	if err != nil {
		return 0, err
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	return n, err
}

// readAll opens, reads until EOF and closes: for files the kernel hands
// out in several reads (meminfo past a page, mountinfo).
func (r rawFile) readAll(buf []byte) (int, error) {
	fd, err := r.open()
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	total := 0
	for {
		n, err := syscall.Read(fd, buf[total:])
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total += n
		if total == len(buf) {
			return total, syscall.EFBIG
		}
	}
}
