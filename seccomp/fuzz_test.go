package seccomp

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{"disabled", "strict", "filter", "2", "3", "256", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := Parse(in)
		if err != nil {
			if m != 0 {
				t.Fatalf("Parse(%q) = %d with error %v", in, m, err)
			}
			return
		}
		back, err := Parse(m.String())
		if err != nil || back != m {
			t.Fatalf("Parse(%q) = %d; Parse(%q) = %d, %v", in, m, m.String(), back, err)
		}
	})
}
