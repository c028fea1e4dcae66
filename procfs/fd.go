package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/ns"
)

// FDKind classifies what an open file descriptor refers to, judged from
// the target of its /proc/PID/fd link.
type FDKind uint8

const (
	FDOther     FDKind = iota // a target lx does not classify; see FD.Target
	FDPath                    // a file, directory, device or FIFO opened by path: "/dev/null"
	FDSocket                  // "socket:[INODE]"
	FDPipe                    // an anonymous pipe: "pipe:[INODE]"
	FDAnonInode               // an anonymous inode: "anon_inode:[eventfd]", "anon_inode:inotify"
	FDNamespace               // a namespace file: "net:[INODE]"
	FDMemfd                   // a memfd_create(2) file: "/memfd:NAME (deleted)"
)

var fdKindNames = [...]string{"other", "path", "socket", "pipe", "anon_inode", "namespace", "memfd"}

// String returns a short lowercase name: "path", "socket", "anon_inode".
func (k FDKind) String() string {
	if int(k) < len(fdKindNames) {
		return fdKindNames[k]
	}
	return "FDKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText returns String's name; a value that is no FDKind is an
// error (the kinds are lx's classification: the kernel has no others).
func (k FDKind) MarshalText() ([]byte, error) { return enumText(fdKindNames[:], k, "fd kind") }

// UnmarshalText sets *k from a name MarshalText returns, exactly; any
// other text is an error wrapping strconv.ErrSyntax.
func (k *FDKind) UnmarshalText(text []byte) error {
	return enumUnmarshal(fdKindNames[:], k, text, "fd kind")
}

// FD is one open file descriptor of a process: an entry of /proc/PID/fd.
type FD struct {
	Num    int    // the descriptor number
	Target string // the link target as the kernel prints it
	Kind   FDKind

	// Name is what Target names, by Kind: the path of an FDPath (without
	// " (deleted)"), the class of an FDAnonInode ("eventfd", "eventpoll",
	// "inotify", "pidfd", "signalfd", "timerfd", "io_uring", ...), the
	// namespace type of an FDNamespace ("net"), the name given to
	// memfd_create for an FDMemfd; "" otherwise.
	Name string

	// Inode is the inode number of an FDSocket, FDPipe or FDNamespace
	// (the number in brackets); 0 otherwise. Files have their inode in
	// FDInfo.Ino.
	Inode uint64

	// Deleted reports that the file was unlinked (FDPath, and always for
	// FDMemfd): the kernel appended " (deleted)" to the path.
	Deleted bool
}

// parseFDTarget classifies a /proc/PID/fd link target.
func parseFDTarget(num int, target string) FD {
	fd := FD{Num: num, Target: target}
	if strings.HasPrefix(target, "/") {
		name, deleted := strings.CutSuffix(target, deletedSuffix)
		if m, ok := strings.CutPrefix(name, "/memfd:"); ok && deleted {
			fd.Kind, fd.Name, fd.Deleted = FDMemfd, m, true
			return fd
		}
		fd.Kind, fd.Name, fd.Deleted = FDPath, name, deleted
		return fd
	}
	typ, rest, ok := strings.Cut(target, ":")
	if !ok {
		return fd
	}
	if typ == "anon_inode" {
		// Most classes print in brackets, a few ("inotify") without.
		if len(rest) >= 2 && rest[0] == '[' && rest[len(rest)-1] == ']' {
			rest = rest[1 : len(rest)-1]
		}
		fd.Kind, fd.Name = FDAnonInode, rest
		return fd
	}
	if len(rest) < 3 || rest[0] != '[' || rest[len(rest)-1] != ']' {
		return fd
	}
	ino, err := parse.Uint([]byte(rest[1 : len(rest)-1]))
	if err != nil {
		return fd
	}
	switch {
	case typ == "socket":
		fd.Kind, fd.Inode = FDSocket, ino
	case typ == "pipe":
		fd.Kind, fd.Inode = FDPipe, ino
	default:
		// A namespace link names the namespace's kind: "pid" for
		// pid_for_children too.
		if t, err := ns.ParseType(typ); err == nil && t.Base() == t {
			fd.Kind, fd.Name, fd.Inode = FDNamespace, typ, ino
		}
	}
	return fd
}

// FDs lists the open file descriptors of the process in ascending order,
// with their link targets (proc(5) "/proc/pid/fd"). Listing another user's
// process needs PTRACE_MODE_READ access. A descriptor closed between the
// listing and reading its link is left out.
func (p Proc) FDs() ([]FD, error) {
	dirfd, path, err := p.at("fd")
	if err != nil {
		return nil, err
	}
	defer p.keepAlive()
	var nums []int
	err = listFDNums(dirfd, path, func(n int) { nums = append(nums, n) })
	if err != nil {
		return nil, p.ioError("fd", err)
	}
	slices.Sort(nums)
	fds := make([]FD, 0, len(nums))
	buf := make([]byte, 256)
	var name []byte
	for _, n := range nums {
		name = strconv.AppendInt(append(name[:0], "fd/"...), int64(n), 10)
		var target []byte
		target, buf, err = p.readlink(string(name), buf)
		if errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrProcessDone) {
			continue
		}
		if err != nil {
			return nil, err
		}
		fds = append(fds, parseFDTarget(n, string(target)))
	}
	return fds, nil
}

