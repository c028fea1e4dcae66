// Package memfd creates anonymous memory files, memfd_create(2) (Linux
// 3.17) and memfd_secret(2) (Linux 5.14), and seals them, fcntl(2)
// F_ADD_SEALS and F_GET_SEALS.
//
// An [FD] holds the file as an *os.File ([FD.File]): read and write it
// like any file, pass it to another process (its descriptor through
// SyscallConn, SCM_RIGHTS or inheritance), and map it as a shared
// *vm.Region ([FD.Map]). A memfd is a regular file on an
// internal tmpfs (hugetlbfs with MFD_HUGETLB); it never blocks, so it is
// not on the poller and no call takes a context.
//
// Sealing is what makes a memfd safe to share with a process that does
// not trust the creator: the receiver checks [FD.Seals] and, with
// SealWrite and SealShrink in place, may read (or map) the contents
// knowing that they can neither change nor vanish under it.
//
// No privilege is needed. A memfd's pages count against the memory
// cgroup of the process that touches them first; MFD_HUGETLB files take
// their pages from the huge page pool (see the hugepage package).
package memfd

import (
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"os"
	"syscall"

	"github.com/lxgo/lx/vm"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// MaxNameLen is the longest name memfd_create(2) takes, in bytes: the
// kernel's NAME_MAX (255) less the "memfd:" prefix it adds.
const MaxNameLen = 249

// Exec says whether a new memfd may ever be executed, the MFD_EXEC and
// MFD_NOEXEC_SEAL flags of memfd_create(2) (Linux 6.3).
//
// Without either flag (ExecDefault) the pid namespace's vm.memfd_noexec
// sysctl decides: 0 (the default) makes the file executable (mode 0777),
// as before 6.3; 1 and 2 make it as NoExecSeal does. With 2, asking for
// Exec fails with EACCES (on 6.3 to 6.5, 2 refused ExecDefault too). A
// pid namespace inherits its parent's value and can only raise it.
type Exec int

const (
	// ExecDefault passes neither flag: vm.memfd_noexec decides, and on
	// kernels before 6.3 the file is executable.
	ExecDefault Exec = iota
	// ExecAllowed is MFD_EXEC: the file is created with mode 0777 and
	// may be made non-executable later.
	ExecAllowed
	// NoExecSeal is MFD_NOEXEC_SEAL: the file is created with mode 0666
	// and sealed with SealExec, so no one can make it executable.
	// Sealing is allowed on such a file even without AllowSealing.
	NoExecSeal
)

// String returns "default", "MFD_EXEC" or "MFD_NOEXEC_SEAL", or the
// number for an unknown value.
func (e Exec) String() string {
	switch e {
	case ExecDefault:
		return "default"
	case ExecAllowed:
		return "MFD_EXEC"
	case NoExecSeal:
		return "MFD_NOEXEC_SEAL"
	}
	return fmt.Sprintf("Exec(%d)", int(e))
}

// Options modify New. nil means the defaults: no sealing, the default
// exec behaviour, ordinary (not huge) pages.
type Options struct {
	// AllowSealing is MFD_ALLOW_SEALING: seals may be added. Without it
	// (and without NoExecSeal) the file is created sealed with
	// SealSeal, so AddSeals fails with EPERM.
	AllowSealing bool
	// Exec is the file's exec permission (Linux 6.3; see Exec).
	Exec Exec
	// HugeTLB is MFD_HUGETLB (Linux 4.14): the file lives on hugetlbfs
	// and takes its pages from the huge page pool of the default size.
	// Its size must be a multiple of the huge page size, and it cannot
	// be written with write(2): map it. Sealing is allowed since 4.16.
	HugeTLB bool
	// HugePageSize picks a huge page size other than the default, in
	// bytes (2 MiB, 1 GiB on x86-64); it implies HugeTLB. It must be a
	// power of two the kernel has a pool for (EINVAL otherwise).
	HugePageSize uint64
}

// FD is a memory file. It is safe for concurrent use as far as the
// underlying *os.File is.
type FD struct {
	f *os.File
}

// New creates a memory file named name, memfd_create(2) (Linux 3.17).
// The name is only a label, shown as "memfd:NAME" in /proc/PID/fd and
// /proc/PID/maps (with " (deleted)"), and need not be unique; it is kept
// byte for byte, must be at most MaxNameLen bytes and must not hold a NUL
// byte (an error matching fs.ErrInvalid). The file is empty,
// close-on-exec and open for reading and writing.
//
// The flags of Options that the kernel lacks (MFD_EXEC and
// MFD_NOEXEC_SEAL before 6.3, MFD_HUGETLB before 4.14) give a
// *kernel.FeatureError. A huge page pool with no free pages is no error
// here: the first page fault of a mapping gets SIGBUS instead (write(2)
// is refused on hugetlbfs anyway).
func New(name string, opts *Options) (*FD, error) {
	if len(name) > MaxNameLen {
		return nil, fmt.Errorf("memfd: name is %d bytes, more than %d: %w", len(name), MaxNameLen, fs.ErrInvalid)
	}
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return nil, fmt.Errorf("memfd: name %q holds a NUL byte: %w", name, fs.ErrInvalid)
		}
	}
	if opts == nil {
		opts = &Options{}
	}
	flags, err := opts.flags()
	if err != nil {
		return nil, err
	}
	fd, err := sys.MemfdCreate(name, flags)
	if err != nil {
		if errors.Is(err, syscall.EINVAL) {
			if fe := opts.unsupported(err); fe != nil {
				return nil, fe
			}
		}
		return nil, fmt.Errorf("memfd: create %q: %w", name, err)
	}
	return &FD{f: fd.File("memfd:" + name)}, nil
}

