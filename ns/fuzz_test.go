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
