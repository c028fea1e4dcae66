package pseudofs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestNewRooted(t *testing.T) {
	dir := t.TempDir()
	r, err := NewRooted(dir)
	if err != nil || r != Rooted(dir) {
		t.Errorf("NewRooted(%q) = %+v, %v; want Rooted's layout", dir, r, err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		root string
		want error
	}{
		{"", fs.ErrInvalid},
		{filepath.Join(dir, "missing"), fs.ErrNotExist},
		{file, syscall.ENOTDIR},
	} {
		_, err := NewRooted(c.root)
		var pe *fs.PathError
		if !errors.Is(err, c.want) || !errors.As(err, &pe) || pe.Path != c.root {
			t.Errorf("NewRooted(%q) = %v, want a *fs.PathError for it matching %v", c.root, err, c.want)
		}
	}
}

func TestLayouts(t *testing.T) {
	d := Default()
	if d != (FS{Root: "/", Proc: "/proc", Sys: "/sys", Cgroup: "/sys/fs/cgroup"}) {
		t.Errorf("Default() = %+v", d)
	}
	r := Rooted("/tmp/tree/")
	if r != (FS{Root: "/tmp/tree", Proc: "/tmp/tree/proc", Sys: "/tmp/tree/sys", Cgroup: "/tmp/tree/sys/fs/cgroup"}) {
		t.Errorf("Rooted = %+v", r)
	}
	for _, c := range []struct{ got, want string }{
		{d.ProcPath("self", "stat"), "/proc/self/stat"},
		{d.ProcPath(), "/proc"},
		{d.SysPath("devices", "system", "cpu"), "/sys/devices/system/cpu"},
		{d.CgroupPath("unified", "cgroup.controllers"), "/sys/fs/cgroup/unified/cgroup.controllers"},
		{r.ProcPath("1", "status"), "/tmp/tree/proc/1/status"},
		{r.CgroupPath("a"), "/tmp/tree/sys/fs/cgroup/a"},
		{Rooted("rel").SysPath("x"), "rel/sys/x"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestRootedReadsTestdata: a Rooted FS reads a tree laid out like the host.
func TestRootedReadsTestdata(t *testing.T) {
	root := t.TempDir()
	fsys := Rooted(root)
	p := fsys.ProcPath("42", "comm")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("fake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(p, nil)
	if err != nil || string(b) != "fake\n" {
		t.Errorf("ReadFile(%s) = %q, %v", p, b, err)
	}
}

// writeRandom writes n random bytes to a new file and returns its path and
// content.
func writeRandom(t *testing.T, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(n), byte(n >> 8), byte(n >> 16)})
	r.Read(b)
	p := filepath.Join(t.TempDir(), "f"+strconv.Itoa(n))
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b
}

var sizes = []int{0, 1, 4095, MinBuf, MinBuf + 1, 100_000, 1 << 20, 1<<20 + 1, 3 << 20}

func TestReadFileSizes(t *testing.T) {
	for _, n := range sizes {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			p, want := writeRandom(t, n)
			got, err := ReadFile(p, nil)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("ReadFile, nil buffer: %d bytes, %v; want %d bytes", len(got), err, n)
			}
			small := make([]byte, 3, 16) // stale contents must go
			got, err = ReadFile(p, small)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("ReadFile, small buffer: %d bytes, %v; want %d bytes", len(got), err, n)
			}
			big := make([]byte, 0, n+1)
			got, err = ReadFile(p, big)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("ReadFile, big buffer: %d bytes, %v", len(got), err)
			}
			if n > 0 && &got[0] != &big[:1][0] {
				t.Error("ReadFile reallocated a buffer that was large enough")
			}
		})
	}
}

func TestReadFileProc(t *testing.T) {
	b, err := ReadFile("/proc/self/stat", nil)
	if err != nil {
		t.Fatal(err)
	}
	if prefix := strconv.Itoa(os.Getpid()) + " ("; !strings.HasPrefix(string(b), prefix) {
		t.Errorf("/proc/self/stat = %q, want prefix %q", b, prefix)
	}
	// A file that does not change, compared with os.ReadFile.
	for _, p := range []string{"/proc/version", "/proc/cmdline", "/proc/sys/kernel/osrelease"} {
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(p, make([]byte, 0, 1)) // forces growth
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", p, got, err, want)
		}
	}
	// A pseudo-file larger than one page: /proc/self/smaps of a Go
	// process has dozens of mappings.
	b, err = ReadFile("/proc/self/smaps", nil)
	if err != nil || len(b) <= MinBuf || !bytes.HasSuffix(b, []byte("\n")) {
		t.Errorf("ReadFile(/proc/self/smaps) = %d bytes, %v", len(b), err)
	}
}

func TestReadFileErrors(t *testing.T) {
	buf := []byte("stale")
	b, err := ReadFile("/nonexistent/file", buf)
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) || pe.Path != "/nonexistent/file" {
		t.Errorf("ReadFile of a missing file = %v", err)
	}
	if len(b) != 0 {
		t.Errorf("ReadFile returned %q with an error", b)
	}
	// Reading a directory fails on read(2) with EISDIR.
	if _, err := ReadFile(t.TempDir(), nil); !errors.Is(err, sys.Errno(err)) || sys.Errno(err) == 0 {
		t.Errorf("ReadFile of a directory = %v, want an errno", err)
	}
}

