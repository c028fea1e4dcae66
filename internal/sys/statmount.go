package sys

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// statmount(2) and listmount(2).

// ProbeStatmount reads the mount of "/" with statmount(2) and lists the
// mounts below it with listmount(2) (both Linux 6.8), using the unique
// mount id statx(2) reports with STATX_MNT_ID_UNIQUE (also 6.8). The
// statmount answer must name the mount asked for.
func ProbeStatmount() error {
	var stx unix.Statx_t
	if err := retry(func() error {
		return unix.Statx(unix.AT_FDCWD, "/", 0, unix.STATX_MNT_ID|unix.STATX_MNT_ID_UNIQUE, &stx)
	}); err != nil {
		return wrapPath("statx", "/", err)
	}
	// Without STATX_MNT_ID_UNIQUE in the mask this is the old mount id,
	// which a kernel without statmount answers with ENOSYS anyway.
	req := &abi.MntIDReq{Size: unix.MNT_ID_REQ_SIZE_VER0, MntID: stx.Mnt_id, Param: abi.STATMOUNT_MNT_BASIC}
	sm := new(abi.Statmount)
	if _, err := Syscall6("statmount", unix.SYS_STATMOUNT, uintptr(unsafe.Pointer(req)),
		uintptr(unsafe.Pointer(sm)), unsafe.Sizeof(*sm), 0, 0, 0); err != nil {
		return err
	}
	if sm.Mask&abi.STATMOUNT_MNT_BASIC == 0 || sm.MntID != stx.Mnt_id {
		return fmt.Errorf("statmount of mount %d answered for mount %d (mask %#x)", stx.Mnt_id, sm.MntID, sm.Mask)
	}
	req.Param = 0 // listmount: start at the beginning
	ids := new([1]uint64)
	_, err := Syscall6("listmount", unix.SYS_LISTMOUNT, uintptr(unsafe.Pointer(req)),
		uintptr(unsafe.Pointer(&ids[0])), uintptr(len(ids)), 0, 0, 0)
	return err
}
