package procfs

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const smapsEntry = `7f4b4de02000-7f4b4de06000 rw-s 00000000 00:01 24                         /dev/zero (deleted)
Size:                 16 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   2 kB
Pss_Dirty:             2 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  8 kB
SwapPss:               3 kB
Locked:                1 kB
THPeligible:           1
ProtectionKey:         3
NewCounter:         1234 kB
Weird_Line:   not a number
VmFlags: rd wr sh mr mw me ms sd zz sl ?? 
7f4b4de07000-7f4b4de08000 rw-p 00000000 fe:00 9985696                    /tmp/lx spaced file
Size:                  4 kB
Rss:                   4 kB
VmFlags: rd wr mr mw me ac 
`

func TestParseSmaps(t *testing.T) {
	ss, err := parseSmaps([]byte(smapsEntry))
	if err != nil {
		t.Fatal(err)
	}
	want := []Smap{{
		Mapping: Mapping{Start: 0x7f4b4de02000, End: 0x7f4b4de06000, Perms: PermRead | PermWrite | PermShared,
			Dev: Dev{0, 1}, Inode: 24, Path: "/dev/zero", Deleted: true},
		SmapsUsage: SmapsUsage{Rss: 4 << 10, Pss: 2 << 10, PssDirty: 2 << 10, SharedDirty: 4 << 10,
			Referenced: 4 << 10, Swap: 8 << 10, SwapPss: 3 << 10, Locked: 1 << 10},
		Size: 16 << 10, KernelPageSize: 4096, MMUPageSize: 4096,
		THPEligible: true, ProtectionKey: 3,
		VmFlags: VmRead | VmWrite | VmShared | VmMayRead | VmMayWrite | VmMayExec | VmMayShare | VmSoftDirty | VmSealed | VmUnknown,
	}, {
		Mapping: Mapping{Start: 0x7f4b4de07000, End: 0x7f4b4de08000, Perms: PermRead | PermWrite,
			Dev: Dev{0xfe, 0}, Inode: 9985696, Path: "/tmp/lx spaced file"},
		SmapsUsage: SmapsUsage{Rss: 4096},
		Size:       4096,
		VmFlags:    VmRead | VmWrite | VmMayRead | VmMayWrite | VmMayExec | VmAccount,
	}}
	if !reflect.DeepEqual(ss, want) {
		t.Errorf("parseSmaps\n got %+v\nwant %+v", ss, want)
	}
}

func TestParseSmapsErrors(t *testing.T) {
	for _, in := range []string{
		"Rss: 4 kB\n", // a counter before any header
		"7f4b4de07000-7f4b4de08000 rw-p 00000000 fe:00 1 /x\nRss: four kB\n",
		"7f4b4de07000-7f4b4de08000 rw-p 00000000 fe:00 1 /x\nSize: 1 MB\n",
		"7f4b4de07000-7f4b4de08000 rw-p 00000000 fe:00 1 /x\nTHPeligible: yes\n",
		"7f4b4de07000-7f4b4de08000 rw-p 00000000 fe:00 1 /x\nnot a header\n",
	} {
		if ss, err := parseSmaps([]byte(in)); err == nil {
			t.Errorf("parseSmaps(%q) = %+v, want error", in, ss)
		}
	}
	if ss, err := parseSmaps(nil); err != nil || len(ss) != 0 {
		t.Errorf("parseSmaps(nil) = %v, %v", ss, err)
	}
}

func TestVmFlags(t *testing.T) {
	all := VmFlags(1<<len(vmFlagNames) - 1)
	if got := parseVmFlags([]byte(all.String())); got != all {
		t.Errorf("VmFlags round trip: %v -> %v", all, got)
	}
	if s := (VmRead | VmWrite | VmMayRead).String(); s != "rd wr mr" {
		t.Errorf("String = %q", s)
	}
	if s := VmFlags(0).String(); s != "" {
		t.Errorf("empty String = %q", s)
	}
	if f := parseVmFlags([]byte("  rd\tex xyz r ")); f != VmRead|VmExec {
		t.Errorf("parseVmFlags = %v", f)
	}
}

