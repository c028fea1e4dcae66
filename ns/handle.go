package ns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Handle is an open namespace: a file descriptor on nsfs, the filesystem
// behind /proc/PID/ns/* and their bind mounts. For as long as it is open
// the namespace exists, even when no process is left in it. A Handle is
// what setns(2) joins (Do) and what the NS_GET_* ioctls (ioctl_ns(2))
// query.
//
// The fd is close-on-exec and owned by the Handle; Close is idempotent.
// nsfs files have nothing to read or wait for, so the fd is neither
// non-blocking nor registered with the runtime's poller; SyscallConn is the
// escape hatch for calls lx does not wrap. A Handle is safe for concurrent
// use, and Close does not pull the fd from under a call in progress.
// Every function that returns a Handle gives it to the caller to close.
type Handle struct {
	pfd *poll.FD
}

// newHandle gives fd, an nsfs fd, to a new Handle named name (the path it
// was opened by, or what it was derived from, for error messages).
func newHandle(fd *sys.FD, name string) (*Handle, error) {
	p, err := poll.New(fd.File(name))
	if err != nil {
		return nil, err
	}
	return &Handle{pfd: p}, nil
}

// name is what the Handle was opened as: "/proc/thread-self/ns/net".
func (h *Handle) name() string { return h.pfd.File().Name() }

// control runs fn with h's fd, which stays open until fn returns.
func (h *Handle) control(op string, fn func(fd int) error) error {
	_, err := poll.ControlT(h.pfd, op, func(fd int) (struct{}, error) { return struct{}{}, fn(fd) })
	return err
}

// Close closes the handle. The namespace goes away when no process, bind
// mount or other fd refers to it any more. A second Close returns nil.
func (h *Handle) Close() error { return h.pfd.Close() }

// SyscallConn returns the raw connection of the nsfs fd, for calls lx does
// not wrap (passing it over a unix socket, setns(2) from a thread of your
// own). The fd is valid only inside Control.
func (h *Handle) SyscallConn() (syscall.RawConn, error) { return h.pfd.File().SyscallConn() }

// Dup returns a new Handle for the same namespace, with a new close-on-exec
// fd (fcntl(2) F_DUPFD_CLOEXEC) owned by the caller.
func (h *Handle) Dup() (*Handle, error) {
	fd, err := poll.ControlT(h.pfd, "fcntl", sys.Dup)
	if err != nil {
		return nil, fmt.Errorf("ns dup %s: %w", h.name(), err)
	}
	return newHandle(fd, h.name())
}

// ID identifies a namespace: the device and inode number of its nsfs file,
// as fstat(2) reports them and as /proc/PID/ns/* links show the inode
// ("net:[4026531840]"). Two handles refer to the same namespace exactly
// when their IDs are equal. Inode numbers are not reused while the
// namespace exists, but may be after it is gone.
type ID struct {
	Dev   uint64 // the nsfs device, one for the whole system
	Inode uint64
}

// String returns the inode number in decimal, as lsns(8) prints it in its
// NS column: every namespace lives on the one nsfs device.
func (id ID) String() string { return strconv.FormatUint(id.Inode, 10) }

// ID returns the namespace's identity, from fstat(2) of the handle.
func (h *Handle) ID() (ID, error) {
	st, err := poll.ControlT(h.pfd, "fstat", sys.Fstat)
	if err != nil {
		return ID{}, fmt.Errorf("ns id %s: %w", h.name(), err)
	}
	return ID{Dev: st.Dev, Inode: st.Ino}, nil
}

