package vm

import (
	"os"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

// benchRegion is a 1 GiB mapping with every 64th page touched: the
// pagemap benchmarks' input.
func benchRegion(b *testing.B) *Region {
	r, err := Map(1<<30, &MapOptions{NoReserve: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	if err := r.Advise(AdviceNoHugePage); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < r.Len(); i += 64 * pagesize {
		r.Bytes()[i] = 1
	}
	return r
}

const benchPresent = 1 << 30 / 4096 / 64 // with 4 KiB pages

// BenchmarkPagemap1GiB counts the present pages of a 1 GiB mapping:
// impl=raw is the floor (pread of the pagemap file into a reused
// buffer, bit 63 tested by hand), impl=read Pagemap.Read, impl=entries
// the iterator, impl=scan one PAGEMAP_SCAN.
func BenchmarkPagemap1GiB(b *testing.B) {
	r := benchRegion(b)
	pages := r.Len() / pagesize
	check := func(b *testing.B, n int) {
		if pagesize == 4096 && n != benchPresent {
			b.Fatalf("%d present pages, want %d", n, benchPresent)
		}
	}
	b.Run("impl=raw", func(b *testing.B) {
		fd, err := sys.Open("/proc/self/pagemap", sys.O_RDONLY)
		if err != nil {
			b.Fatal(err)
		}
		defer fd.Close()
		buf := make([]byte, 8*pages)
		off := int64(r.Addr()) / int64(pagesize) * 8
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sys.Pread(fd.Int(), buf, off); err != nil {
				b.Fatal(err)
			}
			n := 0
			for i := 7; i < len(buf); i += 8 {
				n += int(buf[i] >> 7)
			}
			check(b, n)
		}
	})
	pm, err := OpenPagemap(os.Getpid(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pm.Close()
	b.Run("impl=read", func(b *testing.B) {
		entries := make([]Entry, pages)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pm.Read(r.Addr(), entries); err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, e := range entries {
				if e.Present() {
					n++
				}
			}
			check(b, n)
		}
	})
	b.Run("impl=entries", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for p, err := range pm.Entries(r.Addr(), r.Len()) {
				if err != nil {
					b.Fatal(err)
				}
				if p.Entry.Present() {
					n++
				}
			}
			check(b, n)
		}
	})
	b.Run("impl=scan", func(b *testing.B) {
		ranges := make([]Range, pages/64+1)
		end := r.Addr() + uintptr(r.Len())
		opts := &ScanOptions{Require: PagePresent}
		if _, _, err := pm.Scan(r.Addr(), end, opts, ranges); err != nil {
			b.Skip(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			n, _, err := pm.Scan(r.Addr(), end, opts, ranges)
			if err != nil {
				b.Fatal(err)
			}
			pagesPresent := 0
			for _, rg := range ranges[:n] {
				pagesPresent += int(rg.Len()) / pagesize
			}
			check(b, pagesPresent)
		}
	})
}

func BenchmarkMapUnmap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := Map(pagesize, nil)
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
