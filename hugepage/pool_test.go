package hugepage

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseDirName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		size uint64
		ok   bool
	}{
		{"hugepages-2048kB", 2 << 20, true},
		{"hugepages-1048576kB", 1 << 30, true},
		{"hugepages-64kB", 64 << 10, true},
		{"hugepages-16777216kB", 16 << 30, true},
		{"hugepages-0kB", 0, false},
		{"hugepages-kB", 0, false},
		{"hugepages-2048", 0, false},
		{"hugepages-2048KB", 0, false},
		{"hugepages--2048kB", 0, false},
		{"hugepages-18014398509481984kB", 0, false}, // 2^54 kB overflows bytes
		{"README", 0, false},
		{"", 0, false},
	} {
		size, ok := parseDirName(tc.in)
		if size != tc.size || ok != tc.ok {
			t.Errorf("parseDirName(%q) = %d, %v; want %d, %v", tc.in, size, ok, tc.size, tc.ok)
		}
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		err  bool
	}{
		{"0\n", 0, false}, {"16\n", 16, false}, {"18446744073709551615\n", 1<<64 - 1, false},
		{"", 0, true}, {"\n", 0, true}, {"-1\n", 0, true}, {"lots\n", 0, true},
	} {
		got, err := parseCount([]byte(tc.in))
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("parseCount(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestPoolsFixtures(t *testing.T) {
	for _, tc := range []struct {
		root string
		want []Pool
	}{
		{"x86", []Pool{
			{Size: 2 << 20, Total: 16, Free: 12, Reserved: 2, Surplus: 1, Overcommit: 4},
			{Size: 1 << 30, Total: 1, Free: 1},
		}},
		{"arm64", []Pool{
			{Size: 64 << 10},
			{Size: 2 << 20, Total: 128, Free: 100, Reserved: 10},
			{Size: 32 << 20, Total: 3, Free: 3},
			{Size: 1 << 30, Total: 2},
		}},
	} {
		got, err := mustFS(t, "testdata/"+tc.root).Pools()
		if err != nil {
			t.Fatalf("%s: %v", tc.root, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Pools() =\n%+v\nwant\n%+v", tc.root, got, tc.want)
		}
	}
}

func TestPoolsErrors(t *testing.T) {
	_, err := mustFS(t, "testdata/nohugetlb").Pools()
	if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Pools without hugetlb = %v, want ErrUnsupported and ErrNotExist", err)
	}
	_, err = mustFS(t, "testdata/bad").Pools()
	if !errors.Is(err, strconv.ErrSyntax) || !strings.Contains(err.Error(), "hugepages-2048kB") {
		t.Errorf("Pools with a malformed count = %v, want ErrSyntax naming the pool", err)
	}
	_, err = mustFS(t, "testdata/missingfile").Pools()
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Pools with a missing file = %v, want ErrNotExist only", err)
	}
}

func TestPersistent(t *testing.T) {
	for _, tc := range []struct {
		p    Pool
		want uint64
	}{
		{Pool{Total: 16, Surplus: 1}, 15}, {Pool{Total: 0}, 0}, {Pool{Total: 1, Surplus: 3}, 0},
	} {
		if got := tc.p.Persistent(); got != tc.want {
			t.Errorf("%+v.Persistent() = %d, want %d", tc.p, got, tc.want)
		}
	}
}

// TestPoolsLive compares Pools with the host's sysfs directory read by the
// test itself, and the default pool with /proc/meminfo's HugePages_ lines.
func TestPoolsLive(t *testing.T) {
	entries, err := os.ReadDir("/sys/kernel/mm/hugepages")
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := Pools(); !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("no hugepages dir, but Pools() = %v", err)
		}
		t.Skip("kernel without hugetlb")
	}
	if err != nil {
		t.Fatal(err)
	}
	pools, err := Pools()
	if err != nil {
		t.Fatal(err)
	}
	if len(pools) != len(entries) {
		t.Fatalf("%d pools, %d directories", len(pools), len(entries))
	}
	for i, p := range pools {
		if i > 0 && pools[i-1].Size >= p.Size {
			t.Errorf("pools not sorted by size: %+v", pools)
		}
		dir := "/sys/kernel/mm/hugepages/hugepages-" + strconv.FormatUint(p.Size>>10, 10) + "kB/"
		b, err := os.ReadFile(dir + "nr_overcommit_hugepages")
		if err != nil {
			t.Fatalf("pool %d has no directory: %v", p.Size, err)
		}
		if got := strings.TrimSpace(string(b)); got != strconv.FormatUint(p.Overcommit, 10) {
			t.Errorf("pool %d: Overcommit %d, file %s", p.Size, p.Overcommit, got)
		}
		if p.Free > p.Total || p.Reserved > p.Free || p.Surplus > p.Total {
			t.Errorf("pool %d: inconsistent counts %+v", p.Size, p)
		}
	}
	size, err := DefaultSize()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range pools {
		found = found || p.Size == size
	}
	if !found {
		t.Errorf("default size %d has no pool in %+v", size, pools)
	}
}

func BenchmarkPools(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Pools(); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseDirName(f *testing.F) {
	for _, s := range []string{"hugepages-2048kB", "hugepages-1048576kB", "hugepages-kB", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		size, ok := parseDirName(name)
		if !ok {
			return
		}
		if size == 0 || size%1024 != 0 {
			t.Fatalf("parseDirName(%q) = %d", name, size)
		}
		// Round trip through the kernel's spelling (leading zeros are
		// accepted but not reproduced, so compare values).
		back, ok := parseDirName("hugepages-" + strconv.FormatUint(size>>10, 10) + "kB")
		if !ok || back != size {
			t.Fatalf("round trip of %q: %d, %v", name, back, ok)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"0\n", "16\n", "", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseCount(b)
		if err != nil {
			return
		}
		back, err := parseCount([]byte(strconv.FormatUint(n, 10) + "\n"))
		if err != nil || back != n {
			t.Fatalf("round trip of %q: %d, %v", b, back, err)
		}
	})
}