// Current opens the calling thread's namespace of type t through
// /proc/thread-self/ns/<t> (Linux 3.17; /proc must be mounted). An
// ordinary goroutine may run on any thread of the process's pool, and all
// of them are in the process's namespaces; inside Do's function the thread
// is in the joined ones. For PIDForChildren and TimeForChildren the
// handle is the namespace the thread's future children will be in.
//
// Current only reads: no thread changes namespace. No privilege is
// needed. A namespace type the kernel does not have (time
// before 5.6, cgroup before 4.6) gives an error matching
// errors.ErrUnsupported; pid_for_children is missing (an error matching
// fs.ErrNotExist) after unshare(CLONE_NEWPID) until a first process exists
// in the new namespace.
func Current(t Type) (*Handle, error) {
	if !t.known() {
		return nil, fmt.Errorf("ns current: invalid namespace type %v: %w", t, fs.ErrInvalid)
	}
	path := "/proc/thread-self/ns/" + t.String()
	fd, err := sys.Open(path, sys.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("ns current %v: %w", t, linkMissing(t, err))
	}
	return newHandle(fd, path)
}

// OpenPID opens the namespace of type t of process pid (or of thread pid)
// through /proc/PID/ns/<t>, in the calling thread's PID namespace as
// /proc shows it.
//
// A PID names a process only until the process is reaped; after that the
// number may be reused, and OpenPID then opens the namespace of whatever
// process has it. OpenPID is race-free only for the caller's own unreaped
// children; for any other process use OpenPidFD, whose pidfd pins the
// process.
//
// Privilege: PTRACE_MODE_READ_FSCREDS over the process (the same user,
// or CAP_SYS_PTRACE), otherwise an error matching fs.ErrPermission. pid
// must be 1..2^31-1 (an error matching fs.ErrInvalid otherwise). A pid
// that names no process gives an error matching syscall.ESRCH; a process
// that has exited (a zombie) one matching os.ErrProcessDone.
func OpenPID(pid int, t Type) (*Handle, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return nil, fmt.Errorf("ns open: %w", err)
	}
	if !t.known() {
		return nil, fmt.Errorf("ns open: invalid namespace type %v: %w", t, fs.ErrInvalid)
	}
	dir := "/proc/" + strconv.Itoa(pid)
	path := dir + "/ns/" + t.String()
	fd, err := sys.Open(path, sys.O_RDONLY)
	if err == nil {
		return newHandle(fd, path)
	}
	if sys.Errno(err) == sys.ENOENT {
		// Every live process is in a mount namespace; one that has
		// exited (a zombie) has lost it with the others of its nsproxy.
		if _, serr := sys.Fstatat(sys.AT_FDCWD, dir, 0); sys.Errno(serr) == sys.ENOENT {
			err = fmt.Errorf("no process %d: %w", pid, syscall.ESRCH)
		} else if _, serr := sys.Fstatat(sys.AT_FDCWD, dir+"/ns/mnt", 0); sys.Errno(serr) == sys.ENOENT {
			err = fmt.Errorf("%w (process %d has exited)", os.ErrProcessDone, pid)
		} else {
			err = linkMissing(t, err)
		}
	}
	return nil, fmt.Errorf("ns open %v of %d: %w", t, pid, err)
}

// minKernel is the first kernel with each /proc/PID/ns entry.
var minKernel = [...]kernel.Version{
	Cgroup: kernel.V(4, 6), IPC: kernel.V(3, 0), Mnt: kernel.V(3, 8), Net: kernel.V(3, 0),
	PID: kernel.V(3, 8), PIDForChildren: kernel.V(4, 12), Time: kernel.V(5, 6),
	TimeForChildren: kernel.V(5, 6), User: kernel.V(3, 8), UTS: kernel.V(3, 0),
}

