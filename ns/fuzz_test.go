package ns

import "testing"

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
