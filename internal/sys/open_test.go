package sys_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

func TestOpenat2Z(t *testing.T) {
	if err := sys.ProbeOpenat2(); err != nil {
		t.Skipf("no openat2: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	d, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const beneath = sys.RESOLVE_BENEATH | sys.RESOLVE_NO_SYMLINKS
	fd, err := sys.Openat2Z(d.Int(), []byte("f\x00"), sys.O_RDONLY, beneath)
	if err != nil {
		t.Fatal(err)
	}
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", fl, err)
	}
	sys.CloseRaw(fd)
	for _, tc := range []struct {
		path string
		want syscall.Errno
	}{
		{"link\x00", unix.ELOOP}, {"../x\x00", unix.EXDEV}, {"missing\x00", unix.ENOENT}, {"f", unix.EINVAL},
	} {
		fd, err := sys.Openat2Z(d.Int(), []byte(tc.path), sys.O_RDONLY, beneath)
		if fd != -1 || !errors.Is(err, tc.want) {
			t.Errorf("Openat2Z(%q) = %d, %v; want %v", tc.path, fd, err, tc.want)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		fd, _ := sys.Openat2Z(d.Int(), []byte("f\x00"), sys.O_RDONLY, beneath)
		sys.CloseRaw(fd)
	})
	if allocs != 0 {
		t.Errorf("Openat2Z allocates %v times", allocs)
	}
}
