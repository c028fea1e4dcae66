package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// name_to_handle_at(2): file handles.

// fileHandle is struct file_handle with room for the largest handle.
type fileHandle struct {
	bytes uint32
	typ   int32
	f     [abi.MAX_HANDLE_SZ]byte
}

// emptyPath is "" for AT_EMPTY_PATH.
var emptyPath = [1]byte{0}

// NameToHandleFD calls name_to_handle_at(fd, "", &handle, &mount_id,
// AT_EMPTY_PATH): the handle of the file fd refers to. It copies the
// handle into buf and returns its type and length. It owns the syscall
// because x/sys's NameToHandleAt passes a 32-bit mount id that
// AT_HANDLE_MNT_ID_UNIQUE would overflow; no such flag is passed here.
func NameToHandleFD(fd int, buf []byte) (typ int32, n int, err error) {
	var h fileHandle
	h.bytes = abi.MAX_HANDLE_SZ
	var mountID int32
	_, err = Syscall6("name_to_handle_at", unix.SYS_NAME_TO_HANDLE_AT, uintptr(fd),
		uintptr(unsafe.Pointer(&emptyPath[0])), uintptr(unsafe.Pointer(&h)),
		uintptr(unsafe.Pointer(&mountID)), unix.AT_EMPTY_PATH, 0)
	if err != nil {
		return 0, 0, err
	}
	if h.bytes > abi.MAX_HANDLE_SZ {
		return 0, 0, wrap("name_to_handle_at", unix.EOVERFLOW)
	}
	return h.typ, copy(buf, h.f[:h.bytes]), nil
}

// OpenByHandleAt opens the file whose handle (of type typ, as
// NameToHandleFD returned it) is handle, on the filesystem that mountFD
// is on, with open_by_handle_at(2); O_CLOEXEC is added. The caller needs
// CAP_DAC_READ_SEARCH (EPERM otherwise); a handle of a file that is gone
// gives ESTALE.
func OpenByHandleAt(mountFD int, typ int32, handle []byte, flags int) (*FD, error) {
	if len(handle) > abi.MAX_HANDLE_SZ {
		return nil, wrap("open_by_handle_at", unix.EINVAL)
	}
	var h fileHandle
	h.bytes = uint32(len(handle))
	h.typ = typ
	copy(h.f[:], handle)
	r, err := Syscall6("open_by_handle_at", unix.SYS_OPEN_BY_HANDLE_AT, uintptr(mountFD),
		uintptr(unsafe.Pointer(&h)), uintptr(flags|unix.O_CLOEXEC), 0, 0, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(int(r)), nil
}

// ProbePidfsHandle asks for the file handle of a pidfd for the calling
// process: pidfs supports file handles from Linux 6.13 (EOPNOTSUPP
// before).
func ProbePidfsHandle() error {
	return withSelfPidfd(0, func(fd int) error {
		var buf [8]byte
		_, _, err := NameToHandleFD(fd, buf[:])
		return err
	})
}
