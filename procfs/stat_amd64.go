package procfs

import "github.com/lxgo/lx/internal/sys"

// statVec reports whether the processor has what statNumbersVec uses:
// SSSE3 (PSHUFB, PMADDUBSW) and SSE4.1 (PACKUSDW, PTEST), CPUID leaf 1
// ECX bits 9 and 19, and BMI1 (TZCNT, BLSR), leaf 7 EBX bit 3.
var statVec = func() bool {
	maxLeaf, _, _, _ := sys.CPUID(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx, _ := sys.CPUID(1, 0)
	_, ebx, _, _ := sys.CPUID(7, 0)
	return ecx&(1<<9) != 0 && ecx&(1<<19) != 0 && ebx&(1<<3) != 0
}()

// statNumbersVec is statNumbers without a branch on the fields' digits:
// see stat_amd64.s. It reads up to 64 bytes past len(b).
//
//go:noescape
func statNumbersVec(b []byte, v []uint64) (neg uint64, k, end int, ok bool)

// statNumbersArch is statNumbers, with statNumbersVec when the processor
// has its instructions and b's capacity the bytes it reads past its end
// (a stat line read into ReadStat's 512-byte buffer has them up to 448
// bytes). After the read(2) of the file it parses, it spares the Go
// scanner's mispredicted branches: stat's lx/raw went from 1.122-1.129
// to 1.086-1.095 (BenchmarkPaired stat, docs/performance.md).
func statNumbersArch(b []byte, v []uint64) (neg uint64, k, end int, ok bool) {
	if statVec && len(b) > 0 && uint(len(v)-1) < 64 && cap(b)-len(b) >= 64 {
		return statNumbersVec(b, v)
	}
	return statNumbers(b, v)
}
