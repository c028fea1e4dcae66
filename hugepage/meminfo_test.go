package hugepage

import (
	"errors"
	"os"
	"strconv"
	"testing"
)

func TestParseDefaultSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		err  error
	}{
		{"MemTotal: 1 kB\nHugepagesize:       2048 kB\nHugetlb: 0 kB\n", 2 << 20, nil},
		{"Hugepagesize:    1048576 kB", 1 << 30, nil},
		{"Hugepagesize:\t64 kB\n", 64 << 10, nil},
		{"MemTotal: 1 kB\n", 0, errNoDefaultSize},
		{"", 0, errNoDefaultSize},
		{"Hugepagesizes: 2048 kB\n", 0, errNoDefaultSize},
		{"Hugepagesize: two kB\n", 0, strconv.ErrSyntax},
	} {
		got, err := parseDefaultSize([]byte(tc.in))
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("parseDefaultSize(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestDefaultSizeFixtures(t *testing.T) {
	for _, tc := range []struct {
		root string
		want uint64
	}{{"x86", 2 << 20}, {"arm64", 2 << 20}} {
		got, err := NewFS(&Options{Root: "testdata/" + tc.root}).DefaultSize()
		if err != nil || got != tc.want {
			t.Errorf("%s: DefaultSize() = %d, %v; want %d", tc.root, got, err, tc.want)
		}
	}
	if _, err := NewFS(&Options{Root: "testdata/nohugetlb"}).DefaultSize(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DefaultSize without hugetlb = %v, want ErrUnsupported", err)
	}
	if _, err := NewFS(&Options{Root: "testdata/bad"}).DefaultSize(); !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("DefaultSize with a bad line = %v, want ErrSyntax", err)
	}
	if _, err := NewFS(&Options{Root: "testdata/missing"}).DefaultSize(); !errors.Is(err, os.ErrNotExist) || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DefaultSize without meminfo = %v, want ErrNotExist only", err)
	}
	if _, err := NewFS(&Options{Proc: "testdata/x86/proc"}).DefaultSize(); err != nil {
		t.Errorf("DefaultSize with Options.Proc: %v", err)
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

func FuzzParseDefaultSize(f *testing.F) {
	for _, s := range []string{"Hugepagesize: 2048 kB\n", "MemTotal: 1 kB\n", "Hugepagesize:"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		size, err := parseDefaultSize(b)
		if err != nil {
			return
		}
		if size%1024 != 0 {
			t.Fatalf("parseDefaultSize(%q) = %d, not whole kB", b, size)
		}
	})
}
