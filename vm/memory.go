package vm

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// MemoryOptions are the optional arguments of OpenMemory.
type MemoryOptions struct {
	// PidFD, when set, is a pidfd of the process pid names. Every read
	// and write checks afterwards that the process is still alive, so
	// that data copied by pid can never come from (or go to) a process
	// that reused the pid: a dead one gives os.ErrProcessDone.
	PidFD PidFD
}

// Memory is another process's memory as an io.ReaderAt and io.WriterAt,
// addressed by its virtual addresses: the offset of ReadAt and WriteAt
// is the address. It copies with process_vm_readv(2) and
// process_vm_writev(2) (Linux 3.2), one system call per contiguous run
// of mapped pages, and falls back to /proc/PID/mem when those are
// refused (ENOSYS on kernels built without CONFIG_CROSS_MEMORY_ATTACH,
// EPERM under some security modules). Both need ptrace access to the
// process (PTRACE_MODE_ATTACH: the same user and a dumpable process, or
// CAP_SYS_PTRACE; Yama's ptrace_scope may allow only descendants).
//
// A copy stops at the first page that is not mapped (or, for a write,
// not writable through process_vm_writev): ReadAt and WriteAt return the
// bytes copied before it with an *AddrError naming the address, for
// which errors.Is(err, syscall.EFAULT) holds. A copy that starts on such
// a page returns 0 and that error. As io.ReaderAt requires, a short
// count always comes with an error; unlike a file, memory has no end,
// so the error is never io.EOF.
//
// The fallback file writes through the kernel's FOLL_FORCE path, which
// also writes read-only private pages (as a debugger setting a
// breakpoint does); process_vm_writev does not. Memory is safe for
// concurrent use.
type Memory struct {
	pid   int
	pidfd PidFD

	mu   sync.Mutex
	file *sys.FD // /proc/PID/mem once process_vm_* was refused
}

// OpenMemory returns the memory of process pid. It checks pid's range
// and, with opts.PidFD, that the process is alive; permission is checked
// by the first copy. Close releases the /proc/PID/mem file the fallback
// may have opened.
func OpenMemory(pid int, opts *MemoryOptions) (*Memory, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return nil, fmt.Errorf("process memory open: %w", err)
	}
	m := &Memory{pid: pid}
	if opts != nil && opts.PidFD != nil {
		m.pidfd = opts.PidFD
		if err := checkAlive(m.pidfd); err != nil {
			return nil, fmt.Errorf("process memory open: %w", err)
		}
	}
	return m, nil
}

// PID returns the process.
func (m *Memory) PID() int { return m.pid }

// Close closes the fallback file if one was opened. A second Close
// returns nil.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file == nil {
		return nil
	}
	err := m.file.Close()
	m.file = nil
	return err
}

// AddrError reports the address where a copy stopped: a page that is
// not mapped in the process, or that the copy may not access (a
// read-only page for process_vm_writev, a PROT_NONE page for
// process_vm_readv).
type AddrError struct {
	Op   string  // "read" or "write"
	PID  int     // the process
	Addr uintptr // the first address not copied
	Err  error   // the kernel's error: EFAULT, or EIO from /proc/PID/mem
}

func (e *AddrError) Error() string {
	return "process " + strconv.Itoa(e.PID) + " memory " + e.Op + " at 0x" +
		strconv.FormatUint(uint64(e.Addr), 16) + ": page not mapped or not accessible: " + e.Err.Error()
}

// Unwrap returns the kernel's error.
func (e *AddrError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, syscall.EFAULT) true whichever path copied.
func (e *AddrError) Is(target error) bool { return target == syscall.EFAULT }

// ReadAt copies len(p) bytes of the process's memory at address off into
// p (see Memory for the short-count rules).
func (m *Memory) ReadAt(p []byte, off int64) (int, error) {
	return m.copy("read", p, off)
}

// WriteAt copies p into the process's memory at address off (see Memory
// for the short-count rules).
func (m *Memory) WriteAt(p []byte, off int64) (int, error) {
	return m.copy("write", p, off)
}

var (
	_ io.ReaderAt = (*Memory)(nil)
	_ io.WriterAt = (*Memory)(nil)
)

func (m *Memory) copy(op string, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("process memory %s: %w", op, invalidf("address %#x: beyond the user address space", uint64(off)))
	}
	addr := uintptr(off)
	if uint64(addr) != uint64(off) || addr+uintptr(len(p)) < addr {
		return 0, fmt.Errorf("process memory %s: %w", op, invalidf("range %#x+%d: beyond the address space", uint64(off), len(p)))
	}
	done := 0
	for done < len(p) {
		n, err := m.copyOnce(op, p[done:], addr+uintptr(done))
		done += n
		if err != nil {
			return done, err
		}
		if n == 0 {
			return done, &AddrError{Op: op, PID: m.pid, Addr: addr + uintptr(done), Err: syscall.EFAULT}
		}
	}
	if m.pidfd != nil {
		if err := checkAlive(m.pidfd); err != nil {
			return 0, fmt.Errorf("process memory %s: %w", op, err)
		}
	}
	return done, nil
}

// copyOnce makes one system call. A fault at the first byte becomes an
// AddrError; a refusal of process_vm_* switches to the file for good.
func (m *Memory) copyOnce(op string, p []byte, addr uintptr) (int, error) {
	m.mu.Lock()
	file := m.file
	m.mu.Unlock()
	if file == nil {
		var n int
		var err error
		if op == "read" {
			n, err = sys.ProcessVMRead(m.pid, addr, p)
		} else {
			n, err = sys.ProcessVMWrite(m.pid, addr, p)
		}
		switch sys.Errno(err) {
		case 0:
			return n, nil
		case syscall.EFAULT:
			return 0, &AddrError{Op: op, PID: m.pid, Addr: addr, Err: err}
		case sys.ENOSYS, sys.EPERM:
			if file, err = m.openFile(err); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("process memory %s at %#x: %w", op, addr, err)
		}
	}
	var n int
	var err error
	if op == "read" {
		n, err = sys.Pread(file.Int(), p, int64(addr))
	} else {
		n, err = sys.Pwrite(file.Int(), p, int64(addr))
	}
	switch {
	case sys.Errno(err) == syscall.EIO:
		// mem_rw's answer when not one byte at addr could be copied.
		return 0, &AddrError{Op: op, PID: m.pid, Addr: addr, Err: err}
	case err != nil:
		return 0, fmt.Errorf("process memory %s at %#x: %w", op, addr, err)
	}
	return n, nil
}

// openFile opens /proc/PID/mem after process_vm_* failed with refused;
// if the file cannot be opened either, the first refusal is the answer.
func (m *Memory) openFile(refused error) (*sys.FD, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file != nil {
		return m.file, nil
	}
	fd, err := openProcFile(m.pid, "mem", sys.O_RDWR, m.pidfd)
	if errors.Is(err, sys.EACCES) || errors.Is(err, sys.EPERM) {
		fd, err = openProcFile(m.pid, "mem", sys.O_RDONLY, m.pidfd)
	}
	if err != nil {
		return nil, fmt.Errorf("process memory of %d: %w (and /proc/PID/mem: %v)", m.pid, refused, err)
	}
	m.file = fd
	return fd, nil
}
