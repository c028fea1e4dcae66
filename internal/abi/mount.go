package abi

// From include/uapi/linux/mount.h (statmount(2), listmount(2)). These
// arrived in Linux 6.8, after the installed 6.1 headers, so they are pinned
// to the upstream header as first published in v6.8; later kernels grew
// struct mnt_id_req (MNT_ID_REQ_SIZE_VER1, 6.11) and gave names to spare
// fields of struct statmount without moving the fields below.

// MntIDReq is struct mnt_id_req, the request of statmount(2) and
// listmount(2), MNT_ID_REQ_SIZE_VER0 (unix.MNT_ID_REQ_SIZE_VER0) bytes.
type MntIDReq struct {
	Size  uint32 // MNT_ID_REQ_SIZE_VER0
	Spare uint32 // must be 0
	MntID uint64 // the unique mount id (statx STATX_MNT_ID_UNIQUE)
	Param uint64 // statmount: STATMOUNT_* mask; listmount: last id listed, or 0
}

// Statmount is the fixed part of struct statmount, the buffer statmount(2)
// fills. Strings requested by the mask follow it in the buffer; their
// offsets, relative to the end of the struct, are in the fields marked str.
type Statmount struct {
	Size           uint32 // total size used, including strings
	Spare1         uint32
	Mask           uint64 // STATMOUNT_* bits that were filled
	SBDevMajor     uint32
	SBDevMinor     uint32
	SBMagic        uint64 // statfs f_type
	SBFlags        uint32 // SB_RDONLY, SB_SYNCHRONOUS, SB_DIRSYNC, SB_LAZYTIME
	FSType         uint32 // str
	MntID          uint64 // unique mount id
	MntParentID    uint64 // unique id of the parent (the mount itself for the root)
	MntIDOld       uint32 // the id in /proc/PID/mountinfo
	MntParentIDOld uint32
	MntAttr        uint64 // MOUNT_ATTR_*
	MntPropagation uint64 // MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE
	MntPeerGroup   uint64
	MntMaster      uint64
	PropagateFrom  uint64
	MntRoot        uint32 // str
	MntPoint       uint32 // str
	Spare2         [50]uint64
}

// STATMOUNT_MNT_BASIC asks statmount(2) for the mnt_* fields.
const STATMOUNT_MNT_BASIC = 0x00000002
