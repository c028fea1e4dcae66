package userfaultfd

import (
	"context"
	"errors"
	"runtime"
	"syscall"
	"testing"
)

// benchPages is the size of the benchmark's region: after touching every
// page, the faulting side drops them all (MADV_DONTNEED), so they fault
// again.
const benchPages = 256

// faultLoop touches b.N pages of mem on the benchmark's goroutine, locked
// to its thread, each a missing-page fault that a server resolves.
func faultLoop(b *testing.B, mem []byte) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var sum byte
	i := 0
	for b.Loop() {
		if i == benchPages {
			b.StopTimer()
			if err := syscall.Madvise(mem, syscall.MADV_DONTNEED); err != nil {
				b.Fatal(err)
			}
			i = 0
			b.StartTimer()
		}
		sum += mem[i*ps]
		i++
	}
	if sum == 0 {
		b.Fatal("pages read as zero: the server did not copy")
	}
}

func benchSetup(b *testing.B) (*FD, []byte, Range) {
	u := newFD(b, nil)
	mem := mmap(b, benchPages, syscall.MAP_PRIVATE)
	r := rangeOf(b, mem)
	if _, err := u.Register(r, ModeMissing); err != nil {
		b.Fatal(err)
	}
	return u, mem, r
}

// BenchmarkFaultRoundTrip is one page's fault -> event -> UFFDIO_COPY ->
// wake, served by Serve. The comparison with a hand-written loop on the
// same poller is bench/userfaultfd_test.go.
func BenchmarkFaultRoundTrip(b *testing.B) {
	u, mem, _ := benchSetup(b)
	src := pattern(1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- u.Serve(ctx, func(e Event) error {
			_, err := u.Copy(e.Address&^uintptr(ps-1), src, nil)
			return err
		})
	}()
	b.ReportAllocs()
	faultLoop(b, mem)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
}
