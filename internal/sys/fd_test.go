package sys_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

// tempFile creates a file holding content and returns its path.
func tempFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fdTarget returns what fd n refers to, or "" if it is not open.
func fdTarget(n int) string {
	s, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(n))
	if err != nil {
		return ""
	}
	return s
}

func TestFDCloseIdempotent(t *testing.T) {
	p := tempFile(t, "x")
	fd, err := sys.Open(p, sys.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	n := fd.Int()
	if fdTarget(n) != p {
		t.Fatalf("fd %d refers to %q, want %q", n, fdTarget(n), p)
	}
	if err := fd.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if fdTarget(n) == p {
		t.Errorf("fd %d still open after Close", n)
	}
	if err := fd.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got := fd.Int(); got != -1 {
		t.Errorf("Int after Close = %d, want -1", got)
	}
	if got := fd.Release(); got != -1 {
		t.Errorf("Release after Close = %d, want -1", got)
	}
	if f := fd.File("x"); f != nil {
		t.Errorf("File after Close = %v, want nil", f)
	}
}

func TestFDOpenIsCloexec(t *testing.T) {
	fd, err := sys.Open(tempFile(t, ""), sys.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	flags, err := unix.FcntlInt(uintptr(fd.Int()), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", flags, err)
	}
}

func TestFDCloseReportsEBADF(t *testing.T) {
	fd, err := sys.Open(tempFile(t, ""), sys.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd.Int()) // someone else closed it
	err = fd.Close()
	var se *os.SyscallError
	if !errors.As(err, &se) || se.Syscall != "close" || !errors.Is(err, syscall.EBADF) {
		t.Errorf("Close of a closed fd = %v, want *os.SyscallError close EBADF", err)
	}
}

func TestFDRelease(t *testing.T) {
	p := tempFile(t, "")
	raw := func() int {
		fd, err := sys.Open(p, sys.O_RDONLY)
		if err != nil {
			t.Fatal(err)
		}
		raw := fd.Release()
		if fd.Int() != -1 {
			t.Errorf("Int after Release = %d, want -1", fd.Int())
		}
		if err := fd.Close(); err != nil {
			t.Errorf("Close after Release: %v", err)
		}
		return raw
	}()
	defer unix.Close(raw)
	// The FD is garbage now; its cleanup must not close the released fd.
	for range 5 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if fdTarget(raw) != p {
		t.Errorf("released fd %d refers to %q, want %q", raw, fdTarget(raw), p)
	}
}

func TestFDFile(t *testing.T) {
	p := tempFile(t, "hello")
	fd, err := sys.Open(p, sys.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	n := fd.Int()
	f := fd.File("name")
	if f == nil {
		t.Fatal("File returned nil")
	}
	defer f.Close()
	if fd.Int() != -1 || fd.File("again") != nil {
		t.Error("the FD still owns the fd after File")
	}
	if f.Name() != "name" {
		t.Errorf("Name = %q", f.Name())
	}
	b, err := io.ReadAll(f)
	if err != nil || string(b) != "hello" {
		t.Errorf("read %q, %v", b, err)
	}
	if err := fd.Close(); err != nil {
		t.Errorf("Close after File: %v", err)
	}
	if fdTarget(n) != p {
		t.Errorf("FD.Close closed the fd the *os.File owns")
	}
}

// TestFDCleanupClosesForgotten drops an FD without closing it: the runtime
// cleanup must close the fd once the FD is garbage.
func TestFDCleanupClosesForgotten(t *testing.T) {
	p := tempFile(t, "")
	n := func() int {
		fd, err := sys.Open(p, sys.O_RDONLY)
		if err != nil {
			t.Fatal(err)
		}
		return fd.Int()
	}()
	if fdTarget(n) != p {
		t.Fatalf("fd %d refers to %q before GC, want %q", n, fdTarget(n), p)
	}
	for i := 0; i < 500 && fdTarget(n) == p; i++ {
		runtime.GC() // cleanups run on their own goroutine after a GC
		time.Sleep(2 * time.Millisecond)
	}
	if fdTarget(n) == p {
		t.Errorf("forgotten fd %d (%s) still open after garbage collection", n, p)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := sys.Open("/nonexistent/x", sys.O_RDONLY)
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Op != "open" || pe.Path != "/nonexistent/x" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file = %#v", err)
	}
	if _, err := sys.OpenatZ(sys.AT_FDCWD, []byte("/etc/hostname"), sys.O_RDONLY); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("OpenatZ without NUL = %v, want EINVAL", err)
	}
	n, err := sys.OpenatZ(sys.AT_FDCWD, []byte("/proc/self/stat\x00"), sys.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	if err := sys.CloseRaw(n); err != nil {
		t.Error(err)
	}
}

func TestControl(t *testing.T) {
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	var seen int
	if err := sys.Control(f, func(fd int) error { seen = fd; return nil }); err != nil || seen != int(f.Fd()) {
		t.Errorf("Control = %v, fd %d; want nil and %d", err, seen, f.Fd())
	}
	want := errors.New("from fn")
	if err := sys.Control(f, func(int) error { return want }); err != want {
		t.Errorf("Control = %v, want fn's error", err)
	}
	f.Close()
	// RawConn.Control's own error ("use of closed file") is made to
	// match os.ErrClosed, as the os.File methods do.
	if err := sys.Control(f, func(int) error { t.Error("fn ran on a closed file"); return nil }); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Control of a closed file: %v, want os.ErrClosed", err)
	}
}
