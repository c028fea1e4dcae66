package abi

// From include/uapi/linux/userfaultfd.h (userfaultfd(2)).

const (
	// UFFD_USER_MODE_ONLY, a userfaultfd(2) flag, handles only faults
	// from user space, which unprivileged callers may ask for even when
	// vm.unprivileged_userfaultfd is 0 (Linux 5.11).
	UFFD_USER_MODE_ONLY = 1

	// USERFAULTFD_IOC_NEW, _IO(USERFAULTFD_IOC, 0x00), is the ioctl on
	// /dev/userfaultfd that returns a new userfaultfd; it takes the
	// userfaultfd(2) flags as its argument (Linux 6.1).
	USERFAULTFD_IOC_NEW = 0xaa00
)
