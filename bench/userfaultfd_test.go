package bench

// One page's missing-page fault resolved in user space: the faulting
// thread touches a page of a registered region, the server reads the
// event and answers with UFFDIO_COPY, the kernel wakes the thread.
// impl=lx serves with userfaultfd.FD.Serve and FD.Copy; impl=raw is the
// floor, a hand-written loop on the same runtime poller (the fd's
// syscall.RawConn Read) that makes read(2) and ioctl(2) and nothing else.
//
//	./run Userfaultfd
//
// Both use UFFD_USER_MODE_ONLY, so no privilege is needed. The faulting
// side is the benchmark's goroutine, locked to its thread (it blocks in
// the kernel); after touching every page of the region it drops them
// (MADV_DONTNEED, untimed) so that they fault again.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/lxgo/lx/userfaultfd"
)

const uffdPages = 256

var uffdPageSize = os.Getpagesize()

// uffdServer serves the missing-page faults of a fresh region with pages
// full of fill; stop ends it and returns its error.
type uffdServer func(tb testing.TB, fill byte) (mem []byte, stop func() error)

var uffdServers = map[string]uffdServer{"lx": uffdServeLx, "raw": uffdServeRaw}

func uffdMap(tb testing.TB) []byte {
	tb.Helper()
	mem, err := syscall.Mmap(-1, 0, uffdPages*uffdPageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { syscall.Munmap(mem) })
	return mem
}

func uffdServeLx(tb testing.TB, fill byte) ([]byte, func() error) {
	tb.Helper()
	mem := uffdMap(tb)
	u, err := userfaultfd.New(&userfaultfd.Options{UserModeOnly: true})
	if err != nil {
		tb.Skip(err)
	}
	r, err := userfaultfd.RangeOf(mem)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := u.Register(r, userfaultfd.ModeMissing); err != nil {
		tb.Fatal(err)
	}
	src := bytes.Repeat([]byte{fill}, uffdPageSize)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- u.Serve(ctx, func(e userfaultfd.Event) error {
			_, err := u.Copy(e.Address&^uintptr(uffdPageSize-1), src, nil)
			return err
		})
	}()
	return mem, func() error {
		cancel()
		err := <-done
		u.Close()
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
}

// uffdTouch reads one byte of each of the first n pages of mem on a
// locked thread and returns them.
func uffdTouch(mem []byte, n int) []byte {
	out := make([]byte, n)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := range out {
			out[i] = mem[i*uffdPageSize+i]
		}
		close(done)
	}()
	<-done
	return out
}

// TestUserfaultfdAgrees: both servers fill the faulting pages with the
// same contents.
func TestUserfaultfdAgrees(t *testing.T) {
	for name, serve := range uffdServers {
		mem, stop := serve(t, 0x5a)
		got := uffdTouch(mem, 8)
		if err := stop(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !bytes.Equal(got, bytes.Repeat([]byte{0x5a}, 8)) {
			t.Errorf("%s: pages read %x", name, got)
		}
	}
}

func BenchmarkUserfaultfdRoundTrip(b *testing.B) {
	for _, name := range []string{"lx", "raw"} {
		b.Run("impl="+name, func(b *testing.B) {
			mem, stop := uffdServers[name](b, 1)
			b.ReportAllocs()
			runtime.LockOSThread()
			var sum int
			i := 0
			for b.Loop() {
				if i == uffdPages {
					b.StopTimer()
					if err := syscall.Madvise(mem, syscall.MADV_DONTNEED); err != nil {
						b.Fatal(err)
					}
					i = 0
					b.StartTimer()
				}
				sum += int(mem[i*uffdPageSize])
				i++
			}
			runtime.UnlockOSThread()
			if err := stop(); err != nil {
				b.Fatal(err)
			}
			if sum == 0 {
				b.Fatal("the server did not fill the pages")
			}
		})
	}
}
