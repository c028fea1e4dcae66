package userfaultfd

// The non-cooperative events: the address space changes under the
// monitor, and the change waits until the monitor has read the event.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestRemoveEvent: madvise(MADV_DONTNEED) on a registered range stops
// the caller until the monitor reads the event.
func TestRemoveEvent(t *testing.T) {
	u := newFD(t, &Options{Features: FeatureEventRemove})
	mem := mmap(t, 2, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Madvise(mem, syscall.MADV_DONTNEED) }()
	e, err := u.Read(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if e.Kind != EventRemove || e.Start != r.Start || e.End != r.End() {
		t.Errorf("event %+v, want UFFD_EVENT_REMOVE of %v", e, r)
	}
}

// TestUnmapEvent: munmap(2) of a registered range stops the caller until
// the monitor reads the event.
func TestUnmapEvent(t *testing.T) {
	u := newFD(t, &Options{Features: FeatureEventUnmap})
	mem, err := syscall.Mmap(-1, 0, 2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		syscall.Munmap(mem)
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Munmap(mem) }()
	e, err := u.Read(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if e.Kind != EventUnmap || e.Start != r.Start || e.End != r.End() {
		t.Errorf("event %+v, want UFFD_EVENT_UNMAP of %v", e, r)
	}
}

// TestForkEvent: a fork that copies the address space (os/exec forks so
// only with CLONE_NEWUSER; otherwise it shares the memory with
// CLONE_VM) stops in the kernel until the monitor has read the event,
// which hands over the child's userfaultfd.
func TestForkEvent(t *testing.T) {
	u := newFD(t, &Options{Features: FeatureEventFork}) // needs CAP_SYS_PTRACE
	mem := mmap(t, 1, syscall.MAP_PRIVATE)
	if _, err := u.Register(rangeOf(t, mem), ModeMissing); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	ran := make(chan error, 1)
	go func() {
		err := cmd.Run()
		if err != nil {
			cancel() // the fork failed: no event will come
		}
		ran <- err
	}()
	e, err := u.Read(ctx)
	if err != nil {
		if rerr := <-ran; rerr != nil {
			if os.Geteuid() == 0 {
				t.Fatalf("starting a child in a new user namespace as root: %v", rerr)
			}
			t.Skipf("cannot start a child in a new user namespace: %v", rerr)
		}
		t.Fatal(err)
	}
	if err := <-ran; err != nil {
		t.Errorf("child: %v", err)
	}
	if e.Kind != EventFork || e.Child == nil {
		t.Fatalf("event %+v, want UFFD_EVENT_FORK with the child's fd", e)
	}
	if e.Child.Features() != u.Features() {
		t.Errorf("child features %v, want %v", e.Child.Features(), u.Features())
	}
	if err := e.Child.Close(); err != nil {
		t.Error(err)
	}
}

// TestCopyWhileChanging: while a non-cooperative event is pending, the
// kernel refuses to resolve (EAGAIN, nothing done) until it is read.
func TestCopyWhileChanging(t *testing.T) {
	u := newFD(t, &Options{Features: FeatureEventRemove})
	mem := mmap(t, 2, syscall.MAP_PRIVATE)
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Madvise(mem[ps:], syscall.MADV_DONTNEED) }()
	if err := u.pfd.WaitReadable(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	n, err := u.Copy(r.Start, pattern(4), nil)
	if !errors.Is(err, syscall.EAGAIN) || n != 0 {
		t.Errorf("Copy with an event pending: %d, %v; want 0, EAGAIN", n, err)
	}
	e, err := u.Read(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if e.Kind != EventRemove || e.Start != r.Start+uintptr(ps) {
		t.Errorf("event %+v", e)
	}
	if n, err := u.Copy(r.Start, pattern(4), nil); err != nil || n != ps {
		// Reading mem[0] would then wait for a fault no one serves.
		t.Fatalf("Copy after the event: %d, %v", n, err)
	}
	if mem[0] != 4 {
		t.Errorf("read %d, want 4", mem[0])
	}
}
