package pipe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

func newPipe(t testing.TB, opts *Options) (*Reader, *Writer) {
	t.Helper()
	r, w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestSize(t *testing.T) {
	r, w := newPipe(t, &Options{Size: 100000})
	page := os.Getpagesize()
	if n, err := r.Size(); err != nil || n != 128*1024 && page == 4096 {
		t.Fatalf("Size = %d, %v; want 128 KiB", n, err)
	}
	if n, err := w.SetSize(page + 1); err != nil || n != 2*page {
		t.Fatalf("SetSize(page+1) = %d, %v; want 2 pages", n, err)
	}
	sizes := []int{0, -1}
	if strconv.IntSize == 64 {
		one := 1
		sizes = append(sizes, one<<31+1) // beyond F_SETPIPE_SZ's 2^31
	}
	for _, n := range sizes {
		if _, err := w.SetSize(n); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("SetSize(%d) = %v, want fs.ErrInvalid", n, err)
		}
	}
	if _, _, err := New(&Options{Size: -5}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("New with size -5 = %v", err)
	}
	// Shrinking below the data held is EBUSY.
	if _, err := w.Write(make([]byte, page+100)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetSize(page); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("SetSize below the data = %v, want EBUSY", err)
	}
}

// TestSizeLimit: beyond pipe-max-size an unprivileged caller gets EPERM,
// and the error names the limit. As root the test runs as nobody in a
// child.
func TestSizeLimit(t *testing.T) {
	body := func(t *testing.T) {
		if testutil.HasCap(capability.SysResource) {
			t.Skip("CAP_SYS_RESOURCE lifts the limit")
		}
		l, err := ReadLimits()
		if err != nil {
			t.Fatal(err)
		}
		_, w := newPipe(t, nil)
		_, err = w.SetSize(2 * l.MaxSize)
		if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "pipe-max-size") {
			t.Fatalf("SetSize(2*max) = %v; want EPERM naming pipe-max-size", err)
		}
	}
	if testutil.HasCap(capability.SysResource) {
		testutil.RunInChild(t, &testutil.ChildOptions{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}, body)
		return
	}
	body(t)
}

func TestReadLimits(t *testing.T) {
	l, err := ReadLimits()
	if err != nil {
		t.Fatal(err)
	}
	if l.MaxSize < os.Getpagesize() {
		t.Errorf("MaxSize %d", l.MaxSize)
	}
}

func TestReadWriteBuffered(t *testing.T) {
	r, w := newPipe(t, nil)
	if _, err := w.Write([]byte("hello, pipe")); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Buffered(); err != nil || n != 11 {
		t.Fatalf("Buffered = %d, %v; want 11", n, err)
	}
	w.Close()
	b, err := io.ReadAll(r)
	if err != nil || string(b) != "hello, pipe" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	// A write end that is closed is closed for good.
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestPacket(t *testing.T) {
	r, w := newPipe(t, &Options{Packet: true})
	for _, p := range []string{"one", "two", "three"} {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 100)
	for _, want := range []string{"one", "two", "three"} {
		n, err := r.Read(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("Read = %q, %v; want the packet %q", buf[:n], err, want)
		}
	}
}

func TestReadCancelAndClose(t *testing.T) {
	r, w := newPipe(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.ReadContext(ctx, make([]byte, 1))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Read = %v", err)
	}
	go func() {
		_, err := r.Read(make([]byte, 1))
		done <- err
	}()
	r.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Read after Close = %v, want os.ErrClosed", err)
	}
	// A full pipe blocks writes; cancelling one returns how much it wrote.
	_, w2 := newPipe(t, nil)
	_ = w
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		_, err := w2.WriteContext(ctx2, make([]byte, 1<<20))
		done <- err
	}()
	cancel2()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Write = %v", err)
	}
}

func TestTee(t *testing.T) {
	r1, w1 := newPipe(t, nil)
	r2, w2 := newPipe(t, nil)
	w1.Write([]byte("tee data"))
	n, err := r1.Tee(timeout(t), w2, 100)
	if err != nil || n != 8 {
		t.Fatalf("Tee = %d, %v", n, err)
	}
	w1.Close()
	w2.Close()
	a, _ := io.ReadAll(r1)
	b, _ := io.ReadAll(r2)
	if string(a) != "tee data" || string(b) != "tee data" {
		t.Fatalf("after Tee: %q and %q", a, b)
	}
}

