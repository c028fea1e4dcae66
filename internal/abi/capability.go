package abi

// From include/uapi/linux/capability.h and include/uapi/linux/securebits.h:
// the file capability xattr (security.capability) and the securebits of
// prctl(2) PR_GET_SECUREBITS, which golang.org/x/sys/unix v0.50.0 lacks.
// x/sys has capget(2)'s header and data (unix.CapUserHeader,
// unix.CapUserData) and LINUX_CAPABILITY_VERSION_3.

// The revision word (magic_etc) of a vfs_cap_data: the revision in the
// top byte, flags below.
const (
	VFS_CAP_REVISION_MASK   = 0xFF000000
	VFS_CAP_FLAGS_EFFECTIVE = 0x000001
	VFS_CAP_REVISION_1      = 0x01000000 // 32-bit sets (Linux 2.6.24)
	VFS_CAP_REVISION_2      = 0x02000000 // 64-bit sets (Linux 2.6.25)
	VFS_CAP_REVISION_3      = 0x03000000 // 64-bit sets and the namespace root uid (Linux 4.14)

	XATTR_CAPS_SZ_1 = 12 // sizeof(__le32) * (1 + 2*1)
	XATTR_CAPS_SZ_2 = 20 // sizeof(__le32) * (1 + 2*2)
	XATTR_CAPS_SZ_3 = 24 // sizeof(__le32) * (2 + 2*2)
)

// VfsCapData is struct vfs_cap_data, the revision 2 xattr. On disk every
// word is little-endian; the struct here fixes only the layout.
type VfsCapData struct {
	MagicEtc uint32
	Data     [2]VfsCapDataWord
}

// VfsNsCapData is struct vfs_ns_cap_data, the revision 3 xattr.
type VfsNsCapData struct {
	MagicEtc uint32
	Data     [2]VfsCapDataWord
	Rootid   uint32
}

// VfsCapDataWord is one element of vfs_cap_data's data array: 32 bits of
// the permitted and inheritable sets.
type VfsCapDataWord struct {
	Permitted   uint32
	Inheritable uint32
}

// The securebits (include/uapi/linux/securebits.h, Linux 2.6.26;
// the ambient pair Linux 4.3): SECBIT_X is 1 << SECURE_X.
const (
	SECBIT_NOROOT                      = 1 << 0
	SECBIT_NOROOT_LOCKED               = 1 << 1
	SECBIT_NO_SETUID_FIXUP             = 1 << 2
	SECBIT_NO_SETUID_FIXUP_LOCKED      = 1 << 3
	SECBIT_KEEP_CAPS                   = 1 << 4
	SECBIT_KEEP_CAPS_LOCKED            = 1 << 5
	SECBIT_NO_CAP_AMBIENT_RAISE        = 1 << 6
	SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 7
)
