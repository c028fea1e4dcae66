package bench

// Waking a goroutine through an epoll instance of one's own that sits in
// the runtime's poller: lx's epoll.Instance.Wait against the hand-written
// loop it replaces (an epoll fd from syscall.EpollCreate1 in an *os.File,
// waited on through its RawConn, epoll_wait with a zero timeout in the
// callback). The target: lx within 1.1x.
//
//	./run EpollWake

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/lxgo/lx/epoll"
)

// epollWaiter waits until the pipe added with data 7 is readable and
// returns the data and events it got.
type epollWaiter interface {
	wait() (data uint64, events uint32, err error)
	close()
}

type epollLx struct {
	ep  *epoll.Instance
	evs []epoll.Event
}

func newEpollLx(r *os.File) (epollWaiter, error) {
	ep, err := epoll.New()
	if err != nil {
		return nil, err
	}
	if err := ep.Add(r, epoll.In, 7); err != nil {
		ep.Close()
		return nil, err
	}
	return &epollLx{ep: ep, evs: make([]epoll.Event, 8)}, nil
}

func (e *epollLx) wait() (uint64, uint32, error) {
	n, err := e.ep.Wait(context.Background(), e.evs)
	if err != nil || n == 0 {
		return 0, 0, err
	}
	return e.evs[0].Data, uint32(e.evs[0].Events), nil
}

func (e *epollLx) close() { e.ep.Close() }

type epollRaw struct {
	f   *os.File
	rc  syscall.RawConn
	evs []syscall.EpollEvent
}

func newEpollRaw(r *os.File) (epollWaiter, error) {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	rc, err := r.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cerr error
	rc.Control(func(rfd uintptr) {
		cerr = syscall.EpollCtl(fd, syscall.EPOLL_CTL_ADD, int(rfd), &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: 7})
	})
	if cerr != nil {
		syscall.Close(fd)
		return nil, cerr
	}
	f := os.NewFile(uintptr(fd), "epoll")
	frc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &epollRaw{f: f, rc: frc, evs: make([]syscall.EpollEvent, 8)}, nil
}

func (e *epollRaw) wait() (uint64, uint32, error) {
	var n int
	var werr error
	err := e.rc.Read(func(fd uintptr) bool {
		n, werr = syscall.EpollWait(int(fd), e.evs, 0)
		return n > 0 || (werr != nil && werr != syscall.EINTR)
	})
	if err == nil {
		err = werr
	}
	if err != nil || n == 0 {
		return 0, 0, err
	}
	return uint64(uint32(e.evs[0].Fd)), e.evs[0].Events, nil
}

func (e *epollRaw) close() { e.f.Close() }

var epollImpls = []struct {
	name string
	new  func(r *os.File) (epollWaiter, error)
}{{"lx", newEpollLx}, {"raw", newEpollRaw}}

// BenchmarkEpollWake is a ping-pong: the benchmark writes a byte into
// pipe A, a server goroutine wakes from the epoll wait on A, reads the
// byte and writes it into pipe B, which the benchmark reads (through
// *os.File, in the poller). ns/op is one round trip with one epoll
// wake-up.
func BenchmarkEpollWake(b *testing.B) {
	for _, impl := range epollImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			ar, aw, _ := os.Pipe()
			br, bw, _ := os.Pipe()
			defer ar.Close()
			defer aw.Close()
			defer br.Close()
			defer bw.Close()
			w, err := impl.new(ar)
			if err != nil {
				b.Fatal(err)
			}
			defer w.close()
			done := make(chan error, 1)
			go func() {
				buf := make([]byte, 1)
				for {
					if _, _, err := w.wait(); err != nil {
						done <- err
						return
					}
					if _, err := ar.Read(buf); err != nil {
						done <- nil // A closed: the benchmark is over
						return
					}
					if buf[0] == 0 {
						done <- nil
						return
					}
					bw.Write(buf)
				}
			}()
			b.ReportAllocs()
			buf := []byte{1}
			for b.Loop() {
				aw.Write(buf)
				if _, err := br.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
			aw.Write([]byte{0})
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}

// TestEpollAgrees: both waiters report the pipe's data word and EPOLLIN.
func TestEpollAgrees(t *testing.T) {
	for _, impl := range epollImpls {
		r, w, _ := os.Pipe()
		ew, err := impl.new(r)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
		data, events, err := ew.wait()
		ew.close()
		r.Close()
		w.Close()
		if err != nil || data != 7 || events != syscall.EPOLLIN {
			t.Errorf("%s: data %d, events %#x, %v", impl.name, data, events, err)
		}
	}
}
