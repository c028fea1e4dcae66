package cpuset

import (
	"strconv"
	"strings"
	"testing"
)

// large256 is a 256-CPU list with holes, as on a big machine with some CPUs
// offline or isolated.
var large256 = func() string {
	var parts []string
	for lo := 0; lo < 256; lo += 32 {
		parts = append(parts, strconv.Itoa(lo)+"-"+strconv.Itoa(lo+27), strconv.Itoa(lo+29))
	}
	return strings.Join(parts, ",")
}()

var sinkSet Set

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"small", "0-3,8,10-11"},
		{"large256", large256},
		{"pattern", "0-1023:2/256"},
	} {
		in := []byte(c.in)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				s, err := ParseBytes(in)
				if err != nil {
					b.Fatal(err)
				}
				sinkSet = s
			}
		})
	}
}

func BenchmarkParseMask(b *testing.B) {
	in := []byte("ffffffff,efffffff,ffffffff,ffffffff,00000000,00000000,ffffffff,0000000f\n")
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseMaskBytes(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkSet = s
	}
}

func BenchmarkAppendText(b *testing.B) {
	s, _ := Parse(large256)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = s.AppendText(buf[:0])
	}
}

func BenchmarkAppendMask(b *testing.B) {
	s, _ := Parse(large256)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendMask(buf[:0], 0)
	}
}

func BenchmarkCount(b *testing.B) {
	s, _ := Parse(large256)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n += s.Count()
	}
}

func BenchmarkAll(b *testing.B) {
	s, _ := Parse(large256)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for c := range s.All() {
			n += c
		}
	}
}

func BenchmarkIntersect(b *testing.B) {
	s, _ := Parse(large256)
	t, _ := Parse("0-127:1/2")
	b.ReportAllocs()
	for b.Loop() {
		sinkSet = s.Intersect(t)
	}
}
