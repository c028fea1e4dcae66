package memfd

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/vm"
)

func newFD(t *testing.T, name string, opts *Options) *FD {
	t.Helper()
	m, err := New(name, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// mapFile maps the whole file of m shared, and unmaps it at cleanup.
func mapFile(t *testing.T, m *FD, length, prot int) []byte {
	t.Helper()
	var b []byte
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	if cerr := rc.Control(func(fd uintptr) {
		b, err = syscall.Mmap(int(fd), 0, length, prot, syscall.MAP_SHARED)
	}); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(b) })
	return b
}

func TestNewReadWrite(t *testing.T) {
	// Any byte but NUL is a valid name, kept as given.
	name := "lx test\n(\xff) " + strings.Repeat("x", 10)
	m := newFD(t, name, nil)
	if got := m.File().Name(); got != "memfd:"+name {
		t.Errorf("Name %q", got)
	}
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fdOf(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "/memfd:" + name + " (deleted)"; link != want {
		t.Errorf("fd link %q, want %q", link, want)
	}
	if _, err := m.File().WriteAt([]byte("hello"), 10); err != nil {
		t.Fatal(err)
	}
	if n, err := m.Size(); err != nil || n != 15 {
		t.Errorf("Size = %d, %v; want 15", n, err)
	}
	if err := m.Truncate(4096); err != nil {
		t.Fatal(err)
	}
	if n, err := m.Size(); err != nil || n != 4096 {
		t.Errorf("Size after Truncate = %d, %v", n, err)
	}
	b := make([]byte, 5)
	if _, err := m.File().ReadAt(b, 10); err != nil || string(b) != "hello" {
		t.Errorf("ReadAt = %q, %v", b, err)
	}
	if err := m.Truncate(-1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Truncate(-1): %v", err)
	}
	// Without AllowSealing the file is sealed against sealing.
	if s, err := m.Seals(); err != nil || s != SealSeal {
		t.Errorf("Seals = %v, %v; want F_SEAL_SEAL", s, err)
	}
	if err := m.AddSeals(SealWrite); !errors.Is(err, syscall.EPERM) {
		t.Errorf("AddSeals without AllowSealing: %v, want EPERM", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func fdOf(t *testing.T, m *FD) int {
	t.Helper()
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	rc.Control(func(fd uintptr) { n = int(fd) })
	return n
}

func TestNewInvalid(t *testing.T) {
	for _, c := range []struct {
		name string
		opts *Options
	}{
		{"a\x00b", nil},
		{strings.Repeat("n", MaxNameLen+1), nil},
		{"x", &Options{Exec: 7}},
		{"x", &Options{HugePageSize: 3 << 20}},
		{"x", &Options{HugePageSize: 1}},
	} {
		if m, err := New(c.name, c.opts); !errors.Is(err, fs.ErrInvalid) {
			if m != nil {
				m.Close()
			}
			t.Errorf("New(%.20q, %+v): %v, want fs.ErrInvalid", c.name, c.opts, err)
		}
	}
	// The longest name is accepted.
	newFD(t, strings.Repeat("n", MaxNameLen), nil)
}

func TestSealsRefuseWriteAndShrink(t *testing.T) {
	m := newFD(t, "sealed", &Options{AllowSealing: true})
	if s, err := m.Seals(); err != nil || s != 0 {
		t.Fatalf("Seals = %v, %v; want 0", s, err)
	}
	if _, err := m.File().Write([]byte("contents")); err != nil {
		t.Fatal(err)
	}
	want := SealShrink | SealGrow | SealWrite
	if err := m.AddSeals(want); err != nil {
		t.Fatal(err)
	}
	if s, err := m.Seals(); err != nil || s != want {
		t.Fatalf("Seals = %v, %v; want %v", s, err, want)
	}
	if _, err := m.File().WriteAt([]byte("X"), 0); !errors.Is(err, syscall.EPERM) {
		t.Errorf("write after F_SEAL_WRITE: %v, want EPERM", err)
	}
	if err := m.Truncate(2); !errors.Is(err, syscall.EPERM) {
		t.Errorf("shrink after F_SEAL_SHRINK: %v, want EPERM", err)
	}
	if err := m.Truncate(4096); !errors.Is(err, syscall.EPERM) {
		t.Errorf("grow after F_SEAL_GROW: %v, want EPERM", err)
	}
	// A shared writable mapping is refused too; a read-only one works.
	rc, _ := m.SyscallConn()
	var merr error
	rc.Control(func(fd uintptr) {
		var b []byte
		b, merr = syscall.Mmap(int(fd), 0, 8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		if merr == nil {
			syscall.Munmap(b)
		}
	})
	if !errors.Is(merr, syscall.EPERM) {
		t.Errorf("writable shared mmap after F_SEAL_WRITE: %v, want EPERM", merr)
	}
	if b := mapFile(t, m, 8, syscall.PROT_READ); string(b) != "contents" {
		t.Errorf("mapping reads %q", b)
	}
	got, err := io.ReadAll(io.NewSectionReader(m.File(), 0, 100))
	if err != nil || string(got) != "contents" {
		t.Errorf("contents %q, %v", got, err)
	}
	if err := m.AddSeals(SealSeal); err != nil {
		t.Fatal(err)
	}
	// F_SEAL_GROW, which every kernel with seals has (F_SEAL_EXEC is 6.3).
	if err := m.AddSeals(SealGrow); !errors.Is(err, syscall.EPERM) {
		t.Errorf("AddSeals after F_SEAL_SEAL: %v, want EPERM", err)
	}
	if err := m.AddSeals(0x4000); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("AddSeals(unknown): %v", err)
	}
}

func TestSealWriteBusy(t *testing.T) {
	m := newFD(t, "busy", &Options{AllowSealing: true})
	if err := m.Truncate(4096); err != nil {
		t.Fatal(err)
	}
	b := mapFile(t, m, 4096, syscall.PROT_READ|syscall.PROT_WRITE)
	b[0] = 'w'
	if err := m.AddSeals(SealWrite); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("F_SEAL_WRITE with a writable mapping: %v, want EBUSY", err)
	}
	// F_SEAL_FUTURE_WRITE keeps the existing mapping writable.
	if err := m.AddSeals(SealFutureWrite); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 1))
		t.Fatal(err)
	}
	b[1] = 'x'
	if _, err := m.File().WriteAt([]byte("y"), 2); !errors.Is(err, syscall.EPERM) {
		t.Errorf("write after F_SEAL_FUTURE_WRITE: %v, want EPERM", err)
	}
	got := make([]byte, 2)
	m.File().ReadAt(got, 0)
	if string(got) != "wx" {
		t.Errorf("contents %q", got)
	}
}

