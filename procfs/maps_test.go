package procfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// fileFixture reads testdata/name.
func fileFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureNames lists the testdata files whose names start with prefix.
func fixtureNames(t testing.TB, prefix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", prefix+"*"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no fixtures %s*: %v", prefix, err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// addFixtureSeeds adds every testdata file starting with prefix to a fuzz
// corpus.
func addFixtureSeeds(f *testing.F, prefix string) {
	for _, name := range fixtureNames(f, prefix) {
		f.Add(fileFixture(f, name))
	}
}

func TestParseMapsLine(t *testing.T) {
	tests := []struct {
		line    string
		want    Mapping
		wantErr bool
	}{
		{
			line: "00400000-004a2000 r-xp 00000000 fe:00 9985753                            /tmp/busy/busy",
			want: Mapping{Start: 0x400000, End: 0x4a2000, Perms: PermRead | PermExec, Dev: Dev{0xfe, 0}, Inode: 9985753, Path: "/tmp/busy/busy"},
		},
		{
			line: "0058b000-005c1000 rw-p 00000000 00:00 0 ",
			want: Mapping{Start: 0x58b000, End: 0x5c1000, Perms: PermRead | PermWrite},
		},
		{
			line: "7f4b4de02000-7f4b4de06000 rw-s 00000000 00:01 24                         /dev/zero (deleted)",
			want: Mapping{Start: 0x7f4b4de02000, End: 0x7f4b4de06000, Perms: PermRead | PermWrite | PermShared, Dev: Dev{0, 1}, Inode: 24, Path: "/dev/zero", Deleted: true},
		},
		{
			line: `7f4b4de08000-7f4b4de0a000 r--s 00001000 fe:00 9985695                    /tmp/lx map me (x)\012nl (deleted)`,
			want: Mapping{Start: 0x7f4b4de08000, End: 0x7f4b4de0a000, Perms: PermRead | PermShared, Offset: 0x1000, Dev: Dev{0xfe, 0}, Inode: 9985695, Path: "/tmp/lx map me (x)\nnl", Deleted: true},
		},
		{
			// A trailing space belongs to the file name.
			line: "7f0000000000-7f0000001000 r--p 00000000 fe:00 12   /tmp/name with trailing space ",
			want: Mapping{Start: 0x7f0000000000, End: 0x7f0000001000, Perms: PermRead, Dev: Dev{0xfe, 0}, Inode: 12, Path: "/tmp/name with trailing space "},
		},
		{
			line: "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
			want: Mapping{Start: 0xffffffffff600000, End: 0xffffffffff601000, Perms: PermExec, Path: "[vsyscall]"},
		},
		{
			line: "7f1a2c000000-7f1a2c021000 rw-p 00000000 00:00 0                          [anon:dalvik heap]",
			want: Mapping{Start: 0x7f1a2c000000, End: 0x7f1a2c021000, Perms: PermRead | PermWrite, Path: "[anon:dalvik heap]"},
		},
		{
			// 32-bit layout: 8-digit addresses, major:minor above 0xff.
			line: "08048000-08056000 r-xp 00000000 103:02 1234 /bin/true",
			want: Mapping{Start: 0x08048000, End: 0x08056000, Perms: PermRead | PermExec, Dev: Dev{0x103, 2}, Inode: 1234, Path: "/bin/true"},
		},
		{line: "", wantErr: true},
		{line: "00400000 r-xp 00000000 fe:00 1", wantErr: true},
		{line: "00400000-004a2000 r-xq 00000000 fe:00 1", wantErr: true},
		{line: "00400000-004a2000 r-x 00000000 fe:00 1", wantErr: true},
		{line: "00400000-004a2000 r-xp 0000000g fe:00 1", wantErr: true},
		{line: "00400000-004a2000 r-xp 00000000 fe00 1", wantErr: true},
		{line: "00400000-004a2000 r-xp 00000000 fe:00 x", wantErr: true},
		{line: "00400000-004a2000 r-xp 00000000 fe:00", wantErr: true},
		{line: "10000000000000000-1 r-xp 00000000 fe:00 1", wantErr: true},
	}
	for _, tt := range tests {
		ms, err := parseMaps([]byte(tt.line + "\n"))
		if tt.wantErr {
			if err == nil {
				t.Errorf("parseMaps(%q) = %+v, want error", tt.line, ms)
			}
			continue
		}
		if err != nil || len(ms) != 1 {
			t.Errorf("parseMaps(%q) = %v, %v", tt.line, ms, err)
			continue
		}
		if ms[0] != tt.want {
			t.Errorf("parseMaps(%q)\n got %+v\nwant %+v", tt.line, ms[0], tt.want)
		}
	}
}

func TestPerms(t *testing.T) {
	for _, s := range []string{"---p", "r--p", "rw-p", "r-xp", "rwxs", "--xs", "-w-p"} {
		p, err := parsePerms([]byte(s))
		if err != nil || p.String() != s {
			t.Errorf("parsePerms(%q) = %v (%v), want round trip", s, p, err)
		}
	}
	for _, s := range []string{"", "rwx", "rwxpp", "xwrp", "r-xS", "----"} {
		if p, err := parsePerms([]byte(s)); err == nil {
			t.Errorf("parsePerms(%q) = %v, want error", s, p)
		}
	}
}

func TestMappingHelpers(t *testing.T) {
	m := Mapping{Start: 0x1000, End: 0x3000, Path: "[anon:my name]"}
	if m.Size() != 0x2000 || !m.Pseudo() {
		t.Errorf("Size/Pseudo of %+v", m)
	}
	if n, ok := m.AnonName(); !ok || n != "my name" {
		t.Errorf("AnonName = %q, %v", n, ok)
	}
	if n, ok := (Mapping{Path: "[anon_shmem:x]"}).AnonName(); !ok || n != "x" {
		t.Errorf("AnonName(anon_shmem) = %q, %v", n, ok)
	}
	for _, p := range []string{"", "[heap]", "/tmp/[anon:x]", "[anon:x"} {
		if _, ok := (Mapping{Path: p}).AnonName(); ok {
			t.Errorf("AnonName(%q) ok", p)
		}
	}
	if (Mapping{Path: "/lib/x.so"}).Pseudo() || (Mapping{}).Pseudo() {
		t.Error("Pseudo true for a file or anonymous memory")
	}
	if got := (Dev{Major: 254, Minor: 1}).String(); got != "254:1" {
		t.Errorf("Dev.String = %q", got)
	}
}

func TestParseMapsFixtures(t *testing.T) {
	for _, name := range fixtureNames(t, "maps-") {
		b := fileFixture(t, name)
		ms, err := parseMaps(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := bytes.Count(b, []byte{'\n'}); len(ms) != want {
			t.Errorf("%s: %d mappings, want %d", name, len(ms), want)
		}
		for i, m := range ms {
			if m.End <= m.Start || i > 0 && m.Start < ms[i-1].End {
				t.Errorf("%s: mapping %d %x-%x out of order", name, i, m.Start, m.End)
			}
		}
	}
	ms, err := parseMaps(fileFixture(t, "maps-6.18-go-busy"))
	if err != nil {
		t.Fatal(err)
	}
	var found int
	for _, m := range ms {
		switch m.Path {
		case "/tmp/lx map me (x)\nnl":
			found++
			if !m.Deleted || m.Offset != 4096 || m.Perms != PermRead|PermShared {
				t.Errorf("deleted file mapping: %+v", m)
			}
		case "/tmp/lx spaced file":
			found++
			if m.Deleted || m.Inode != 9985696 {
				t.Errorf("spaced file mapping: %+v", m)
			}
		case "[vvar_vclock]", "[stack]", "[vsyscall]", "[vdso]":
			found++
		}
	}
	if found != 6 {
		t.Errorf("found %d of the 6 expected special mappings", found)
	}
	if ms[0].Path != "/tmp/busy/busy" || ms[1].Path != ms[0].Path {
		t.Errorf("paths %q %q", ms[0].Path, ms[1].Path)
	}

	ms, err = parseMaps(fileFixture(t, "maps-anon-names"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		if n, ok := m.AnonName(); ok {
			names = append(names, n)
		}
	}
	want := []string{"dalvik-main space (region space)", "dalvik-/system/framework/boot.art", "scudo:primary", "ring buffer", ".bss"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("anon names %q, want %q", names, want)
	}
	if m := ms[5]; m.Path != "/memfd:jit-cache" || !m.Deleted || m.Pseudo() {
		t.Errorf("memfd mapping %+v", m)
	}
	if m := ms[6]; m.Path != "anon_inode:[io_uring]" || m.Pseudo() || m.Perms != PermRead|PermWrite|PermShared {
		t.Errorf("io_uring mapping %+v", m)
	}
	if ms[8].Path != "/system/lib64/lib with spaces.so" || ms[9].Offset != 0x1000 {
		t.Errorf("library mappings %+v %+v", ms[8], ms[9])
	}
}

// TestPathStringReuse checks that consecutive mappings of one file share
// the previous Path instead of allocating.
func TestPathStringReuse(t *testing.T) {
	prev := "/usr/lib/x86_64-linux-gnu/libc.so.6"
	raw := []byte(prev)
	if n := testing.AllocsPerRun(100, func() { _ = pathString(prev, raw) }); n != 0 {
		t.Errorf("pathString of the previous path allocates %v times", n)
	}
	if got := pathString("", []byte(`/tmp/a\012b\012`)); got != "/tmp/a\nb\n" {
		t.Errorf("pathString unescape = %q", got)
	}
	if got := pathString("", []byte(`/tmp/a\b\01`)); got != `/tmp/a\b\01` {
		t.Errorf("pathString keeps other backslashes: %q", got)
	}
}

// TestMapsRealFile maps a file whose name has spaces, a newline and a
// trailing space, then unlinks it, and finds it in /proc/self/maps.
func TestMapsRealFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lx map me (x)\nsecond line ")
	if err := os.WriteFile(path, make([]byte, 3*4096), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	ino := st.Sys().(*syscall.Stat_t).Ino
	conn, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var mem []byte
	var merr error
	conn.Control(func(fd uintptr) {
		mem, merr = syscall.Mmap(int(fd), 4096, 8192, syscall.PROT_READ, syscall.MAP_SHARED)
	})
	f.Close()
	if merr != nil {
		t.Fatal(merr)
	}
	defer syscall.Munmap(mem)

	self := Default().Self()
	find := func() Mapping {
		t.Helper()
		ms, err := self.Maps()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Inode == ino {
				return m
			}
		}
		t.Fatalf("inode %d not in /proc/self/maps", ino)
		return Mapping{}
	}
	m := find()
	if m.Path != path || m.Deleted || m.Offset != 4096 || m.Size() != 8192 || m.Perms != PermRead|PermShared {
		t.Errorf("mapping = %+v, want path %q offset 4096 size 8192 r--s", m, path)
	}
	if want := devOf(uint64(st.Sys().(*syscall.Stat_t).Dev)); m.Dev != want {
		t.Errorf("Dev = %v, want %v (st_dev)", m.Dev, want)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	m = find()
	if m.Path != path || !m.Deleted {
		t.Errorf("after unlink: %+v, want path %q deleted", m, path)
	}
}

func TestMapsSeqMatchesMaps(t *testing.T) {
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	all, err := p.Maps()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 5 {
		t.Fatalf("only %d mappings for sleep", len(all))
	}
	var seq []Mapping
	for m, err := range p.MapsSeq() {
		if err != nil {
			t.Fatal(err)
		}
		seq = append(seq, m)
	}
	if !reflect.DeepEqual(all, seq) {
		t.Errorf("MapsSeq differs from Maps")
	}
	// Early break stops without an error.
	n := 0
	for _, err := range p.MapsSeq() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break
		}
	}
	raw, err := os.ReadFile(p.Dir() + "/maps")
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Count(raw, []byte{'\n'}); len(all) != want {
		t.Errorf("%d mappings, file has %d lines", len(all), want)
	}
	var stack bool
	for _, m := range all {
		stack = stack || m.Path == "[stack]"
	}
	if !stack {
		t.Error("no [stack] mapping")
	}
}

func TestMapsGone(t *testing.T) {
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	child.Process.Kill()
	child.Wait()
	_, err := p.Maps()
	if err == nil || !strings.Contains(err.Error(), "/maps") {
		t.Fatalf("Maps of a reaped process: %v", err)
	}
	if !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Maps of a reaped process: %v does not match os.ErrProcessDone", err)
	}
}

