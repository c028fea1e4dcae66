package sys_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

func TestReadOnceZ(t *testing.T) {
	dir := t.TempDir()
	data := []byte("0123456789")
	if err := os.WriteFile(filepath.Join(dir, "f"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// A file that fits is read whole and closed.
	buf := make([]byte, 64)
	fd, n, err := sys.ReadOnceZ(d.Int(), []byte("f\x00"), 0, buf)
	if err != nil || fd != -1 || !bytes.Equal(buf[:n], data) {
		t.Fatalf("ReadOnceZ = %d, %q, %v; want -1, %q, nil", fd, buf[:n], err, data)
	}

	// One that fills buf is left open at the offset the read reached,
	// close-on-exec, for the caller to read on.
	small := make([]byte, 4)
	fd, n, err = sys.ReadOnceZ(d.Int(), []byte("f\x00"), 0, small)
	if err != nil || fd < 0 || n != 4 || string(small) != "0123" {
		t.Fatalf("ReadOnceZ into 4 bytes = %d, %d, %q, %v", fd, n, small, err)
	}
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", fl, err)
	}
	rest := make([]byte, 64)
	m, err := sys.Read(fd, rest)
	sys.CloseRaw(fd)
	if err != nil || string(rest[:m]) != "456789" {
		t.Fatalf("read on = %q, %v", rest[:m], err)
	}

	// The open's error names the path; the read's is the read's, and the
	// file is closed (testutil.Main fails the package on a leaked fd).
	_, _, err = sys.ReadOnceZ(d.Int(), []byte("missing\x00"), 0, buf)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "open" || pe.Path != "missing" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %#v", err)
	}
	fd, _, err = sys.ReadOnceZ(sys.AT_FDCWD, []byte(dir+"\x00"), 0, buf)
	var se *os.SyscallError
	if fd != -1 || !errors.As(err, &se) || se.Syscall != "read" || !errors.Is(err, syscall.EISDIR) {
		t.Errorf("directory: fd %d, %#v", fd, err)
	}

	// A caller's mistakes: no NUL, an empty buffer.
	for _, tc := range []struct {
		path string
		buf  []byte
	}{{"f", buf}, {"", buf}, {"f\x00", nil}} {
		if fd, _, err := sys.ReadOnceZ(d.Int(), []byte(tc.path), 0, tc.buf); fd != -1 || !errors.Is(err, syscall.EINVAL) {
			t.Errorf("ReadOnceZ(%q, %d bytes) = %d, %v; want EINVAL", tc.path, len(tc.buf), fd, err)
		}
	}
}
