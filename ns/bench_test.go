package ns

import "testing"

var (
	sinkType    Type
	sinkOffsets TimeOffsets
	sinkMap     IDMap
)

// BenchmarkParseType maps an entry of /proc/PID/ns, as procfs does for
// ten entries a process.
func BenchmarkParseType(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		typ, err := ParseType("time_for_children")
		if err != nil {
			b.Fatal(err)
		}
		sinkType = typ
	}
}

// BenchmarkParseTimeOffsets parses /proc/PID/timens_offsets as the kernel
// shows it, without allocating.
func BenchmarkParseTimeOffsets(b *testing.B) {
	text := []byte("monotonic       86400         0\nboottime           -5       100\n")
	b.ReportAllocs()
	for b.Loop() {
		o, err := ParseTimeOffsets(text)
		if err != nil {
			b.Fatal(err)
		}
		sinkOffsets = o
	}
}

// BenchmarkParseIDMap parses a two-line /proc/PID/uid_map as the kernel
// shows it; the map itself is the only allocation.
func BenchmarkParseIDMap(b *testing.B) {
	text := []byte("         0     100000      65536\n     65536       1000          1\n")
	b.ReportAllocs()
	for b.Loop() {
		m, err := ParseIDMap(text)
		if err != nil {
			b.Fatal(err)
		}
		sinkMap = m
	}
}