// linkMissing explains ENOENT for a namespace link of type t: the kernel
// lacks the type (the calling thread has no such link either), or, for
// pid_for_children, no process exists yet in the PID namespace for
// children. Other errors are returned unchanged.
func linkMissing(t Type, err error) error {
	if sys.Errno(err) != sys.ENOENT {
		return err
	}
	if t == PIDForChildren {
		return fmt.Errorf("%w (the PID namespace for children has no process yet)", err)
	}
	if _, serr := sys.Fstatat(sys.AT_FDCWD, "/proc/thread-self/ns", 0); serr != nil {
		return err // no /proc: nothing to learn
	}
	if _, serr := sys.Fstatat(sys.AT_FDCWD, "/proc/thread-self/ns/"+t.String(), 0); sys.Errno(serr) == sys.ENOENT {
		return &kernel.FeatureError{Feature: t.String() + " namespaces", MinKernel: minKernel[t], Err: err}
	}
	return err
}

// PidFD is a pidfd (pidfd_open(2), clone(2) CLONE_PIDFD): a *pidfd.FD, or
// an *os.File from syscall.SysProcAttr.PidFD or os.NewFile. ns only
// borrows the fd for the duration of a call. A value that also has a
// PID() int method (as *pidfd.FD does) lets OpenPidFD fall back to
// /proc/PID/ns on kernels without the PIDFD_GET_*_NAMESPACE ioctls.
type PidFD interface {
	SyscallConn() (syscall.RawConn, error)
}

// pidfdNamespace are the PIDFD_GET_<TYPE>_NAMESPACE ioctls, by Type.
var pidfdNamespace = [...]sys.IoctlReq{
	Cgroup:          sys.PIDFD_GET_CGROUP_NAMESPACE,
	IPC:             sys.PIDFD_GET_IPC_NAMESPACE,
	Mnt:             sys.PIDFD_GET_MNT_NAMESPACE,
	Net:             sys.PIDFD_GET_NET_NAMESPACE,
	PID:             sys.PIDFD_GET_PID_NAMESPACE,
	PIDForChildren:  sys.PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE,
	Time:            sys.PIDFD_GET_TIME_NAMESPACE,
	TimeForChildren: sys.PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE,
	User:            sys.PIDFD_GET_USER_NAMESPACE,
	UTS:             sys.PIDFD_GET_UTS_NAMESPACE,
}

// OpenPidFD opens the namespace of type t of the process p refers to,
// race-free: a pidfd keeps referring to its process, so the answer is
// never another process's namespace even if the PID has been reused.
//
// It issues PIDFD_GET_<TYPE>_NAMESPACE (ioctl_pidfd(2), Linux 6.11). On an
// older kernel, if p has a PID() int method, it opens /proc/PID/ns/<t>
// instead and then sends signal 0 through the pidfd: the process had not
// been reaped after the open, so its PID still named it when the link was
// opened, and the result is just as race-free. (That needs /proc to be the
// procfs of the caller's PID namespace, in which PID() is counted.)
// Without such a method the result on an older kernel is an error matching
// errors.ErrUnsupported.
//
// Privilege: PTRACE_MODE_READ_FSCREDS over the process (the same user, or
// CAP_SYS_PTRACE). A process that has exited gives an error matching
// os.ErrProcessDone, a namespace type the kernel was built without one
// matching errors.ErrUnsupported.
func OpenPidFD(p PidFD, t Type) (*Handle, error) {
	if !t.known() {
		return nil, fmt.Errorf("ns open from pidfd: invalid namespace type %v: %w", t, fs.ErrInvalid)
	}
	pid := -1
	if pp, ok := p.(interface{ PID() int }); ok {
		pid = pp.PID()
	}
	rc, err := p.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("ns open %v from pidfd: %w", t, err)
	}
	var h *Handle
	cerr := rc.Control(func(fd uintptr) { h, err = openPidfd(int(fd), pid, t) })
	if cerr != nil {
		return nil, fmt.Errorf("ns open %v from pidfd: %w", t, cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("ns open %v from pidfd: %w", t, err)
	}
	return h, nil
}