func FuzzParseMaps(f *testing.F) {
	addFixtureSeeds(f, "maps-")
	f.Add([]byte("0-1 rwxs 0 0:0 0 [anon:x] (deleted)\n\n"))
	f.Add([]byte(`1-2 ---p ffffffffffffffff ffffffff:ffffffff 18446744073709551615 /a\012\01`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := parseMaps(b)
		if err != nil {
			return
		}
		for _, m := range ms {
			if p, err := parsePerms([]byte(m.Perms.String())); err != nil || p != m.Perms {
				t.Errorf("Perms %v does not round-trip", m.Perms)
			}
		}
	})
}

func BenchmarkMaps(b *testing.B) {
	p := Default().Self()
	b.Run("slice", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Maps(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("seq", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, err := range p.MapsSeq() {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func BenchmarkParseMaps(b *testing.B) {
	data := fileFixture(b, "maps-6.18-go-busy")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseMaps(data); err != nil {
			b.Fatal(err)
		}
	}
}

// devOf splits a userspace dev_t (glibc's encoding) into major and minor.
func devOf(d uint64) Dev {
	return Dev{
		Major: uint32((d>>8)&0xfff | (d>>32)&^0xfff),
		Minor: uint32(d&0xff | (d>>12)&^0xff),
	}
}
