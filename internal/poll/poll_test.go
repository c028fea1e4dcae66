package poll_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// newEventfd returns a poller-registered, non-blocking eventfd.
func newEventfd(t *testing.T, flags int) *poll.FD {
	t.Helper()
	fd, err := sys.Eventfd(0, sys.EFD_NONBLOCK|flags)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poll.New(fd.File("eventfd"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// read reads the eventfd counter with ReadT and counts the calls of its
// closure. waiting, if not nil, is closed the first time the read finds
// the counter empty, so the caller knows the reader is about to park.
func read(ctx context.Context, p *poll.FD, waiting chan struct{}) (uint64, int, error) {
	calls := 0
	v, err := poll.ReadT(ctx, p, "read", func(fd int) (uint64, error) {
		calls++
		var b [8]byte
		_, err := sys.Read(fd, b[:])
		if errors.Is(err, sys.EAGAIN) && waiting != nil {
			close(waiting)
			waiting = nil
		}
		return binary.NativeEndian.Uint64(b[:]), err
	})
	return v, calls, err
}

func write(t *testing.T, p *poll.FD, v uint64) {
	t.Helper()
	_, err := poll.WriteT(context.Background(), p, "write", func(fd int) (int, error) {
		var b [8]byte
		binary.NativeEndian.PutUint64(b[:], v)
		return sys.Write(fd, b[:])
	})
	if err != nil {
		t.Fatal(err)
	}
}

type result struct {
	v     uint64
	calls int
	err   error
}

// startRead starts a read and returns once it has found the counter empty.
func startRead(ctx context.Context, p *poll.FD) <-chan result {
	waiting := make(chan struct{})
	done := make(chan result, 1)
	go func() {
		v, calls, err := read(ctx, p, waiting)
		done <- result{v, calls, err}
	}()
	select {
	case <-waiting:
	case r := <-done: // failed early; let the test see it
		done <- r
	}
	return done
}

func TestReadBlocksUntilWrite(t *testing.T) {
	p := newEventfd(t, 0)
	done := startRead(context.Background(), p)
	write(t, p, 42)
	r := <-done
	if r.err != nil || r.v != 42 {
		t.Fatalf("read = %d, %v; want 42", r.v, r.err)
	}
	// fn said EAGAIN at least once, and Read called it again after the
	// wake-up instead of returning.
	if r.calls < 2 {
		t.Errorf("fn called %d times, want at least 2", r.calls)
	}
}

func TestReadContextCancel(t *testing.T) {
	p := newEventfd(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := startRead(ctx, p)
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("cancelled read = %d, %v; want context.Canceled", r.v, r.err)
	}
	// The cancellation's deadline must be gone: a later read works.
	write(t, p, 7)
	if v, _, err := read(context.Background(), p, nil); err != nil || v != 7 {
		t.Fatalf("read after a cancelled read = %d, %v; want 7", v, err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	done = startRead(ctx2, p)
	write(t, p, 8)
	if r := <-done; r.err != nil || r.v != 8 {
		t.Fatalf("cancellable read after a cancelled read = %d, %v; want 8", r.v, r.err)
	}
}

func TestReadContextDeadline(t *testing.T) {
	p := newEventfd(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := read(ctx, p, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read past the context deadline = %v, want context.DeadlineExceeded", err)
	}
	if errors.Is(context.DeadlineExceeded, os.ErrDeadlineExceeded) {
		t.Fatal("test assumption: the two deadline errors differ")
	}
	write(t, p, 1)
	if v, _, err := read(context.Background(), p, nil); err != nil || v != 1 {
		t.Fatalf("read after a timed-out read = %d, %v", v, err)
	}
}

func TestReadContextAlreadyDone(t *testing.T) {
	p := newEventfd(t, 0)
	write(t, p, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, calls, err := read(ctx, p, nil)
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("read with a done context = %d, %v after %d calls; want Canceled and no call", v, err, calls)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	p := newEventfd(t, 0)
	done := startRead(context.Background(), p)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if r := <-done; !errors.Is(r.err, os.ErrClosed) {
		t.Fatalf("read blocked during Close = %v, want os.ErrClosed", r.err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, _, err := read(context.Background(), p, nil); !errors.Is(err, os.ErrClosed) {
		t.Errorf("read after Close = %v, want os.ErrClosed", err)
	}
	called := false
	if _, err := poll.ControlT(p, "ioctl", func(int) (int, error) { called = true; return 0, nil }); !errors.Is(err, os.ErrClosed) || called {
		t.Errorf("ControlT after Close = %v (fn called: %v), want os.ErrClosed", err, called)
	}
	if _, err := p.Readable(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Readable after Close = %v, want os.ErrClosed", err)
	}
}

// TestCancelOneOfTwoReaders: a cancelled reader's past deadline wakes the
// other reader too, which must wait again and get the value written later.
// Both orders are exercised: the cancelled reader is the one parked in the
// poller (holding the fd's read lock), or the one queued behind it.
func TestCancelOneOfTwoReaders(t *testing.T) {
	for _, cancelFirst := range []bool{true, false} {
		name := map[bool]string{true: "cancel-parked", false: "cancel-queued"}[cancelFirst]
		t.Run(name, func(t *testing.T) {
			for i := range 50 {
				p := newEventfd(t, 0)
				ctx, cancel := context.WithCancel(context.Background())
				first, second := context.Background(), context.Background()
				if cancelFirst {
					first = ctx
				} else {
					second = ctx
				}
				firstDone := startRead(first, p)
				secondDone := make(chan result, 1)
				go func() {
					v, calls, err := read(second, p, nil)
					secondDone <- result{v, calls, err}
				}()
				if i%2 == 0 {
					time.Sleep(100 * time.Microsecond) // let the second queue up, most of the time
				}
				cancel()
				var cancelled, survivor <-chan result = firstDone, secondDone
				if !cancelFirst {
					cancelled, survivor = secondDone, firstDone
				}
				if r := <-cancelled; !errors.Is(r.err, context.Canceled) {
					t.Fatalf("iteration %d: cancelled reader = %d, %v", i, r.v, r.err)
				}
				write(t, p, uint64(i+1))
				if r := <-survivor; r.err != nil || r.v != uint64(i+1) {
					t.Fatalf("iteration %d: surviving reader = %d, %v; want %d", i, r.v, r.err, i+1)
				}
				p.Close()
			}
		})
	}
}

// TestManyReadersCancelStress cancels half of many concurrent readers at
// once, repeatedly: overlapping cancellations must neither leave a reader
// hanging nor give a surviving reader an error; after them, every survivor
// gets a value.
func TestManyReadersCancelStress(t *testing.T) {
	const readers = 8
	for i := range 30 {
		p := newEventfd(t, sys.EFD_SEMAPHORE)
		var cancels []context.CancelFunc
		cancelled := make(chan error, readers)
		survivors := make(chan result, readers)
		for r := range readers {
			ctx := context.Background()
			if r%2 == 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancels = append(cancels, cancel)
			}
			go func() {
				v, calls, err := read(ctx, p, nil)
				if ctx.Done() != nil {
					cancelled <- err
					return
				}
				survivors <- result{v, calls, err}
			}()
		}
		runtime.Gosched()
		for _, c := range cancels {
			go c()
		}
		watchdog := time.AfterFunc(20*time.Second, func() { p.Close() })
		for range cancels {
			if err := <-cancelled; !errors.Is(err, context.Canceled) {
				if errors.Is(err, os.ErrClosed) {
					t.Fatalf("iteration %d: a cancelled reader hung until the watchdog closed the fd", i)
				}
				t.Fatalf("iteration %d: cancelled reader returned %v", i, err)
			}
		}
		write(t, p, readers/2)
		for range readers / 2 {
			if r := <-survivors; r.err != nil || r.v != 1 {
				t.Fatalf("iteration %d: surviving reader = %d, %v; want 1", i, r.v, r.err)
			}
		}
		if !watchdog.Stop() {
			t.Fatalf("iteration %d: a reader hung; the watchdog closed the fd", i)
		}
		p.Close()
	}
}

func TestWaitReadableTwice(t *testing.T) {
	p := newEventfd(t, 0)
	write(t, p, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The poller is edge-triggered: the readiness edge is consumed by the
	// first wait, and the second must still see the level.
	for i := range 3 {
		if err := p.WaitReadable(ctx); err != nil {
			t.Fatalf("WaitReadable #%d on a readable fd: %v", i+1, err)
		}
	}
	if ok, err := p.Readable(); !ok || err != nil {
		t.Errorf("Readable = %v, %v; want true", ok, err)
	}
	if v, _, err := read(ctx, p, nil); v != 1 || err != nil {
		t.Fatalf("read = %d, %v", v, err)
	}
	if ok, err := p.Readable(); ok || err != nil {
		t.Errorf("Readable after draining = %v, %v; want false", ok, err)
	}
	done := make(chan error, 1)
	go func() { done <- p.WaitReadable(ctx) }()
	write(t, p, 2)
	if err := <-done; err != nil {
		t.Errorf("WaitReadable until a write: %v", err)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancelShort()
	if _, _, err := read(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitReadable(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitReadable on an empty fd = %v, want context.DeadlineExceeded", err)
	}
}

func TestControl(t *testing.T) {
	p := newEventfd(t, 0)
	got, err := poll.ControlT(p, "fd", func(fd int) (int, error) { return fd, nil })
	if err != nil || got < 0 {
		t.Errorf("ControlT = %v, fd %d", err, got)
	}
}

// TestUserDeadline: a deadline set by the user (not by a context) is
// reported, not retried forever.
func TestUserDeadline(t *testing.T) {
	p := newEventfd(t, 0)
	if err := p.File().SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := read(context.Background(), p, nil); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past a File deadline = %v, want os.ErrDeadlineExceeded", err)
	}
}

// TestNotPollable: a blocking fd is not registered with the poller, so a
// wait fails instead of hanging.
func TestNotPollable(t *testing.T) {
	fd, err := sys.Eventfd(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poll.New(fd.File("blocking eventfd"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = poll.ReadT(context.Background(), p, "read", func(int) (int, error) { return 0, sys.EAGAIN })
	if err == nil {
		t.Error("waiting on a non-pollable fd succeeded")
	}
}
