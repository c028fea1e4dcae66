package vm

import "testing"

func FuzzParseAdvice(f *testing.F) {
	for _, s := range []string{"MADV_DONTNEED", "HUGEPAGE", "25", "", "MADV_", "300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAdvice(s)
		if err != nil {
			return
		}
		back, err := ParseAdvice(a.String())
		if err != nil || back != a {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, a, a.String(), back, err)
		}
	})
}

func FuzzParseProt(f *testing.F) {
	for _, s := range []string{"PROT_READ|PROT_WRITE", "PROT_NONE", "0", "0x10", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProt(s)
		if err != nil {
			return
		}
		back, err := ParseProt(p.String())
		if err != nil || back != p {
			t.Fatalf("%q -> %v -> %v, %v", s, p, back, err)
		}
	})
}
