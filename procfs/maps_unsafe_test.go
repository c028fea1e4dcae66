package procfs

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestMapsAnonName names anonymous memory with prctl(PR_SET_VMA,
// PR_SET_VMA_ANON_NAME) and finds "[anon:NAME]" in /proc/self/maps.
func TestMapsAnonName(t *testing.T) {
	const (
		prSetVMA         = 0x53564d41 // PR_SET_VMA, include/uapi/linux/prctl.h
		prSetVMAAnonName = 0
	)
	mem, err := syscall.Mmap(-1, 0, 2*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	name := []byte("lx test name\x00")
	addr := uintptr(unsafe.Pointer(&mem[0]))
	_, _, errno := syscall.Syscall6(syscall.SYS_PRCTL, prSetVMA, prSetVMAAnonName, addr, uintptr(len(mem)),
		uintptr(unsafe.Pointer(&name[0])), 0)
	if errno == syscall.EINVAL {
		t.Skip("kernel without CONFIG_ANON_VMA_NAME (5.17+)")
	}
	if errno != 0 {
		t.Fatal(errno)
	}
	ms, err := Default().Self().Maps()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Start == uint64(addr) {
			if n, ok := m.AnonName(); !ok || n != "lx test name" || m.Size() != 2*4096 {
				t.Errorf("named mapping %+v: AnonName %q, %v", m, n, ok)
			}
			return
		}
	}
	t.Errorf("no mapping at %#x", addr)
}
