package numa

import (
	"os"
	"testing"
)

// benchPages is the region the page benchmarks query: 1 MiB of 4 KiB
// pages, all touched.
const benchPages = 256

// BenchmarkPageNodes: the node of every page of a region with
// move_pages(2), MovePagesChunk pages per call, into a reused buffer.
func BenchmarkPageNodes(b *testing.B) {
	requirePolicy(b)
	mem := mapPages(b, benchPages)
	touch(mem)
	st, err := PageNodes(mem, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if st, err = PageNodes(mem, st); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchPages), "ns/page")
}

// BenchmarkPageNode: the node of one page at a time with
// get_mempolicy(2) MPOL_F_NODE|MPOL_F_ADDR, one call per page.
func BenchmarkPageNode(b *testing.B) {
	requirePolicy(b)
	mem := mapPages(b, benchPages)
	touch(mem)
	ps := os.Getpagesize()
	b.ReportAllocs()
	for b.Loop() {
		for i := range benchPages {
			if _, err := PageNode(mem[i*ps:]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchPages), "ns/page")
}

// BenchmarkParseMeminfo: a node's meminfo, parsed without allocating.
func BenchmarkParseMeminfo(b *testing.B) {
	data, err := os.ReadFile("testdata/6.18-single/sys/devices/system/node/node0/meminfo")
	if err != nil {
		b.Fatal(err)
	}
	var m Meminfo
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := parseMeminfo(data, 0, &m); err != nil {
			b.Fatal(err)
		}
	}
}
