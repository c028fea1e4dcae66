package cpu

import "testing"

func BenchmarkRDPID(b *testing.B) {
	if has, _ := tscAuxInstructions(); !has {
		b.Skip("the CPU has no RDPID")
	}
	b.ReportAllocs()
	for b.Loop() {
		rdpid()
	}
}

func BenchmarkRDTSCP(b *testing.B) {
	if _, has := tscAuxInstructions(); !has {
		b.Skip("the CPU has no RDTSCP")
	}
	b.ReportAllocs()
	for b.Loop() {
		rdtscp()
	}
}
