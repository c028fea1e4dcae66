// Package userfaultfd handles page faults of a memory range in user
// space, userfaultfd(2) and ioctl_userfaultfd(2) (Linux 4.3): a thread
// that touches a registered page that is missing (ModeMissing),
// write-protected (ModeWP) or not mapped although cached (ModeMinor)
// stops in the kernel, the fault arrives as an [Event] on the [FD], and
// the handler resolves it (Copy, Zeropage, Unprotect, Continue, Move,
// Poison), which wakes the thread. Live migration, post-copy snapshots,
// lazy restore (CRIU) and garbage collectors' barriers are built on it.
//
// An FD owns a close-on-exec, non-blocking userfaultfd on the Go
// runtime's poller: [FD.Read] and [FD.Serve] park the goroutine and take
// a context; Close wakes them.
//
// # Privilege
//
// userfaultfd(2) needs CAP_SYS_PTRACE when the vm.unprivileged_userfaultfd
// sysctl is 0 (the default since 5.11), except with UserModeOnly (5.11),
// which handles only faults taken in user mode: a fault inside a system
// call (read(2) into a registered buffer) then fails that call with
// EFAULT instead of producing an event. /dev/userfaultfd (6.1) is
// guarded by its file permissions instead ([SourceDevice]).
//
// # Threads, and what must not fault
//
// A faulting thread blocks in the kernel until the fault is resolved, so
// the handler must run on another thread: in Go, another goroutine, which
// the runtime schedules elsewhere (the runtime's signals interrupt the
// wait, so a faulting goroutine does not stop the garbage collector).
// The handler itself must never touch registered memory that can fault,
// and nothing it depends on may either. Registered memory must come from
// mmap(2) (the vm package, syscall.Mmap, a memfd mapping), never from the
// Go heap: the runtime and the garbage collector read heap memory
// themselves and would deadlock on a fault.
//
// # Source buffers
//
// Copy reads its source during the call only: the kernel copies before
// the ioctl returns, and the buffer may be reused at once. A Go []byte is
// fine there (slices passed to Copy are kept on the heap, which does not
// move; stacks move, which is why the address is not taken from a stack
// array), as is mmap'd memory. Move takes both addresses from mappings.
package userfaultfd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Source says how New obtains a userfaultfd.
type Source int

const (
	// SourceAuto tries userfaultfd(2), then, when that is not permitted,
	// /dev/userfaultfd.
	SourceAuto Source = iota
	// SourceSyscall uses userfaultfd(2) only (Linux 4.3).
	SourceSyscall
	// SourceDevice uses /dev/userfaultfd only, ioctl USERFAULTFD_IOC_NEW
	// (Linux 6.1); the device's permissions decide who may.
	SourceDevice
)