// openPidfd is OpenPidFD on the raw pidfd of process pid (-1 if unknown).
func openPidfd(pidfd, pid int, t Type) (*Handle, error) {
	nsfd, err := sys.PidfdGetNamespace(pidfd, pidfdNamespace[t])
	if err == nil {
		return newHandle(nsfd, "pidfd:ns/"+t.String())
	}
	switch sys.Errno(err) {
	case sys.ESRCH:
		return nil, fmt.Errorf("%w (%w)", os.ErrProcessDone, err)
	case sys.EOPNOTSUPP:
		return nil, &kernel.FeatureError{Feature: t.String() + " namespaces", MinKernel: minKernel[t], Err: err}
	case sys.ENOTTY, sys.EINVAL:
		perr := feature.PidfdNamespace.Check()
		if !errors.Is(perr, errors.ErrUnsupported) {
			return nil, err
		}
		if kernel.CheckPID(pid) != nil {
			return nil, fmt.Errorf("%w (and the pidfd has no PID method for the /proc/PID/ns fallback)", perr)
		}
	default:
		return nil, err
	}
	return openPidfdProc(pidfd, pid, t)
}

// openPidfdProc is OpenPidFD before 6.11: /proc/PID/ns, bracketed by the
// pidfd.
func openPidfdProc(pidfd, pid int, t Type) (*Handle, error) {
	h, err := OpenPID(pid, t)
	if err != nil {
		return nil, err
	}
	if serr := sys.PidfdSendSignal(pidfd, 0, nil, 0); serr != nil && sys.Errno(serr) != sys.EPERM {
		h.Close()
		if sys.Errno(serr) == sys.ESRCH {
			return nil, fmt.Errorf("%w (%w)", os.ErrProcessDone, serr)
		}
		return nil, serr
	}
	return h, nil
}

// Open opens a namespace file by path: a /proc/PID/ns/* link or a bind
// mount of one (/run/netns/NAME, as ip-netns(8) makes them). The path is
// first opened O_PATH, which has no side effects whatever it names, and
// only reopened for reading (through /proc/thread-self/fd) once fstatfs(2)
// has shown that it is on nsfs; anything else gives an error matching
// fs.ErrInvalid. Symbolic links are followed.
//
// No privilege beyond search permission on the path is needed, except for
// /proc/PID/ns links (see OpenPID).
func Open(path string) (*Handle, error) {
	o, err := sys.Open(path, sys.O_PATH)
	if err != nil {
		return nil, fmt.Errorf("ns open: %w", err)
	}
	defer o.Close()
	if err := checkNsfs(o.Int()); err != nil {
		return nil, fmt.Errorf("ns open %s: %w", path, err)
	}
	fd, err := sys.Open("/proc/thread-self/fd/"+strconv.Itoa(o.Int()), sys.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("ns open %s: reopen: %w", path, err)
	}
	return newHandle(fd, path)
}

// checkNsfs returns nil if fd is on nsfs.
func checkNsfs(fd int) error {
	magic, err := sys.FstatfsType(fd)
	if err != nil {
		return err
	}
	if magic != sys.NSFS_MAGIC {
		return fmt.Errorf("not a namespace file (file system %#x, not nsfs): %w", magic, fs.ErrInvalid)
	}
	return nil
}

// FromFile adopts f, an open namespace file received from elsewhere (a
// file from pidfd.FD.Namespace, SCM_RIGHTS, an inherited fd). It takes
// ownership of f, even on error, and checks with fstatfs(2) that f is on
// nsfs (an error matching fs.ErrInvalid otherwise; f is then closed).
func FromFile(f *os.File) (*Handle, error) {
	if f == nil {
		return nil, errors.New("ns from file: nil file")
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ns from file: %w", err)
	}
	if cerr := rc.Control(func(fd uintptr) { err = checkNsfs(int(fd)) }); cerr != nil {
		err = cerr
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ns from file %s: %w", f.Name(), err)
	}
	p, err := poll.New(f)
	if err != nil {
		return nil, fmt.Errorf("ns from file %s: %w", f.Name(), err)
	}
	return &Handle{pfd: p}, nil
}
