package abi

// From include/uapi/linux/nsfs.h: the mount namespace information of the
// NS_MNT_GET_INFO, NS_MNT_GET_NEXT and NS_MNT_GET_PREV ioctls (Linux 6.12),
// newer than the installed 6.1 headers and absent from x/sys v0.50.0
// (which has MNT_NS_INFO_SIZE_VER0 only). Pinned to the header as first
// published in v6.12.

// NSIO is the ioctl type of every nsfs ioctl.
const NSIO = 0xb7

// MntNsInfo is struct mnt_ns_info, MNT_NS_INFO_SIZE_VER0 bytes. The kernel
// copies min(the size encoded in the ioctl number, its own size) bytes and
// sets Size to the number it copied.
type MntNsInfo struct {
	Size     uint32 // bytes the kernel filled
	NrMounts uint32 // mounts in the namespace
	MntNsID  uint64 // the namespace's 64-bit id (NS_GET_MNTNS_ID)
}
