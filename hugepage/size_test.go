package hugepage

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"2M", 2 << 20}, {"2MiB", 2 << 20}, {"2MB", 2 << 20}, {"2m", 2 << 20}, {"1G", 1 << 30},
		{"1GiB", 1 << 30}, {"2048kB", 2 << 20}, {"2048K", 2 << 20}, {"64KiB", 64 << 10},
		{"2097152", 2 << 20}, {"4096B", 4096}, {"16T", 16 << 40},
	} {
		got, err := ParseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "M", "0", "0M", "3M", "2X", "2 M", "-2M", "2.5M", "99999999999999999999", "17179869184G"} {
		if got, err := ParseSize(in); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "\""+in+"\"") {
			t.Errorf("ParseSize(%q) = %d, %v; want fs.ErrInvalid naming the input", in, got, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, tc := range []struct {
		in   uint64
		want string
	}{{2 << 20, "2MiB"}, {1 << 30, "1GiB"}, {64 << 10, "64KiB"}, {1536, "1536B"}, {32 << 20, "32MiB"}, {3 << 40, "3TiB"}} {
		if got := FormatSize(tc.in); got != tc.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSizesFixtures(t *testing.T) {
	got, err := mustFS(t, "testdata/arm64").Sizes()
	if want := []uint64{64 << 10, 2 << 20, 32 << 20, 1 << 30}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Sizes() = %v, %v; want %v", got, err, want)
	}
	if _, err := mustFS(t, "testdata/nohugetlb").Sizes(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Sizes without hugetlb = %v", err)
	}
	err = mustFS(t, "testdata/x86").checkSize(4 << 20)
	var se *SizeError
	if !errors.As(err, &se) || !errors.Is(err, fs.ErrInvalid) || err.Error() != "huge page size 4MiB not supported by the kernel (it has 2MiB, 1GiB)" {
		t.Errorf("checkSize(4M) = %v", err)
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"2M", "1GiB", "2048kB", "", "x", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		back, err := ParseSize(FormatSize(n))
		if err != nil || back != n {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, n, FormatSize(n), back, err)
		}
	})
}
