package userfaultfd

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// ResolveOptions modify the operations that resolve faults. nil means:
// wake the threads waiting on the range, map the pages writable.
type ResolveOptions struct {
	// DontWake leaves the threads waiting on the range asleep (the
	// *_MODE_DONTWAKE flags), for a handler that resolves several
	// ranges and then calls Wake once.
	DontWake bool
	// WriteProtect maps the new pages write-protected, for a range
	// registered with ModeMissing|ModeWP or ModeMinor|ModeWP: Copy
	// (UFFDIO_COPY_MODE_WP, 5.7) and Continue (UFFDIO_CONTINUE_MODE_WP,
	// 6.4) only.
	WriteProtect bool
	// AllowSrcHoles makes Move skip source pages that are missing
	// instead of failing with ENOENT (UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES);
	// Move only.
	AllowSrcHoles bool
}

// mode returns the operation's mode bits, or an error for an option the
// operation does not take.
func (o *ResolveOptions) mode(op string, dontWake, wp, holes uint64) (uint64, error) {
	if o == nil {
		return 0, nil
	}
	var m uint64
	if o.DontWake {
		m |= dontWake
	}
	if o.WriteProtect {
		if wp == 0 {
			return 0, fmt.Errorf("userfaultfd: %s: ResolveOptions.WriteProtect not supported: %w", op, fs.ErrInvalid)
		}
		m |= wp
	}
	if o.AllowSrcHoles {
		if holes == 0 {
			return 0, fmt.Errorf("userfaultfd: %s: ResolveOptions.AllowSrcHoles not supported: %w", op, fs.ErrInvalid)
		}
		m |= holes
	}
	return m, nil
}

// opKind is a resolving ioctl.
type opKind int

const (
	opCopy opKind = iota
	opZeropage
	opContinue
	opPoison
	opMove
)

// names are the ioctls' names, for errors.
var opNames = [...]string{
	opCopy:     "ioctl UFFDIO_COPY",
	opZeropage: "ioctl UFFDIO_ZEROPAGE",
	opContinue: "ioctl UFFDIO_CONTINUE",
	opPoison:   "ioctl UFFDIO_POISON",
	opMove:     "ioctl UFFDIO_MOVE",
}

// A call is one resolving operation: the ioctl, its range (dst, length),
// its source (Copy's buffer, Move's address) and mode. Calls are pooled
// with their method values bound, so that resolving a fault allocates
// nothing in this package. src keeps Copy's buffer reachable, and, being
// stored in a heap object, makes the compiler keep every buffer passed
// to Copy on the heap, which does not move: the kernel gets its address.
type call struct {
	kind   opKind
	dst    uintptr
	length uintptr
	src    []byte
	srcAt  uintptr
	mode   uint64

	fd   int                               // during run
	run  func(fd int) (int, error)         // c.runFD, bound once
	step func(done uintptr) (int64, error) // c.stepAt, bound once
}

var calls = sync.Pool{New: func() any {
	c := new(call)
	c.run, c.step = c.runFD, c.stepAt
	return c
}}

// resolve runs c (taken from calls, returned there) on the fd.
func (u *FD) resolve(c *call) (int, error) {
	n, err := poll.ControlT(u.pfd, opNames[c.kind], c.run)
	c.src = nil
	calls.Put(c)
	return n, err
}

func (c *call) runFD(fd int) (int, error) {
	c.fd = fd
	return progress(c.length, c.step)
}

// stepAt makes the ioctl for the part of the range from offset done and
// returns the kernel's count field and the ioctl's error.
func (c *call) stepAt(done uintptr) (int64, error) {
	r := abi.UffdioRange{Start: uint64(c.dst + done), Len: uint64(c.length - done)}
	switch c.kind {
	case opCopy:
		a := abi.UffdioCopy{Dst: r.Start, Src: addrOf(c.src[done:]), Len: r.Len, Mode: c.mode}
		err := sys.UffdCopy(c.fd, &a)
		return a.Copy, err
	case opZeropage:
		a := abi.UffdioZeropage{Range: r, Mode: c.mode}
		err := sys.UffdZeropage(c.fd, &a)
		return a.Zeropage, err
	case opContinue:
		a := abi.UffdioContinue{Range: r, Mode: c.mode}
		err := sys.UffdContinue(c.fd, &a)
		return a.Mapped, err
	case opPoison:
		a := abi.UffdioPoison{Range: r, Mode: c.mode}
		err := sys.UffdPoison(c.fd, &a)
		return a.Updated, err
	default: // opMove
		a := abi.UffdioMove{Dst: r.Start, Src: uint64(c.srcAt + done), Len: r.Len, Mode: c.mode}
		err := sys.UffdMove(c.fd, &a)
		return a.Move, err
	}
}