// FD reads the link /proc/PID/fd/NUM of one open file descriptor. A
// descriptor that is not open gives an error matching fs.ErrNotExist; num
// must be 0..2^31-1 (else the error matches fs.ErrInvalid).
func (p Proc) FD(num int) (FD, error) {
	if err := checkFD(num); err != nil {
		return FD{}, fmt.Errorf("fd readlink: %w", err)
	}
	target, _, err := p.readlink("fd/"+strconv.Itoa(num), make([]byte, 256))
	if err != nil {
		return FD{}, err
	}
	return parseFDTarget(num, string(target)), nil
}

// FDCount returns the number of open file descriptors of the process
// without reading any link. On Linux 6.2 and later, on a real procfs, it
// is one stat(2) of /proc/PID/fd, whose size the kernel sets to the count;
// that works even where listing the directory is not permitted, and
// allocates nothing. Elsewhere (older kernels, whose size is 0; a
// directory tree that is not procfs, whose size is the directory's) it
// counts the entries with getdents64(2), which needs the access FDs needs.
// Whether the kernel counts is probed once per process, through
// /proc/self/fd of the running system's /proc; while /proc is not a
// procfs the answer is unknown and FDCount counts entries.
func (p Proc) FDCount() (int, error) {
	dirfd, path, err := p.at("fd")
	if err != nil {
		return 0, err
	}
	defer p.keepAlive()
	if p.fs.isProcfs() && feature.ProcFDCount.Check() == nil {
		st, err := sys.Fstatat(dirfd, path, 0)
		if err != nil {
			return 0, p.ioError("fd", err)
		}
		return int(st.Size), nil
	}
	count := 0
	if err := listFDNums(dirfd, path, func(int) { count++ }); err != nil {
		return 0, p.ioError("fd", err)
	}
	return count, nil
}

// listFDNums calls fn with each descriptor number in the fd (or fdinfo)
// directory at dirfd/path, in directory order, reading the entries with
// getdents64(2) into one buffer.
func listFDNums(dirfd int, path string, fn func(n int)) error {
	fd, err := sys.Openat(dirfd, path, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer fd.Close()
	buf := make([]byte, 4096)
	for {
		n, err := sys.Getdents64(fd.Int(), buf)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		eachFDDirent(buf[:n], fn)
	}
}

// eachFDDirent walks packed linux_dirent64 records (d_ino u64, d_off s64,
// d_reclen u16, d_type u8, NUL-terminated d_name) and calls fn for each
// name that is a descriptor number ("0" included; "." and ".." are not).
func eachFDDirent(b []byte, fn func(n int)) {
	for len(b) >= 19 {
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen < 19 || reclen > len(b) {
			return // malformed; the kernel never does this
		}
		name := b[19:reclen]
		b = b[reclen:]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if v, err := parse.Uint(name); err == nil && v <= 1<<31-1 {
			fn(int(v))
		}
	}
}

// readDirNames lists the directory name below the process's directory,
// without "." and "..".
func (p Proc) readDirNames(name string) ([]string, error) {
	dirfd, path, err := p.at(name)
	if err != nil {
		return nil, err
	}
	defer p.keepAlive()
	fd, err := sys.Openat(dirfd, path, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, p.ioError(name, err)
	}
	f := fd.File(path)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, p.ioError(name, err)
	}
	return names, nil
}

// readlink reads the link name below the process's directory into buf,
// growing it when the target may have been cut short, and returns the
// target and the (possibly grown) buffer.
func (p Proc) readlink(name string, buf []byte) (target, grown []byte, err error) {
	dirfd, path, err := p.at(name)
	if err != nil {
		return nil, buf, err
	}
	defer p.keepAlive()
	for {
		t, err := sys.Readlinkat(dirfd, path, buf)
		if err != nil {
			return nil, buf, p.ioError(name, err)
		}
		if len(t) < len(buf) || len(buf) >= 1<<16 {
			return t, buf, nil
		}
		buf = make([]byte, 2*len(buf))
	}
}
