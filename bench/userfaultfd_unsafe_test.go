package bench

import (
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The raw userfaultfd floor: x/sys and the runtime poller, no lx.

// uffdioCopy is struct uffdio_copy of linux/userfaultfd.h.
type uffdioCopy struct {
	dst, src, len, mode uint64
	copy                int64
}

const (
	rawUffdioAPI      = 0xc018aa3f // _IOWR(0xAA, 0x3F, struct uffdio_api)
	rawUffdioRegister = 0xc020aa00 // _IOWR(0xAA, 0x00, struct uffdio_register)
	rawUffdioCopy     = 0xc028aa03 // _IOWR(0xAA, 0x03, struct uffdio_copy)
)

func rawUffdIoctl(fd uintptr, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

func uffdServeRaw(tb testing.TB, fill byte) ([]byte, func() error) {
	tb.Helper()
	mem := uffdMap(tb)
	fd, _, e := unix.Syscall(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK|1 /* UFFD_USER_MODE_ONLY */, 0, 0)
	if e != 0 {
		tb.Skip(e)
	}
	api := [3]uint64{0xaa} // api, features, ioctls
	if err := rawUffdIoctl(fd, rawUffdioAPI, unsafe.Pointer(&api)); err != nil {
		unix.Close(int(fd))
		tb.Fatal(err)
	}
	reg := [4]uint64{uint64(uintptr(unsafe.Pointer(&mem[0]))), uint64(len(mem)), 1 /* MODE_MISSING */}
	if err := rawUffdIoctl(fd, rawUffdioRegister, unsafe.Pointer(&reg)); err != nil {
		unix.Close(int(fd))
		tb.Fatal(err)
	}
	f := os.NewFile(fd, "userfaultfd") // non-blocking: on the poller
	rc, err := f.SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	src := make([]byte, uffdPageSize)
	for i := range src {
		src[i] = fill
	}
	done := make(chan error, 1)
	go func() {
		var msg [32]byte
		var ferr error
		// Read ends with ferr, or with the poller's error after Close.
		rc.Read(func(fd uintptr) bool {
			for {
				if _, err := unix.Read(int(fd), msg[:]); err != nil {
					if err == unix.EAGAIN {
						return false
					}
					ferr = err
					return true
				}
				addr := binary.NativeEndian.Uint64(msg[16:]) // arg.pagefault.address
				c := uffdioCopy{dst: addr &^ uint64(uffdPageSize-1), src: uint64(uintptr(unsafe.Pointer(&src[0]))), len: uint64(uffdPageSize)}
				if err := rawUffdIoctl(fd, rawUffdioCopy, unsafe.Pointer(&c)); err != nil {
					ferr = err
					return true
				}
			}
		})
		runtime.KeepAlive(src)
		done <- ferr
	}()
	return mem, func() error {
		f.Close()
		return <-done
	}
}