// String returns "auto", "syscall" or "device".
func (s Source) String() string {
	switch s {
	case SourceAuto:
		return "auto"
	case SourceSyscall:
		return "syscall"
	case SourceDevice:
		return "device"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Options modify New. nil means: SourceAuto, all faults, no features.
type Options struct {
	// Source says how to obtain the fd.
	Source Source
	// UserModeOnly handles only faults taken in user mode
	// (UFFD_USER_MODE_ONLY, Linux 5.11), which unprivileged callers may
	// ask for when vm.unprivileged_userfaultfd is 0.
	UserModeOnly bool
	// Features are required: New fails (a *kernel.FeatureError naming
	// the missing ones) when the kernel lacks one.
	Features Features
	// Optional features are enabled when the kernel has them. Asking
	// for a feature the kernel lacks fails the handshake, and the
	// handshake can be made once per fd, so New first asks a throwaway
	// userfaultfd what the kernel supports (query, then request); FD's
	// Features says what was enabled.
	Optional Features
}

// FD is a userfaultfd. It is safe for concurrent use: several
// goroutines may resolve faults at once, and Read may be called from
// several (each event goes to one).
type FD struct {
	pfd       *poll.FD
	features  Features // enabled
	supported Features // the kernel's answer to UFFDIO_API
	ioctls    Ioctls
}

// New creates a userfaultfd and makes the UFFDIO_API handshake with the
// features of opts. The fd is close-on-exec and non-blocking.
//
// Errors: EPERM when the caller may not create one (see the package
// documentation: UserModeOnly, SourceDevice); a *kernel.FeatureError
// when the kernel lacks userfaultfd, UFFD_USER_MODE_ONLY, the device or
// a required feature.
func New(opts *Options) (*FD, error) {
	if opts == nil {
		opts = &Options{}
	}
	want := opts.Features
	if opts.Optional&^want != 0 {
		supported, err := query(opts)
		if err != nil {
			return nil, err
		}
		want |= opts.Optional & supported
	}
	fd, err := open(opts)
	if err != nil {
		return nil, err
	}
	a := abi.UffdioAPI{API: abi.UFFD_API, Features: uint64(want)}
	if err := sys.UffdAPI(fd.Int(), &a); err != nil {
		fd.Close()
		if errors.Is(err, syscall.EINVAL) && want != 0 {
			if supported, qerr := query(opts); qerr == nil && want&^supported != 0 {
				missing := want &^ supported
				return nil, &kernel.FeatureError{Feature: "userfaultfd " + missing.String(), MinKernel: missing.MinKernel(), Err: err}
			}
		}
		return nil, fmt.Errorf("userfaultfd: handshake: %w", err)
	}
	u, err := adopt(fd, want)
	if err != nil {
		return nil, err
	}
	u.supported, u.ioctls = Features(a.Features), Ioctls(a.Ioctls)
	return u, nil
}

// FromFile adopts f, a userfaultfd whose handshake is done, received
// from the process that created it (over a unix socket, SCM_RIGHTS, or
// by pidfd_getfd(2)): the monitor's side of a non-cooperative
// userfaultfd. It takes ownership of f, which it closes; the FD uses a
// duplicate, set non-blocking and on the poller (O_NONBLOCK is set on
// the shared open file description, which changes nothing for the
// sender's ioctls). enabled is the feature set the creator negotiated,
// which the kernel cannot be asked again; FD's Features reports it and
// Supported is 0. The registrations stay those of the creator's
// address space, and addresses in events are the creator's.
func FromFile(f *os.File, enabled Features) (*FD, error) {
	defer f.Close()
	var fd *sys.FD
	if err := sys.Control(f, func(raw int) (err error) {
		fd, err = sys.Dup(raw)
		return err
	}); err != nil {
		return nil, fmt.Errorf("userfaultfd: adopt: %w", err)
	}
	if err := sys.SetNonblock(fd.Int()); err != nil {
		fd.Close()
		return nil, fmt.Errorf("userfaultfd: adopt: %w", err)
	}
	return adopt(fd, enabled)
}

// adopt hands a userfaultfd whose handshake is done to the poller.
func adopt(fd *sys.FD, features Features) (*FD, error) {
	pfd, err := poll.New(fd.File("userfaultfd"))
	if err != nil {
		return nil, fmt.Errorf("userfaultfd: %w", err)
	}
	return &FD{pfd: pfd, features: features}, nil
}

// query returns the features the kernel supports, from the handshake of a
// throwaway userfaultfd that asks for none.
func query(opts *Options) (Features, error) {
	fd, err := open(opts)
	if err != nil {
		return 0, err
	}
	defer fd.Close()
	a := abi.UffdioAPI{API: abi.UFFD_API}
	if err := sys.UffdAPI(fd.Int(), &a); err != nil {
		return 0, fmt.Errorf("userfaultfd: handshake: %w", err)
	}
	return Features(a.Features), nil
}

// open obtains a userfaultfd as opts says.
func open(opts *Options) (*sys.FD, error) {
	var fd *sys.FD
	var err error
	switch opts.Source {
	case SourceAuto, SourceSyscall:
		fd, err = sys.Userfaultfd(opts.UserModeOnly)
		if opts.Source == SourceAuto && errors.Is(err, syscall.EPERM) {
			dfd, derr := sys.UserfaultfdDevice(opts.UserModeOnly)
			if derr == nil {
				return dfd, nil
			}
			err = fmt.Errorf("%w (and /dev/userfaultfd: %v)", err, derr)
		}
	case SourceDevice:
		fd, err = sys.UserfaultfdDevice(opts.UserModeOnly)
	default:
		return nil, fmt.Errorf("userfaultfd: invalid Options.Source %d: %w", int(opts.Source), fs.ErrInvalid)
	}
	if err == nil {
		return fd, nil
	}
	if fe := openUnsupported(opts, err); fe != nil {
		return nil, fe
	}
	return nil, fmt.Errorf("userfaultfd: %w", err)
}

// openUnsupported returns a *kernel.FeatureError when err from open says
// the kernel lacks what opts asked for, or nil.
func openUnsupported(opts *Options, err error) error {
	if errors.Is(err, syscall.ENOSYS) {
		return &kernel.FeatureError{Feature: "userfaultfd", MinKernel: kernel.V(4, 3), Err: err}
	}
	running, verr := kernel.Running()
	if verr != nil {
		return nil
	}
	switch {
	case opts.Source == SourceDevice && errors.Is(err, fs.ErrNotExist) && !running.AtLeast(kernel.V(6, 1)):
		return &kernel.FeatureError{Feature: "/dev/userfaultfd", MinKernel: kernel.V(6, 1), Err: err}
	case opts.UserModeOnly && errors.Is(err, syscall.EINVAL) && !running.AtLeast(kernel.V(5, 11)):
		return &kernel.FeatureError{Feature: "UFFD_USER_MODE_ONLY", MinKernel: kernel.V(5, 11), Err: err}
	}
	return nil
}

// Features returns the features enabled on the fd.
func (u *FD) Features() Features { return u.features }

// Supported returns the features the kernel offered in the handshake
// (all it has, whether enabled or not). It is 0 for an FD of EventFork,
// which had no handshake of its own.
func (u *FD) Supported() Features { return u.supported }

// Ioctls returns the ioctls the kernel offered in the handshake
// (UFFDIO_API, UFFDIO_REGISTER, UFFDIO_UNREGISTER); Register says which
// work on a range.
func (u *FD) Ioctls() Ioctls { return u.ioctls }

// Close closes the fd. Blocked Read and Serve calls return an error
// matching os.ErrClosed. When the last descriptor of the userfaultfd is
// closed the kernel unregisters every range and wakes the faulting
// threads, whose faults are then handled normally (missing pages read as
// zeros). Close is idempotent.
func (u *FD) Close() error { return u.pfd.Close() }

// SyscallConn returns the raw connection of the fd, for passing it to
// another process (a monitor) over a unix socket. Do not change its
// flags.
func (u *FD) SyscallConn() (syscall.RawConn, error) { return u.pfd.File().SyscallConn() }
