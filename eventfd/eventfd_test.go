package eventfd_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lxgo/lx/eventfd"
)

func newFD(t *testing.T, opts *eventfd.Options) *eventfd.FD {
	t.Helper()
	fd, err := eventfd.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	return fd
}

func TestCounter(t *testing.T) {
	ctx := context.Background()
	fd := newFD(t, &eventfd.Options{Initial: 7})
	if fd.Mode() != eventfd.Counter {
		t.Errorf("Mode = %v", fd.Mode())
	}
	for _, n := range []uint64{1, 0, 1 << 40} {
		if err := fd.Add(ctx, n); err != nil {
			t.Fatalf("Add(%d): %v", n, err)
		}
	}
	if v, err := fd.Read(ctx); err != nil || v != 8+1<<40 {
		t.Fatalf("Read = %d, %v; want %d", v, err, uint64(8+1<<40))
	}
	// Empty now: a read with an expired context does not wait.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if v, err := fd.Read(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Read of an empty counter = %d, %v; want DeadlineExceeded", v, err)
	}
}

func TestSemaphore(t *testing.T) {
	ctx := context.Background()
	fd := newFD(t, &eventfd.Options{Mode: eventfd.Semaphore, Initial: 3})
	for i := range 3 {
		if v, err := fd.Read(ctx); err != nil || v != 1 {
			t.Fatalf("read %d = %d, %v; want 1", i, v, err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fd.Read(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Read of an exhausted semaphore = %v, want Canceled", err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := eventfd.New(&eventfd.Options{Mode: 9}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("New with mode 9 = %v, want ErrInvalid", err)
	}
	fd := newFD(t, nil)
	if err := fd.Add(context.Background(), 1<<64-1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Add(2^64-1) = %v, want ErrInvalid", err)
	}
	if got := eventfd.Mode(9).String(); got != "Mode(9)" {
		t.Errorf("Mode(9) = %q", got)
	}
}

// TestAddWaitsForRoom: an Add that would overflow waits until a read
// empties the counter, and a cancelled one adds nothing.
func TestAddWaitsForRoom(t *testing.T) {
	ctx := context.Background()
	fd := newFD(t, nil)
	if err := fd.Add(ctx, eventfd.Max); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := fd.Add(cctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Add to a full counter with a cancelled ctx = %v", err)
	}
	added := make(chan error, 1)
	go func() { added <- fd.Add(ctx, 5) }()
	if v, err := fd.Read(ctx); err != nil || v != eventfd.Max {
		t.Fatalf("Read = %d, %v; want Max", v, err)
	}
	if err := <-added; err != nil {
		t.Fatalf("waiting Add: %v", err)
	}
	if v, err := fd.Read(ctx); err != nil || v != 5 {
		t.Fatalf("Read after the waiting Add = %d, %v; want 5", v, err)
	}
}

// TestBlockedReader: a reader parked in the poller wakes up for Add, for
// the cancellation of its context and for Close.
func TestBlockedReader(t *testing.T) {
	ctx := context.Background()
	t.Run("add", func(t *testing.T) {
		fd := newFD(t, nil)
		got := make(chan uint64, 1)
		go func() {
			v, err := fd.Read(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- v
		}()
		if err := fd.Add(ctx, 42); err != nil {
			t.Fatal(err)
		}
		if v := <-got; v != 42 {
			t.Errorf("reader got %d, want 42", v)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		fd := newFD(t, nil)
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() {
			_, err := fd.Read(cctx)
			errc <- err
		}()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Read = %v", err)
		}
		// The FD still works after a cancellation.
		if err := fd.Add(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if v, err := fd.Read(ctx); v != 1 || err != nil {
			t.Errorf("Read after cancellation = %d, %v", v, err)
		}
	})
	t.Run("close", func(t *testing.T) {
		fd := newFD(t, nil)
		errc := make(chan error, 1)
		go func() {
			_, err := fd.Read(ctx)
			errc <- err
		}()
		if err := fd.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; !errors.Is(err, os.ErrClosed) {
			t.Errorf("Read when closed = %v, want ErrClosed", err)
		}
		if err := fd.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if err := fd.Add(ctx, 1); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Add after Close = %v", err)
		}
	})
}

func TestReadWriter(t *testing.T) {
	ctx := context.Background()
	fd := newFD(t, &eventfd.Options{Mode: eventfd.Semaphore})
	rw := fd.ReadWriter(ctx)
	in := make([]byte, 16)
	binary.NativeEndian.PutUint64(in, 2)
	binary.NativeEndian.PutUint64(in[8:], 1)
	if n, err := rw.Write(in); n != 16 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	// Three values are there: a 32-byte read takes them without waiting
	// for a fourth.
	out := make([]byte, 32)
	n, err := rw.Read(out)
	if n != 24 || err != nil {
		t.Fatalf("Read = %d, %v; want 24", n, err)
	}
	one := make([]byte, 8)
	binary.NativeEndian.PutUint64(one, 1)
	if want := bytes.Repeat(one, 3); !bytes.Equal(out[:n], want) {
		t.Errorf("Read bytes %x, want %x", out[:n], want)
	}
	for _, p := range [][]byte{make([]byte, 7), make([]byte, 9)} {
		if _, err := rw.Read(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Read of %d bytes = %v, want ErrInvalid", len(p), err)
		}
		if _, err := rw.Write(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Write of %d bytes = %v, want ErrInvalid", len(p), err)
		}
	}
	if n, err := rw.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
}

func TestSyscallConn(t *testing.T) {
	fd := newFD(t, &eventfd.Options{Initial: 1})
	rc, err := fd.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var target string
	if err := rc.Control(func(raw uintptr) {
		target, err = os.Readlink("/proc/self/fd/" + strconv.Itoa(int(raw)))
	}); err != nil || target != "anon_inode:[eventfd]" {
		t.Errorf("fd is %q, %v; want anon_inode:[eventfd]", target, err)
	}
}

// BenchmarkPingPong is a round trip between two goroutines, each waking
// the other through its own eventfd, both parked in the poller.
func BenchmarkPingPong(b *testing.B) {
	ctx := context.Background()
	ping, err := eventfd.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ping.Close()
	pong, err := eventfd.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pong.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := ping.Read(ctx); err != nil {
				return
			}
			if err := pong.Add(ctx, 1); err != nil {
				return
			}
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		if err := ping.Add(ctx, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := pong.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
	ping.Close()
	<-done
}
