//go:build linux && arm

package sys

// sysMemfdSecret is -1: 32-bit arm has no memfd_secret(2) (it needs
// ARCH_HAS_SET_DIRECT_MAP; arch/arm/tools/syscall.tbl has no entry 447),
// so the probe answers ENOSYS without a syscall.
const sysMemfdSecret = -1
