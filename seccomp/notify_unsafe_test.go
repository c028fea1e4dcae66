package seccomp

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// mkdiratRaw is mkdirat(AT_FDCWD, path, 0755) returning the raw result,
// which a supervisor can make a descriptor number.
func mkdiratRaw(path string) (uintptr, syscall.Errno) {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return 0, syscall.EINVAL
	}
	at := -100 // AT_FDCWD
	r, _, e := syscall.Syscall(syscall.SYS_MKDIRAT, uintptr(at), uintptr(unsafe.Pointer(p)), 0o755)
	runtime.KeepAlive(p)
	return r, e
}

// TestReadString reads strings from this process's memory, next to a
// page that cannot be read.
func TestReadString(t *testing.T) {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	base := uint64(uintptr(unsafe.Pointer(&mem[0])))
	pid := os.Getpid()
	hostile := "a\nb(c)\xff/d"
	copy(mem, hostile+"\x00")
	copy(mem[page-9:], "end\x00")
	copy(mem[page-4:], "edge") // no NUL before the unreadable page
	for _, c := range []struct {
		addr uint64
		max  int
		want string
		err  error
	}{
		{base, 4095, hostile, nil},
		{base, len(hostile), hostile, nil},
		{base, len(hostile) - 1, "", syscall.ENAMETOOLONG},
		{base + uint64(page) - 9, 4095, "end", nil},
		{base + uint64(page) - 5, 4095, "", nil},
		{base + uint64(page) - 4, 4095, "", syscall.EFAULT},
		{base + uint64(page), 10, "", syscall.EFAULT},
	} {
		got, err := ReadString(pid, c.addr, c.max)
		if got != c.want || (c.err == nil) != (err == nil) || c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("ReadString(%#x, %d) = %q, %v; want %q, %v", c.addr-base, c.max, got, err, c.want, c.err)
		}
	}
	buf := make([]byte, 8)
	n, err := ReadMemory(pid, base+uint64(page)-4, buf)
	if n != 4 || string(buf[:n]) != "edge" || !errors.Is(err, syscall.EFAULT) {
		t.Errorf("ReadMemory across the unreadable page = %d %q, %v", n, buf[:n], err)
	}
	if err == nil || !strings.Contains(err.Error(), "read memory") {
		t.Errorf("error %v lacks context", err)
	}
}
