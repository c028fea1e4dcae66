package cpu

import (
	"errors"
	"io/fs"
	"testing"
)

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0\n", 0, true}, {"17", 17, true}, {"-1\n", -1, true}, {"2147483647\n", 2147483647, true},
		{"2147483648\n", 0, false}, {"-2", 0, false}, {"", 0, false}, {"\n", 0, false},
		{"1 2", 0, false}, {"+1", 0, false}, {"0x1", 0, false}, {"99999999999999999999999", 0, false},
	} {
		got, err := parseID([]byte(tc.in))
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("parseID(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("parseID(%q) error %v does not match fs.ErrInvalid", tc.in, err)
		}
	}
}

func TestParseCacheSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"48K\n", 48 << 10, true}, {"307200K\n", 307200 << 10, true}, {"2M", 2 << 20, true}, {"1G", 1 << 30, true},
		{"512", 512, true}, {"K", 0, false}, {"", 0, false}, {"4k", 0, false}, {"-4K", 0, false},
		{"18014398509481983K", 18014398509481983 << 10, true}, {"18014398509481984K", 0, false},
	} {
		got, err := parseCacheSize([]byte(tc.in))
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("parseCacheSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseCacheType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want CacheType
		ok   bool
	}{
		{"Data\n", CacheData, true}, {"Instruction", CacheInstruction, true}, {"Unified\n", CacheUnified, true},
		{"Trace", "Trace", true}, {"", "", false}, {"\n", "", false}, {"Da ta", "", false}, {"a\x00", "", false},
	} {
		got, err := ParseCacheType(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ParseCacheType(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	var ct CacheType
	if err := ct.UnmarshalText([]byte("Unified")); err != nil || ct != CacheUnified {
		t.Errorf("UnmarshalText = %q, %v", ct, err)
	}
	if b, _ := CacheData.MarshalText(); string(b) != "Data" {
		t.Errorf("MarshalText = %q", b)
	}
	for _, tc := range []struct {
		c    Cache
		name string
	}{
		{Cache{Level: 1, Type: CacheData}, "L1d"}, {Cache{Level: 1, Type: CacheInstruction}, "L1i"},
		{Cache{Level: 3, Type: CacheUnified}, "L3"}, {Cache{Level: 4, Type: "Trace"}, "L4"},
	} {
		if got := tc.c.Name(); got != tc.name {
			t.Errorf("%+v.Name() = %q, want %q", tc.c, got, tc.name)
		}
	}
}

func TestParseSMTControl(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    SMTControl
		threads int
		ok      bool
	}{
		{"on\n", SMTOn, 0, true}, {"off", SMTOff, 0, true}, {"forceoff\n", SMTForceOff, 0, true},
		{"notsupported\n", SMTNotSupported, 0, true}, {"notimplemented", SMTNotImplemented, 0, true},
		{"4\n", SMTOn, 4, true}, {"0", "", 0, false}, {"", "", 0, false}, {"o n", "", 0, false},
		{"newword", "newword", 0, true}, {"99999999999", "", 0, false},
	} {
		got, n, err := ParseSMTControl(tc.in)
		if tc.ok != (err == nil) || got != tc.want || n != tc.threads {
			t.Errorf("ParseSMTControl(%q) = %q, %d, %v; want %q, %d, ok %v", tc.in, got, n, err, tc.want, tc.threads, tc.ok)
		}
	}
	var c SMTControl
	if err := c.UnmarshalText([]byte("4")); err == nil {
		t.Error("UnmarshalText(4) succeeded: a thread count is not a control word")
	}
	if err := c.UnmarshalText([]byte("forceoff")); err != nil || c != SMTForceOff {
		t.Errorf("UnmarshalText(forceoff) = %q, %v", c, err)
	}
}

func TestMethodText(t *testing.T) {
	for _, m := range []Method{MethodRDPID, MethodRDTSCP, MethodGetcpu} {
		b, err := m.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Method
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("%v: UnmarshalText(%q) = %v, %v", uint8(m), b, back, err)
		}
	}
	if s := Method(9).String(); s != "9" {
		t.Errorf("Method(9) = %q", s)
	}
	if _, err := ParseMethod("vdso"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ParseMethod(vdso) = %v, want fs.ErrInvalid", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0\n", "-1\n", "2147483647", "x", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parseID(b)
		if err == nil && v < -1 {
			t.Errorf("parseID(%q) = %d", b, v)
		}
	})
}

func FuzzParseCacheSize(f *testing.F) {
	for _, s := range []string{"48K\n", "2M", "1", "K"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		parseCacheSize(b)
	})
}

func FuzzParseCacheType(f *testing.F) {
	for _, s := range []string{"Data\n", "Instruction", "Unified", "x y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCacheType(s)
		if err != nil {
			return
		}
		// Round trip: the text form parses back to the same value.
		b, _ := c.MarshalText()
		back, err := ParseCacheType(b)
		if err != nil || back != c {
			t.Errorf("ParseCacheType(%q) = %q; its text %q parses as %q, %v", s, c, b, back, err)
		}
	})
}

func FuzzParseSMTControl(f *testing.F) {
	for _, s := range []string{"on\n", "forceoff", "4", "0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, n, err := ParseSMTControl(s)
		if err != nil {
			return
		}
		if n != 0 {
			if c != SMTOn || n < 1 {
				t.Errorf("ParseSMTControl(%q) = %q, %d", s, c, n)
			}
			return
		}
		var back SMTControl
		if err := back.UnmarshalText([]byte(c.String())); err != nil || back != c {
			t.Errorf("ParseSMTControl(%q) = %q; its text parses as %q, %v", s, c, back, err)
		}
	})
}

// TestParseAllocs: the parsers of the topology's hot path allocate
// nothing on valid input.
func TestParseAllocs(t *testing.T) {
	id, size, typ, smt := []byte("17\n"), []byte("48K\n"), []byte("Unified\n"), []byte("forceoff\n")
	if n := testing.AllocsPerRun(100, func() {
		parseID(id)
		parseCacheSize(size)
		ParseCacheType(typ)
		ParseSMTControl(smt)
		ParseCacheType("Data")
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

func BenchmarkParseID(b *testing.B) {
	in := []byte("12345\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseID(in); err != nil {
			b.Fatal(err)
		}
	}
}