func TestExec(t *testing.T) {
	m, err := New("noexec", &Options{Exec: NoExecSeal})
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 3))
		t.Fatal(err)
	}
	defer m.Close()
	st, err := m.File().Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o111 != 0 {
		t.Errorf("MFD_NOEXEC_SEAL file has mode %v", st.Mode())
	}
	s, err := m.Seals()
	if err != nil || s&SealExec == 0 || s&SealSeal != 0 {
		t.Errorf("Seals = %v, %v; want F_SEAL_EXEC without F_SEAL_SEAL", s, err)
	}
	if err := m.File().Chmod(0o755); !errors.Is(err, syscall.EPERM) {
		t.Errorf("chmod +x after F_SEAL_EXEC: %v, want EPERM", err)
	}

	x, err := New("exec", &Options{Exec: ExecAllowed})
	if err != nil {
		// vm.memfd_noexec=2 in this pid namespace refuses MFD_EXEC.
		if errors.Is(err, syscall.EACCES) {
			t.Skipf("MFD_EXEC refused (vm.memfd_noexec=2): %v", err)
		}
		t.Fatal(err)
	}
	defer x.Close()
	if st, err := x.File().Stat(); err != nil || st.Mode().Perm() != 0o777 {
		t.Errorf("MFD_EXEC file mode %v, %v; want 0777", st.Mode(), err)
	}
}

func TestExecText(t *testing.T) {
	for e, want := range map[Exec]string{ExecDefault: "default", ExecAllowed: "MFD_EXEC", NoExecSeal: "MFD_NOEXEC_SEAL", 9: "Exec(9)"} {
		if got := e.String(); got != want {
			t.Errorf("Exec(%d) = %q, want %q", int(e), got, want)
		}
	}
}

