package userfaultfd

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

var ps = os.Getpagesize()

// newFD opens a userfaultfd for user-mode faults (which needs no
// privilege from 5.11 on) with the given features, or skips.
func newFD(t testing.TB, opts *Options) *FD {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	opts.UserModeOnly = true
	u, err := New(opts)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 11))
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

// mmap maps n pages of private anonymous memory, unmapped at cleanup.
func mmap(t testing.TB, pages int, flags int) []byte {
	t.Helper()
	b, err := syscall.Mmap(-1, 0, pages*ps, syscall.PROT_READ|syscall.PROT_WRITE, flags|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(b) })
	return b
}

func rangeOf(t testing.TB, b []byte) Range {
	t.Helper()
	r, err := RangeOf(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// testCtx bounds a test, so that a bug fails it instead of hanging.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// serve runs u.Serve with handle on its own goroutine; the returned
// function cancels it and returns Serve's error.
func serve(t testing.TB, u *FD, handle func(Event) error) (stop func() error) {
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- u.Serve(ctx, handle) }()
	return func() error {
		cancel()
		return <-done
	}
}

// touch runs access on a goroutine locked to its own OS thread (the
// thread blocks in the kernel while its fault waits), and waits for it.
// If the fault is never resolved, closing u releases the thread, so the
// wait is bounded by the test's context.
func touch(t testing.TB, u *FD, access func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(done)
		access()
	}()
	select {
	case <-done:
	case <-testCtx(t).Done():
		u.Close()
		<-done
		t.Fatal("the faulting goroutine was not woken")
	}
}

// pattern fills a page with byte c.
func pattern(c byte) []byte { return bytes.Repeat([]byte{c}, ps) }

func TestServeMissing(t *testing.T) {
	u := newFD(t, &Options{Optional: FeatureThreadID})
	mem := mmap(t, 4, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	ioctls, err := u.Register(r, ModeMissing)
	if err != nil {
		t.Fatal(err)
	}
	if want := IoctlCopy | IoctlZeropage | IoctlWake; ioctls&want != want {
		t.Errorf("range ioctls %v lack %v", ioctls, want)
	}
	var events []Event
	stop := serve(t, u, func(e Event) error {
		events = append(events, e)
		page := e.Address &^ uintptr(ps-1)
		_, err := u.Copy(page, pattern(byte(1+(page-r.Start)/uintptr(ps))), nil)
		return err
	})
	var got [4]byte
	var tid int
	touch(t, u, func() {
		tid = syscall.Gettid()
		for i := range got {
			got[i] = mem[i*ps+7]
		}
	})
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve after cancel: %v", err)
	}
	if got != [4]byte{1, 2, 3, 4} {
		t.Errorf("read %v, want [1 2 3 4]", got)
	}
	if len(events) != 4 {
		t.Fatalf("%d events, want 4: %+v", len(events), events)
	}
	for i, e := range events {
		if e.Kind != EventPageFault || e.Flags != 0 || e.Address != r.Start+uintptr(i*ps) {
			t.Errorf("event %d: %+v", i, e)
		}
		if u.Features()&FeatureThreadID != 0 && e.ThreadID != tid {
			t.Errorf("event %d: thread %d, want %d", i, e.ThreadID, tid)
		}
	}
	// Resolved pages stay; a copy over one fails with EEXIST.
	if _, err := u.Copy(r.Start, pattern(9), nil); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Copy over a present page: %v, want EEXIST", err)
	}
}

