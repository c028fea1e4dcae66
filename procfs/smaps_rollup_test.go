package procfs

import (
	"errors"
	"os"
	"testing"
)

func TestParseSmapsRollup(t *testing.T) {
	in := `55bcd9ad3000-7ffc37987000 ---p 00000000 00:00 0                          [rollup]
Rss:                1600 kB
Pss:                 277 kB
Pss_Dirty:           112 kB
Pss_Anon:            112 kB
Pss_File:            165 kB
Pss_Shmem:             0 kB
Shared_Clean:       1472 kB
Shared_Dirty:          0 kB
Private_Clean:        16 kB
Private_Dirty:       112 kB
Referenced:         1600 kB
Anonymous:           112 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
Future_Counter:       99 kB
`
	got, err := parseSmapsRollup([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := SmapsRollup{Start: 0x55bcd9ad3000, End: 0x7ffc37987000, SmapsUsage: SmapsUsage{
		Rss: 1600 << 10, Pss: 277 << 10, PssDirty: 112 << 10, PssAnon: 112 << 10, PssFile: 165 << 10,
		SharedClean: 1472 << 10, PrivateClean: 16 << 10, PrivateDirty: 112 << 10,
		Referenced: 1600 << 10, Anonymous: 112 << 10,
	}}
	if got != want {
		t.Errorf("parseSmapsRollup\n got %+v\nwant %+v", got, want)
	}
	// A process without user memory has an empty file (before Linux 6.x).
	if r, err := parseSmapsRollup(nil); err != nil || r != (SmapsRollup{}) {
		t.Errorf("parseSmapsRollup of an empty file = %+v, %v", r, err)
	}
	for _, bad := range []string{"\n", "x-y ---p 0 0:0 0 [rollup]\n", "0-1 ---p 0 0:0 0 [rollup]\nRss 1 kB\n", "0-1 ---p 0 0:0 0 [rollup]\nRss: -1 kB\n"} {
		if r, err := parseSmapsRollup([]byte(bad)); err == nil {
			t.Errorf("parseSmapsRollup(%q) = %+v, want error", bad, r)
		}
	}
}

func TestParseSmapsRollupFixtures(t *testing.T) {
	for _, name := range fixtureNames(t, "smaps_rollup-") {
		r, err := parseSmapsRollup(fileFixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.Rss == 0 || r.Pss > r.Rss || r.End <= r.Start {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

func TestSmapsRollupSelf(t *testing.T) {
	r, err := Default().Self().SmapsRollup()
	if err != nil {
		t.Fatal(err)
	}
	if r.Rss < 1<<20 || r.Anonymous == 0 {
		t.Errorf("rollup of a Go test binary: %+v", r)
	}
	// Another user's process, or init, may be off limits; the error must
	// say so, not be a parse error.
	_, err = mustProc(t, Default(), 1).SmapsRollup()
	if err != nil && !errors.Is(err, os.ErrPermission) {
		t.Errorf("SmapsRollup(1): %v", err)
	}
}

func FuzzParseSmapsRollup(f *testing.F) {
	addFixtureSeeds(f, "smaps_rollup-")
	f.Fuzz(func(t *testing.T, b []byte) {
		parseSmapsRollup(b)
	})
}

func BenchmarkSmapsRollup(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.SmapsRollup(); err != nil {
			b.Fatal(err)
		}
	}
}