// flags returns the memfd_create(2) flags of o, or an error naming the
// option that is out of range.
func (o *Options) flags() (int, error) {
	var flags int
	if o.AllowSealing {
		flags |= sys.MFD_ALLOW_SEALING
	}
	switch o.Exec {
	case ExecDefault:
	case ExecAllowed:
		flags |= sys.MFD_EXEC
	case NoExecSeal:
		flags |= sys.MFD_NOEXEC_SEAL
	default:
		return 0, fmt.Errorf("memfd: invalid Options.Exec %d: %w", int(o.Exec), fs.ErrInvalid)
	}
	if o.HugeTLB || o.HugePageSize != 0 {
		flags |= sys.MFD_HUGETLB
	}
	if s := o.HugePageSize; s != 0 {
		// The size is encoded as its log2 in 6 bits, which holds any
		// uint64 power of two; the kernel then checks it has the pool.
		if s&(s-1) != 0 || s < uint64(os.Getpagesize()) {
			return 0, fmt.Errorf("memfd: Options.HugePageSize %d is not a power of two of at least the page size: %w", s, fs.ErrInvalid)
		}
		flags |= bits.TrailingZeros64(s) << sys.MFD_HUGE_SHIFT
	}
	return flags, nil
}

// unsupported returns a *kernel.FeatureError for an EINVAL from
// memfd_create(2) when the kernel lacks a flag of o, or nil when the
// EINVAL has another cause (a huge page size without a pool).
func (o *Options) unsupported(err error) error {
	if o.Exec != ExecDefault {
		var fe *kernel.FeatureError
		if perr := feature.MemfdNoexecSeal.Check(); errors.As(perr, &fe) {
			return fe
		}
	}
	if o.HugeTLB || o.HugePageSize != 0 {
		// No probe: creating a hugetlb file reserves nothing, but an
		// old kernel is the only reason for EINVAL with the default
		// size.
		if running, verr := kernel.Running(); verr == nil && !running.AtLeast(kernel.V(4, 14)) {
			return &kernel.FeatureError{Feature: "MFD_HUGETLB", MinKernel: kernel.V(4, 14), Err: err}
		}
	}
	return nil
}

// NewSecret creates a secret memory area, memfd_secret(2) (Linux 5.14;
// before 6.5 only when the kernel was booted with secretmem.enable=1).
// Its pages are removed from the kernel's direct map, so neither the
// kernel nor other processes (not even through /proc/PID/mem or ptrace)
// can read them; they are locked in memory (counted against
// RLIMIT_MEMLOCK) and never swapped.
//
// The area is empty: set its size with Truncate, then map it (mmap(2)
// with MAP_SHARED). read(2) and write(2) do not work on it, and it
// cannot be sealed. The descriptor is close-on-exec. Where the kernel
// lacks it the error is a *kernel.FeatureError.
func NewSecret() (*FD, error) {
	if err := feature.MemfdSecret.Check(); err != nil {
		return nil, fmt.Errorf("memfd: secret: %w", err)
	}
	fd, err := sys.MemfdSecret()
	if err != nil {
		return nil, fmt.Errorf("memfd: secret: %w", err)
	}
	return &FD{f: fd.File("secretmem")}, nil
}

// FromFile adopts f, which must be a memfd (or any file whose seals are
// wanted), and takes ownership: closing the FD closes f.
func FromFile(f *os.File) *FD { return &FD{f: f} }