func TestZeropageAndWake(t *testing.T) {
	u := newFD(t, nil)
	mem := mmap(t, 2, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	var flags []FaultFlags
	stop := serve(t, u, func(e Event) error {
		flags = append(flags, e.Flags)
		page, _ := NewRange(e.Address&^uintptr(ps-1), ps)
		if page.Start == r.Start {
			_, err := u.Zeropage(page, nil)
			return err
		}
		// Resolve without waking, then wake.
		if n, err := u.Copy(page.Start, pattern(5), &ResolveOptions{DontWake: true}); err != nil || n != ps {
			return err
		}
		return u.Wake(page)
	})
	var a, b byte
	touch(t, u, func() {
		a = mem[0]
		mem[ps] = mem[ps+1] + 1 // read fault, then no fault for the write
		b = mem[ps]
	})
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if a != 0 || b != 6 {
		t.Errorf("read %d and %d, want 0 and 6", a, b)
	}
	if len(flags) != 2 || flags[0] != 0 {
		t.Errorf("fault flags %v", flags)
	}
}

func TestWriteProtect(t *testing.T) {
	u := newFD(t, &Options{Features: FeatureWP})
	mem := mmap(t, 2, syscall.MAP_PRIVATE)
	copy(mem, pattern(1)) // populated: write protection applies
	copy(mem[ps:], pattern(2))
	r := rangeOf(t, mem)
	ioctls, err := u.Register(r, ModeWP)
	if err != nil {
		t.Fatal(err)
	}
	if ioctls&IoctlWriteprotect == 0 {
		t.Fatalf("range ioctls %v lack UFFDIO_WRITEPROTECT", ioctls)
	}
	if err := u.WriteProtect(r); err != nil {
		t.Fatal(err)
	}
	var events []Event
	stop := serve(t, u, func(e Event) error {
		events = append(events, e)
		page, _ := NewRange(e.Address&^uintptr(ps-1), ps)
		return u.Unprotect(page, nil)
	})
	var before byte
	touch(t, u, func() {
		before = mem[ps] // reads do not fault
		mem[ps] = 42
	})
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if before != 2 || mem[ps] != 42 || mem[0] != 1 {
		t.Errorf("before %d, after %d, other page %d", before, mem[ps], mem[0])
	}
	if len(events) != 1 || events[0].Flags != FaultWrite|FaultWP || events[0].Address != r.Start+uintptr(ps) {
		t.Errorf("events %+v, want one write-protect fault on the second page", events)
	}
}

// TestMinorShmem resolves a minor fault: the page is in the page cache
// of a shmem file, written through a second mapping, and Continue maps
// it where the fault was.
func TestMinorShmem(t *testing.T) {
	f, err := os.CreateTemp("/dev/shm", "lx-uffd-minor-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	os.Remove(f.Name())
	defer f.Close()
	if err := f.Truncate(int64(ps)); err != nil {
		t.Fatal(err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var view, mem []byte
	var merr error
	rc.Control(func(fd uintptr) {
		view, merr = syscall.Mmap(int(fd), 0, ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		if merr == nil {
			mem, merr = syscall.Mmap(int(fd), 0, ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		}
	})
	if merr != nil {
		t.Fatal(merr)
	}
	defer syscall.Munmap(view)
	defer syscall.Munmap(mem)
	view[0] = 1 // in the page cache now, but not mapped in mem

	u := newFD(t, &Options{Features: FeatureMinorShmem})
	r := rangeOf(t, mem)
	ioctls, err := u.Register(r, ModeMinor)
	if err != nil {
		t.Fatal(err)
	}
	if ioctls&IoctlContinue == 0 {
		t.Fatalf("range ioctls %v lack UFFDIO_CONTINUE", ioctls)
	}
	var flags FaultFlags
	stop := serve(t, u, func(e Event) error {
		flags = e.Flags
		view[0] = 77 // the handler prepares the contents
		_, err := u.Continue(r, nil)
		return err
	})
	var got byte
	touch(t, u, func() { got = mem[0] })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if got != 77 || flags != FaultMinor {
		t.Errorf("read %d with fault flags %v, want 77 and UFFD_PAGEFAULT_FLAG_MINOR", got, flags)
	}
}

func TestMove(t *testing.T) {
	u := newFD(t, &Options{Features: FeatureMove})
	mem := mmap(t, 1, syscall.MAP_PRIVATE)
	src := mmap(t, 1, syscall.MAP_PRIVATE)
	copy(src, pattern(8))
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	srcRange := rangeOf(t, src)
	stop := serve(t, u, func(e Event) error {
		_, err := u.Move(r.Start, srcRange.Start, ps, nil)
		return err
	})
	var got byte
	touch(t, u, func() { got = mem[100] })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if got != 8 {
		t.Errorf("read %d, want 8", got)
	}
	// The source page is gone; moving it again fails, or skips the hole.
	if _, err := u.Move(r.Start, srcRange.Start, ps, nil); err == nil {
		t.Error("second Move succeeded")
	}
}

func TestPoison(t *testing.T) {
	u := newFD(t, &Options{Features: FeaturePoison})
	mem := mmap(t, 1, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	stop := serve(t, u, func(e Event) error {
		_, err := u.Poison(r, nil)
		return err
	})
	var fault any
	var got byte
	touch(t, u, func() {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() { fault = recover() }()
		got = mem[0]
	})
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if fault == nil {
		t.Errorf("reading a poisoned page did not fault (read %d)", got)
	}
}

func TestReadCancelAndClose(t *testing.T) {
	u := newFD(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := u.Read(ctx)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond) // let Read park; the test holds either way
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Read after cancel: %v", err)
	}
	go func() { errc <- u.Serve(context.Background(), func(Event) error { return nil }) }()
	time.Sleep(20 * time.Millisecond)
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Serve after Close: %v", err)
	}
	if err := u.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestFeatures(t *testing.T) {
	const unknown Features = 1 << 40
	u := newFD(t, &Options{Optional: FeatureThreadID | unknown})
	if u.Features()&unknown != 0 {
		t.Errorf("enabled %v includes a feature the kernel lacks", u.Features())
	}
	if u.Supported()&FeatureThreadID != 0 && u.Features()&FeatureThreadID == 0 {
		t.Errorf("optional UFFD_FEATURE_THREAD_ID supported but not enabled: %v", u.Features())
	}
	if u.Ioctls()&(IoctlAPI|IoctlRegister|IoctlUnregister) != IoctlAPI|IoctlRegister|IoctlUnregister {
		t.Errorf("ioctls %v", u.Ioctls())
	}
	_, err := New(&Options{UserModeOnly: true, Features: unknown})
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("New with an unknown required feature: %v, want ErrUnsupported", err)
	}
}

func TestInvalid(t *testing.T) {
	u := newFD(t, nil)
	mem := mmap(t, 2, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	for name, err := range map[string]error{
		"unaligned range": func() error {
			_, err := u.Register(Range{Start: r.Start + 1, Len: uintptr(ps)}, ModeMissing)
			return err
		}(),
		"empty range":       func() error { _, err := u.Register(Range{Start: r.Start}, ModeMissing); return err }(),
		"no mode":           func() error { _, err := u.Register(r, 0); return err }(),
		"unknown mode":      func() error { _, err := u.Register(r, 8); return err }(),
		"short copy":        func() error { _, err := u.Copy(r.Start, make([]byte, 10), nil); return err }(),
		"zeropage WP":       func() error { _, err := u.Zeropage(r, &ResolveOptions{WriteProtect: true}); return err }(),
		"negative length":   func() error { _, err := NewRange(r.Start, -1); return err }(),
		"wrapping range":    func() error { _, err := NewRange(^uintptr(0)-uintptr(ps)+1, 2*ps); return err }(),
		"sub-range outside": func() error { _, err := r.Sub(ps, 2*ps); return err }(),
		"bad source":        func() error { _, err := New(&Options{Source: 9}); return err }(),
	} {
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: %v, want fs.ErrInvalid", name, err)
		}
	}
	if s, err := r.Sub(ps, ps); err != nil || s.Start != r.Start+uintptr(ps) || s.Len != uintptr(ps) {
		t.Errorf("Sub = %v, %v", s, err)
	}
}

// TestDevice opens through /dev/userfaultfd, which root may use.
func TestDevice(t *testing.T) {
	u, err := New(&Options{Source: SourceDevice})
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 1))
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("no /dev/userfaultfd: %v", err)
		}
		t.Fatal(err)
	}
	u.Close()
}

// TestUnregister: after Unregister, faults are the kernel's again (a
// missing anonymous page reads as zero) and no event arrives.
func TestUnregister(t *testing.T) {
	u := newFD(t, nil)
	mem := mmap(t, 1, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	if err := u.Unregister(r); err != nil {
		t.Fatal(err)
	}
	var got byte = 1
	touch(t, u, func() { got = mem[0] })
	if got != 0 {
		t.Errorf("read %d", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if e, err := u.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Read after Unregister: %+v, %v", e, err)
	}
}

// TestFromFile is the monitor model: the fd travels (here, as a
// duplicate) to a monitor that adopts it and serves the faults.
func TestFromFile(t *testing.T) {
	u := newFD(t, &Options{Optional: FeatureThreadID})
	mem := mmap(t, 1, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	var dup *sys.FD
	if err := sys.Control(u.pfd.File(), func(fd int) (err error) {
		dup, err = sys.Dup(fd)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m, err := FromFile(dup.File("received"), u.Features())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Features() != u.Features() || m.Supported() != 0 {
		t.Errorf("adopted features %v, supported %v", m.Features(), m.Supported())
	}
	stop := serve(t, m, func(e Event) error {
		_, err := m.Copy(e.Address&^uintptr(ps-1), pattern(3), nil)
		return err
	})
	var got byte
	touch(t, m, func() { got = mem[10] })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if got != 3 {
		t.Errorf("read %d, want 3", got)
	}
}
