package rlimit

import "testing"

var sinkValue Value

// BenchmarkParseValue parses the two value columns of a /proc/PID/limits
// row, as procfs does for sixteen rows a process.
func BenchmarkParseValue(b *testing.B) {
	soft, hard := []byte("8388608"), []byte("unlimited")
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseValue(soft)
		if err != nil {
			b.Fatal(err)
		}
		h, err := ParseValue(hard)
		if err != nil {
			b.Fatal(err)
		}
		sinkValue = s ^ h
	}
}
