package sys_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

// An eventfd in an epoll instance: nothing ready, then ready with its
// data once written, and edge-triggered: reported once per write.
func TestEpoll(t *testing.T) {
	ep, err := sys.EpollCreate()
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	if fl, err := sys.FcntlGetfl(ep.Int()); err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("epoll fd flags %#x, %v; want O_NONBLOCK", fl, err)
	}
	if fl, err := unix.FcntlInt(uintptr(ep.Int()), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", fl, err)
	}
	efd, err := sys.Eventfd(0, sys.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer efd.Close()
	if err := sys.EpollAdd(ep.Int(), efd.Int(), sys.EPOLLIN|sys.EPOLLET, 42); err != nil {
		t.Fatal(err)
	}
	evs := make([]sys.EpollEvent, 4)
	if n, err := sys.EpollWaitNow(ep.Int(), evs); err != nil || n != 0 {
		t.Fatalf("EpollWaitNow before a write = %d, %v", n, err)
	}
	if _, err := sys.Write(efd.Int(), []byte{1, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	n, err := sys.EpollWaitNow(ep.Int(), evs)
	if err != nil || n != 1 || evs[0].Data != 42 || evs[0].Events&sys.EPOLLIN == 0 {
		t.Fatalf("EpollWaitNow = %d, %v, %+v; want one EPOLLIN with data 42", n, err, evs[0])
	}
	if n, err := sys.EpollWaitNow(ep.Int(), evs); err != nil || n != 0 {
		t.Errorf("edge-triggered: reported again, %d, %v", n, err)
	}
	if n, err := sys.EpollWaitNow(ep.Int(), nil); err != nil || n != 0 {
		t.Errorf("EpollWaitNow(nil) = %d, %v", n, err)
	}
	if err := sys.EpollAdd(ep.Int(), efd.Int(), sys.EPOLLIN, 1); sys.Errno(err) != unix.EEXIST {
		t.Errorf("adding twice = %v, want EEXIST", err)
	}
}
