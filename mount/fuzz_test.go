package mount

import "testing"

func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{"rw", "ro,nosuid,nodev,noexec,relatime", "rw,lazytime", "", "rw,,x", "nosuid"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fl, err := ParseFlags(in)
		if err != nil {
			if fl != 0 {
				t.Fatalf("ParseFlags(%q) = %v with error %v", in, fl, err)
			}
			return
		}
		if b, err := ParseFlags([]byte(in)); err != nil || b != fl {
			t.Fatalf("ParseFlags([]byte(%q)) = %v, %v; string form %v", in, b, err, fl)
		}
		back, err := ParseFlags(fl.String())
		if err != nil || back != fl {
			t.Fatalf("ParseFlags(%q) = %#x; ParseFlags(%q) = %#x, %v", in, uint16(fl), fl.String(), uint16(back), err)
		}
	})
}

func FuzzParsePropagation(f *testing.F) {
	for _, s := range []string{"", "private", "shared:1 master:2", "master:5 propagate_from:2", "unbindable", "shared:0", "x:1 shared:2147483648"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePropagation(in)
		if err != nil {
			if p != (Propagation{}) {
				t.Fatalf("ParsePropagation(%q) = %+v with error %v", in, p, err)
			}
			return
		}
		if b, err := ParsePropagation([]byte(in)); err != nil || b != p {
			t.Fatalf("ParsePropagation([]byte(%q)) = %+v, %v; string form %+v", in, b, err, p)
		}
		back, err := ParsePropagation(p.String())
		if err != nil || back != p {
			t.Fatalf("ParsePropagation(%q) = %+v; ParsePropagation(%q) = %+v, %v", in, p, p.String(), back, err)
		}
	})
}
