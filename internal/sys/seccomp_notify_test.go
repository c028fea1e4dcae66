package sys

import (
	"bytes"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestSeccompNotifIoctlNumbers checks the computed request numbers
// against x/sys's, which come from the kernel headers of each
// architecture.
func TestSeccompNotifIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"RECV", uint64(seccompIoctlNotifRecv), unix.SECCOMP_IOCTL_NOTIF_RECV},
		{"SEND", uint64(seccompIoctlNotifSend), unix.SECCOMP_IOCTL_NOTIF_SEND},
		{"ID_VALID", uint64(seccompIoctlNotifIDValid), unix.SECCOMP_IOCTL_NOTIF_ID_VALID},
		{"ADDFD", uint64(seccompIoctlNotifAddfd), unix.SECCOMP_IOCTL_NOTIF_ADDFD},
		{"SET_FLAGS", uint64(seccompIoctlNotifSetFlags), unix.SECCOMP_IOCTL_NOTIF_SET_FLAGS},
	} {
		if c.got != c.want {
			t.Errorf("SECCOMP_IOCTL_NOTIF_%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
	if seccompIoctlNotifIDValidOld.Dir() != iocRead || seccompIoctlNotifIDValidOld.Nr() != seccompIoctlNotifIDValid.Nr() {
		t.Errorf("old ID_VALID = %#x", seccompIoctlNotifIDValidOld)
	}
}

func TestProcessVMRead(t *testing.T) {
	page := os.Getpagesize()
	// Two pages, the second made unreadable: a read across the boundary
	// is short, one inside the second page fails with EFAULT.
	mem, err := unix.Mmap(-1, 0, 2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	copy(mem[page-5:], "hello")
	if err := unix.Mprotect(mem[page:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	base := uintptr(unsafe.Pointer(&mem[0]))
	buf := make([]byte, 10)
	n, err := ProcessVMRead(os.Getpid(), base+uintptr(page-5), buf)
	if err != nil || n != 5 || !bytes.Equal(buf[:n], []byte("hello")) {
		t.Errorf("read across the boundary = %d %q, %v; want 5 \"hello\"", n, buf[:n], err)
	}
	if n, err := ProcessVMRead(os.Getpid(), base+uintptr(page), buf); n != 0 || Errno(err) != unix.EFAULT {
		t.Errorf("read of the unreadable page = %d, %v; want EFAULT", n, err)
	}
	if n, err := ProcessVMRead(os.Getpid(), base, nil); n != 0 || err != nil {
		t.Errorf("empty read = %d, %v", n, err)
	}
}
