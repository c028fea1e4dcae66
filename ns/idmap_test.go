package ns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseIDMap(t *testing.T) {
	for _, c := range []struct {
		in   string
		want IDMap
	}{
		{"0 1000 1", IDMap{{0, 1000, 1}}},
		{"0 1000 1\n", IDMap{{0, 1000, 1}}},
		// As the kernel shows the file: fields padded to 10 columns.
		{"         0          0 4294967295\n", IDMap{{0, 0, 4294967295}}},
		{"         0     100000      65536\n     65536       1000          1\n", IDMap{{0, 100000, 65536}, {65536, 1000, 1}}},
		{"\t0\t1\t1 \r\n1 0 1", IDMap{{0, 1, 1}, {1, 0, 1}}},
		{"4294967294 4294967294 1", IDMap{{4294967294, 4294967294, 1}}},
		{"007 8 9", IDMap{{7, 8, 9}}},
		// The initial namespace's map, to a reader in a user namespace
		// that has no mapping for its ids.
		{"         0 4294967295 4294967295\n", IDMap{{0, UnmappedID, 4294967295}}},
		{"", nil},
	} {
		got, err := ParseIDMap(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseIDMap(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if b, err := ParseIDMap([]byte(c.in)); err != nil || !slices.Equal(b, c.want) {
			t.Errorf("ParseIDMap([]byte(%q)) = %v, %v", c.in, b, err)
		}
	}
}

func TestParseIDMapErrors(t *testing.T) {
	var many string
	for i := range MaxIDMapEntries + 1 {
		many += strconv.Itoa(i) + " " + strconv.Itoa(i) + " 1\n"
	}
	for _, c := range []struct {
		in   string
		want error
	}{
		{"\n", strconv.ErrSyntax},
		{"0 0 1\n\n", strconv.ErrSyntax},      // an empty line, as the kernel sees it
		{"0 0 1\n\n1 1 1", strconv.ErrSyntax}, // in the middle too
		{"0 0", strconv.ErrSyntax},
		{"0 0 1 1", strconv.ErrSyntax},
		{"-1 0 1", strconv.ErrSyntax},
		{"+1 0 1", strconv.ErrSyntax},
		{"0x10 0 1", strconv.ErrSyntax},
		{"0 0 1junk", strconv.ErrSyntax},
		{"0 4294967296 1", strconv.ErrRange}, // the kernel would truncate it to 0
		{"0 0 99999999999999999999999", strconv.ErrRange},
		{many, fs.ErrInvalid},
	} {
		m, err := ParseIDMap(c.in)
		if !errors.Is(err, c.want) || m != nil {
			t.Errorf("ParseIDMap(%.40q) = %v, %v; want an error matching %v", c.in, m, err, c.want)
		}
	}
	// 340 lines are fine, and the error above names the limit.
	if m, err := ParseIDMap(many[:strings.LastIndex(many[:len(many)-1], "\n")+1]); err != nil || len(m) != MaxIDMapEntries {
		t.Errorf("340 lines: %d entries, %v", len(m), err)
	}
}

// TestIDMapValidate: the rules of a write, which ParseIDMap does not
// apply (the kernel shows maps no writer could write).
func TestIDMapValidate(t *testing.T) {
	for _, in := range []string{
		"",
		"0 0 0",
		"4294967295 0 1", // (u32)-1 is not an id
		"0 4294967295 1",
		"0 4294967295 4294967295", // as a reader without a mapping sees the initial map
		"1 0 4294967295",          // 1+count wraps
		"0 0 10\n9 100 1",         // inside ranges overlap
		"0 0 10\n10 5 1",          // outside ranges overlap
		"5 5 1\n0 0 6",            // in any order
	} {
		m, err := ParseIDMap(in)
		if err != nil {
			t.Fatalf("ParseIDMap(%q): %v", in, err)
		}
		if err := m.Validate(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Validate(%q) = %v, want an error matching fs.ErrInvalid", in, err)
		}
	}
	if err := (IDMap{{0, 100000, 65536}, {65536, 1000, 1}}).Validate(); err != nil {
		t.Errorf("a valid map: %v", err)
	}
}

func TestIDMapText(t *testing.T) {
	m := IDMap{{0, 100000, 65536}, {65536, 1000, 1}}
	if got, want := m.String(), "0 100000 65536\n65536 1000 1\n"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	b, err := json.Marshal(struct{ M IDMap }{m})
	if err != nil || string(b) != `{"M":"0 100000 65536\n65536 1000 1\n"}` {
		t.Errorf("json = %s, %v", b, err)
	}
	var back struct{ M IDMap }
	if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back.M, m) {
		t.Errorf("json round trip = %v, %v", back.M, err)
	}
	// A map as the kernel shows it to a reader without a mapping: no
	// writer may write it, but it is a value and marshals.
	if b, err := (IDMap{{0, UnmappedID, 4294967295}}).MarshalText(); err != nil || string(b) != "0 4294967295 4294967295\n" {
		t.Errorf("MarshalText of a shown map: %q, %v", b, err)
	}
	if err := back.M.UnmarshalText([]byte("0 0")); err == nil || !slices.Equal(back.M, m) {
		t.Errorf("UnmarshalText of bad text: %v, left %v", err, back.M)
	}
}

func TestSetgroups(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Setgroups
	}{{"allow", SetgroupsAllow}, {"deny\n", SetgroupsDeny}, {"deny \t", SetgroupsDeny}} {
		if got, err := ParseSetgroups(c.in); got != c.want || err != nil {
			t.Errorf("ParseSetgroups(%q) = %v, %v", c.in, got, err)
		}
	}
	for _, in := range []string{"", "Allow", " deny", "deny x", "allowed"} {
		if got, err := ParseSetgroups(in); !errors.Is(err, strconv.ErrSyntax) || got != 0 {
			t.Errorf("ParseSetgroups(%q) = %v, %v", in, got, err)
		}
	}
	if SetgroupsAllow.String() != "allow" || SetgroupsDeny.String() != "deny" || Setgroups(9).String() != "Setgroups(9)" {
		t.Error("Setgroups.String")
	}
	if _, err := Setgroups(0).MarshalText(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("MarshalText(0) = %v", err)
	}
	var s Setgroups
	if err := s.UnmarshalText([]byte("deny")); err != nil || s != SetgroupsDeny {
		t.Errorf("UnmarshalText: %v, %v", s, err)
	}
}

