//go:build ppc64 || ppc64le

package sys

// O_LARGEFILE_KERNEL is the kernel's O_LARGEFILE
// (arch/powerpc/include/uapi/asm/fcntl.h: 0200000).
const O_LARGEFILE_KERNEL = 0o200000
