package cpuset

import (
	"os"
	"slices"
	"testing"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSetBasics(t *testing.T) {
	var s Set
	if !s.IsEmpty() || s.Len() != 0 || s.Count() != 0 || s.Has(0) || s.String() != "" {
		t.Fatalf("zero Set not empty: %v", s)
	}
	s.Add(3)
	s.Add(200)
	s.Add(3)
	if !s.Has(3) || !s.Has(200) || s.Has(4) || s.Has(-1) || s.Has(1<<30) {
		t.Errorf("Has wrong on %v", s)
	}
	if s.Len() != 201 || s.Count() != 2 || s.IsEmpty() {
		t.Errorf("Len %d Count %d on %v", s.Len(), s.Count(), s)
	}
	s.Remove(200)
	if s.Len() != 4 || len(s.w) != 1 {
		t.Errorf("after Remove(200): Len %d words %d", s.Len(), len(s.w))
	}
	s.Remove(-5)
	s.Remove(1 << 30)
	s.Remove(4)
	s.Remove(3)
	if !s.IsEmpty() || !s.Equal(Set{}) {
		t.Errorf("after removing all: %v (%d words)", s, len(s.w))
	}
	// Removed words do not come back with old bits.
	s.Add(130)
	if s.String() != "130" {
		t.Errorf("re-grown set = %v", s)
	}
}

func TestOfRange(t *testing.T) {
	if got := cpus(Of(5, 1, 3, 1)); !slices.Equal(got, []int{1, 3, 5}) {
		t.Errorf("Of = %v", got)
	}
	if !Of().IsEmpty() || !Range(5, 4).IsEmpty() {
		t.Error("empty Of/Range not empty")
	}
	for _, r := range [][2]int{{0, 0}, {0, 63}, {0, 64}, {63, 64}, {5, 130}, {64, 127}, {100, 1000}} {
		want := expand(r[0], r[1], 1, 1)
		if got := cpus(Range(r[0], r[1])); !slices.Equal(got, want) {
			t.Errorf("Range(%d, %d) = %v", r[0], r[1], got)
		}
	}
	for _, bad := range []func(){
		func() { Of(-1) },
		func() { Of(MaxCPU + 1) },
		func() { Range(-1, 3) },
		func() { Range(0, MaxCPU+1) },
		func() { var s Set; s.Add(-1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic on an out-of-range CPU")
				}
			}()
			bad()
		}()
	}
}

func TestAlgebra(t *testing.T) {
	a := Of(0, 1, 2, 64, 130)
	b := Of(1, 2, 3, 130, 300)
	for _, c := range []struct {
		name string
		got  Set
		want []int
	}{
		{"union", a.Union(b), []int{0, 1, 2, 3, 64, 130, 300}},
		{"union rev", b.Union(a), []int{0, 1, 2, 3, 64, 130, 300}},
		{"intersect", a.Intersect(b), []int{1, 2, 130}},
		{"intersect rev", b.Intersect(a), []int{1, 2, 130}},
		{"a-b", a.Difference(b), []int{0, 64}},
		{"b-a", b.Difference(a), []int{3, 300}},
		{"a-a", a.Difference(a), nil},
		{"high-only intersect", Of(0, 300).Intersect(Of(1, 300)), []int{300}},
		{"low intersect", Of(0, 300).Intersect(Of(0, 200)), []int{0}},
		{"empty union", Set{}.Union(Set{}), nil},
		{"empty intersect", a.Intersect(Set{}), nil},
		{"diff empty", a.Difference(Set{}), []int{0, 1, 2, 64, 130}},
	} {
		if got := cpus(c.got); !slices.Equal(got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
		// Results are trimmed, so Equal agrees with the members.
		if !c.got.Equal(Of(c.want...)) {
			t.Errorf("%s: %v not Equal to Of(%v) (words %d)", c.name, c.got, c.want, len(c.got.w))
		}
	}
	// Inputs are untouched and results independent.
	u := a.Union(b)
	u.Add(999)
	if a.Has(999) || b.Has(999) || a.String() != "0-2,64,130" {
		t.Errorf("Union aliased its input: a = %v", a)
	}
}

func TestClone(t *testing.T) {
	a := Of(1, 2)
	c := a.Clone()
	c.Add(3)
	c.Remove(1)
	if a.String() != "1-2" || c.String() != "2-3" {
		t.Errorf("Clone shares storage: a = %v, c = %v", a, c)
	}
	if !(Set{}).Clone().IsEmpty() {
		t.Error("Clone of empty not empty")
	}
}

func TestAllStops(t *testing.T) {
	var got []int
	for c := range Of(1, 5, 70, 200).All() {
		got = append(got, c)
		if c == 70 {
			break
		}
	}
	if !slices.Equal(got, []int{1, 5, 70}) {
		t.Errorf("All with break = %v", got)
	}
}

func TestWords(t *testing.T) {
	s := Of(0, 65)
	w := s.Words()
	if !slices.Equal(w, []uint64{1, 2}) {
		t.Errorf("Words = %x", w)
	}
	w[0] = 0xff
	if s.String() != "0,65" {
		t.Error("Words shares storage")
	}
	back, err := FromWords([]uint64{1, 2, 0, 0})
	if err != nil || !back.Equal(s) || len(back.w) != 2 {
		t.Errorf("FromWords = %v, %v", back, err)
	}
	if e, err := FromWords(nil); err != nil || !e.IsEmpty() || (Set{}).Words() != nil {
		t.Errorf("FromWords(nil) = %v, %v", e, err)
	}
	big := make([]uint64, (MaxCPU+1)/64+1)
	big[len(big)-1] = 1
	if _, err := FromWords(big); err == nil || err.Error() != "cpuset: invalid CPU words: CPU 1048576 above maximum 1048575" {
		t.Errorf("FromWords with a CPU above MaxCPU: %v", err)
	}
	big[len(big)-1] = 0
	big[len(big)-2] = 1 << 63
	if s, err := FromWords(big); err != nil || s.String() != "1048575" {
		t.Errorf("FromWords(MaxCPU) = %v, %v", s, err)
	}
}
