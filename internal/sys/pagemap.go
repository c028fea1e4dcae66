package sys

import (
	"runtime"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
	"golang.org/x/sys/unix"
)

// ioctl_pagemap_scan(2): the PAGEMAP_SCAN ioctl of /proc/PID/pagemap.

// pagemapScan is PAGEMAP_SCAN, _IOWR('f', 16, struct pm_scan_arg)
// (include/uapi/linux/fs.h, Linux 6.7).
var pagemapScan = IOWR('f', 16, uint32(unsafe.Sizeof(abi.PmScanArg{})))

// PagemapScan runs PAGEMAP_SCAN on fd, an open /proc/PID/pagemap, with
// arg; it sets arg's Size, Vec and VecLen from vec and returns the number
// of regions the kernel filled in. arg.WalkEnd then says where the walk
// stopped. Old kernels answer ENOTTY.
func PagemapScan(fd int, arg *abi.PmScanArg, vec []abi.PageRegion) (int, error) {
	arg.Size = uint64(unsafe.Sizeof(*arg))
	arg.VecLen = uint64(len(vec))
	arg.Vec = 0
	if len(vec) > 0 {
		arg.Vec = uint64(uintptr(unsafe.Pointer(&vec[0])))
	}
	n, err := retry1(func() (int, error) {
		r, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(pagemapScan), uintptr(unsafe.Pointer(arg)))
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	})
	// vec is written by the kernel through an address the compiler does
	// not see as a pointer argument: keep it reachable until here.
	runtime.KeepAlive(vec)
	if err != nil {
		return 0, wrap("ioctl PAGEMAP_SCAN", err)
	}
	return n, nil
}

// ProbePagemapScan runs an empty PAGEMAP_SCAN on /proc/self/pagemap
// (Linux 6.7): ENOTTY before.
func ProbePagemapScan() error {
	fd, err := unix.Open("/proc/self/pagemap", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return wrapPath("open", "/proc/self/pagemap", err)
	}
	defer unix.Close(fd)
	var arg abi.PmScanArg
	_, err = PagemapScan(fd, &arg, nil)
	return err
}
