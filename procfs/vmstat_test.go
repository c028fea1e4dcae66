package procfs

import (
	"errors"
	"os"
	"strconv"
	"testing"
)

func TestParseVMStatFixtures(t *testing.T) {
	var v VMStat
	b := systemFixture(t, "vmstat-amd64-6.18")
	if err := parseVMStat(b, &v); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for len(b) > 0 {
		var line []byte
		line, b, _ = vmstatCutLine(b)
		if len(line) > 0 {
			lines++
		}
	}
	if v.Len() != lines || lines < 100 {
		t.Errorf("Len %d, file has %d lines", v.Len(), lines)
	}
	for _, tt := range []struct {
		name  string
		field uint64
		scale uint64
	}{
		{"nr_free_pages", v.NrFreePages, 1},
		{"nr_dirty", v.NrDirty, 1},
		{"pgpgin", v.PgpgIn, 1024},
		{"pgpgout", v.PgpgOut, 1024},
		{"pgfault", v.PgFault, 1},
		{"pgmajfault", v.PgMajFault, 1},
		{"pswpin", v.PswpIn, 1},
		{"oom_kill", v.OOMKill, 1},
		{"pgsteal_direct", v.PgStealDirect, 1},
	} {
		raw, ok := v.Lookup(tt.name)
		if !ok || raw*tt.scale != tt.field {
			t.Errorf("Lookup(%q) = %d, %v; field %d", tt.name, raw, ok, tt.field)
		}
	}
	if v.PgFault == 0 || v.NrFreePages == 0 {
		t.Errorf("got %+v", v)
	}
	if _, ok := v.Lookup("no_such_counter"); ok {
		t.Error("Lookup of an unknown counter succeeded")
	}
	n := 0
	for name, val := range v.All() {
		if got, ok := v.Lookup(name); !ok || got != val {
			t.Errorf("All yields %s=%d, Lookup %d %v", name, val, got, ok)
		}
		n++
	}
	if n != v.Len() {
		t.Errorf("All yields %d, Len %d", n, v.Len())
	}

	// An older kernel: another layout, no oom_kill.
	var old VMStat
	if err := parseVMStat(systemFixture(t, "vmstat-4.9-nooomkill"), &old); err != nil {
		t.Fatal(err)
	}
	if _, ok := old.Lookup("oom_kill"); ok || old.OOMKill != 0 || old.Len() != 14 {
		t.Errorf("old: %+v", old)
	}
	if old.NrFreePages != 3000000 || old.PgpgIn != 1000<<10 || old.PgpgOut != 2000<<10 || old.PswpOut != 4 ||
		old.PgFault != 123456789 || old.PgScanDirect != 6 || old.PgStealKswapd != 7 {
		t.Errorf("old: %+v", old)
	}
	// The first VMStat keeps its own layout.
	if got, ok := v.Lookup("oom_kill"); !ok || got != v.OOMKill {
		t.Errorf("layout of the first read lost: %d %v", got, ok)
	}
	// Reparsing into old switches it back.
	if err := parseVMStat(systemFixture(t, "vmstat-amd64-6.18"), &old); err != nil || old.Len() != lines {
		t.Errorf("reparse: %d, %v", old.Len(), err)
	}
}