func TestHugeTLB(t *testing.T) {
	testutil.HugePage2M(t)
	m, err := New("huge", &Options{HugePageSize: 2 << 20, AllowSealing: true})
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(4, 14))
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Truncate(4096); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Truncate to a partial huge page: %v, want EINVAL", err)
	}
	if err := m.Truncate(2 << 20); err != nil {
		t.Fatal(err)
	}
	b := mapFile(t, m, 2<<20, syscall.PROT_READ|syscall.PROT_WRITE)
	copy(b[1<<20:], "huge")
	syscall.Munmap(b)
	got := make([]byte, 4)
	if _, err := m.File().ReadAt(got, 1<<20); err != nil || string(got) != "huge" {
		t.Errorf("read back %q, %v", got, err)
	}
	if err := m.AddSeals(SealGrow | SealShrink); err != nil {
		t.Errorf("sealing a hugetlb memfd: %v", err)
	}
}

func TestSecret(t *testing.T) {
	m, err := NewSecret()
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if errors.Is(err, syscall.ENOSYS) {
			// 5.14 to 6.4 without secretmem.enable=1.
			t.Skipf("memfd_secret: %v", err)
		}
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Truncate(4096); err != nil {
		t.Fatal(err)
	}
	r, err := m.Map(4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	copy(r.Bytes(), "secret")
	r2, err := m.Map(4096, &vm.MapOptions{Prot: vm.ProtRead})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if !bytes.HasPrefix(r2.Bytes(), []byte("secret")) {
		t.Errorf("second mapping reads %q", r2.Bytes()[:6])
	}
	// The kernel itself cannot read the pages.
	if _, err := m.File().ReadAt(make([]byte, 6), 0); err == nil {
		t.Error("read(2) of secret memory succeeded")
	}
	if _, err := m.Seals(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Seals of secret memory: %v, want EINVAL", err)
	}
}

func TestFromFile(t *testing.T) {
	m := newFD(t, "adopted", &Options{AllowSealing: true})
	if err := m.AddSeals(SealGrow); err != nil {
		t.Fatal(err)
	}
	// A second descriptor of the same file, as a receiver would get it.
	f, err := os.Open("/proc/self/fd/" + strconv.Itoa(fdOf(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	r := FromFile(f)
	defer r.Close()
	if s, err := r.Seals(); err != nil || s != SealGrow {
		t.Errorf("Seals through another descriptor = %v, %v", s, err)
	}
	// Read-only: adding a seal needs a writable descriptor.
	if err := r.AddSeals(SealShrink); !errors.Is(err, syscall.EPERM) {
		t.Errorf("AddSeals on a read-only descriptor: %v", err)
	}
}

// Map gives a shared mapping: writes through it reach the file, it
// outlives Close, and a write-sealed file maps only read-only.
func TestMap(t *testing.T) {
	m := newFD(t, "mapped", &Options{AllowSealing: true})
	if err := m.Truncate(8192); err != nil {
		t.Fatal(err)
	}
	r, err := m.Map(8192, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	copy(r.Bytes()[4096:], "through the mapping")
	got := make([]byte, 19)
	if _, err := m.File().ReadAt(got, 4096); err != nil || string(got) != "through the mapping" {
		t.Fatalf("file reads %q, %v", got, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// A shared mapping, even a read-only one, may be made writable:
	// the seal is taken before any.
	if err := m.AddSeals(SealWrite); err != nil {
		t.Fatal(err)
	}
	ro, err := m.Map(4096, &vm.MapOptions{Prot: vm.ProtRead})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := m.Map(4096, nil); !errors.Is(err, syscall.EPERM) {
		t.Errorf("writable Map after F_SEAL_WRITE: %v, want EPERM", err)
	}
	m.Close()
	if string(ro.Bytes()[:4]) != "\x00\x00\x00\x00" {
		t.Errorf("the read-only mapping after Close reads %q", ro.Bytes()[:4])
	}
	if _, err := m.Map(4096, nil); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Map after Close: %v", err)
	}
}
