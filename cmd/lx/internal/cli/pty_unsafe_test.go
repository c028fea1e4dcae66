package cli

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudoterminal pair of the given size (0 x 0: unset)
// and returns the master and the peer, closed when the test ends. The CLI
// may use public packages only, so this test helper issues the ioctls
// itself (package term's tests cover them through internal/sys).
func openPTY(t *testing.T, cols, rows uint16) (master, peer *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudoterminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	ioctl := func(f *os.File, req uintptr, arg unsafe.Pointer) {
		t.Helper()
		rc, err := f.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var errno syscall.Errno
		if err := rc.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
		}); err != nil {
			t.Fatal(err)
		}
		if errno != 0 {
			t.Fatalf("ioctl %#x: %v", req, errno)
		}
	}
	var unlock int32
	ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	var n uint32
	ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n))
	ws := struct{ rows, cols, x, y uint16 }{rows, cols, 0, 0}
	ioctl(master, syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
	peer, err = os.OpenFile("/dev/pts/"+formatCount(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("pty peer: %v", err)
	}
	t.Cleanup(func() { peer.Close() })
	return master, peer
}