// progress runs a resolving ioctl until it has handled length bytes.
// step makes the ioctl for the part from offset done and returns the
// kernel's count field (bytes handled, or a negated errno) and the
// ioctl's error. The kernel stops early, with EAGAIN and a positive
// count, when it handled part of the range: progress continues after
// that part. EAGAIN with no progress means the address space is
// changing (a non-cooperative event waits to be read): progress returns
// then, with the bytes handled so far.
func progress(length uintptr, step func(done uintptr) (int64, error)) (int, error) {
	var done uintptr
	for done < length {
		n, err := step(done)
		if err == nil {
			// Success means the whole rest was handled.
			return int(length), nil
		}
		if n > 0 && uintptr(n) <= length-done && errors.Is(err, syscall.EAGAIN) {
			done += uintptr(n)
			continue
		}
		return int(done), err
	}
	return int(done), nil
}

// newCall returns a pooled call for a range.
func newCall(kind opKind, r Range, mode uint64) *call {
	c := calls.Get().(*call)
	c.kind, c.dst, c.length, c.mode = kind, r.Start, r.Len, mode
	return c
}

// featureErr turns EINVAL from an ioctl the running kernel is too old
// for into a *kernel.FeatureError.
func featureErr(err error, name string, min kernel.Version) error {
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTTY) {
		if running, verr := kernel.Running(); verr == nil && !running.AtLeast(min) {
			return &kernel.FeatureError{Feature: name, MinKernel: min, Err: err}
		}
	}
	return nil
}

// Copy resolves missing-page faults at dst by copying src into new
// pages, UFFDIO_COPY (4.3), and wakes the threads waiting on them. dst
// must be page-aligned and len(src) a non-zero multiple of the page
// size. src is read during the call only (see the package
// documentation).
//
// It returns the bytes copied. A page already present fails with EEXIST
// (matching fs.ErrExist: another handler, or a Zeropage, got there
// first); EAGAIN (matching syscall.EAGAIN) with fewer bytes than asked
// means the address space is changing: read the pending events (fork,
// remap, remove, unmap) with Read, then copy the rest. ESRCH means the
// faulting process has exited.
func (u *FD) Copy(dst uintptr, src []byte, opts *ResolveOptions) (int, error) {
	r := Range{Start: dst, Len: uintptr(len(src))}
	if err := r.check(); err != nil {
		return 0, err
	}
	mode, err := opts.mode("copy", abi.UFFDIO_COPY_MODE_DONTWAKE, abi.UFFDIO_COPY_MODE_WP, 0)
	if err != nil {
		return 0, err
	}
	c := newCall(opCopy, r, mode)
	c.src = src
	n, err := u.resolve(c)
	if err != nil {
		return n, fmt.Errorf("userfaultfd: copy to %v: %w", r, err)
	}
	return n, nil
}

// Zeropage resolves missing-page faults in r by mapping zero pages,
// UFFDIO_ZEROPAGE (4.3; not on hugetlbfs), and returns the bytes
// handled, with Copy's errors.
func (u *FD) Zeropage(r Range, opts *ResolveOptions) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	mode, err := opts.mode("zeropage", abi.UFFDIO_ZEROPAGE_MODE_DONTWAKE, 0, 0)
	if err != nil {
		return 0, err
	}
	n, err := u.resolve(newCall(opZeropage, r, mode))
	if err != nil {
		return n, fmt.Errorf("userfaultfd: zeropage %v: %w", r, err)
	}
	return n, nil
}

// Continue resolves minor faults in r, UFFDIO_CONTINUE (5.13): it maps
// the pages already in the page cache (which the handler may have filled
// through another mapping of the same file). It returns the bytes
// mapped, with Copy's errors.
func (u *FD) Continue(r Range, opts *ResolveOptions) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	mode, err := opts.mode("continue", abi.UFFDIO_CONTINUE_MODE_DONTWAKE, abi.UFFDIO_CONTINUE_MODE_WP, 0)
	if err != nil {
		return 0, err
	}
	n, err := u.resolve(newCall(opContinue, r, mode))
	if err != nil {
		if fe := featureErr(err, "UFFDIO_CONTINUE", kernel.V(5, 13)); fe != nil {
			return n, fe
		}
		return n, fmt.Errorf("userfaultfd: continue %v: %w", r, err)
	}
	return n, nil
}

