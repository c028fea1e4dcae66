package cpuset

import (
	"slices"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "0", "0-3,8,10-11", "0-31:1/4,32-63:2/4", "0-1023:2/256", "1 2\n",
		"0-", "10-1", "0-31:10/1", "1048575", "all", "N", "0-3:0/1", ",,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			if !s.IsEmpty() {
				t.Fatalf("Parse(%q) returned %v with error %v", in, s, err)
			}
			return
		}
		checkInvariants(t, s)
		str := s.String()
		back, err := Parse(str)
		if err != nil || !back.Equal(s) {
			t.Fatalf("Parse(%q) = %v; Parse(String()) = %v, %v", in, s, back, err)
		}
		if str2 := back.String(); str2 != str {
			t.Fatalf("String not canonical: %q then %q", str, str2)
		}
		m, err := ParseMask(s.Mask())
		if err != nil || !m.Equal(s) {
			t.Fatalf("Parse(%q) = %v; ParseMask(Mask() = %q) = %v, %v", in, s, s.Mask(), m, err)
		}
		b, err := ParseBytes([]byte(in))
		if err != nil || !b.Equal(s) {
			t.Fatalf("ParseBytes(%q) = %v, %v; Parse = %v", in, b, err, s)
		}
	})
}

func FuzzParseMask(f *testing.F) {
	for _, s := range []string{"", "3", "ffffffff,00000001", "1,,5", " ,44 ", "123456789", "g", "0x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseMask(in)
		if err != nil {
			if !s.IsEmpty() {
				t.Fatalf("ParseMask(%q) returned %v with error %v", in, s, err)
			}
			return
		}
		checkInvariants(t, s)
		back, err := ParseMask(s.Mask())
		if err != nil || !back.Equal(s) {
			t.Fatalf("ParseMask(%q) = %v; ParseMask(Mask()) = %v, %v", in, s, back, err)
		}
		l, err := Parse(s.String())
		if err != nil || !l.Equal(s) {
			t.Fatalf("ParseMask(%q) = %v; Parse(String()) = %v, %v", in, s, l, err)
		}
	})
}

// FuzzAlgebra checks the set operations against their definitions.
func FuzzAlgebra(f *testing.F) {
	f.Add("0-3,64", "2-70:1/3")
	f.Add("", "5")
	f.Fuzz(func(t *testing.T, x, y string) {
		a, err1 := Parse(x)
		b, err2 := Parse(y)
		if err1 != nil || err2 != nil || a.Len() > 4096 || b.Len() > 4096 {
			return
		}
		u, i, d := a.Union(b), a.Intersect(b), a.Difference(b)
		for _, s := range []Set{u, i, d} {
			checkInvariants(t, s)
		}
		for c := range max(a.Len(), b.Len()) + 1 {
			ha, hb := a.Has(c), b.Has(c)
			if u.Has(c) != (ha || hb) || i.Has(c) != (ha && hb) || d.Has(c) != (ha && !hb) {
				t.Fatalf("CPU %d: a=%v b=%v union=%v intersect=%v difference=%v", c, ha, hb, u.Has(c), i.Has(c), d.Has(c))
			}
		}
		if u.Count()+i.Count() != a.Count()+b.Count() {
			t.Fatalf("|a∪b|+|a∩b| != |a|+|b| for %v, %v", a, b)
		}
	})
}

// checkInvariants checks the internal representation and the consistency of
// the accessors.
func checkInvariants(t *testing.T, s Set) {
	t.Helper()
	if len(s.w) > 0 && s.w[len(s.w)-1] == 0 {
		t.Fatalf("%v has a trailing zero word", s)
	}
	all := slices.Collect(s.All())
	if len(all) != s.Count() {
		t.Fatalf("All yields %d CPUs, Count %d", len(all), s.Count())
	}
	if !slices.IsSorted(all) {
		t.Fatalf("All not ascending: %v", all)
	}
	if len(all) > 0 && s.Len() != all[len(all)-1]+1 || len(all) == 0 && (s.Len() != 0 || !s.IsEmpty()) {
		t.Fatalf("Len %d for %v", s.Len(), all)
	}
}
