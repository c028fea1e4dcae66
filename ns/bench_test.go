package ns

import "testing"

var sinkType Type

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
