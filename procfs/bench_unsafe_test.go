package procfs

import (
	"syscall"
	"unsafe"
)

// rawFile is the floor the readers are measured against: openat(2) of a
// NUL-terminated path made once, read(2) into a reused buffer, close(2),
// no parsing and no allocation. (syscall.Open would allocate the C string
// on every call; the floor must be as fast as reading a file can be.)
type rawFile struct {
	path []byte // NUL-terminated
}

func newRawFile(path string) rawFile { return rawFile{path: append([]byte(path), 0)} }

// rawOpenat opens the NUL-terminated path relative to dirfd.
func rawOpenat(dirfd int, path []byte) (int, error) {
	fd, _, e := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
		syscall.O_RDONLY|syscall.O_CLOEXEC, 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// readOnce opens, reads once and closes: the whole file for the
// single-record seq_files (stat, statm, status, limits).
func (r rawFile) readOnce(buf []byte) (int, error) {
	fd, err := rawOpenat(_AT_FDCWD, r.path)
	if err != nil {
		return 0, err
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	return n, err
}

// readAll opens, reads until read returns 0 and closes: for the files the
// kernel hands out in several reads (meminfo, mountinfo).
func (r rawFile) readAll(buf []byte) (int, error) {
	fd, err := rawOpenat(_AT_FDCWD, r.path)
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

const _AT_FDCWD = -100

var procZ = []byte("/proc\x00")

// rawScan lists /proc with getdents64 into a reused buffer and opens
// (openat relative to the /proc directory, name built in a reused
// buffer), reads and closes each process's stat, without parsing: the
// floor of a scan. It returns the number of stat files read.
func rawScan(dirbuf, buf, path []byte) (int, error) {
	d, err := rawOpenat(_AT_FDCWD, procZ)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(d)
	procs := 0
	for {
		n, err := syscall.ReadDirent(d, dirbuf)
		if err != nil {
			return procs, err
		}
		if n == 0 {
			return procs, nil
		}
		for rec := dirbuf[:n]; len(rec) >= 19; {
			reclen := int(rec[16]) | int(rec[17])<<8
			name := rec[19:reclen]
			rec = rec[reclen:]
			if name[0] < '1' || name[0] > '9' {
				continue
			}
			path = path[:0]
			for _, c := range name {
				if c == 0 {
					break
				}
				path = append(path, c)
			}
			path = append(path, "/stat\x00"...)
			fd, err := rawOpenat(d, path)
			if err != nil {
				continue // exited
			}
			syscall.Read(fd, buf)
			syscall.Close(fd)
			procs++
		}
	}
}
