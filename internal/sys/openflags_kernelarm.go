//go:build arm || arm64

package sys

// O_LARGEFILE_KERNEL is the kernel's O_LARGEFILE
// (arch/arm64/include/uapi/asm/fcntl.h and arch/arm: 0400000).
const O_LARGEFILE_KERNEL = 0o400000
