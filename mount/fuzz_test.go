package mount

import (
	"fmt"
	"testing"
)

func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{"rw", "ro,nosuid,nodev,noexec,relatime", "rw,lazytime", "", "rw,,x", "nosuid",
		"rw,nodiratime,nosymfollow,idmapped,noatime", "rw,nodiratimex,nosymfollo", "ro,relatime,", "rw,relatimes"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fl, err := ParseFlags(in)
		// The word-by-word parser, the only one before the fast path, is
		// the oracle.
		if want, wantErr := parseFlagsWords(in); fl != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("ParseFlags(%q) = %v, %v; word by word %v, %v", in, fl, err, want, wantErr)
		}
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
	for _, s := range []string{"", "private", "shared:1 master:2", "master:5 propagate_from:2", "unbindable", "shared:0", "x:1 shared:2147483648",
		"shared:123456789 master:1 ", "shared:0000000001", "master:1  shared:2", "shared:1\tmaster:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePropagation(in)
		// The field-by-field parser, the only one before the fast path,
		// is the oracle.
		if want, wantErr := parsePropagationFields(in); p != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("ParsePropagation(%q) = %+v, %v; field by field %+v, %v", in, p, err, want, wantErr)
		}
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
