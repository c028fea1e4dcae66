package poll_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// rawRead reads the eventfd counter and returns a bare errno, as a closure
// making its own raw system call would.
func rawRead(fd int) (uint64, error) {
	var b [8]byte
	_, err := sys.Read(fd, b[:])
	if err != nil {
		return 0, sys.Errno(err)
	}
	return binary.NativeEndian.Uint64(b[:]), nil
}

// A bare EAGAIN parks the reader as a wrapped one does; the value written
// later comes back.
func TestReadTEAGAINThenReady(t *testing.T) {
	p := newEventfd(t, 0)
	ready := make(chan struct{})
	type res struct {
		v     uint64
		calls int
		err   error
	}
	done := make(chan res, 1)
	go func() {
		calls := 0
		v, err := poll.ReadT(context.Background(), p, "read", func(fd int) (uint64, error) {
			calls++
			v, err := rawRead(fd)
			if err == syscall.EAGAIN && calls == 1 {
				close(ready)
			}
			return v, err
		})
		done <- res{v, calls, err}
	}()
	<-ready
	write(t, p, 5)
	r := <-done
	if r.err != nil || r.v != 5 || r.calls < 2 {
		t.Fatalf("ReadT = %d, %v after %d calls; want 5 after at least 2", r.v, r.err, r.calls)
	}
}

// WriteT parks while the counter is full (a write would overflow it) and
// completes once a read makes room.
func TestWriteTEAGAINThenReady(t *testing.T) {
	p := newEventfd(t, 0)
	write(t, p, 1<<64-2) // the largest count an eventfd holds
	full := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		calls := 0
		_, err := poll.WriteT(context.Background(), p, "write", func(fd int) (int, error) {
			calls++
			var b [8]byte
			binary.NativeEndian.PutUint64(b[:], 3)
			n, err := sys.Write(fd, b[:])
			if errors.Is(err, sys.EAGAIN) && calls == 1 {
				close(full)
			}
			return n, err
		})
		done <- err
	}()
	<-full
	if v, _, err := read(context.Background(), p, nil); err != nil || v != 1<<64-2 {
		t.Fatalf("read = %d, %v", v, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("WriteT after room was made: %v", err)
	}
	if v, _, err := read(context.Background(), p, nil); err != nil || v != 3 {
		t.Fatalf("read after WriteT = %d, %v; want 3", v, err)
	}
}

// A cancelled context ends a parked ReadT, and the closure is not called
// again afterwards.
func TestReadTCancel(t *testing.T) {
	p := newEventfd(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	parked := make(chan struct{})
	done := make(chan error, 1)
	calls := 0
	go func() {
		_, err := poll.ReadT(ctx, p, "read", func(fd int) (uint64, error) {
			calls++
			if calls == 1 {
				close(parked)
			}
			return rawRead(fd)
		})
		done <- err
	}()
	<-parked
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ReadT = %v, want context.Canceled", err)
	}
	n := calls
	write(t, p, 1)
	if calls != n {
		t.Errorf("the closure ran %d more times after ReadT returned", calls-n)
	}
}

// Close wakes a parked ReadT with an error matching os.ErrClosed that
// names the operation.
func TestReadTCloseWhileBlocked(t *testing.T) {
	p := newEventfd(t, 0)
	parked := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		first := true
		_, err := poll.ReadT(context.Background(), p, "eventfd read", func(fd int) (uint64, error) {
			if first {
				first = false
				close(parked)
			}
			return rawRead(fd)
		})
		done <- err
	}()
	<-parked
	p.Close()
	err := <-done
	var pe *fs.PathError
	if !errors.Is(err, os.ErrClosed) || !errors.As(err, &pe) || pe.Op != "eventfd read" {
		t.Fatalf("ReadT during Close = %v, want os.ErrClosed from op \"eventfd read\"", err)
	}
}

// An EINTR from the closure is retried at once, without parking: the
// counter is readable only by the second call.
func TestReadTEINTR(t *testing.T) {
	p := newEventfd(t, 0)
	write(t, p, 9)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	calls := 0
	v, err := poll.ReadT(ctx, p, "read", func(fd int) (uint64, error) {
		calls++
		if calls == 1 {
			return 0, syscall.EINTR
		}
		return rawRead(fd)
	})
	if err != nil || v != 9 || calls != 2 {
		t.Fatalf("ReadT = %d, %v after %d calls; want 9 after 2", v, err, calls)
	}
}

// Errors from the closure: a bare errno is named after op, anything else
// is returned as it is, and a value comes back with a nil error.
func TestTypedErrorPassthrough(t *testing.T) {
	pathErr := &fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}
	sysErr := os.NewSyscallError("ioctl", syscall.ENOTTY)
	own := errors.New("not a pidfd")
	helpers := map[string]func(p *poll.FD, fn func(int) (int, error)) (int, error){
		"ReadT": func(p *poll.FD, fn func(int) (int, error)) (int, error) {
			return poll.ReadT(context.Background(), p, "op", fn)
		},
		"WriteT": func(p *poll.FD, fn func(int) (int, error)) (int, error) {
			return poll.WriteT(context.Background(), p, "op", fn)
		},
		"ControlT": func(p *poll.FD, fn func(int) (int, error)) (int, error) { return poll.ControlT(p, "op", fn) },
	}
	for name, h := range helpers {
		t.Run(name, func(t *testing.T) {
			p := newEventfd(t, 0)
			v, err := h(p, func(int) (int, error) { return 0, syscall.EBADF })
			var se *os.SyscallError
			if v != 0 || !errors.As(err, &se) || se.Syscall != "op" || se.Err != syscall.EBADF {
				t.Errorf("bare EBADF: %d, %#v; want *os.SyscallError{op, EBADF}", v, err)
			}
			for _, want := range []error{pathErr, sysErr, own} {
				if _, err := h(p, func(int) (int, error) { return 0, want }); err != want {
					t.Errorf("closure error %v came back as %#v", want, err)
				}
			}
			if v, err := h(p, func(int) (int, error) { return 42, nil }); v != 42 || err != nil {
				t.Errorf("success: %d, %v; want 42", v, err)
			}
		})
	}
}

// ControlT never waits: EAGAIN is an error like any other.
func TestControlTDoesNotWait(t *testing.T) {
	p := newEventfd(t, 0)
	calls := 0
	_, err := poll.ControlT(p, "read", func(fd int) (uint64, error) {
		calls++
		return rawRead(fd)
	})
	if !errors.Is(err, syscall.EAGAIN) || calls != 1 {
		t.Fatalf("ControlT on an empty eventfd = %v after %d calls; want EAGAIN after 1", err, calls)
	}
}
