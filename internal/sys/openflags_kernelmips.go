//go:build mips || mipsle || mips64 || mips64le

package sys

// O_LARGEFILE_KERNEL is the kernel's O_LARGEFILE
// (arch/mips/include/uapi/asm/fcntl.h: 0x2000).
const O_LARGEFILE_KERNEL = 0x2000
