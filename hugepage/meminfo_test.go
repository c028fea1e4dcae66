package hugepage

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestDefaultSizeFixtures(t *testing.T) {
	for _, tc := range []struct {
		root string
		want uint64
	}{{"x86", 2 << 20}, {"arm64", 2 << 20}} {
		got, err := mustFS(t, "testdata/"+tc.root).DefaultSize()
		if err != nil || got != tc.want {
			t.Errorf("%s: DefaultSize() = %d, %v; want %d", tc.root, got, err, tc.want)
		}
	}
	if _, err := mustFS(t, "testdata/nohugetlb").DefaultSize(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DefaultSize without hugetlb = %v, want ErrUnsupported", err)
	}
	if _, err := mustFS(t, "testdata/bad").DefaultSize(); !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("DefaultSize with a bad line = %v, want ErrSyntax", err)
	}
	// A root without proc/meminfo.
	if _, err := mustFS(t, t.TempDir()).DefaultSize(); !errors.Is(err, os.ErrNotExist) || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DefaultSize without meminfo = %v, want ErrNotExist only", err)
	}
}

// DefaultSize agrees with the Hugepagesize line of the running system's
// /proc/meminfo, read here by hand.
func TestDefaultSizeLive(t *testing.T) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	var want uint64
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "Hugepagesize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("Hugepagesize line %q: %v", l, err)
			}
			want = kb << 10
		}
	}
	got, err := DefaultSize()
	if want == 0 {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("no Hugepagesize line, DefaultSize = %d, %v; want ErrUnsupported", got, err)
		}
		return
	}
	if err != nil || got != want {
		t.Fatalf("DefaultSize = %d, %v; meminfo says %d", got, err, want)
	}
}

// mustFS is NewFS for a directory that exists.
func mustFS(t testing.TB, root string) FS {
	t.Helper()
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func TestNewFS(t *testing.T) {
	if _, err := NewFS("testdata/does-not-exist"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("NewFS(missing) = %v, want ErrNotExist", err)
	}
	if _, err := NewFS("testdata/x86/proc/meminfo"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("NewFS(file) = %v, want ENOTDIR", err)
	}
	if _, err := NewFS("/"); err != nil {
		t.Errorf("NewFS(/) = %v", err)
	}
}

func BenchmarkDefaultSize(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DefaultSize(); err != nil {
			b.Fatal(err)
		}
	}
}
