//go:build sparc64

package sys

// O_LARGEFILE_KERNEL is the kernel's O_LARGEFILE
// (arch/sparc/include/uapi/asm/fcntl.h: 0x40000).
const O_LARGEFILE_KERNEL = 0x40000
