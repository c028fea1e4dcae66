package cpuset

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseMask(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
	}{
		{"", nil},
		{"0", nil},
		{"00000000,00000000", nil},
		{",", nil},
		{"\n", nil},
		{"1", []int{0}},
		{"3", []int{0, 1}},
		{"3\n", []int{0, 1}},
		{"f0", []int{4, 5, 6, 7}},
		{"F0", []int{4, 5, 6, 7}},
		{"80000000", []int{31}},
		{"1,00000000", []int{32}},
		{"ffffffff,00000001", append([]int{0}, expand(32, 63, 1, 1)...)},
		{"1,00000000,00000000", []int{64}},
		{"80000000,00000000,00000000", []int{95}},
		{"1,,5", []int{0, 2, 32}},
		{",44", []int{2, 6}},
		{"  ff  ", expand(0, 7, 1, 1)},
		{"1 0", []int{32}},
		{"00000001", []int{0}},
		{"0001", []int{0}},
		{strings.Repeat("00000000,", 31) + "00000001", []int{0}}, // Mems_allowed, MAX_NUMNODES=1024
		{"80000000" + strings.Repeat(",00000000", 32767), []int{MaxCPU}},
	} {
		s, err := ParseMask(c.in)
		if err != nil {
			t.Errorf("ParseMask(%.40q): %v", c.in, err)
			continue
		}
		if got := cpus(s); !slices.Equal(got, c.want) {
			t.Errorf("ParseMask(%.40q) = %v, want %v", c.in, got, c.want)
		}
		b, err := ParseMaskBytes([]byte(c.in))
		if err != nil || !b.Equal(s) {
			t.Errorf("ParseMaskBytes(%.40q) = %v, %v", c.in, b, err)
		}
	}
}

func TestParseMaskErrors(t *testing.T) {
	for _, c := range []struct {
		in     string
		err    error
		offset int
		msg    string
	}{
		{"g", strconv.ErrSyntax, 0, "found 'g', want a hexadecimal digit"},
		{"0x3", strconv.ErrSyntax, 1, "found 'x'"},
		{"ff;ff", strconv.ErrSyntax, 2, "found ';'"},
		{"-1", strconv.ErrSyntax, 0, "found '-'"},
		{"123456789", strconv.ErrRange, 0, "longer than 8 hex digits"},
		{"000000001", strconv.ErrRange, 0, "longer than 8 hex digits"},
		{"x12345678", strconv.ErrSyntax, 0, "found 'x'"},
		{"1" + strings.Repeat(",00000000", 32768), strconv.ErrRange, 0, "above maximum 1048575"},
	} {
		s, err := ParseMask(c.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseMask(%.40q) = %v, %v; want *ParseError", c.in, s, err)
			continue
		}
		if !errors.Is(err, c.err) || pe.Offset != c.offset || pe.Func != "ParseMask" ||
			!strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "invalid CPU mask") {
			t.Errorf("ParseMask(%.40q) error %q (offset %d), want %q at %d (%v)", c.in, err, pe.Offset, c.msg, c.offset, c.err)
		}
	}
	// An all-zero mask of any length is fine: only set bits count.
	if s, err := ParseMask("0" + strings.Repeat(",00000000", 40000)); err != nil || !s.IsEmpty() {
		t.Errorf("ParseMask(long zero mask) = %v, %v", s, err)
	}
}

func TestMask(t *testing.T) {
	for _, c := range []struct {
		s     Set
		nbits int
		want  string
	}{
		{Set{}, 0, "0"},
		{Of(0), 0, "1"},
		{Of(0, 1), 0, "3"},
		{Of(4), 0, "10"},
		{Of(31), 0, "80000000"},
		{Of(32), 0, "1,00000000"},
		{Of(0, 32), 0, "1,00000001"},
		{Range(0, 63), 0, "ffffffff,ffffffff"},
		{Of(64), 0, "1,00000000,00000000"},
		{Of(0, 1), 2, "3"},           // Cpus_allowed with nr_cpu_ids=2
		{Of(0, 1), 36, "0,00000003"}, // nr_cpu_ids=36
		{Of(0, 1), 64, "00000000,00000003"},
		{Set{}, 8, "00"},
		{Set{}, 1, "0"},
		{Of(0), 1024, strings.Repeat("00000000,", 31) + "00000001"},
		{Of(40), 8, "100,00000000"}, // nbits too small: widened to Len()
	} {
		var got string
		if c.nbits == 0 {
			got = c.s.Mask()
		} else {
			got = c.s.MaskWidth(c.nbits)
		}
		if got != c.want {
			t.Errorf("%v mask (nbits %d) = %q, want %q", cpus(c.s), c.nbits, got, c.want)
		}
		back, err := ParseMask(got)
		if err != nil || !back.Equal(c.s) {
			t.Errorf("ParseMask(%q) = %v, %v, want %v", got, back, err, c.s)
		}
		if b := c.s.AppendMask([]byte("m="), c.nbits); string(b) != "m="+c.want {
			t.Errorf("AppendMask = %q", b)
		}
	}
}

// TestProcStatus checks the two forms against each other on this machine's
// /proc/self/status, where the kernel prints both.
func TestProcStatus(t *testing.T) {
	status := readFile(t, "/proc/self/status")
	fields := map[string]string{}
	for line := range strings.Lines(status) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
		if ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	for _, name := range []string{"Cpus_allowed", "Mems_allowed"} {
		mask, list := fields[name], fields[name+"_list"]
		if mask == "" || list == "" {
			t.Fatalf("/proc/self/status lacks %s or %s_list", name, name)
		}
		m, err := ParseMask(mask)
		if err != nil {
			t.Fatal(err)
		}
		l, err := Parse(list)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Equal(l) || m.String() != list {
			t.Errorf("%s %q = %v, but %s_list = %q", name, mask, m, name, list)
		}
		// The kernel pads to its bitmap size, a whole number of digits.
		nbits := 4 * len(strings.ReplaceAll(mask, ",", ""))
		if got := m.MaskWidth(nbits); got != mask && !strings.HasSuffix(got, mask[1:]) {
			t.Errorf("MaskWidth(%d) = %q, kernel %q", nbits, got, mask)
		}
	}
}
