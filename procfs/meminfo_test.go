package procfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// systemFixture reads testdata/name.
func systemFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// systemRoot builds a fake system root whose proc directory holds name ->
// content, and returns an FS on it.
func systemRoot(t testing.TB, files map[string]string) FS {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, "proc", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// seedSystemFixtures adds every testdata file starting with prefix to f's corpus.
func seedSystemFixtures(f *testing.F, prefix string) {
	names, err := filepath.Glob(filepath.Join("testdata", prefix+"*"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures %s*: %v", prefix, err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func TestParseMeminfoFixtures(t *testing.T) {
	const k = 1024
	tests := []struct {
		file    string
		check   func(t *testing.T, m Meminfo)
		has     []string
		missing []string
	}{
		{
			file: "meminfo-amd64-6.18",
			check: func(t *testing.T, m Meminfo) {
				want := Meminfo{
					MemTotal: 24684096 * k, MemFree: 23947836 * k, MemAvailable: 24317404 * k,
					Buffers: 9216 * k, Cached: 535356 * k, Active: 322636 * k, Inactive: 226856 * k,
					ActiveAnon: 1568 * k, InactiveAnon: 12144 * k, ActiveFile: 321068 * k, InactiveFile: 214712 * k,
					Unevictable: 20256 * k, Mlocked: 19276 * k, Dirty: 3068 * k, Writeback: 0 * k,
					AnonPages: 25304 * k, Mapped: 11132 * k, Shmem: 8788 * k, KReclaimable: 81824 * k,
					Slab: 106672 * k, SReclaimable: 81824 * k, SUnreclaim: 24848 * k, KernelStack: 1592 * k,
					PageTables: 2220 * k, CommitLimit: 12342048 * k, CommittedAS: 79320 * k,
					VmallocTotal: 34359738367 * k, VmallocUsed: 14380 * k, Percpu: 664 * k,
					Hugepagesize: 2048 * k, DirectMap4k: 28672 * k, DirectMap2M: 2068480 * k, DirectMap1G: 25165824 * k,
				}
				want.present = m.present
				if m != want {
					t.Errorf("got  %+v\nwant %+v", m, want)
				}
			},
			has:     []string{"MemAvailable", "Active(anon)", "HugePages_Total", "Balloon", "SecPageTables", "DirectMap1G", "NFS_Unstable", "Committed_AS"},
			missing: []string{"HighTotal", "ShadowCallStack", "CmaTotal", "Unaccepted", "DirectMap4M", "NoSuchKey", ""},
		},
		{
			file: "meminfo-2.6.32-nomemavailable",
			check: func(t *testing.T, m Meminfo) {
				if m.MemAvailable != 0 || m.Available() != (123456+12345+234567)*k {
					t.Errorf("MemAvailable %d, Available() %d", m.MemAvailable, m.Available())
				}
				if m.VmallocChunk != 34359609084*k || m.AnonHugePages != 176128*k {
					t.Errorf("VmallocChunk %d AnonHugePages %d", m.VmallocChunk, m.AnonHugePages)
				}
			},
			has:     []string{"MemTotal", "HardwareCorrupted", "DirectMap2M"},
			missing: []string{"MemAvailable", "KReclaimable", "Percpu", "Hugetlb", "DirectMap1G"},
		},
		{
			file: "meminfo-arm64-64k",
			check: func(t *testing.T, m Meminfo) {
				if m.HugePagesTotal != 4 || m.HugePagesFree != 3 || m.HugePagesRsvd != 1 || m.HugePagesSurp != 0 {
					t.Errorf("huge page counts %d %d %d %d", m.HugePagesTotal, m.HugePagesFree, m.HugePagesRsvd, m.HugePagesSurp)
				}
				if m.Hugepagesize != 512<<20 || m.Hugetlb != 2<<30 {
					t.Errorf("Hugepagesize %d Hugetlb %d", m.Hugepagesize, m.Hugetlb)
				}
				if m.ShadowCallStack != 5824*k || m.CmaTotal != 524288*k || m.CmaFree != 519168*k {
					t.Errorf("ShadowCallStack %d CmaTotal %d CmaFree %d", m.ShadowCallStack, m.CmaTotal, m.CmaFree)
				}
				if m.Available() != m.MemAvailable {
					t.Errorf("Available() %d != MemAvailable %d", m.Available(), m.MemAvailable)
				}
			},
			has:     []string{"ShadowCallStack", "Unaccepted", "HugePages_Surp"},
			missing: []string{"DirectMap4k", "Balloon"},
		},
		{
			file: "meminfo-huge-and-unknown",
			check: func(t *testing.T, m Meminfo) {
				if m.MemTotal != (1<<64-1)>>10<<10 || m.HugePagesTotal != 1<<64-1 {
					t.Errorf("MemTotal %d HugePagesTotal %d", m.MemTotal, m.HugePagesTotal)
				}
				if m.DirectMap4M != 32<<20 || m.DirectMap1G != 1024 {
					t.Errorf("DirectMap4M %d DirectMap1G %d", m.DirectMap4M, m.DirectMap1G)
				}
			},
			has:     []string{"MemTotal", "MemFree", "DirectMap4M"},
			missing: []string{"GPUActive", "SomeVendorCounter", "Quicklists", "MemAvailable"},
		},
		{
			file: "meminfo-truncated",
			check: func(t *testing.T, m Meminfo) {
				if m.MemTotal != 8000000*k || m.MemFree != 4000000*k || m.SwapTotal != 0 {
					t.Errorf("got %+v", m)
				}
			},
			has:     []string{"MemTotal", "MemFree"},
			missing: []string{"SwapTotal", "Buffers", "Cached"},
		},
		{
			file: "meminfo-s390",
			check: func(t *testing.T, m Meminfo) {
				if m.DirectMap1M != 4062208*k || m.DirectMap4k != 132096*k || m.Hugepagesize != 1<<20 {
					t.Errorf("got %+v", m)
				}
			},
			has:     []string{"DirectMap1M", "DirectMap2G"},
			missing: []string{"DirectMap2M"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := parseMeminfo(systemFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, m)
			for _, key := range tt.has {
				if !m.Has(key) {
					t.Errorf("Has(%q) = false", key)
				}
			}
			for _, key := range tt.missing {
				if m.Has(key) {
					t.Errorf("Has(%q) = true", key)
				}
			}
		})
	}
}

func TestParseMeminfoErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"MemTotal: 12 kB\nno colon here\n", errNoColon},
		{"MemTotal: x kB\n", strconv.ErrSyntax},
		{"MemTotal: -1 kB\n", strconv.ErrSyntax},
		{"MemTotal:\n", strconv.ErrSyntax},
		{"MemTotal: 18014398509481984 kB\n", strconv.ErrRange},
		{"HugePages_Total: 18446744073709551616\n", strconv.ErrRange},
		{"HugePages_Total: 12 kB\n", strconv.ErrSyntax},
	}
	for _, tt := range tests {
		_, err := parseMeminfo([]byte(tt.in))
		if !errors.Is(err, tt.want) {
			t.Errorf("parseMeminfo(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
	// Unknown keys are never parsed, so bad values there are fine, as are
	// blank lines and a missing final newline.
	m, err := parseMeminfo([]byte("\nFuture: ??\nMemFree: 1 kB"))
	if err != nil || m.MemFree != 1024 || !m.Has("MemFree") {
		t.Errorf("got %+v, %v", m, err)
	}
	if m, err := parseMeminfo(nil); err != nil || m.Has("MemTotal") {
		t.Errorf("empty: %+v, %v", m, err)
	}
}

func TestMeminfoRoot(t *testing.T) {
	fs := systemRoot(t, map[string]string{"meminfo": "MemTotal: 4 kB\nMemAvailable: 2 kB\n"})
	m, err := fs.Meminfo()
	if err != nil || m.MemTotal != 4096 || m.MemAvailable != 2048 {
		t.Fatalf("got %+v, %v", m, err)
	}
	fs = systemRoot(t, map[string]string{"meminfo": "MemTotal 4\n"})
	var pe *ParseError
	if _, err := fs.Meminfo(); !errors.As(err, &pe) || pe.Line != 1 || !strings.HasSuffix(pe.Path, "/proc/meminfo") {
		t.Errorf("bad file: %v", err)
	}
	fs = systemRoot(t, nil)
	if _, err := fs.Meminfo(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestMeminfoKernel compares /proc/meminfo with sysinfo(2), which reads the
// same counters (totalram_pages, totalswap).
func TestMeminfoKernel(t *testing.T) {
	m, err := Default().Meminfo()
	if err != nil {
		t.Fatal(err)
	}
	si, err := sys.GetSysinfo()
	if err != nil {
		t.Fatal(err)
	}
	// Equal unless memory was hot-plugged or ballooned between the reads.
	if d := int64(m.MemTotal) - int64(si.TotalRAM); d < -64<<20 || d > 64<<20 {
		t.Errorf("MemTotal %d, sysinfo totalram %d", m.MemTotal, si.TotalRAM)
	}
	if m.SwapTotal != si.TotalSwap {
		t.Errorf("SwapTotal %d, sysinfo totalswap %d", m.SwapTotal, si.TotalSwap)
	}
	if !m.Has("MemAvailable") || m.MemAvailable > m.MemTotal || m.MemFree > m.MemTotal || m.MemFree == 0 {
		t.Errorf("implausible: %+v", m)
	}
	if m.Hugepagesize == 0 || m.Hugepagesize%uint64(os.Getpagesize()) != 0 {
		t.Errorf("Hugepagesize %d", m.Hugepagesize)
	}
	if m.Active != m.ActiveAnon+m.ActiveFile {
		t.Errorf("Active %d != Active(anon) %d + Active(file) %d", m.Active, m.ActiveAnon, m.ActiveFile)
	}
}

func TestMeminfoAllocs(t *testing.T) {
	if systemRace {
		t.Skip("sync.Pool drops buffers under the race detector")
	}
	fs := Default()
	if _, err := fs.Meminfo(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { fs.Meminfo() }); n != 0 {
		t.Errorf("Meminfo allocates %v times per call", n)
	}
	b := systemFixture(t, "meminfo-amd64-6.18")
	if n := testing.AllocsPerRun(100, func() { parseMeminfo(b) }); n != 0 {
		t.Errorf("parseMeminfo allocates %v times per call", n)
	}
	var m Meminfo
	if n := testing.AllocsPerRun(100, func() { m.Has("Active(anon)") }); n != 0 {
		t.Errorf("Has allocates %v times per call", n)
	}
}

func FuzzParseMeminfo(f *testing.F) {
	seedSystemFixtures(f, "meminfo-")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMeminfo(b)
		want, werr := referenceParseMeminfo(b)
		if (err != nil) != (werr != nil) || m != want {
			t.Fatalf("parseMeminfo(%q) = %+v, %v\nreference     %+v, %v", b, m, err, want, werr)
		}
		if err == nil && !m.Has("MemTotal") && m.MemTotal != 0 {
			t.Errorf("MemTotal %d without a MemTotal line", m.MemTotal)
		}
	})
}

// referenceParseMeminfo is the obvious line-by-line parser that
// parseMeminfo's single pass must agree with.
func referenceParseMeminfo(b []byte) (Meminfo, error) {
	var v [meminfoN]uint64
	var m Meminfo
	for len(b) > 0 {
		var line []byte
		line, b = parse.Line(b)
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			if len(parse.Trim(line)) != 0 {
				return Meminfo{}, errNoColon
			}
			continue
		}
		i, ok := meminfoByName[string(key)]
		if !ok {
			continue
		}
		var x uint64
		var err error
		if meminfoKeys[i].count {
			x, err = parse.Uint(parse.Trim(val))
		} else {
			x, err = parse.KB(val)
		}
		if err != nil {
			return Meminfo{}, err
		}
		v[i] = x
		m.present[i/64] |= 1 << (i % 64)
	}
	m.fill(&v)
	return m, nil
}

func BenchmarkMeminfo(b *testing.B) {
	fs := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.Meminfo(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawMeminfo is the floor Meminfo is measured against: open, read
// to EOF and close /proc/meminfo with a reused buffer and no parsing.
func BenchmarkRawMeminfo(b *testing.B) {
	path := []byte("/proc/meminfo\x00")
	buf := make([]byte, 0, pseudofs.MinBuf)
	b.ReportAllocs()
	for b.Loop() {
		fd, err := sys.OpenatZ(sys.AT_FDCWD, path, sys.O_RDONLY)
		if err != nil {
			b.Fatal(err)
		}
		if buf, err = pseudofs.ReadAll(fd, buf); err != nil {
			b.Fatal(err)
		}
		sys.CloseRaw(fd)
	}
}

func BenchmarkParseMeminfo(b *testing.B) {
	in := systemFixture(b, "meminfo-amd64-6.18")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := parseMeminfo(in); err != nil {
			b.Fatal(err)
		}
	}
}