// Poison resolves missing-page faults in r by marking the pages
// poisoned, UFFDIO_POISON (6.6; needs FeaturePoison): an access then
// raises SIGBUS, as for a hardware memory error. It returns the bytes
// handled, with Copy's errors.
func (u *FD) Poison(r Range, opts *ResolveOptions) (int, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	mode, err := opts.mode("poison", abi.UFFDIO_POISON_MODE_DONTWAKE, 0, 0)
	if err != nil {
		return 0, err
	}
	n, err := u.resolve(newCall(opPoison, r, mode))
	if err != nil {
		if fe := featureErr(err, "UFFDIO_POISON", kernel.V(6, 6)); fe != nil {
			return n, fe
		}
		return n, fmt.Errorf("userfaultfd: poison %v: %w", r, err)
	}
	return n, nil
}

// Move resolves missing-page faults at dst by moving the pages at src
// there, UFFDIO_MOVE (6.8; needs FeatureMove): the page tables change,
// nothing is copied, and src is left unmapped. Both must be page-aligned
// private anonymous memory of this process, dst registered with the fd,
// and they must not overlap; length is a non-zero multiple of the page
// size. A page shared with another process (after fork) cannot move
// (EBUSY). It returns the bytes moved, with Copy's errors, and ENOENT
// for a missing source page without AllowSrcHoles.
func (u *FD) Move(dst, src uintptr, length int, opts *ResolveOptions) (int, error) {
	d, err := NewRange(dst, length)
	if err != nil {
		return 0, err
	}
	s, err := NewRange(src, length)
	if err != nil {
		return 0, err
	}
	mode, err := opts.mode("move", abi.UFFDIO_MOVE_MODE_DONTWAKE, 0, abi.UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)
	if err != nil {
		return 0, err
	}
	c := newCall(opMove, d, mode)
	c.srcAt = s.Start
	n, err := u.resolve(c)
	if err != nil {
		if fe := featureErr(err, "UFFDIO_MOVE", kernel.V(6, 8)); fe != nil {
			return n, fe
		}
		return n, fmt.Errorf("userfaultfd: move %v to %v: %w", s, d, err)
	}
	return n, nil
}

// Wake wakes the threads waiting on faults in r, UFFDIO_WAKE (4.3),
// after operations with DontWake.
func (u *FD) Wake(r Range) error {
	if err := r.check(); err != nil {
		return err
	}
	_, err := poll.ControlT(u.pfd, "ioctl UFFDIO_WAKE", func(fd int) (struct{}, error) {
		return struct{}{}, sys.UffdWake(fd, &abi.UffdioRange{Start: uint64(r.Start), Len: uint64(r.Len)})
	})
	if err != nil {
		return fmt.Errorf("userfaultfd: wake %v: %w", r, err)
	}
	return nil
}

// WriteProtect write-protects the pages of r, UFFDIO_WRITEPROTECT with
// UFFDIO_WRITEPROTECT_MODE_WP (5.7): r must be registered with ModeWP,
// and a later write to a page of r stops its thread with a FaultWP
// event. Pages not yet populated are protected only on shmem and
// hugetlbfs, or with FeatureWPUnpopulated.
func (u *FD) WriteProtect(r Range) error {
	return u.writeProtect("write-protect", r, abi.UFFDIO_WRITEPROTECT_MODE_WP)
}

// Unprotect removes the write protection of r, UFFDIO_WRITEPROTECT
// without UFFDIO_WRITEPROTECT_MODE_WP (5.7), which resolves FaultWP
// faults in r and, unless opts.DontWake, wakes their threads.
func (u *FD) Unprotect(r Range, opts *ResolveOptions) error {
	mode, err := opts.mode("unprotect", abi.UFFDIO_WRITEPROTECT_MODE_DONTWAKE, 0, 0)
	if err != nil {
		return err
	}
	return u.writeProtect("unprotect", r, mode)
}

func (u *FD) writeProtect(op string, r Range, mode uint64) error {
	if err := r.check(); err != nil {
		return err
	}
	_, err := poll.ControlT(u.pfd, "ioctl UFFDIO_WRITEPROTECT", func(fd int) (struct{}, error) {
		return struct{}{}, sys.UffdWriteprotect(fd, &abi.UffdioWriteprotect{Range: abi.UffdioRange{Start: uint64(r.Start), Len: uint64(r.Len)}, Mode: mode})
	})
	if err != nil {
		if fe := featureErr(err, "UFFDIO_WRITEPROTECT", kernel.V(5, 7)); fe != nil {
			return fe
		}
		return fmt.Errorf("userfaultfd: %s %v: %w", op, r, err)
	}
	return nil
}