func TestParseSmapsFixtures(t *testing.T) {
	for _, name := range fixtureNames(t, "smaps-") {
		b := fileFixture(t, name)
		ss, err := parseSmaps(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := strings.Count(string(b), "VmFlags:"); len(ss) != n {
			t.Errorf("%s: %d entries, want %d", name, len(ss), n)
		}
		for _, s := range ss {
			if s.Size != s.End-s.Start || s.KernelPageSize == 0 || s.Rss > s.Size || s.Pss > s.Rss {
				t.Errorf("%s: inconsistent entry %+v", name, s)
			}
			if s.Perms&PermRead != 0 && s.VmFlags&VmRead == 0 || s.Perms&PermShared != 0 && s.VmFlags&VmMayShare == 0 {
				t.Errorf("%s: perms %v but VmFlags %v", name, s.Perms, s.VmFlags)
			}
		}
	}
	ss, err := parseSmaps(fileFixture(t, "smaps-6.18-go-busy"))
	if err != nil {
		t.Fatal(err)
	}
	var sum SmapsUsage
	for _, s := range ss {
		sum.Rss += s.Rss
		sum.Anonymous += s.Anonymous
		sum.Locked += s.Locked
		if s.Path == "/tmp/lx map me (x)\nnl" && (!s.Deleted || s.Size != 8192 || s.Offset != 4096) {
			t.Errorf("deleted file entry: %+v", s)
		}
	}
	r, err := parseSmapsRollup(fileFixture(t, "smaps_rollup-6.18-go-busy"))
	if err != nil {
		t.Fatal(err)
	}
	// Taken a moment apart from a running Go program: close, not equal.
	if d := int64(sum.Rss) - int64(r.Rss); d < -1<<20 || d > 1<<20 {
		t.Errorf("smaps Rss sum %d vs rollup %d", sum.Rss, r.Rss)
	}
	if sum.Locked != 4096 || r.Locked != 4096 {
		t.Errorf("Locked: smaps %d rollup %d, want one page", sum.Locked, r.Locked)
	}
}

// TestSmapsChild reads the smaps and smaps_rollup of an idle child and
// checks them against its maps and each other.
func TestSmapsChild(t *testing.T) {
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	ms, err := p.Maps()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := p.Smaps()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != len(ms) {
		t.Fatalf("%d smaps entries, %d maps", len(ss), len(ms))
	}
	var sum SmapsUsage
	for i, s := range ss {
		if s.Mapping != ms[i] {
			t.Errorf("entry %d: %+v, maps says %+v", i, s.Mapping, ms[i])
		}
		if s.Size != s.End-s.Start || s.KernelPageSize == 0 || s.MMUPageSize == 0 {
			t.Errorf("entry %d sizes: %+v", i, s)
		}
		if s.Perms&PermRead != 0 && s.VmFlags&VmRead == 0 {
			t.Errorf("entry %d: perms %v, VmFlags %v", i, s.Perms, s.VmFlags)
		}
		sum.Rss += s.Rss
		sum.Pss += s.Pss
		sum.PrivateDirty += s.PrivateDirty
		sum.Anonymous += s.Anonymous
	}
	r, err := p.SmapsRollup()
	if err != nil {
		t.Fatal(err)
	}
	// sleep does not touch memory while it sleeps.
	if r.Rss != sum.Rss || r.PrivateDirty != sum.PrivateDirty || r.Anonymous != sum.Anonymous {
		t.Errorf("rollup %+v, sum of smaps %+v", r.SmapsUsage, sum)
	}
	// The rollup spans the process's own VMAs; maps also lists the
	// vsyscall gate page, which is not one.
	last := ms[len(ms)-1]
	if last.Path == "[vsyscall]" {
		last = ms[len(ms)-2]
	}
	if r.Start != ms[0].Start || r.End != last.End {
		t.Errorf("rollup range %x-%x, maps %x-%x", r.Start, r.End, ms[0].Start, last.End)
	}
	if r.PssAnon+r.PssFile+r.PssShmem > r.Pss+3<<10 || r.Pss == 0 {
		t.Errorf("rollup Pss %d, parts %d+%d+%d", r.Pss, r.PssAnon, r.PssFile, r.PssShmem)
	}
	var seq []Smap
	for s, err := range p.SmapsSeq() {
		if err != nil {
			t.Fatal(err)
		}
		seq = append(seq, s)
	}
	// The shares of pages that other processes also map (the C
	// library's) change when another process maps or unmaps them between
	// the two reads, and other tests start and end processes meanwhile:
	// those fields, and the referenced bits that reclaim may clear, are
	// left out of the comparison.
	unshared := func(ss []Smap) []Smap {
		out := slices.Clone(ss)
		for i := range out {
			u := &out[i].SmapsUsage
			u.Pss, u.PssDirty, u.SwapPss, u.Locked, u.Referenced = 0, 0, 0, 0, 0
			u.SharedClean, u.SharedDirty, u.PrivateClean, u.PrivateDirty = 0, 0, 0, 0
		}
		return out
	}
	if got, want := unshared(seq), unshared(ss); !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("SmapsSeq entry %d %+v, Smaps %+v", i, got[i], want[i])
			}
		}
		t.Errorf("SmapsSeq differs from Smaps: %d entries, %d", len(got), len(want))
	}
}

func FuzzParseSmaps(f *testing.F) {
	addFixtureSeeds(f, "smaps-")
	f.Add([]byte(smapsEntry))
	f.Fuzz(func(t *testing.T, b []byte) {
		ss, err := parseSmaps(b)
		if err != nil {
			return
		}
		for _, s := range ss {
			if got := parseVmFlags([]byte(s.VmFlags.String())); got != s.VmFlags {
				t.Errorf("VmFlags %v does not round-trip: %v", s.VmFlags, got)
			}
		}
	})
}

func BenchmarkParseSmaps(b *testing.B) {
	data := fileFixture(b, "smaps-6.18-go-busy")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		err := scanSmaps(data, func(Smap) bool { return true })
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSmapsSeq(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range p.SmapsSeq() {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
