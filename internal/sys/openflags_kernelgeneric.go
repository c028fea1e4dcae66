//go:build !arm && !arm64 && !ppc64 && !ppc64le && !mips && !mipsle && !mips64 && !mips64le && !sparc64

package sys

// O_LARGEFILE_KERNEL is the kernel's O_LARGEFILE on the architectures with
// the generic flag layout (asm-generic/fcntl.h: 00100000: x86, riscv,
// s390, loongarch). The kernel sets it on every file a 64-bit process
// opens; x/sys follows libc, which defines O_LARGEFILE as 0 on 64-bit
// architectures, so fdinfo flags need this value instead.
const O_LARGEFILE_KERNEL = 0o100000
