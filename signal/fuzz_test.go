package signal

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{"TERM", "SIGTERM", "sigterm", "15", "SIG0", "RTMIN+3", "SIGRTMAX-1", "RTMAX-31", "IOT", "65", "SIG"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			if s != 0 {
				t.Fatalf("Parse(%q) = %d with error %v", in, int(s), err)
			}
			return
		}
		if s < 0 || s > RTMax {
			t.Fatalf("Parse(%q) = %d, outside 0..64", in, int(s))
		}
		back, err := Parse(s.String())
		if err != nil || back != s {
			t.Fatalf("Parse(%q) = %d; Parse(%q) = %d, %v", in, int(s), s.String(), int(back), err)
		}
	})
}

func FuzzParseSet(f *testing.F) {
	for _, s := range []string{"", "SIGINT,SIGTERM", "TERM,9,rtmin+2", "SIG32,SIG33", "SIGINT,", "0"} {
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
	for _, s := range []string{"0000000000004002", "0", "ffffffffffffffff", "10000000000000000", ""} {
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
		if back, err := ParseSet(s.String()); err != nil || back != s {
			t.Fatalf("ParseSet(%q) = %#x, %v; want %#x", s.String(), uint64(back), err, uint64(s))
		}
	})
}

// FuzzCodeName checks that every code and signal, known or not, has a
// name and that nothing panics.
func FuzzCodeName(f *testing.F) {
	f.Add(int32(1), 11)
	f.Add(int32(-60), 0)
	f.Fuzz(func(t *testing.T, code int32, sig int) {
		if Code(code).Name(Signal(sig)) == "" || Code(code).String() == "" || Signal(sig).String() == "" {
			t.Fatalf("empty name for code %d signal %d", code, sig)
		}
	})
}
