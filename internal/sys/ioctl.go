package sys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl(2) and its request encoding.

// ioctl request encoding, as in include/uapi/asm-generic/ioctl.h. amd64,
// 386, arm64 and riscv64 (the architectures lx builds for) all use the
// generic layout: 8 bits number, 8 bits type, 14 bits size, 2 bits
// direction. (mips, powerpc, sparc and alpha differ and are not supported.)
const (
	iocNRBits   = 8
	iocTypeBits = 8
	iocSizeBits = 14

	iocNRShift   = 0
	iocTypeShift = iocNRShift + iocNRBits
	iocSizeShift = iocTypeShift + iocTypeBits
	iocDirShift  = iocSizeShift + iocSizeBits

	iocNone  = 0
	iocWrite = 1
	iocRead  = 2
)

// IoctlReq is an encoded ioctl request number.
type IoctlReq uint32

func ioc(dir, typ, nr, size uint32) IoctlReq {
	if size >= 1<<iocSizeBits {
		panic("sys: ioctl argument size too large") // a programming error in a constant
	}
	return IoctlReq(dir<<iocDirShift | typ<<iocTypeShift | nr<<iocNRShift | size<<iocSizeShift)
}

// IO is _IO(type, nr): an ioctl with no argument struct.
func IO(typ, nr uint32) IoctlReq { return ioc(iocNone, typ, nr, 0) }

// IOR is _IOR(type, nr, size): the kernel writes size bytes to the argument.
func IOR(typ, nr, size uint32) IoctlReq { return ioc(iocRead, typ, nr, size) }

// IOW is _IOW(type, nr, size): the kernel reads size bytes from the argument.
func IOW(typ, nr, size uint32) IoctlReq { return ioc(iocWrite, typ, nr, size) }

// IOWR is _IOWR(type, nr, size): the argument is read and written.
func IOWR(typ, nr, size uint32) IoctlReq { return ioc(iocRead|iocWrite, typ, nr, size) }

// Dir, Type, Nr and Size decode a request (_IOC_DIR and friends).
func (r IoctlReq) Dir() uint32  { return uint32(r) >> iocDirShift & 3 }
func (r IoctlReq) Type() uint32 { return uint32(r) >> iocTypeShift & (1<<iocTypeBits - 1) }
func (r IoctlReq) Nr() uint32   { return uint32(r) >> iocNRShift & (1<<iocNRBits - 1) }
func (r IoctlReq) Size() uint32 { return uint32(r) >> iocSizeShift & (1<<iocSizeBits - 1) }

// Ioctl issues an ioctl whose argument is a plain integer.
func Ioctl(fd int, req IoctlReq, arg uintptr) (int, error) {
	for {
		r, _, e := syscall.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), arg)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, wrap("ioctl", e)
		}
		return int(r), nil
	}
}

// IoctlPtr issues an ioctl whose argument points to memory of the size
// encoded in req. The memory must stay valid for the call only.
func IoctlPtr(fd int, req IoctlReq, arg unsafe.Pointer) (int, error) {
	for {
		r, _, e := syscall.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, wrap("ioctl", e)
		}
		return int(r), nil
	}
}