func TestReadFileLongPath(t *testing.T) {
	dir := t.TempDir()
	comp := strings.Repeat("d", 200)
	for range 3 {
		dir = filepath.Join(dir, comp)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "f")
	if len(p) < pathMax {
		t.Fatalf("path of %d bytes is not long enough", len(p))
	}
	if err := os.WriteFile(p, []byte("long"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, nil); err != nil || string(b) != "long" {
		t.Errorf("ReadFile(long path) = %q, %v", b, err)
	}
	if err := WithFile(p, func(b []byte) error {
		if string(b) != "long" {
			return fmt.Errorf("got %q", b)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

func TestReadFileAt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("at"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if b, err := ReadFileAt(d.Int(), "f", nil); err != nil || string(b) != "at" {
		t.Errorf("ReadFileAt = %q, %v", b, err)
	}
	if err := WithFileAt(d.Int(), "f", func(b []byte) error {
		if string(b) != "at" {
			return fmt.Errorf("got %q", b)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

func TestPreadAllAndReadAll(t *testing.T) {
	for _, n := range []int{10, MinBuf + 1, 1<<20 + 512} {
		p, want := writeRandom(t, n)
		fd, err := sys.Open(p, sys.O_RDONLY)
		if err != nil {
			t.Fatal(err)
		}
		var head [5]byte
		if _, err := sys.Read(fd.Int(), head[:]); err != nil {
			t.Fatal(err)
		}
		for i := range 2 { // PreadAll ignores and keeps the file offset
			got, err := PreadAll(fd.Int(), nil)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("PreadAll #%d of %d bytes: got %d bytes, %v", i, n, len(got), err)
			}
		}
		rest, err := ReadAll(fd.Int(), nil)
		if err != nil || !bytes.Equal(rest, want[5:]) {
			t.Fatalf("ReadAll after 5 bytes: got %d bytes, %v; want %d", len(rest), err, n-5)
		}
		fd.Close()
	}
	// One open /proc file sampled twice.
	fd, err := sys.Open("/proc/self/stat", sys.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	for range 2 {
		b, err := PreadAll(fd.Int(), nil)
		if err != nil || !strings.HasPrefix(string(b), strconv.Itoa(os.Getpid())+" (") {
			t.Fatalf("PreadAll(/proc/self/stat) = %q, %v", b, err)
		}
	}
}

func TestWithFile(t *testing.T) {
	for _, n := range []int{0, 100, MinBuf + 1, 2 << 20} {
		p, want := writeRandom(t, n)
		called := false
		err := WithFile(p, func(b []byte) error {
			called = true
			if !bytes.Equal(b, want) {
				return fmt.Errorf("parse got %d bytes, want %d", len(b), n)
			}
			return nil
		})
		if err != nil || !called {
			t.Errorf("WithFile(%d bytes) = %v (called %v)", n, err, called)
		}
	}
	// The pool never keeps a buffer over 1 MiB (the 2 MiB one above).
	for range 10 {
		bp := bufPool.Get().(*[]byte)
		if cap(*bp) > 1<<20 {
			t.Errorf("pool holds a %d-byte buffer", cap(*bp))
		}
		bufPool.Put(bp)
	}
	errParse := errors.New("parse")
	if err := WithFile("/proc/self/stat", func([]byte) error { return errParse }); err != errParse {
		t.Errorf("WithFile did not return parse's error: %v", err)
	}
	err := WithFile("/nonexistent", func([]byte) error { t.Error("parse called for a missing file"); return nil })
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WithFile(missing) = %v", err)
	}
}

// statPID is a parse function that allocates nothing.
func statPID(b []byte) error {
	i := bytes.IndexByte(b, ' ')
	if i <= 0 {
		return errors.New("no pid")
	}
	return nil
}

func TestWithFileAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	WithFile("/proc/self/stat", statPID) // fill the pool
	if n := testing.AllocsPerRun(200, func() {
		if err := WithFile("/proc/self/stat", statPID); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("WithFile(/proc/self/stat) allocates %.1f times per call, want 0", n)
	}
	buf := make([]byte, 0, MinBuf)
	if n := testing.AllocsPerRun(200, func() {
		if _, err := ReadFile("/proc/self/stat", buf); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ReadFile(/proc/self/stat, buf) allocates %.1f times per call, want 0", n)
	}
}

func BenchmarkWithFileProcSelfStat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := WithFile("/proc/self/stat", statPID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOSReadFileProcSelfStat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := os.ReadFile("/proc/self/stat")
		if err != nil {
			b.Fatal(err)
		}
		if err := statPID(c); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReader(t *testing.T) {
	p, want := writeRandom(t, 3*MinBuf+7)
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("io.ReadAll(Reader) = %d bytes, %v", len(got), err)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at EOF = %d, %v", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v; want 0, nil", n, err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := Open("/nonexistent"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}
