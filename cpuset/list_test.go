package cpuset

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// cpus lists the members of s.
func cpus(s Set) []int { return slices.Collect(s.All()) }

// expand returns the CPUs of a pattern region lo-hi:used/group.
func expand(lo, hi, used, group int) []int {
	var out []int
	for start := lo; start <= hi; start += group {
		for c := start; c < start+used && c <= hi; c++ {
			out = append(out, c)
		}
	}
	return out
}

// refList formats ascending CPUs in list form, the slow and obvious way.
func refList(c []int) string {
	var parts []string
	for i := 0; i < len(c); {
		j := i
		for j+1 < len(c) && c[j+1] == c[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, strconv.Itoa(c[i])+"-"+strconv.Itoa(c[j]))
		} else {
			parts = append(parts, strconv.Itoa(c[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		str  string // canonical form, to check refList; "" to skip
	}{
		{"", nil, ""},
		{"\n", nil, ""},
		{",,  ,,  , ,  ,", nil, ""},
		{" ,  ,,  , ,   \n", nil, ""},
		{"0", []int{0}, ""},
		{"1", []int{1}, ""},
		{"0-3", []int{0, 1, 2, 3}, ""},
		{"0-3\n", []int{0, 1, 2, 3}, "0-3"},
		{"0-3,8,10-11", []int{0, 1, 2, 3, 8, 10, 11}, ""},
		{"10-11,0-3,8", []int{0, 1, 2, 3, 8, 10, 11}, "0-3,8,10-11"},
		{"0,1,2,3", []int{0, 1, 2, 3}, "0-3"},
		{"0-2,3", []int{0, 1, 2, 3}, "0-3"},
		{"0-3,2-5", []int{0, 1, 2, 3, 4, 5}, "0-5"},
		{"5-5", []int{5}, "5"},
		{"0-0", []int{0}, "0"},
		{"007", []int{7}, "7"},
		{"1 2\t3", []int{1, 2, 3}, "1-3"},
		{"63-64", []int{63, 64}, ""},
		{"127", []int{127}, ""},
		{"  ,,  0-31:3/4  ,, 32-63:4/4  ,,  ", append(expand(0, 31, 3, 4), expand(32, 63, 4, 4)...), ""},
		{"0-31:1/2", expand(0, 31, 1, 2), ""},
		{"1-31:1/2", expand(1, 31, 1, 2), ""},
		{"0-31:1/4", expand(0, 31, 1, 4), ""},
		{"1-31:4/4", expand(1, 31, 4, 4), "1-31"},
		{"0-15:2/4", []int{0, 1, 4, 5, 8, 9, 12, 13}, "0-1,4-5,8-9,12-13"},
		{"0-1023:2/256", []int{0, 1, 256, 257, 512, 513, 768, 769}, "0-1,256-257,512-513,768-769"},
		{"0-0:0/1", nil, ""},
		{"0-0:1/31", []int{0}, "0"},
		{"15-31:1/31", []int{15}, "15"},
		{"0-31:1/3,1-31:1/3,2-31:1/3", expand(0, 31, 1, 1), "0-31"},
		{"1-10:8/12,8-31:24/29,0-31:0/3", expand(1, 31, 1, 1), "1-31"},
		{"0-8:2/4", []int{0, 1, 4, 5, 8}, "0-1,4-5,8"},
		{"1048575", []int{MaxCPU}, ""},
		{"0-3:4294967295/4294967295", []int{0, 1, 2, 3}, "0-3"},
	} {
		s, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := cpus(s); !slices.Equal(got, c.want) {
			t.Errorf("Parse(%q) = %v, want %v", c.in, got, c.want)
		}
		want := refList(c.want)
		if c.str != "" && c.str != want {
			t.Fatalf("bad test case %q: canonical %q, reference %q", c.in, c.str, want)
		}
		if got := s.String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, want)
		}
		b, err := ParseBytes([]byte(c.in))
		if err != nil || !b.Equal(s) {
			t.Errorf("ParseBytes(%q) = %v, %v; Parse gave %v", c.in, b, err, s)
		}
		if s.Count() != len(c.want) {
			t.Errorf("Parse(%q).Count() = %d, want %d", c.in, s.Count(), len(c.want))
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		in     string
		err    error
		offset int
		msg    string
	}{
		{"-1", strconv.ErrSyntax, 0, "want a number"},
		{"-0", strconv.ErrSyntax, 0, "want a number"},
		{"10-1", strconv.ErrSyntax, 0, "range start 10 above end 1"},
		{"0-31:", strconv.ErrSyntax, 5, "want a number"},
		{"0-31:0", strconv.ErrSyntax, 6, "want '/'"},
		{"0-31:0/", strconv.ErrSyntax, 7, "want a number"},
		{"0-31:0/0", strconv.ErrSyntax, 0, "group size 0"},
		{"0-31:1/0", strconv.ErrSyntax, 0, "group size 0"},
		{"0-31:10/1", strconv.ErrSyntax, 0, "used size 10 above group size 1"},
		{"a-31:10/1", strconv.ErrSyntax, 0, "want a number"},
		{"0-31:a/1", strconv.ErrSyntax, 5, "want a number"},
		{"0-\n", strconv.ErrSyntax, 2, "want a number"},
		{"0-", strconv.ErrSyntax, 2, "found end of input"},
		{"5:1/2", strconv.ErrSyntax, 1, "found ':'"},
		{"1x", strconv.ErrSyntax, 1, "found 'x'"},
		{"0-3x", strconv.ErrSyntax, 3, "found 'x'"},
		{"0-3:1/2x", strconv.ErrSyntax, 7, "found 'x'"},
		{"0-3:1/2-5", strconv.ErrSyntax, 7, "found '-'"},
		{"0--3", strconv.ErrSyntax, 2, "want a number"},
		{"0-3-5", strconv.ErrSyntax, 3, "found '-'"},
		{"1;2", strconv.ErrSyntax, 1, "found ';'"},
		{"+1", strconv.ErrSyntax, 0, "found '+'"},
		{"0x10", strconv.ErrSyntax, 1, "found 'x'"},
		{"1\xff", strconv.ErrSyntax, 1, `byte "\xff"`},
		{"all", strconv.ErrSyntax, 0, `"all" needs the bitmap size`},
		{"0-N", strconv.ErrSyntax, 2, `"N" needs the bitmap size`},
		{"N", strconv.ErrSyntax, 0, `"N" needs the bitmap size`},
		{"1048576", strconv.ErrRange, 0, "CPU 1048576 above maximum 1048575"},
		{"0-4000000000", strconv.ErrRange, 0, "CPU 4000000000 above maximum"},
		{"4294967296", strconv.ErrRange, 0, "number 4294967296 too large"},
		{"99999999999999999999999", strconv.ErrRange, 0, "too large"},
		{"0-3:1/99999999999", strconv.ErrRange, 6, "too large"},
	} {
		s, err := Parse(c.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, %v; want *ParseError", c.in, s, err)
			continue
		}
		if !errors.Is(err, c.err) || pe.Offset != c.offset || pe.Input != c.in || pe.Func != "Parse" ||
			!strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), strconv.Quote(c.in)) {
			t.Errorf("Parse(%q) error %q (offset %d, Err %v), want %q at %d (%v)", c.in, err, pe.Offset, pe.Err, c.msg, c.offset, c.err)
		}
		if !s.IsEmpty() {
			t.Errorf("Parse(%q) returned %v with its error", c.in, s)
		}
	}
	// The input is named even when long, and shortened in the message.
	long := strings.Repeat("1,", 100) + "x"
	_, err := Parse(long)
	if err == nil || !strings.Contains(err.Error(), `"1,1,1,`) || len(err.Error()) > 200 {
		t.Errorf("Parse(long) error %q", err)
	}
	if _, err := ParseBytes([]byte("1x")); err == nil || err.(*ParseError).Func != "ParseBytes" {
		t.Errorf("ParseBytes error %v, want Func ParseBytes", err)
	}
}

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		size int
		want string
		err  error
	}{
		{"all", 32, "0-31", nil},
		{"ALL", 4, "0-3", nil},
		{"All:1/2", 8, "0,2,4,6", nil},
		{"0, 1, all,  ", 32, "0-31", nil},
		{"N", 8, "7", nil},
		{"2-N", 8, "2-7", nil},
		{"N-N", 1, "0", nil},
		{"0-N:1/4", 16, "0,4,8,12", nil},
		{"0-N:1/N", 4, "0,3", nil},
		{"0-7", 8, "0-7", nil},
		{"8-8", 8, "", strconv.ErrRange},
		{"0-31", 8, "", strconv.ErrRange},
		{"al", 8, "", strconv.ErrSyntax},
		{"alll", 8, "", strconv.ErrSyntax},
		{"n", 8, "", strconv.ErrSyntax},
		{"NN", 8, "", strconv.ErrSyntax},
		{"all", 0, "", strconv.ErrRange},
		{"0", -1, "", strconv.ErrRange},
		{"0", MaxCPU + 2, "", strconv.ErrRange},
		{"N", MaxCPU + 1, "1048575", nil},
	} {
		s, err := ParseSize(c.in, c.size)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseSize(%q, %d) = %v, %v; want %v", c.in, c.size, s, err, c.err)
			}
			continue
		}
		if err != nil || s.String() != c.want {
			t.Errorf("ParseSize(%q, %d) = %q, %v; want %q", c.in, c.size, s, err, c.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		s    Set
		want string
	}{
		{Set{}, ""},
		{Of(0), "0"},
		{Of(0, 1), "0-1"},
		{Of(0, 2), "0,2"},
		{Of(63, 64), "63-64"},
		{Range(0, 63), "0-63"},
		{Range(0, 64), "0-64"},
		{Range(64, 127), "64-127"},
		{Range(1, 190), "1-190"},
		{Of(0, 64, 128, 191), "0,64,128,191"},
		{Range(0, MaxCPU), "0-1048575"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%v.String() = %q, want %q", cpus(c.s), got, c.want)
		}
		b, _ := c.s.AppendText([]byte("x="))
		if string(b) != "x="+c.want {
			t.Errorf("AppendText = %q, want %q", b, "x="+c.want)
		}
	}
}

