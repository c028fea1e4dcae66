package capability

import (
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"cap_sys_admin", "CAP_KILL", "0x15", "025", "63", "64", "cap_", "all", "08"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(in)
		if err != nil {
			if c != 0 {
				t.Fatalf("Parse(%q) = %d with error %v", in, c, err)
			}
			return
		}
		if c > 63 {
			t.Fatalf("Parse(%q) = %d, above 63", in, c)
		}
		back, err := Parse(c.String())
		if err != nil || back != c {
			t.Fatalf("Parse(%q) = %d; Parse(%q) = %d, %v", in, c, c.String(), back, err)
		}
	})
}

func FuzzParseSet(f *testing.F) {
	for _, s := range []string{"", "cap_chown,cap_kill", "cap_bpf,41,63", "5,,6", "cap_kill,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSet(in)
		if err != nil {
			if s != 0 {
				t.Fatalf("ParseSet(%q) = %#x with error %v", in, uint64(s), err)
			}
			return
		}
		str := s.String()
		back, err := ParseSet(str)
		if err != nil || back != s {
			t.Fatalf("ParseSet(%q) = %#x; ParseSet(%q) = %#x, %v", in, uint64(s), str, uint64(back), err)
		}
		if h, err := ParseHex(s.Hex()); err != nil || h != s {
			t.Fatalf("ParseHex(%q) = %#x, %v; want %#x", s.Hex(), uint64(h), err, uint64(s))
		}
	})
}

func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"000001ffffffffff", "0", "FFFFFFFFFFFFFFFF", "10000000000000000", "0x1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseHex(in)
		if err != nil {
			return
		}
		if b, err := ParseHex([]byte(in)); err != nil || b != s {
			t.Fatalf("ParseHex([]byte(%q)) = %#x, %v; string form %#x", in, uint64(b), err, uint64(s))
		}
		if back, err := ParseHex(s.Hex()); err != nil || back != s {
			t.Fatalf("ParseHex(%q) = %#x; ParseHex(Hex()) = %#x, %v", in, uint64(s), uint64(back), err)
		}
		if back, err := ParseSet(s.String()); err != nil || back != s {
			t.Fatalf("ParseSet(%q) = %#x, %v; want %#x", s.String(), uint64(back), err, uint64(s))
		}
	})
}

func FuzzParseState(f *testing.F) {
	for _, c := range parseTexts {
		f.Add(c.text)
	}
	for _, c := range stateTexts {
		f.Add(c.text)
	}
	for _, s := range badTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		st, err := ParseState(in)
		if err != nil {
			if st != (State{}) {
				t.Fatalf("ParseState(%q) = %+v with error %v", in, st, err)
			}
			return
		}
		str := st.String()
		back, err := ParseState(str)
		if err != nil || back != st {
			t.Fatalf("ParseState(%q) = %+v; ParseState(%q) = %+v, %v", in, st, str, back, err)
		}
		if again := back.String(); again != str {
			t.Fatalf("String not canonical: %q then %q", str, again)
		}
	})
}

// FuzzStateString checks String and ParseState on every state, not only
// those a text can reach.
func FuzzStateString(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint64(0))
	f.Add(uint64(1<<41-1), uint64(1<<41-1), uint64(1<<63))
	f.Fuzz(func(t *testing.T, e, p, i uint64) {
		st := State{Effective: Set(e), Permitted: Set(p), Inheritable: Set(i)}
		str := st.String()
		back, err := ParseState(str)
		if err != nil || back != st {
			t.Fatalf("%+v.String() = %q; ParseState = %+v, %v", st, str, back, err)
		}
	})
}

func FuzzParseSecurebits(f *testing.F) {
	for _, s := range []string{"0", "SECBIT_NOROOT|0x100", "0x", "SECBIT_KEEP_CAPS|SECBIT_KEEP_CAPS_LOCKED", "0xffffffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ParseSecurebits(in)
		if err != nil {
			return
		}
		back, err := ParseSecurebits(b.String())
		if err != nil || back != b {
			t.Fatalf("ParseSecurebits(%q) = %#x; its String %q parses as %#x, %v", in, uint32(b), b.String(), uint32(back), err)
		}
	})
}
