package abi

// From include/linux/exportfs.h. This header is not part of the uapi, but
// its values cross the system call boundary through name_to_handle_at(2)
// and x/sys does not carry them.

// MAX_HANDLE_SZ is the largest f_handle of a struct file_handle, in bytes.
const MAX_HANDLE_SZ = 128

// FILEID_KERNFS is the file handle type pidfs returns from
// name_to_handle_at(2); the handle is the 8-byte pidfs inode number,
// native endian (fs/pidfs.c, Linux 6.13).
const FILEID_KERNFS = 0xfe