// File returns the file. It stays owned by the FD: it is valid until
// Close, and closing it closes the FD's descriptor. Use it to read and
// write (io.ReaderAt, io.WriterAt) and to Stat.
func (m *FD) File() *os.File { return m.f }

// Map maps length bytes of the file from its start into memory, shared
// (MAP_SHARED, so writes reach the file and every other mapping of it),
// readable and writable unless opts says otherwise (vm.MapFile; opts.Shared
// is implied). The file must be at least that long (Truncate); a region
// past the end faults with SIGBUS when touched. The Region keeps its own
// reference to the memory: it stays valid after Close, until
// Region.Close. A memfd_secret area (NewSecret) can only be used through
// a mapping; one sealed with SealWrite or SealFutureWrite can only be
// mapped read-only (EPERM otherwise).
func (m *FD) Map(length int, opts *vm.MapOptions) (*vm.Region, error) {
	var o vm.MapOptions // zero Prot: readable and writable
	if opts != nil {
		o = *opts
	}
	o.Shared = true
	r, err := vm.MapFile(m.f, 0, length, &o)
	if err != nil {
		return nil, fmt.Errorf("memfd map: %w", err)
	}
	return r, nil
}

// Close closes the descriptor. Mappings of the file stay valid; the
// memory is freed when the last descriptor and mapping are gone. Close
// is idempotent.
func (m *FD) Close() error {
	err := m.f.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// SyscallConn returns the raw connection of the descriptor, for passing
// it to another process or to mmap(2).
func (m *FD) SyscallConn() (syscall.RawConn, error) { return m.f.SyscallConn() }

// Size returns the file's size in bytes, fstat(2).
func (m *FD) Size() (int64, error) {
	st, err := m.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("memfd: size: %w", err)
	}
	return st.Size(), nil
}

// Truncate sets the file's size in bytes, ftruncate(2): new bytes read as
// zero. It fails with EPERM when a seal forbids it (SealShrink,
// SealGrow), and on hugetlbfs unless size is a multiple of the huge page
// size (EINVAL). A negative size is an error matching fs.ErrInvalid.
func (m *FD) Truncate(size int64) error {
	if size < 0 {
		return fmt.Errorf("memfd: truncate to %d bytes: %w", size, fs.ErrInvalid)
	}
	if err := sys.Control(m.f, func(fd int) error { return sys.Ftruncate(fd, size) }); err != nil {
		return fmt.Errorf("memfd: truncate: %w", err)
	}
	return nil
}

// AddSeals adds seals to the file, fcntl(2) F_ADD_SEALS (Linux 3.17;
// SealFutureWrite 5.1, SealExec 6.3). Seals already present are kept.
// It fails with EPERM when the file was created without AllowSealing,
// SealSeal is set or the descriptor is not open for writing, with EBUSY
// when SealWrite meets a shared writable mapping, and with EINVAL when
// the file cannot be sealed (not a memfd or tmpfs file) or the kernel
// does not know a seal (a *kernel.FeatureError for SealExec before 6.3
// and SealFutureWrite before 5.1).
func (m *FD) AddSeals(s Seals) error {
	if s&^(SealSeal|SealShrink|SealGrow|SealWrite|SealFutureWrite|SealExec) != 0 {
		return fmt.Errorf("memfd: add seals %v: unknown seal: %w", s, fs.ErrInvalid)
	}
	err := sys.Control(m.f, func(fd int) error { return sys.AddSeals(fd, int(s)) })
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.EINVAL) {
		if running, verr := kernel.Running(); verr == nil {
			switch {
			case s&SealExec != 0 && !running.AtLeast(kernel.V(6, 3)):
				return &kernel.FeatureError{Feature: "F_SEAL_EXEC", MinKernel: kernel.V(6, 3), Err: err}
			case s&SealFutureWrite != 0 && !running.AtLeast(kernel.V(5, 1)):
				return &kernel.FeatureError{Feature: "F_SEAL_FUTURE_WRITE", MinKernel: kernel.V(5, 1), Err: err}
			}
		}
	}
	return fmt.Errorf("memfd: add seals %v: %w", s, err)
}

// Seals returns the file's seals, fcntl(2) F_GET_SEALS (Linux 3.17). A
// file that does not support sealing (not a memfd, or a secret memory
// area) gives EINVAL.
func (m *FD) Seals() (Seals, error) {
	var s int
	err := sys.Control(m.f, func(fd int) (err error) {
		s, err = sys.GetSeals(fd)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("memfd: seals: %w", err)
	}
	return Seals(s), nil
}
