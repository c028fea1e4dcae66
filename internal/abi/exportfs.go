package abi

// From include/linux/exportfs.h. This header is not part of the uapi, but
// its values cross the system call boundary through name_to_handle_at(2)
// and x/sys does not carry them.

// MAX_HANDLE_SZ is the largest f_handle of a struct file_handle, in bytes.
const MAX_HANDLE_SZ = 128

// FILEID_KERNFS is the file handle type kernfs (cgroupfs, sysfs) and
// pidfs return from name_to_handle_at(2): the handle is an 8-byte id,
// native endian. For pidfs it is the pidfs inode number (fs/pidfs.c,
// Linux 6.13); for cgroupfs the kernfs node id, which is the cgroup id
// (fs/kernfs/mount.c, Linux 4.13 with 64-bit ids since 5.5).
const FILEID_KERNFS = 0xfe
