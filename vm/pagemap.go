package vm

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// PidFD is a process file descriptor to anchor a pid to: an *os.File
// holding a pidfd, or a *pidfd.FD. It is borrowed, never closed.
type PidFD interface {
	SyscallConn() (syscall.RawConn, error)
}

// PagemapOptions are the optional arguments of OpenPagemap.
type PagemapOptions struct {
	// PidFD, when set, is a pidfd of the process pid names. OpenPagemap
	// checks after opening that the process is still alive, so the file
	// cannot belong to a process that reused the pid. Once open, the
	// file is bound to the process's memory whatever happens to the pid.
	PidFD PidFD
}

// Pagemap is an open /proc/PID/pagemap: the page table entry of each
// page of one process's address space (pagemap.rst in the kernel's
// admin-guide, Linux 2.6.25), and, since Linux 6.7, the PAGEMAP_SCAN
// ioctl that reports runs of pages by category. Its methods are safe
// for concurrent use, except Scan and Ranges, which share buffers.
type Pagemap struct {
	fd      *sys.FD
	pid     int
	regions []abi.PageRegion // Scan's buffer, on the heap for the kernel
	noScan  atomic.Bool      // PAGEMAP_SCAN said ENOTTY: Scan reads the file
	fileBuf []Entry          // Scan's buffer for the file
}

// OpenPagemap opens the pagemap of process pid (os.Getpid() for the
// calling process). Opening another process's needs ptrace read access
// to it (PTRACE_MODE_READ: the same user, or CAP_SYS_PTRACE). PFNs are
// reported only to an opener with CAP_SYS_ADMIN (Linux 4.2 on; before,
// to anyone); to others Entry.PFN is 0. The caller owns the Pagemap and
// closes it.
func OpenPagemap(pid int, opts *PagemapOptions) (*Pagemap, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return nil, fmt.Errorf("pagemap open: %w", err)
	}
	fd, err := openProcFile(pid, "pagemap", sys.O_RDONLY, opts.pidfd())
	if err != nil {
		return nil, fmt.Errorf("pagemap open: %w", err)
	}
	return &Pagemap{fd: fd, pid: pid}, nil
}

func (o *PagemapOptions) pidfd() PidFD {
	if o == nil {
		return nil
	}
	return o.PidFD
}

// openProcFile opens /proc/PID/name and, with a pidfd, checks that the
// process is still the one the pidfd names.
func openProcFile(pid int, name string, flags int, pidfd PidFD) (*sys.FD, error) {
	fd, err := sys.Open("/proc/"+strconv.Itoa(pid)+"/"+name, flags)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("process %d: %w (%w)", pid, syscall.ESRCH, err)
		}
		return nil, err
	}
	if pidfd != nil {
		if err := checkAlive(pidfd); err != nil {
			fd.Close()
			return nil, err
		}
	}
	return fd, nil
}

// checkAlive returns os.ErrProcessDone when the pidfd's process has
// exited: what was opened or read by pid may belong to another.
func checkAlive(pidfd PidFD) error {
	err := sys.Control(pidfd, func(fd int) error { return sys.PidfdSendSignal(fd, 0, nil, 0) })
	if errors.Is(err, sys.ESRCH) {
		return fmt.Errorf("pidfd's process: %w", os.ErrProcessDone)
	}
	return err
}

// PID returns the process whose pagemap this is.
func (p *Pagemap) PID() int { return p.pid }

// Close closes the file. A second Close returns nil.
func (p *Pagemap) Close() error { return p.fd.Close() }

// Read fills dst with the entries of the len(dst) pages from address addr
// on, one pread(2) of the file, and returns how many it filled: fewer
// only at the end of the address space. addr must be page-aligned.
// Unmapped pages read as the zero Entry. Read allocates nothing.
func (p *Pagemap) Read(addr uintptr, dst []Entry) (int, error) {
	if addr%uintptr(pagesize) != 0 {
		return 0, fmt.Errorf("pagemap read: %w", invalidf("address %#x: not aligned to the page size %d", addr, pagesize))
	}
	b := entryBytes(dst)
	off := int64(uint64(addr) / uint64(pagesize) * 8)
	done := 0
	for done < len(b) {
		n, err := sys.Pread(p.fd.Int(), b[done:], off+int64(done))
		if err != nil {
			return done / 8, fmt.Errorf("pagemap %d read at %#x: %w", p.pid, addr+uintptr(done/8*pagesize), err)
		}
		if n == 0 {
			break
		}
		done += n
	}
	return done / 8, nil
}

// Page is one page of Entries: its address and its entry.
type Page struct {
	Addr  uintptr
	Entry Entry
}

// Entries returns the entries of the pages of [addr, addr+length), in
// order, read 512 at a time. addr must be page-aligned; length is
// rounded up to whole pages. It allocates once per iteration, not per
// page.
func (p *Pagemap) Entries(addr uintptr, length int) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		if length < 0 {
			yield(Page{}, fmt.Errorf("pagemap read: %w", invalidf("length %d", length)))
			return
		}
		pages := (uint64(length) + uint64(pagesize) - 1) / uint64(pagesize)
		buf := make([]Entry, min(pages, 512))
		for pages > 0 {
			n, err := p.Read(addr, buf[:min(pages, uint64(len(buf)))])
			if err != nil {
				yield(Page{}, err)
				return
			}
			if n == 0 {
				return
			}
			for _, e := range buf[:n] {
				if !yield(Page{Addr: addr, Entry: e}, nil) {
					return
				}
				addr += uintptr(pagesize)
			}
			pages -= uint64(n)
		}
	}
}
