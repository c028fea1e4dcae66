package sched

import "testing"

var sinkStr string

// BenchmarkString names a policy as a process table does for every row.
func BenchmarkString(b *testing.B) {
	p := Batch
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = p.String()
	}
}