func TestText(t *testing.T) {
	type doc struct {
		CPUs Set  `json:"cpus"`
		Ptr  *Set `json:"ptr,omitempty"`
	}
	in := doc{CPUs: Of(0, 1, 2, 3, 8)}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"cpus":"0-3,8"}` {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
	var out doc
	if err := json.Unmarshal([]byte(`{"cpus":"0-3,8","ptr":"5"}`), &out); err != nil {
		t.Fatal(err)
	}
	if !out.CPUs.Equal(in.CPUs) || out.Ptr == nil || out.Ptr.String() != "5" {
		t.Errorf("json.Unmarshal = %v, %v", out.CPUs, out.Ptr)
	}
	var bad doc
	err = json.Unmarshal([]byte(`{"cpus":"0-x"}`), &bad)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Func != "UnmarshalText" {
		t.Errorf("json.Unmarshal of a bad list: %v", err)
	}
	// UnmarshalText replaces the previous contents.
	s := Of(1, 2, 3)
	if err := s.UnmarshalText([]byte("7")); err != nil || s.String() != "7" {
		t.Errorf("UnmarshalText(7) = %v, %v", s, err)
	}
	if err := s.UnmarshalText(nil); err != nil || !s.IsEmpty() {
		t.Errorf("UnmarshalText(nil) = %v, %v", s, err)
	}
}

// TestParseAllocs pins the allocation count: one for the set's words, none
// for the empty set.
func TestParseAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under coverage and race")
	}
	for in, want := range map[string]float64{
		"":            0,
		"0-3,8,10-11": 1,
		"0-511":       1,
	} {
		if n := testing.AllocsPerRun(100, func() { Parse(in) }); n != want {
			t.Errorf("Parse(%q) allocates %v times, want %v", in, n, want)
		}
		b := []byte(in)
		if n := testing.AllocsPerRun(100, func() { ParseBytes(b) }); n != want {
			t.Errorf("ParseBytes(%q) allocates %v times, want %v", in, n, want)
		}
	}
}