// vmstatCutLine is bytes.Cut at '\n'.
func vmstatCutLine(b []byte) (line, rest []byte, ok bool) {
	for i, c := range b {
		if c == '\n' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

func TestParseVMStatErrors(t *testing.T) {
	for _, in := range []string{
		"nr_free_pages\n",
		"nr_free_pages 1 2\n",
		"nr_free_pages x\n",
		"nr_free_pages -1\n",
		"nr_free_pages 18446744073709551616\n",
	} {
		var v VMStat
		if err := parseVMStat([]byte(in), &v); err == nil {
			t.Errorf("parseVMStat(%q) = %+v, want an error", in, v)
		}
	}
	var v VMStat
	if err := parseVMStat([]byte("a 1\n\nb 2\na 3"), &v); err != nil || v.Len() != 3 {
		t.Fatalf("duplicates: %d, %v", v.Len(), err)
	}
	if got, _ := v.Lookup("a"); got != 1 {
		t.Errorf("a duplicate name looks up %d, want the first", got)
	}
	var zero VMStat
	if _, ok := zero.Lookup("a"); ok || zero.Len() != 0 {
		t.Error("zero VMStat has counters")
	}
	for range zero.All() {
		t.Error("zero VMStat yields counters")
	}
}

func TestVMStatKernel(t *testing.T) {
	fs := Default()
	v, err := fs.VMStat()
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() < 50 || v.PgFault == 0 || v.NrFreePages == 0 {
		t.Errorf("implausible: %d counters, %+v", v.Len(), v)
	}
	raw, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		t.Fatal(err)
	}
	// Every counter of the file is there by name (a name may have
	// changed value between the reads; the set of names does not).
	for len(raw) > 0 {
		var line []byte
		line, raw, _ = vmstatCutLine(raw)
		name, _, _ := vmstatCutSpace(line)
		if _, ok := v.Lookup(name); !ok {
			t.Errorf("Lookup(%q) failed", name)
		}
	}
	before := v.PgFault
	if err := fs.VMStatInto(&v); err != nil {
		t.Fatal(err)
	}
	if v.PgFault < before {
		t.Errorf("pgfault went backwards: %d then %d", before, v.PgFault)
	}
	if _, err := systemRoot(t, nil).VMStat(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func vmstatCutSpace(b []byte) (string, string, bool) {
	for i, c := range b {
		if c == ' ' {
			return string(b[:i]), string(b[i+1:]), true
		}
	}
	return string(b), "", false
}

func TestVMStatAllocs(t *testing.T) {
	if systemRace {
		t.Skip("sync.Pool drops buffers under the race detector")
	}
	fs := Default()
	var v VMStat
	if err := fs.VMStatInto(&v); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(50, func() { fs.VMStatInto(&v) }); n != 0 {
		t.Errorf("VMStatInto allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(50, func() { v.Lookup("pgfault") }); n != 0 {
		t.Errorf("Lookup allocates %v times per call", n)
	}
}

func FuzzParseVMStat(f *testing.F) {
	seedSystemFixtures(f, "vmstat-")
	f.Add([]byte("pgpgin 18014398509481984\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v VMStat
		if err := parseVMStat(b, &v); err != nil {
			return
		}
		n := 0
		for name, val := range v.All() {
			if got, ok := v.Lookup(name); !ok {
				t.Errorf("All yields %q, Lookup fails", name)
			} else if n == v.layout.index[name] && got != val {
				t.Errorf("%s: Lookup %d, All %d", name, got, val)
			}
			n++
		}
		// Formatting the counters back gives a file that parses the same.
		var out []byte
		for name, val := range v.All() {
			out = append(append(append(append(out, name...), ' '), strconv.FormatUint(val, 10)...), '\n')
		}
		var w VMStat
		if err := parseVMStat(out, &w); err != nil || w.Len() != v.Len() || w.NrFreePages != v.NrFreePages || w.PgpgIn != v.PgpgIn {
			t.Errorf("round trip: %v\n%q", err, out)
		}
		// pgpgin and pgpgout are the KiB counters times 1024, exactly.
		for _, c := range []struct {
			name  string
			bytes uint64
		}{{"pgpgin", v.PgpgIn}, {"pgpgout", v.PgpgOut}} {
			if kib, ok := v.Lookup(c.name); ok && (kib > 1<<54-1 || c.bytes != kib<<10) {
				t.Errorf("%s %d KiB gave %d bytes", c.name, kib, c.bytes)
			}
		}
	})
}

func BenchmarkVMStatInto(b *testing.B) {
	fs := Default()
	var v VMStat
	b.ReportAllocs()
	for b.Loop() {
		if err := fs.VMStatInto(&v); err != nil {
			b.Fatal(err)
		}
	}
}