func TestSpliceToFromFile(t *testing.T) {
	dir := t.TempDir()
	src, err := os.Create(dir + "/src")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000)
	src.Write(data)
	src.Seek(0, io.SeekStart)
	dst, err := os.Create(dir + "/dst")
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	r, w := newPipe(t, nil)
	ctx := timeout(t)
	done := make(chan error, 1)
	go func() {
		defer w.Close()
		for {
			n, err := w.SpliceFrom(ctx, src, 1<<20, nil)
			if err != nil || n == 0 {
				done <- err
				return
			}
		}
	}()
	for {
		n, err := r.SpliceTo(ctx, dst, 1<<20, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dir + "/dst")
	if !bytes.Equal(got, data) {
		t.Fatalf("copied %d bytes, want %d equal ones", len(got), len(data))
	}
}

func TestSpliceToCancel(t *testing.T) {
	r, _ := newPipe(t, nil)
	_, w2 := newPipe(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.SpliceTo(ctx, w2, 10, nil)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled SpliceTo on an empty pipe = %v", err)
	}
}

// TestSpliceWaits: each splice waits on the side that is not ready and
// goes on when it becomes ready: SpliceFrom on its own full pipe (the
// source, a socket, has data), SpliceTo on a full destination pipe (its
// own pipe has data) and on its own empty pipe.
func TestSpliceWaits(t *testing.T) {
	page := os.Getpagesize()
	ctx := timeout(t)
	fill := func(w *Writer) {
		t.Helper()
		n, err := w.Size()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.Repeat([]byte{'f'}, n)); err != nil {
			t.Fatal(err)
		}
	}
	// drain empties the pipe after giving the splice's goroutine time to
	// find it full and wait: the test passes either way, but tests the
	// wait only when the splice got there first.
	drain := func(r *Reader, n int) {
		t.Helper()
		time.Sleep(20 * time.Millisecond)
		if _, err := io.ReadFull(r, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("from into a full pipe", func(t *testing.T) {
		a, b, err := socketPair()
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		defer b.Close()
		a.Write([]byte("from the socket"))
		r, w := newPipe(t, &Options{Size: page})
		fill(w)
		done := make(chan error, 1)
		go func() {
			n, err := w.SpliceFrom(ctx, b, 100, nil)
			if err == nil && n != 15 {
				err = errors.New("short splice")
			}
			done <- err
		}()
		drain(r, page)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 15)
		if _, err := io.ReadFull(r, got); err != nil || string(got) != "from the socket" {
			t.Fatalf("pipe holds %q, %v", got, err)
		}
	})

	t.Run("to a full pipe", func(t *testing.T) {
		r1, w1 := newPipe(t, nil)
		r2, w2 := newPipe(t, &Options{Size: page})
		w1.Write([]byte("moved"))
		fill(w2)
		done := make(chan error, 1)
		go func() {
			n, err := r1.SpliceTo(ctx, w2, 100, nil)
			if err == nil && n != 5 {
				err = errors.New("short splice")
			}
			done <- err
		}()
		drain(r2, page)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 5)
		if _, err := io.ReadFull(r2, got); err != nil || string(got) != "moved" {
			t.Fatalf("destination holds %q, %v", got, err)
		}
	})

	t.Run("to from an empty pipe", func(t *testing.T) {
		r1, w1 := newPipe(t, nil)
		r2, w2 := newPipe(t, nil)
		done := make(chan error, 1)
		go func() {
			_, err := r1.SpliceTo(ctx, w2, 100, nil)
			done <- err
		}()
		time.Sleep(20 * time.Millisecond) // as in drain
		w1.Write([]byte("late"))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 4)
		if _, err := io.ReadFull(r2, got); err != nil || string(got) != "late" {
			t.Fatalf("destination holds %q, %v", got, err)
		}
	})
}

// socketPair returns the two ends of a connected unix stream socket
// pair as non-blocking *os.File values on the poller.
func socketPair() (*os.File, *os.File, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "a"), os.NewFile(uintptr(fds[1]), "b"), nil
}
