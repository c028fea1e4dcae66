package ns

import (
	"slices"
	"testing"
)

func FuzzParseType(f *testing.F) {
	for _, s := range []string{"net", "pid_for_children", "time_for_children", "NET", "", "Type(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		typ, err := ParseType(in)
		if err != nil {
			if typ != 0 {
				t.Fatalf("ParseType(%q) = %d with error %v", in, typ, err)
			}
			return
		}
		if typ.String() != in {
			t.Fatalf("ParseType(%q) = %v, which prints differently", in, typ)
		}
		if typ.CloneFlag() == 0 || typ.Base().CloneFlag() != typ.CloneFlag() {
			t.Fatalf("%v: CloneFlag %v, Base %v", typ, typ.CloneFlag(), typ.Base())
		}
	})
}

func FuzzParseIDMap(f *testing.F) {
	for _, s := range []string{"0 1000 1\n", "         0          0 4294967295\n", "0 0 10\n10 5 1", "1 2", "", "0 0 1\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseIDMap(in)
		if err != nil {
			if m != nil {
				t.Fatalf("ParseIDMap(%q) = %v with error %v", in, m, err)
			}
			return
		}
		if len(m) > MaxIDMapEntries {
			t.Fatalf("ParseIDMap(%q) gave %d entries", in, len(m))
		}
		back, err := ParseIDMap(m.String())
		if err != nil || !slices.Equal(back, m) {
			t.Fatalf("%q: %v prints as %q, which parses as %v, %v", in, m, m.String(), back, err)
		}
	})
}

func FuzzParseTimeOffsets(f *testing.F) {
	for _, s := range []string{"monotonic 86400 0\nboottime -5 100\n", "1 2 0\n7 3 0", "boottime 1", "monotonic -9223372037 145224192"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		o, err := ParseTimeOffsets(in)
		if err != nil {
			if o != (TimeOffsets{}) {
				t.Fatalf("ParseTimeOffsets(%q) = %v with error %v", in, o, err)
			}
			return
		}
		back, err := ParseTimeOffsets(o.String())
		if err != nil || back != o {
			t.Fatalf("%q: %v prints as %q, which parses as %v, %v", in, o, o.String(), back, err)
		}
	})
}

func FuzzParseSetgroups(f *testing.F) {
	for _, s := range []string{"allow", "deny\n", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSetgroups(in)
		if err != nil {
			if s != 0 {
				t.Fatalf("ParseSetgroups(%q) = %v with error %v", in, s, err)
			}
			return
		}
		if back, err := ParseSetgroups(s.String()); err != nil || back != s {
			t.Fatalf("%q: %v prints as %q, which parses as %v, %v", in, s, s.String(), back, err)
		}
	})
}

func FuzzParseCloneFlags(f *testing.F) {
	for _, s := range []string{"0", "CLONE_NEWNS|CLONE_NEWPID", "CLONE_NEWNET|0x100", "0x101", "", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		flags, err := ParseCloneFlags(in)
		if err != nil {
			return
		}
		text, err := flags.MarshalText()
		if err != nil || string(text) != flags.String() {
			t.Fatalf("%#x: MarshalText %q, %v; String %q", uint64(flags), text, err, flags.String())
		}
		if back, err := ParseCloneFlags(flags.String()); err != nil || back != flags {
			t.Fatalf("ParseCloneFlags(%q) = %#x; its String %q parses to %#x, %v", in, uint64(flags), flags, uint64(back), err)
		}
	})
}
