package sys_test

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

func TestEventfd(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags int
		reads []uint64 // successive reads of a counter started at 3
	}{
		{"counter", sys.EFD_NONBLOCK, []uint64{3}},
		{"semaphore", sys.EFD_NONBLOCK | sys.EFD_SEMAPHORE, []uint64{1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd, err := sys.Eventfd(3, tc.flags)
			if err != nil {
				t.Fatal(err)
			}
			defer fd.Close()
			if fl, err := unix.FcntlInt(uintptr(fd.Int()), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
				t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", fl, err)
			}
			var b [8]byte
			for i, want := range tc.reads {
				if n, err := sys.Read(fd.Int(), b[:]); err != nil || n != 8 {
					t.Fatalf("read %d = %d, %v", i, n, err)
				}
				if got := binary.NativeEndian.Uint64(b[:]); got != want {
					t.Errorf("read %d = %d, want %d", i, got, want)
				}
			}
			if _, err := sys.Read(fd.Int(), b[:]); !errors.Is(err, syscall.EAGAIN) {
				t.Errorf("read of an empty non-blocking eventfd = %v, want EAGAIN", err)
			}
		})
	}
	if _, err := sys.Eventfd(0, -1<<20); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Eventfd with bad flags = %v, want EINVAL", err)
	}
}
