package bench

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/lxgo/lx/vm"
)

// pagemapInput is the pagemap comparisons' input: a 1 GiB private
// anonymous mapping (not reserved, no transparent huge pages) in which
// every 64th page was written, so 1/64 of its pages are present.
type pagemapInput struct {
	r     *vm.Region
	pages int
}

func newPagemapInput(tb testing.TB) pagemapInput {
	r, err := vm.Map(1<<30, &vm.MapOptions{NoReserve: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	if err := r.Advise(vm.AdviceNoHugePage); err != nil {
		tb.Fatal(err)
	}
	ps := vm.Pagesize()
	for i := 0; i < r.Len(); i += 64 * ps {
		r.Bytes()[i] = 1
	}
	return pagemapInput{r: r, pages: r.Len() / ps}
}

func (in pagemapInput) want() int { return (in.pages + 63) / 64 }

// rawPagemapPresent is the floor: pread(2) of /proc/self/pagemap into a
// reused buffer (8 bytes per page), bit 63 of each word counted by hand.
func rawPagemapPresent(fd int, in pagemapInput, buf []byte) (int, error) {
	off := int64(in.r.Addr()) / int64(vm.Pagesize()) * 8
	for done := 0; done < len(buf); {
		n, err := syscall.Pread(fd, buf[done:], off+int64(done))
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, errors.New("short pagemap read")
		}
		done += n
	}
	present := 0
	for i := 7; i < len(buf); i += 8 { // little-endian: bit 63 is in byte 7
		present += int(buf[i] >> 7)
	}
	return present, nil
}

func lxPagemapPresent(pm *vm.Pagemap, in pagemapInput, entries []vm.Entry) (int, error) {
	if _, err := pm.Read(in.r.Addr(), entries); err != nil {
		return 0, err
	}
	present := 0
	for _, e := range entries {
		if e.Present() {
			present++
		}
	}
	return present, nil
}

func lxScanPresent(pm *vm.Pagemap, in pagemapInput, ranges []vm.Range) (int, error) {
	end := in.r.Addr() + uintptr(in.r.Len())
	n, next, err := pm.Scan(in.r.Addr(), end, &vm.ScanOptions{Require: vm.PagePresent}, ranges)
	if err != nil {
		return 0, err
	}
	if next != end {
		return 0, errors.New("scan stopped early")
	}
	present := 0
	for _, rg := range ranges[:n] {
		present += int(rg.Len()) / vm.Pagesize()
	}
	return present, nil
}

func openPagemaps(tb testing.TB) (int, *vm.Pagemap) {
	fd, err := syscall.Open("/proc/self/pagemap", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { syscall.Close(fd) })
	pm, err := vm.OpenPagemap(os.Getpid(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pm.Close() })
	return fd, pm
}

// TestPagemapAgrees: the raw file, Pagemap.Read and PAGEMAP_SCAN count
// the same present pages of the benchmark's mapping.
func TestPagemapAgrees(t *testing.T) {
	in := newPagemapInput(t)
	fd, pm := openPagemaps(t)
	raw, err := rawPagemapPresent(fd, in, make([]byte, 8*in.pages))
	if err != nil {
		t.Fatal(err)
	}
	lx, err := lxPagemapPresent(pm, in, make([]vm.Entry, in.pages))
	if err != nil {
		t.Fatal(err)
	}
	if raw != in.want() || lx != raw {
		t.Errorf("present pages: raw %d, lx %d, written %d", raw, lx, in.want())
	}
	scan, err := lxScanPresent(pm, in, make([]vm.Range, in.want()+1))
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("no PAGEMAP_SCAN: %v", err)
	}
	if err != nil || scan != raw {
		t.Errorf("PAGEMAP_SCAN: %d present pages, %v; raw %d", scan, err, raw)
	}
}

// BenchmarkPagemap counts the present pages of a 1 GiB mapping (262144
// pages of 4 KiB, 1/64 of them present). impl=raw is the floor: pread of
// /proc/self/pagemap into a reused 2 MiB buffer and bit 63 tested by
// hand. impl=lx is vm.Pagemap.Read into a reused []vm.Entry and
// Entry.Present. impl=lx-scan is one PAGEMAP_SCAN ioctl (Linux 6.7) for
// the present runs, vm.Pagemap.Scan. TestPagemapAgrees checks the counts
// first. Reproduce with ./run '^BenchmarkPagemap$'.
func BenchmarkPagemap(b *testing.B) {
	in := newPagemapInput(b)
	fd, pm := openPagemaps(b)
	check := func(b *testing.B, n int, err error) {
		if err != nil || n != in.want() {
			b.Fatalf("%d present pages, %v; want %d", n, err, in.want())
		}
	}
	b.Run("impl=raw", func(b *testing.B) {
		buf := make([]byte, 8*in.pages)
		b.ReportAllocs()
		for b.Loop() {
			n, err := rawPagemapPresent(fd, in, buf)
			check(b, n, err)
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		entries := make([]vm.Entry, in.pages)
		b.ReportAllocs()
		for b.Loop() {
			n, err := lxPagemapPresent(pm, in, entries)
			check(b, n, err)
		}
	})
	b.Run("impl=lx-scan", func(b *testing.B) {
		ranges := make([]vm.Range, in.want()+1)
		if _, err := lxScanPresent(pm, in, ranges); errors.Is(err, errors.ErrUnsupported) {
			b.Skip(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			n, err := lxScanPresent(pm, in, ranges)
			check(b, n, err)
		}
	})
}