// TestIDMapTranslate checks both directions against a map with two
// lines, at the edges of each, and against the ids a map never maps.
func TestIDMapTranslate(t *testing.T) {
	m := IDMap{{Inside: 0, Outside: 100000, Count: 65536}, {Inside: 65536, Outside: 1000, Count: 1}}
	for _, c := range []struct {
		inside, outside uint32
		ok              bool
	}{
		{0, 100000, true},
		{65535, 165535, true},
		{65536, 1000, true},
		{65537, UnmappedID, false},
		{UnmappedID, UnmappedID, false},
	} {
		if got, ok := m.ToOutside(c.inside); got != c.outside || ok != c.ok {
			t.Errorf("ToOutside(%d) = %d, %v; want %d, %v", c.inside, got, ok, c.outside, c.ok)
		}
		if c.ok {
			if got, ok := m.ToInside(c.outside); got != c.inside || !ok {
				t.Errorf("ToInside(%d) = %d, %v; want %d", c.outside, got, ok, c.inside)
			}
		}
	}
	for _, outside := range []uint32{999, 1001, 99999, 165536} {
		if got, ok := m.ToInside(outside); ok || got != UnmappedID {
			t.Errorf("ToInside(%d) = %d, %v; want unmapped", outside, got, ok)
		}
	}
	// A line reaching the top of the id space does not wrap.
	top := IDMap{{Inside: 10, Outside: 1<<32 - 11, Count: 10}}
	if got, ok := top.ToOutside(19); !ok || got != 1<<32-2 {
		t.Errorf("top ToOutside(19) = %d, %v", got, ok)
	}
	if got, ok := top.ToOutside(20); ok {
		t.Errorf("top ToOutside(20) = %d, mapped", got)
	}
}

// The kernel's view: a process in a new user namespace sees its own
// uid as the map's inside id.
func ExampleIDMap_ToInside() {
	m := IDMap{{Inside: 0, Outside: 1000, Count: 1}}
	id, ok := m.ToInside(1000)
	fmt.Println(id, ok)
	_, ok = m.ToInside(1001)
	fmt.Println(ok)
	// Output:
	// 0 true
	// false
}
