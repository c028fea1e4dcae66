package cpu

import (
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

func BenchmarkCurrent(b *testing.B) {
	b.ReportAllocs()
	b.Logf("method %v", CurrentMethod())
	for b.Loop() {
		if _, _, err := Current(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetcpuSyscall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := sys.Getcpu(); err != nil {
			b.Fatal(err)
		}
	}
}
