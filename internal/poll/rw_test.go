package poll_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// readCount reads the eventfd counter with FD.Read.
func readCount(ctx context.Context, p *poll.FD) (uint64, error) {
	var b [8]byte
	_, err := p.Read(ctx, b[:])
	return binary.NativeEndian.Uint64(b[:]), err
}

func writeCount(ctx context.Context, p *poll.FD, v uint64) error {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], v)
	_, err := p.Write(ctx, b[:])
	return err
}

// Read parks until a write, and Write writes.
func TestReadWrite(t *testing.T) {
	p := newEventfd(t, 0)
	done := make(chan uint64, 1)
	go func() {
		v, err := readCount(context.Background(), p)
		if err != nil {
			t.Error(err)
		}
		done <- v
	}()
	if err := writeCount(context.Background(), p, 7); err != nil {
		t.Fatal(err)
	}
	if v := <-done; v != 7 {
		t.Fatalf("read %d, want 7", v)
	}
}

// A cancelled context ends a parked Read with its error.
func TestReadCancel(t *testing.T) {
	p := newEventfd(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := readCount(ctx, p); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel: %v, want context.Canceled", err)
	}
	// The FD works afterwards.
	if err := writeCount(context.Background(), p, 1); err != nil {
		t.Fatal(err)
	}
	if v, err := readCount(context.Background(), p); v != 1 || err != nil {
		t.Fatalf("read %d, %v after the cancellation; want 1", v, err)
	}
}

// Under a watched context, operations cost no allocation, and its
// cancellation still ends a parked Read; after stop the FD is as before.
func TestWatch(t *testing.T) {
	p := newEventfd(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	stop := p.Watch(ctx)
	allocs := testing.AllocsPerRun(100, func() {
		if err := writeCount(ctx, p, 2); err != nil {
			t.Fatal(err)
		}
		if v, err := readCount(ctx, p); v != 2 || err != nil {
			t.Fatalf("read %d, %v; want 2", v, err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("a write and a read under the watched context: %v allocations, want 0", allocs)
	}
	errc := make(chan error, 1)
	go func() { _, err := readCount(ctx, p); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel: %v, want context.Canceled", err)
	}
	stop()
	if err := writeCount(context.Background(), p, 3); err != nil {
		t.Fatal(err)
	}
	if v, err := readCount(context.Background(), p); v != 3 || err != nil {
		t.Fatalf("read %d, %v after stop; want 3", v, err)
	}
}

// Without a cancellable context, Read and Write allocate nothing.
func TestReadWriteAllocs(t *testing.T) {
	p := newEventfd(t, 0)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		if err := writeCount(ctx, p, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := readCount(ctx, p); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("%v allocations, want 0", allocs)
	}
}

// ControlT allocates nothing of its own, and refuses after Close.
func TestControlTAllocsAndClose(t *testing.T) {
	p := newEventfd(t, 0)
	fn := func(fd int) (int, error) { return fd, nil }
	allocs := testing.AllocsPerRun(100, func() {
		if fd, err := poll.ControlT(p, "probe", fn); fd < 0 || err != nil {
			t.Fatal(fd, err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("ControlT: %v allocations, want 0", allocs)
	}
	p.Close()
	if _, err := poll.ControlT(p, "probe", fn); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("ControlT after Close: %v, want os.ErrClosed", err)
	}
}

// ReadT and WriteT allocate nothing of their own: their state is pooled.
func TestReadTWriteTAllocs(t *testing.T) {
	p := newEventfd(t, 0)
	ctx := context.Background()
	write := func(fd int) (int, error) {
		var b [8]byte
		binary.NativeEndian.PutUint64(b[:], 1)
		return sys.Write(fd, b[:])
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := poll.WriteT(ctx, p, "write", write); err != nil {
			t.Fatal(err)
		}
		if v, err := poll.ReadT(ctx, p, "read", rawRead); v != 1 || err != nil {
			t.Fatal(v, err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("%v allocations, want 0", allocs)
	}
}
